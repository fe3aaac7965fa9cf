//! How a controller or a clerk reaches servers by name (the course's `tester.Clnt`).

use labrpc::ClientEnd;
use std::sync::Arc;

/// A client's access to the servers of the test, by name (`server-g-i`). Configurations name
/// servers, not ends, so a controller or a sharded clerk asks its connector for an end to each
/// server it needs. Whether a call through an end gets through is the tester's business: it
/// connects and disconnects a client as a whole.
pub trait Connector: Send + Sync + 'static {
    /// This client's end to the server named `server`: made on first use, the same one afterwards.
    fn end(&self, server: &str) -> ClientEnd;
}

/// A client as the tester hands it out (the course's `*tester.Clnt`).
pub type Clnt = Arc<dyn Connector>;
