//! Test harness for end-to-end tests: the local server started in-process on 127.0.0.1:0
//! (`Server::builder()`), clients that talk to it over real HTTP as the operator, a principal or
//! a publisher, and scenario helpers that set up tenants, topics and subscriptions and assert
//! their own statuses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod authorization;
pub mod aws;
pub mod aws_targets;
mod client;
mod customer_topic;
pub mod docs;
pub mod gateway;
mod handshake;
pub mod lambda;
mod partner_topic;
pub mod prices;
pub mod prometheus;
mod proxy;
mod publisher;
pub mod python;
pub mod receiver;
mod server;
pub mod signatures;
pub mod stack;
mod tenants;
mod topic;

pub use client::{Answer, Body, Client, answer};
pub use customer_topic::{CustomerTopic, contoso_event};
pub use handshake::webhook_receiver;
pub use partner_topic::{ActiveTopic, active_topic_on, order_event};
pub use publisher::{BATCH, Publisher};
pub use server::{Builder, Server};
pub use tenants::Tenants;
pub use topic::Topic;

use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

/// The operator key every local server is started with.
pub const OPERATOR_KEY: &str = "pek_test-operator-key-0123456789abcdef0123456789abcdef";

/// `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.EventGrid`.
pub fn eg(subscription: &str, resource_group: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.EventGrid"
    )
}

/// A fresh subscription id.
pub fn new_subscription() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A WebHook destination.
pub fn webhook(url: &str) -> Value {
    json!({"endpointType": "WebHook", "properties": {"endpointUrl": url}})
}

/// The sorted `id`s of `events`.
pub fn ids(events: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = events
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// The `error.message` of an error answer (empty if there is none).
pub fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

/// The time `offset` from now, in RFC 3339.
pub fn from_now(offset: Duration) -> String {
    shared::time_format::rfc3339(OffsetDateTime::now_utc() + offset)
}

/// A manual clock starting now (tests never depend on the calendar date).
pub fn manual_clock() -> std::sync::Arc<shared::ports::ManualClock> {
    std::sync::Arc::new(shared::ports::ManualClock::new(
        time::OffsetDateTime::now_utc(),
    ))
}
