//! Handlers: parse the request, call one use case, shape the response. Each module also says
//! which routes serve its handlers.

pub mod channels;
pub mod delivery_control;
pub mod endpoints;
pub mod subscriptions;
pub mod system_topics;
pub mod topics;

/// The answer to `getFullUrl`: `{"endpointUrl"}`.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FullUrl {
    /// The full URL events are delivered to.
    pub endpoint_url: String,
}
