//! Handlers: parse the request, call one use case, shape the response.

pub mod channels;
pub mod custom_topics;
pub mod namespaces;
pub mod subscriptions;
pub mod system_topics;
pub mod topics;
