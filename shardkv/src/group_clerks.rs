//! Clerks of the shard groups, one per group, made on first use from the servers a configuration
//! names: the controller's and the sharded clerk's way to reach a group.

use crate::shardgrp::Clerk;
use raftapi::ReplicatedClerk;
use shardapi::{Clnt, Gid};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// A group's clerk with the server names it was made from.
struct Cached {
    servers: Vec<String>,
    clerk: Arc<Clerk>,
}

/// Each group's clerk, reached through one client.
pub struct GroupClerks {
    clnt: Clnt,
    clerks: Mutex<BTreeMap<Gid, Cached>>,
}

impl GroupClerks {
    pub fn new(clnt: Clnt) -> Self {
        GroupClerks {
            clnt,
            clerks: Mutex::new(BTreeMap::new()),
        }
    }

    fn clerks(&self) -> MutexGuard<'_, BTreeMap<Gid, Cached>> {
        // Every update is one insert; a poisoned lock (a test already failing) holds a usable map.
        self.clerks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The clerk of group `gid` made of `servers` (a new one if the group's servers changed).
    pub fn clerk(&self, gid: Gid, servers: &[String]) -> Arc<Clerk> {
        let mut clerks = self.clerks();
        if let Some(cached) = clerks.get(&gid)
            && cached.servers.as_slice() == servers
        {
            return cached.clerk.clone();
        }
        let ends = servers.iter().map(|name| self.clnt.end(name)).collect();
        let clerk = Arc::new(Clerk::make(ends));
        let servers = servers.to_vec();
        clerks.insert(
            gid,
            Cached {
                servers,
                clerk: clerk.clone(),
            },
        );
        clerk
    }

    /// The server of group `gid` its clerk last found leading, if there is a clerk and it has.
    pub fn leader(&self, gid: Gid) -> Option<usize> {
        self.clerks().get(&gid).and_then(|c| c.clerk.leader())
    }
}
