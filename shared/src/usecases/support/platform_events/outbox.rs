//! The outbox of platform events: written in the same atomic write as the change an event
//! reports, then relayed to a queue the fan-out handler reads. A relay claims what it sends for
//! a minute, so relays running at once do not send the same event twice; what a crashed relay
//! claimed is sent by a later one once the claim lapses (at least once).
//!
//! The outbox is [`SHARDS`] partitions, an event's chosen by its id, so no tenant's events
//! (dead letters of a webhook that refuses everything, say) crowd one partition for everyone.
//! The relay that reads it is the flow `flows::relay`.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::ports::{Expect, Key, Ports, Write};
use crate::table;

/// The outbox's partitions.
pub const SHARDS: u32 = 32;
/// The outbox partitions are `{OUTBOX}#{shard}`; sort keys are `{20-digit Unix ms}#{event id}`.
const OUTBOX: &str = "platformEventsOutbox";
/// When this process last recorded an event in each shard (ms since [`since`], 0: never).
static RECORDED: [AtomicU64; SHARDS as usize] = [const { AtomicU64::new(0) }; SHARDS as usize];
/// How long after a shard was recorded in a relay right after a change still reads it: the
/// write that records an event commits after `record` returns, perhaps after another relay.
const RECENT_MS: u64 = 2_000;

fn since() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_millis() as u64
        + 1
}
/// How long an unrelayed event may wait before the store drops it.
const TTL: time::Duration = time::Duration::days(14);
/// How long a relay holds the events it is sending.
const CLAIM: time::Duration = time::Duration::minutes(1);

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    /// The fan-out message that publishes the event on its system topic.
    message: Value,
    #[serde(default, with = "time::serde::rfc3339::option")]
    claimed_until: Option<OffsetDateTime>,
}

/// The outbox write of `event`; add it to the write that makes the change it reports.
pub fn record(ports: &Ports, event: &Value) -> Result<Write> {
    let now = ports.clock.now();
    let id = event["id"].as_str().unwrap_or_default();
    let shard = shard_of(id);
    RECORDED[shard as usize].store(since(), Ordering::Relaxed);
    let key = Key::new(
        partition(shard),
        format!(
            "{:020}#{id}",
            (now.unix_timestamp_nanos() / 1_000_000).max(0)
        ),
    );
    let topic = event["source"]
        .as_str()
        .ok_or_else(|| Error::internal("a platform event without a source"))?;
    let entry = Entry {
        message: json!({
            "topic": topic,
            "publishedAt": crate::time_format::rfc3339(now),
            "events": [event],
        }),
        claimed_until: None,
    };
    put(key, &entry, Expect::Absent, now)
}

fn put(key: Key, entry: &Entry, expect: Expect, now: OffsetDateTime) -> Result<Write> {
    table::put_with_ttl(key, entry, expect, Some((now + TTL).unix_timestamp()))
}

/// The shard of the event with id `id` (FNV-1a, stable across processes and releases).
pub fn shard_of(id: &str) -> u32 {
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % u64::from(SHARDS)) as u32
}

pub(crate) fn partition(shard: u32) -> String {
    format!("{OUTBOX}#{shard:02}")
}

/// The shards this process recorded an event in during the last two seconds.
pub(crate) fn recent_shards() -> impl Iterator<Item = u32> {
    let now = since();
    (0..SHARDS).filter(move |s| {
        let at = RECORDED[*s as usize].load(Ordering::Relaxed);
        at != 0 && now.saturating_sub(at) <= RECENT_MS
    })
}

/// Every outbox partition: the shards, then the one partition the outbox was before it had
/// shards.
pub(crate) fn partitions() -> impl Iterator<Item = String> {
    (0..SHARDS).map(partition).chain([OUTBOX.to_owned()])
}

/// Claims the unclaimed (or lapsed) items among `items`; their keys and queue message bodies.
pub(crate) async fn claim(
    ports: &Ports,
    items: Vec<crate::ports::Item>,
) -> Result<Vec<(Key, Value)>> {
    let now = ports.clock.now();
    let mut claimed = Vec::new();
    for item in items {
        let mut entry: Entry = table::decode(&item.body)?;
        if entry.claimed_until.is_some_and(|until| until > now) {
            continue;
        }
        entry.claimed_until = Some(now + CLAIM);
        let write = put(item.key.clone(), &entry, Expect::Version(item.version), now)?;
        match ports.store.write(vec![write]).await {
            Ok(()) => claimed.push((item.key, entry.message)),
            Err(e) if e.is_conflict() => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(claimed)
}
