//! The client library: the tester's clients call `get`, `put` and `append`, which must return once
//! the operation took effect exactly once, however often a request is lost or a leader changes.

use labrpc::ClientEnd;
use raftapi::KvClerk;

pub struct Clerk {
    /// Ends to every server, in an order of the tester's choosing.
    #[allow(dead_code)] // yours to use
    servers: Vec<ClientEnd>,
    // Your state here (3A).
}

impl KvClerk for Clerk {
    fn make(servers: Vec<ClientEnd>) -> Clerk {
        Clerk { servers }
    }

    /// The current value of `key`, "" if it has none. Keeps trying until a server answers.
    async fn get(&self, _key: &str) -> String {
        unimplemented!("Clerk::get (Lab 3A)")
    }

    async fn put(&self, _key: &str, _value: &str) {
        unimplemented!("Clerk::put (Lab 3A)")
    }

    async fn append(&self, _key: &str, _value: &str) {
        unimplemented!("Clerk::append (Lab 3A)")
    }
}
