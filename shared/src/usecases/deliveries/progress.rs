//! Progress of fan-out messages: which of a message's events are settled for which
//! subscription (delivered, queued for a retry, or dead-lettered). Kept in memory while a
//! message is handled; once a message has run for a checkpoint interval, written to the table
//! at most once per interval (one write for every such message in flight), and whenever a
//! message fails. A message that settles within the interval writes nothing. A message handled
//! again, after a crash or after one of its batches failed, skips what was settled, so only what
//! was in flight is delivered twice. The record goes when the message settles (the store's TTL
//! is the backstop for one orphaned by a crash).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ports::{Expect, MAX_WRITES, Ports, Write};
use crate::table;

/// How long a progress record outlives its last write: longer than a queue keeps a message.
const TTL: time::Duration = time::Duration::days(15);
/// A record larger than this is not written (the message is then redone whole if handled
/// again); DynamoDB items hold at most 400 KB.
const MAX_RECORD_BYTES: usize = 350 * 1024;

/// What settled, per subscription id: event indexes within the message.
pub type Settled = HashMap<String, BTreeSet<u32>>;

/// The stored form: per subscription id, inclusive index ranges.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Record {
    settled: BTreeMap<String, Vec<[u32; 2]>>,
}

struct Tracked {
    started: Instant,
    settled: Settled,
    dirty: bool,
    written: bool,
}

/// The progress of the messages this process is handling.
pub struct Progress {
    every: Duration,
    tracked: Mutex<HashMap<String, Tracked>>,
    last_flush: Mutex<Instant>,
    flushing: futures_util::lock::Mutex<()>,
}

impl Progress {
    /// Checkpoints at most once per `every`.
    pub fn new(every: Duration) -> Self {
        Self {
            every,
            tracked: Mutex::new(HashMap::new()),
            last_flush: Mutex::new(Instant::now()),
            flushing: futures_util::lock::Mutex::new(()),
        }
    }

    /// Starts tracking message `id`; `again` (it was received before) reads what a previous
    /// handling settled. Returns that.
    pub async fn begin(&self, ports: &Ports, id: &str, again: bool) -> Result<Settled> {
        let mut found = Tracked {
            started: Instant::now(),
            settled: Settled::new(),
            dirty: false,
            written: false,
        };
        if again
            && let Some(record) =
                table::get::<Record>(ports.store.as_ref(), &table::fanout_progress(id)).await?
        {
            found.written = true;
            for (subscription, ranges) in record.value.settled {
                let set = found.settled.entry(subscription).or_default();
                for [first, last] in ranges {
                    set.extend(first..=last);
                }
            }
        }
        let settled = found.settled.clone();
        self.lock().insert(id.to_owned(), found);
        Ok(settled)
    }

    /// Notes that `indexes` of message `id` settled for `subscription`, and checkpoints if the
    /// interval has passed (a failed checkpoint is logged: it only costs duplicates).
    pub async fn settled(&self, ports: &Ports, id: &str, subscription: &str, indexes: &[u32]) {
        let old = match self.lock().get_mut(id) {
            Some(tracked) => {
                let set = tracked.settled.entry(subscription.to_owned()).or_default();
                set.extend(indexes.iter().copied());
                tracked.dirty = true;
                tracked.started.elapsed() >= self.every
            }
            None => false,
        };
        let due = old && {
            let last = self.last_flush.lock().unwrap_or_else(|e| e.into_inner());
            last.elapsed() >= self.every
        };
        if due
            && let Some(_guard) = self.flushing.try_lock()
            && let Err(e) = self.write_dirty(ports, None).await
        {
            tracing::warn!(error = %e, "progress checkpoint not written");
        }
    }

    /// Writes what message `id` settled so far (before it fails), and stops tracking it.
    pub async fn fail(&self, ports: &Ports, id: &str) -> Result<()> {
        let _guard = self.flushing.lock().await;
        let result = self.write_dirty(ports, Some(id)).await;
        self.lock().remove(id);
        result
    }

    /// Stops tracking message `id`, which settled; removes its record if one was written.
    pub async fn finish(&self, ports: &Ports, id: &str) -> Result<()> {
        let removed = self.lock().remove(id);
        if removed.is_some_and(|t| t.written) {
            let _guard = self.flushing.lock().await;
            ports
                .store
                .delete(table::fanout_progress(id), Expect::Any)
                .await?;
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Tracked>> {
        self.tracked.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the changed records of messages that have run for an interval, and of `also`;
    /// the caller holds `flushing`.
    async fn write_dirty(&self, ports: &Ports, also: Option<&str>) -> Result<()> {
        *self.last_flush.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        let expires = Some((ports.clock.now() + TTL).unix_timestamp());
        let mut writes = Vec::new();
        for (id, tracked) in self.lock().iter_mut().filter(|(id, t)| {
            t.dirty && (t.started.elapsed() >= self.every || Some(id.as_str()) == also)
        }) {
            tracked.dirty = false;
            let body = encode(&tracked.settled)?;
            if body.len() > MAX_RECORD_BYTES {
                continue;
            }
            tracked.written = true;
            writes.push((
                id.clone(),
                Write::Put {
                    key: table::fanout_progress(id),
                    body,
                    expires_at: expires,
                    expect: Expect::Any,
                },
            ));
        }
        for chunk in writes.chunks(MAX_WRITES) {
            let batch = chunk.iter().map(|(_, w)| w.clone()).collect();
            if let Err(e) = ports.store.write(batch).await {
                let mut tracked = self.lock();
                for (id, _) in chunk {
                    if let Some(t) = tracked.get_mut(id) {
                        t.dirty = true;
                    }
                }
                return Err(e);
            }
        }
        Ok(())
    }
}

fn encode(settled: &Settled) -> Result<String> {
    let mut record = Record::default();
    for (subscription, indexes) in settled {
        let mut ranges: Vec<[u32; 2]> = Vec::new();
        for &i in indexes {
            match ranges.last_mut() {
                Some(range) if range[1] + 1 == i => range[1] = i,
                _ => ranges.push([i, i]),
            }
        }
        record.settled.insert(subscription.clone(), ranges);
    }
    serde_json::to_string(&record).map_err(|e| crate::error::Error::internal(e.to_string()))
}
