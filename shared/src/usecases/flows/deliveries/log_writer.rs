//! The delivery log's writer: entries are gathered in memory as attempts settle and written by
//! [`DeliveryLog::flush`] (before an invocation returns, or every second on the local server)
//! as one item per subscription touched, holding all its entries since the last flush. So a
//! batch of successes costs one write, not one per event; an entry that cannot be written is
//! logged and dropped (the log is for looking up, the events themselves are never dropped).

use std::sync::Mutex;

use foldhash::HashMap;

use futures_util::StreamExt;

use crate::delivery::log::Entry;
use crate::error::Result;
use crate::ports::{Expect, Key, Ports, Write};
use crate::table;

/// How long entries are kept, unless the wiring says otherwise.
pub const RETENTION_DAYS: u32 = 3;
/// The most bytes of entries one item holds (DynamoDB items hold 400 KB).
const MAX_ITEM_BYTES: usize = 300 * 1024;
/// Items written at once by one flush.
const WRITES_AT_ONCE: usize = 16;

/// Entries not yet written, by subscription id.
pub struct DeliveryLog {
    pending: Mutex<HashMap<String, Vec<Entry>>>,
    retention: time::Duration,
}

impl Default for DeliveryLog {
    fn default() -> Self {
        Self::new(RETENTION_DAYS)
    }
}

impl DeliveryLog {
    /// A log whose entries are kept `days` days.
    pub fn new(days: u32) -> Self {
        Self {
            pending: Mutex::new(HashMap::default()),
            retention: time::Duration::days(i64::from(days.max(1))),
        }
    }

    /// Adds `entries` of `subscription` to what the next flush writes.
    pub fn note(&self, subscription: &str, entries: impl IntoIterator<Item = Entry>) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        match pending.get_mut(subscription) {
            Some(list) => list.extend(entries),
            None => {
                pending.insert(subscription.to_owned(), entries.into_iter().collect());
            }
        }
    }

    /// Writes what was noted since the last flush; what fails is dropped (and logged).
    pub async fn flush(&self, ports: &Ports) -> Result<()> {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        if pending.is_empty() {
            return Ok(());
        }
        let now = ports.clock.now();
        let expires = Some((now + self.retention).unix_timestamp());
        let mut writes = Vec::new();
        for (subscription, entries) in pending {
            let Ok(id) = subscription.parse() else {
                continue;
            };
            let partition = table::delivery_log_partition(&id);
            for body in chunks(&entries) {
                writes.push(Write::Put {
                    key: Key::new(partition.clone(), table::time_ordered(now)),
                    body,
                    expires_at: expires,
                    expect: Expect::Any,
                });
            }
        }
        let failed: Vec<_> = futures_util::stream::iter(writes)
            .map(|write| async move { ports.store.write(vec![write]).await })
            .buffer_unordered(WRITES_AT_ONCE)
            .filter_map(|r| async move { r.err() })
            .collect()
            .await;
        match failed.into_iter().next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// The entries as item bodies (JSON arrays) of at most [`MAX_ITEM_BYTES`] each.
fn chunks(entries: &[Entry]) -> Vec<String> {
    let mut bodies = Vec::new();
    let mut body = Vec::with_capacity(MAX_ITEM_BYTES.min(entries.len() * 96 + 2));
    let mut json = Vec::with_capacity(256);
    let close = |mut body: Vec<u8>| {
        body.push(b']');
        String::from_utf8(body).unwrap_or_default()
    };
    for entry in entries {
        json.clear();
        if serde_json::to_writer(&mut json, entry).is_err() {
            continue;
        }
        if !body.is_empty() && body.len() + json.len() + 2 > MAX_ITEM_BYTES {
            bodies.push(close(std::mem::take(&mut body)));
        }
        body.push(if body.is_empty() { b'[' } else { b',' });
        body.extend_from_slice(&json);
    }
    if !body.is_empty() {
        bodies.push(close(body));
    }
    bodies
}
