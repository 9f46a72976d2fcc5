//! The data plane's rules: authenticating publishers, validating CloudEvents, and the trace
//! context a publish carries to its events.

pub mod cache;
pub mod cloudevents;
pub mod sas;
pub mod trace;
