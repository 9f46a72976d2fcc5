//! The `Webhooks` port: talking to subscribers' endpoints: the CloudEvents abuse-protection
//! handshake that validates an endpoint before it is subscribed, and deliveries.

use super::attempt::Attempt;
use crate::error::Result;

/// What an endpoint answered to the validation handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handshake {
    /// It allows deliveries, at most `rate` requests per minute when it said so
    /// (`WebHook-Allowed-Rate`).
    Allowed { rate: Option<u32> },
    /// It did not allow them; the text says what it answered.
    Refused(String),
}

/// One POST to an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRequest {
    pub url: String,
    /// Header names and values, `Content-Type` included.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The latest moment the request may start: a client that cannot send it by then (every
    /// slot for the endpoint, or of the client, taken) answers [`Attempt::NotSent`].
    pub start_by: Option<std::time::Instant>,
    /// How long an answer may take once the request is sent (a fan-out's first try): a client
    /// that has none by then, or knows the endpoint answers slower, answers
    /// [`Attempt::OverBudget`].
    pub answer_within: Option<std::time::Duration>,
}

#[async_trait::async_trait]
pub trait Webhooks: Send + Sync {
    /// Sends `OPTIONS url` with `WebHook-Request-Origin` and reads the answer. An endpoint that
    /// cannot be reached, or answers anything but 200 with `WebHook-Allowed-Origin` equal to
    /// the origin or `*`, is `Refused`. A URL refused before any request (not http(s), or
    /// resolving to an address the deployment does not allow) is an `Err` (400).
    async fn handshake(&self, url: &str) -> Result<Handshake>;

    /// POSTs `request` and classifies what came of it; never fails otherwise. An endpoint has
    /// a bounded number of requests in flight at once, fewer while it fails.
    async fn deliver(&self, request: &DeliveryRequest) -> Attempt;
}
