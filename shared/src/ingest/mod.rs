//! The data plane's rules: authenticating publishers and validating CloudEvents.

pub mod cache;
pub mod cloudevents;
pub mod sas;
