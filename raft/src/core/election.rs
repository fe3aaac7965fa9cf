//! Elections: the election timer (followers and candidates), RequestVote on the receiving side, and
//! counting votes as a candidate.

use super::{Core, Effect, Progress, Role};
use crate::messages::{RequestVoteArgs, RequestVoteReply};
use crate::timing::Time;
use std::collections::BTreeSet;
use tracing::{debug, info};

impl Core {
    /// The election timer, at `now`. The driver calls this at or after [`Core::election_deadline`];
    /// earlier calls change nothing. A follower or candidate whose timer ran out starts an election:
    /// a new term, its own vote, a fresh timer, and a RequestVote to every other peer.
    pub fn tick(&mut self, now: Time) {
        if now < self.election_deadline {
            return;
        }
        self.reset_election_timer(now);
        if self.is_leader() {
            return;
        }
        let me = self.me;
        let hard = self.hard_mut();
        hard.term += 1;
        hard.voted_for = Some(me);
        debug!(
            peer = self.me,
            term = self.hard.term,
            topic = "timer",
            role = "candidate",
            "election timeout: campaigning"
        );
        let votes = BTreeSet::from([self.me]);
        if votes.len() >= self.majority() {
            self.become_leader();
            return;
        }
        self.role = Role::Candidate { votes };
        let args = RequestVoteArgs {
            term: self.hard.term,
            candidate: self.me,
            last_log_index: self.hard.log.last_index(),
            last_log_term: self.hard.log.last_term(),
        };
        for peer in self.others() {
            self.emit(Effect::RequestVote {
                peer,
                args: args.clone(),
            });
        }
    }

    /// RequestVote, received at `now`: grant at most one vote per term, only to a candidate whose log
    /// is at least as up to date as ours, and restart the election timer when granting.
    pub fn handle_request_vote(&mut self, now: Time, args: RequestVoteArgs) -> RequestVoteReply {
        self.observe_term(args.term);
        let log = &self.hard.log;
        let up_to_date =
            (args.last_log_term, args.last_log_index) >= (log.last_term(), log.last_index());
        let free = self.hard.voted_for.is_none_or(|v| v == args.candidate);
        let granted = args.term == self.hard.term && free && up_to_date;
        if granted {
            if self.hard.voted_for.is_none() {
                self.hard_mut().voted_for = Some(args.candidate);
            }
            self.reset_election_timer(now);
            debug!(
                peer = self.me,
                term = self.hard.term,
                topic = "vote",
                candidate = args.candidate,
                "vote granted"
            );
        }
        RequestVoteReply {
            term: self.hard.term,
            granted,
        }
    }

    /// A vote reply from `from` to a request sent in `sent_term`. A majority makes this peer leader.
    pub fn on_vote_reply(&mut self, from: usize, sent_term: u64, reply: RequestVoteReply) {
        self.observe_term(reply.term);
        if self.hard.term != sent_term || !reply.granted {
            return;
        }
        let majority = self.majority();
        let Role::Candidate { votes } = &mut self.role else {
            return;
        };
        votes.insert(from as u64);
        if votes.len() >= majority {
            self.become_leader();
        }
    }

    fn become_leader(&mut self) {
        let last = self.hard.log.last_index();
        self.role = Role::Leader(Progress::new(self.me as usize, self.peers, last));
        info!(
            peer = self.me,
            term = self.hard.term,
            topic = "vote",
            role = "leader",
            last,
            "became leader"
        );
        self.emit(Effect::StartReplicators {
            term: self.hard.term,
        });
    }
}
