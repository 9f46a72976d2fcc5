//! Packing one topic's events into fan-out messages.

use crate::delivery::wire::FanoutHead;
use crate::error::Result;
use crate::ids::ResourceId;
use crate::ingest::cloudevents::Event;
use crate::ports::{MAX_MESSAGE_BYTES, Ports};
use crate::usecases::support::payloads::{PAYLOAD_TTL, store_payload};

/// Queue messages for `events` of one topic: as many events per message as fit; an event too
/// large for a message is stored in the table in chunks and the message names it.
pub(super) async fn pack(
    ports: &Ports,
    topic: &ResourceId,
    published_at: &str,
    generation: u64,
    events: Vec<Event>,
) -> Result<Vec<String>> {
    let head = FanoutHead::new(topic, published_at, generation)?;
    let room = MAX_MESSAGE_BYTES - head.len() - 64;
    let mut bodies = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut size = 0;
    let id = || uuid::Uuid::new_v4().simple();
    for event in &events {
        let len = event.json.len() + 1;
        if len > room {
            let payload = store_payload(ports, &event.json, PAYLOAD_TTL).await?;
            bodies.push(head.with_payload(id(), &payload));
            continue;
        }
        if size + len > room {
            bodies.push(head.with_events(id(), &std::mem::take(&mut current)));
            size = 0;
        }
        current.push(&event.json);
        size += len;
    }
    if !current.is_empty() {
        bodies.push(head.with_events(id(), &current));
    }
    Ok(bodies)
}
