//! The `Webhooks` port: talking to subscribers' endpoints: the CloudEvents abuse-protection
//! handshake that validates an endpoint before it is subscribed, and deliveries.

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
}

/// What became of one delivery attempt: an answer, or why there was none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The endpoint answered with `status`; `retry_after` is its `Retry-After`, when given;
    /// `body` the start of a non-2xx answer's body (see [`crate::delivery::log::excerpt`]).
    Answered {
        status: u16,
        retry_after: Option<std::time::Duration>,
        body: Option<String>,
    },
    /// No answer within the timeout.
    TimedOut,
    /// No connection (refused, reset, TLS); the text says what happened.
    SocketError(String),
    /// The host did not resolve, or only to addresses the deployment does not allow.
    ResolutionError(String),
    /// Not sent: no slot came free before the request's `start_by`. Nothing reached the
    /// endpoint, so it is not an attempt.
    NotSent,
    /// An AWS target did not take the message.
    Service(super::ServiceError),
}

impl Attempt {
    /// An answer with `status` and nothing else.
    pub fn answered(status: u16) -> Self {
        Attempt::Answered {
            status,
            retry_after: None,
            body: None,
        }
    }
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
