//! Packing one topic's events into fan-out messages.

use crate::error::{Error, Result};
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
    let head = format!(
        "{{\"topic\":{},\"publishedAt\":\"{published_at}\",\"generation\":{generation},",
        serde_json::to_string(&topic.to_string()).map_err(|e| Error::internal(e.to_string()))?
    );
    let room = MAX_MESSAGE_BYTES - head.len() - 64;
    let mut bodies = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut size = 0;
    let id = || uuid::Uuid::new_v4().simple();
    let finish = |current: &mut Vec<&str>| {
        format!(
            "{head}\"id\":\"{}\",\"events\":[{}]}}",
            id(),
            std::mem::take(current).join(",")
        )
    };
    for event in &events {
        let len = event.json.len() + 1;
        if len > room {
            bodies.push(format!(
                "{head}\"id\":\"{}\",\"payload\":\"{}\"}}",
                id(),
                store_payload(ports, &event.json, PAYLOAD_TTL).await?
            ));
            continue;
        }
        if size + len > room {
            bodies.push(finish(&mut current));
            size = 0;
        }
        current.push(&event.json);
        size += len;
    }
    if !current.is_empty() {
        bodies.push(finish(&mut current));
    }
    Ok(bodies)
}
