//! Delivery: how matched events become requests to a subscriber, what an attempt's outcome
//! means, and the queue messages that carry events between fan-out and retries. Pure: no IO.
//!
//! # Messages
//! Both queues carry JSON. A fan-out message (written by the publish path) is
//! `{"topic","publishedAt","generation","id","events":[…]}` or, for an event stored in the
//! table, `{"topic","publishedAt","generation","id","payload":"<id>"}`; `generation` is the
//! publish endpoint's generation the publish was handled under (0 when absent), `id` names
//! the message's progress record (none is kept without it). A delivery task (a retry, a deferred or a
//! redelivered batch) is `{"task":{…},"events":[…]}` or `{"task":{…},"payloads":[…]}`. A
//! release (the rest of a resumed subscription's held events) is `{"release":"<id>"}`.

pub mod aws_messages;
pub mod batch;
pub mod log;
pub mod outcome;
pub mod rate;
pub mod request;
pub mod signing;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use time::OffsetDateTime;

use crate::error::{Error, Result};

pub use outcome::{Decision, Outcome, classify, decide};

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

/// A queue message as received: a fan-out message or a delivery task.
#[derive(Debug)]
pub enum Message {
    Fanout {
        topic: String,
        published_at: OffsetDateTime,
        generation: u64,
        id: Option<String>,
        events: Vec<EventJson>,
        payload: Option<String>,
    },
    Task {
        head: TaskHead,
        events: Vec<EventJson>,
        payloads: Vec<String>,
    },
    /// Send the held events of this subscription back to delivery.
    Release { subscription: String },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire<'a> {
    topic: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    published_at: Option<OffsetDateTime>,
    #[serde(default)]
    generation: u64,
    id: Option<String>,
    task: Option<TaskHead>,
    #[serde(borrow, default)]
    events: Vec<&'a RawValue>,
    payload: Option<String>,
    #[serde(default)]
    payloads: Vec<String>,
    release: Option<String>,
}

/// Code of a message that is neither a fan-out message nor a task.
pub const MALFORMED_MESSAGE: &str = "MalformedQueueMessage";

impl Message {
    /// Parses a queue message; anything else is `Invalid` (a poison message).
    pub fn parse(body: &str) -> Result<Self> {
        let bad = |why: String| Error::invalid(MALFORMED_MESSAGE, why);
        let wire: Wire = serde_json::from_str(body).map_err(|e| bad(e.to_string()))?;
        let events = wire
            .events
            .iter()
            .map(|e| EventJson::from(e.get()))
            .collect();
        if let Some(subscription) = wire.release {
            return Ok(Message::Release { subscription });
        }
        match (wire.topic, wire.published_at, wire.task) {
            (Some(topic), Some(published_at), None) => Ok(Message::Fanout {
                topic,
                published_at,
                generation: wire.generation,
                id: wire.id,
                events,
                payload: wire.payload,
            }),
            (None, _, Some(head)) => Ok(Message::Task {
                head,
                events,
                payloads: wire.payloads,
            }),
            _ => Err(bad(
                "neither a fan-out message (topic, publishedAt) nor a delivery task (task)".into(),
            )),
        }
    }
}

/// A delivery task's message text.
pub fn task_message(head: &TaskHead, events: &[EventJson]) -> Result<String> {
    let head = serde_json::to_string(head).map_err(|e| Error::internal(e.to_string()))?;
    Ok(format!(
        "{{\"task\":{head},\"events\":[{}]}}",
        events.join(",")
    ))
}

/// A delivery task whose events are stored in the table.
pub fn task_message_with_payloads(head: &TaskHead, payloads: &[String]) -> Result<String> {
    let head = serde_json::to_string(head).map_err(|e| Error::internal(e.to_string()))?;
    let payloads = serde_json::to_string(payloads).map_err(|e| Error::internal(e.to_string()))?;
    Ok(format!("{{\"task\":{head},\"payloads\":{payloads}}}"))
}

/// The message that releases the held events of `subscription` (a resource id).
pub fn release_message(subscription: &str) -> String {
    serde_json::json!({ "release": subscription }).to_string()
}
