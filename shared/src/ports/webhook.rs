//! The `Webhooks` port: talking to subscribers' endpoints. For now, the CloudEvents
//! abuse-protection handshake that validates an endpoint before it is subscribed.

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

#[async_trait::async_trait]
pub trait Webhooks: Send + Sync {
    /// Sends `OPTIONS url` with `WebHook-Request-Origin` and reads the answer. An endpoint that
    /// cannot be reached, or answers anything but 200 with `WebHook-Allowed-Origin` equal to
    /// the origin or `*`, is `Refused`. A URL refused before any request (not http(s), or
    /// resolving to an address the deployment does not allow) is an `Err` (400).
    async fn handshake(&self, url: &str) -> Result<Handshake>;
}
