//! The embedded adapters: everything in one data directory on local disk, durable across
//! restarts, for local runs and tests without an AWS account.

mod queue;
mod store;

pub use queue::EmbeddedQueue;
pub use store::EmbeddedStore;
