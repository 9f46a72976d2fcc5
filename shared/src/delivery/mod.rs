//! Delivery: which subscriptions get which events in which batches, how a batch becomes a
//! request to a subscriber, what an attempt's outcome means, and the queue messages that carry
//! events between fan-out and retries ([`wire`]). Pure: no IO.

pub mod aws_messages;
pub mod batch;
pub mod log;
pub mod outcome;
pub mod plan;
pub mod rate;
pub mod request;
pub mod signing;
pub mod wire;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use outcome::{Decision, Outcome, classify, decide};
pub use wire::{
    FanoutMessage, MALFORMED_MESSAGE, Message, TaskMessage, release_message, task_message,
    task_message_with_payloads,
};

/// One event's JSON text, shared by every subscription it goes to.
pub type EventJson = std::sync::Arc<str>;

/// The last failed attempt of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastAttempt {
    /// Event Grid's `lastDeliveryOutcome`.
    pub outcome: String,
    /// The HTTP status, 0 when there was no answer.
    pub status: u16,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Where a batch of events stands on its way to one subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskHead {
    /// The event subscription's resource id.
    pub subscription: String,
    /// Attempts made so far (the next attempt's `aeg-delivery-count`).
    pub attempts: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: OffsetDateTime,
    /// When the events' time to live started: their publish, or their redelivery.
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    /// Not to be attempted before.
    #[serde(with = "time::serde::rfc3339")]
    pub due: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<LastAttempt>,
}

impl TaskHead {
    /// The head of a batch for `subscription` not yet attempted, of events published at
    /// `published_at`.
    pub fn first(subscription: String, published_at: OffsetDateTime) -> Self {
        Self {
            subscription,
            attempts: 0,
            published_at,
            since: published_at,
            due: published_at,
            last: None,
        }
    }
}
