//! A publisher's side of a publish endpoint (a partner namespace's or a customer topic's):
//! requests built on its URL, batches posted with a credential header.

use reqwest::{RequestBuilder, StatusCode};
use serde_json::Value;

use crate::answer;

/// The content type of a batch of CloudEvents.
pub const BATCH: &str = "application/cloudevents-batch+json; charset=utf-8";

/// A client of one publish endpoint.
#[derive(Clone)]
pub struct Publisher {
    pub url: String,
    pub http: reqwest::Client,
}

impl Publisher {
    /// A publisher to `url`.
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// A POST to the endpoint, without headers or body.
    pub fn post(&self) -> RequestBuilder {
        self.http.post(&self.url)
    }

    /// A POST of `events` (a JSON array) as a batch, without a credential.
    pub fn batch(&self, events: &Value) -> RequestBuilder {
        self.post()
            .header("content-type", BATCH)
            .body(events.to_string())
    }

    /// Publishes `events` as a batch with one credential header (e.g. `aeg-sas-key`); the
    /// status and the answer.
    pub async fn send(&self, credential: (&str, &str), events: &Value) -> (StatusCode, Value) {
        answer(self.batch(events).header(credential.0, credential.1)).await
    }
}
