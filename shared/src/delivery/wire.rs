//! The queue messages' wire format, written and read here only. Both queues carry JSON:
//!
//! | message | written by | shape |
//! |---|---|---|
//! | fan-out | the publish path | `{"topic","publishedAt","generation","id","events":[…]}`, or `…,"payload":"<id>"}` for an event stored in the table |
//! | delivery task | retries, deferrals, redeliveries | `{"task":{…},"events":[…]}` or `{"task":{…},"payloads":[…]}` |
//! | release | a resume | `{"release":"<subscription id>"}` |
//!
//! A fan-out message's `generation` is the publish endpoint's generation the publish was
//! handled under (0 when absent); its `id` names the message's progress record (none is kept
//! without it). Events are carried as their JSON text, byte for byte.

use serde::Deserialize;
use serde_json::value::RawValue;
use time::OffsetDateTime;

use super::{EventJson, TaskHead};
use crate::error::{Error, Result};
use crate::ids::ResourceId;

/// Code of a message that is neither a fan-out message, a task nor a release.
pub const MALFORMED_MESSAGE: &str = "MalformedQueueMessage";

/// A queue message as received.
#[derive(Debug)]
pub enum Message {
    Fanout(FanoutMessage),
    Task(TaskMessage),
    /// Send the held events of this subscription back to delivery.
    Release {
        subscription: String,
    },
}

/// Events a publish accepted for one topic, to be matched against its subscriptions.
#[derive(Debug)]
pub struct FanoutMessage {
    pub topic: String,
    pub published_at: OffsetDateTime,
    pub generation: u64,
    pub id: Option<String>,
    pub events: Vec<EventJson>,
    /// An event stored in the table, by its payload id.
    pub payload: Option<String>,
}

/// A batch for one subscription: a retry, a deferred or a redelivered batch.
#[derive(Debug)]
pub struct TaskMessage {
    pub head: TaskHead,
    pub events: Vec<EventJson>,
    /// Events stored in the table, by their payload ids.
    pub payloads: Vec<String>,
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
            (Some(topic), Some(published_at), None) => Ok(Message::Fanout(FanoutMessage {
                topic,
                published_at,
                generation: wire.generation,
                id: wire.id,
                events,
                payload: wire.payload,
            })),
            (None, _, Some(head)) => Ok(Message::Task(TaskMessage {
                head,
                events,
                payloads: wire.payloads,
            })),
            _ => Err(bad(
                "neither a fan-out message (topic, publishedAt) nor a delivery task (task)".into(),
            )),
        }
    }
}

/// What every fan-out message of one publish to one topic starts with.
pub struct FanoutHead(String);

impl FanoutHead {
    /// `published_at` is RFC 3339 text.
    pub fn new(topic: &ResourceId, published_at: &str, generation: u64) -> Result<Self> {
        let topic = serde_json::to_string(&topic.to_string())
            .map_err(|e| Error::internal(e.to_string()))?;
        Ok(Self(format!(
            "{{\"topic\":{topic},\"publishedAt\":\"{published_at}\",\"generation\":{generation},"
        )))
    }

    /// The bytes the head takes in each message.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fan-out message `id` carrying `events` (JSON texts).
    pub fn with_events(&self, id: impl std::fmt::Display, events: &[&str]) -> String {
        format!(
            "{}\"id\":\"{id}\",\"events\":[{}]}}",
            self.0,
            events.join(",")
        )
    }

    /// The fan-out message `id` naming the stored event `payload`.
    pub fn with_payload(&self, id: impl std::fmt::Display, payload: &str) -> String {
        format!("{}\"id\":\"{id}\",\"payload\":\"{payload}\"}}", self.0)
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
