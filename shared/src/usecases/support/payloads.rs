//! Events too large for a queue message: stored in the table in chunks, with a TTL, and named
//! by the message instead; and the delivery task messages that carry a batch of events, each
//! as large as a message allows.

use time::Duration;

use crate::delivery::{self, EventJson, TaskHead};
use crate::error::{Error, Result};
use crate::ports::{Expect, MAX_MESSAGE_BYTES, Ports, Write};
use crate::table;

/// Bytes of one stored chunk of an event too large for a queue message.
const PAYLOAD_CHUNK: usize = 300 * 1024;
/// How long a stored payload outlives its publish (the fan-out reads it well before).
pub const PAYLOAD_TTL: Duration = Duration::days(2);

/// Stores a large event in chunks under a new payload id, kept for `ttl`; the fan-out
/// reassembles it.
pub async fn store_payload(ports: &Ports, json: &str, ttl: Duration) -> Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let expires = Some((ports.clock.now() + ttl).unix_timestamp());
    let mut writes = Vec::new();
    let mut rest = json;
    while !rest.is_empty() {
        let mut cut = rest.len().min(PAYLOAD_CHUNK);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (chunk, tail) = rest.split_at(cut);
        writes.push(Write::Put {
            key: table::payload_chunk(&id, writes.len()),
            body: chunk.to_owned(),
            expires_at: expires,
            expect: Expect::Absent,
        });
        rest = tail;
    }
    ports.store.write(writes).await?;
    Ok(id)
}

/// Reassembles a stored payload; a payload that is gone (expired) is `NotFound`.
pub async fn load_payload(ports: &Ports, id: &str) -> Result<String> {
    let page = ports
        .store
        .query(&table::payload_partition(id), "", None, 100)
        .await?;
    if page.items.is_empty() {
        return Err(Error::not_found(
            "PayloadNotFound",
            format!("stored event payload '{id}' is gone"),
        ));
    }
    Ok(page.items.into_iter().map(|i| i.body).collect())
}

/// The delivery tasks that carry `events`: as many per message as fit; an event too large for
/// a message alone is stored in the table and named by its task.
pub async fn task_messages(
    ports: &Ports,
    head: &TaskHead,
    events: &[EventJson],
) -> Result<Vec<String>> {
    task_messages_kept(ports, head, events, PAYLOAD_TTL).await
}

/// [`task_messages`], with the stored payloads of large events kept for `ttl`.
pub async fn task_messages_kept(
    ports: &Ports,
    head: &TaskHead,
    events: &[EventJson],
    ttl: Duration,
) -> Result<Vec<String>> {
    let room = MAX_MESSAGE_BYTES - 2048;
    let mut bodies = Vec::new();
    let mut current: Vec<EventJson> = Vec::new();
    let mut size = 0;
    for event in events {
        if event.len() + 1 > room {
            let id = store_payload(ports, event, ttl).await?;
            bodies.push(delivery::task_message_with_payloads(head, &[id])?);
            continue;
        }
        if size + event.len() + 1 > room {
            bodies.push(delivery::task_message(head, &std::mem::take(&mut current))?);
            size = 0;
        }
        size += event.len() + 1;
        current.push(event.clone());
    }
    if !current.is_empty() {
        bodies.push(delivery::task_message(head, &current)?);
    }
    Ok(bodies)
}
