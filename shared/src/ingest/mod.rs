//! The data plane's rules: authenticating publishers and validating CloudEvents.

pub mod cloudevents;
