//! The submissions waiting for the entries at their indexes to be applied.

use crate::entry::OpId;
use futures::channel::oneshot;
use std::collections::BTreeMap;

/// Several submissions can wait on one index (started there in different terms); at most one
/// of them is the entry that gets applied there.
pub struct Pending<Reply> {
    by_index: BTreeMap<u64, Vec<Waiting<Reply>>>,
}

struct Waiting<Reply> {
    id: OpId,
    /// The term the submission was started in.
    term: u64,
    tx: oneshot::Sender<Reply>,
}

impl<Reply> Default for Pending<Reply> {
    fn default() -> Self {
        Pending {
            by_index: BTreeMap::new(),
        }
    }
}

impl<Reply> Pending<Reply> {
    pub fn add(&mut self, index: u64, id: OpId, term: u64) -> oneshot::Receiver<Reply> {
        let (tx, rx) = oneshot::channel();
        self.by_index
            .entry(index)
            .or_default()
            .push(Waiting { id, term, tx });
        rx
    }

    /// Whether the submission `id` waits for the entry at `index`.
    pub fn waits(&self, index: u64, id: OpId) -> bool {
        self.by_index
            .get(&index)
            .is_some_and(|waiting| waiting.iter().any(|w| w.id == id))
    }

    /// The entry at `index` was applied as `id` with `reply`: its submission gets the reply; the
    /// others waiting there are dropped, which answers them `WrongLeader`.
    pub fn answer(&mut self, index: u64, id: OpId, reply: Reply) {
        let waiting = self.by_index.remove(&index).unwrap_or_default();
        if let Some(w) = waiting.into_iter().find(|w| w.id == id) {
            // The submitter may have given up meanwhile; then nobody needs the reply.
            let _ = w.tx.send(reply);
        }
    }

    /// Drops every submission waiting on an index up to `index` (a snapshot covers them, or the
    /// entry there did not decode): they learn nothing, so they are answered `WrongLeader`.
    pub fn drop_through(&mut self, index: u64) {
        self.by_index = self.by_index.split_off(&(index + 1));
    }

    /// Forgets one submission (its submitter stopped waiting).
    pub fn remove(&mut self, index: u64, id: OpId) {
        if let Some(waiting) = self.by_index.get_mut(&index) {
            waiting.retain(|w| w.id != id);
            if waiting.is_empty() {
                self.by_index.remove(&index);
            }
        }
    }

    /// Drops every submission started in a term before `term` (a no-op of `term` was applied: their
    /// entries can no longer be).
    pub fn drop_older_than(&mut self, term: u64) {
        for waiting in self.by_index.values_mut() {
            waiting.retain(|w| w.term >= term);
        }
        self.by_index.retain(|_, waiting| !waiting.is_empty());
    }

    /// Drops every submission (nothing will be applied any more).
    pub fn clear(&mut self) {
        self.by_index.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(seq: u64) -> OpId {
        OpId {
            incarnation: 1,
            seq,
        }
    }

    #[test]
    fn only_the_applied_submission_gets_the_reply() {
        let mut p = Pending::default();
        let mut mine = p.add(5, id(1), 1);
        let mut other = p.add(5, id(2), 1);
        p.answer(5, id(1), "r");
        assert_eq!(mine.try_recv(), Ok(Some("r")));
        assert!(other.try_recv().is_err(), "the other one is dropped");
    }

    #[test]
    fn drop_through_keeps_later_indexes() {
        let mut p = Pending::<()>::default();
        let mut early = p.add(3, id(1), 1);
        let mut late = p.add(4, id(2), 1);
        p.drop_through(3);
        assert!(early.try_recv().is_err());
        assert_eq!(late.try_recv(), Ok(None), "still waiting");
    }

    #[test]
    fn a_later_terms_noop_drops_only_earlier_terms_submissions() {
        let mut p = Pending::<()>::default();
        let mut old = p.add(7, id(1), 2);
        let mut new = p.add(8, id(2), 3);
        p.drop_older_than(3);
        assert!(
            old.try_recv().is_err(),
            "term 2's entry can no longer apply"
        );
        assert_eq!(new.try_recv(), Ok(None), "term 3's is still waiting");
    }

    #[test]
    fn remove_forgets_one_submission() {
        let mut p = Pending::<()>::default();
        let mut a = p.add(2, id(1), 1);
        let _b = p.add(2, id(2), 1);
        p.remove(2, id(2));
        assert_eq!(a.try_recv(), Ok(None));
        p.remove(2, id(1));
        assert!(p.by_index.is_empty());
    }
}
