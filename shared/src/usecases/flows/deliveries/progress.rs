//! Progress of fan-out messages: which of a message's events are settled for which
//! subscription (delivered, queued for a retry, or dead-lettered). Kept in memory while a
//! message is handled; once a message has run for a checkpoint interval, written to the table
//! at most once per interval (one write for every such message in flight), and whenever a
//! message fails. A message handled again, after a crash or after one of its batches failed,
//! skips what was settled, so only what was in flight is delivered twice. The record goes when
//! the message settles (the store's TTL is the backstop for one orphaned by a crash). With
//! completions kept (the local server, whose queue is acknowledged after the handler returns),
//! the record of a settled message that made at least [`KEEP_FROM`] deliveries is written before
//! the handler returns, together with those of the messages settling at the same time, and
//! removed a while later, so a kill before the acknowledgement does not redo it; otherwise a
//! message that settles within the interval writes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use foldhash::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ports::{Expect, MAX_WRITES, Ports, Write};
use crate::table;

/// How long a progress record outlives its last write: longer than a queue keeps a message.
const TTL: time::Duration = time::Duration::days(15);
/// A record larger than this is not written (the message is then redone whole if handled
/// again); DynamoDB items hold at most 400 KB.
const MAX_RECORD_BYTES: usize = 350 * 1024;

/// How long the record of a settled message is kept when completions are kept: well past its
/// acknowledgement.
const LINGER: Duration = Duration::from_secs(1);
/// The fewest settled (event, subscription) pairs for which a completion is kept: redoing a
/// smaller message costs fewer duplicates than the write costs time.
pub const KEEP_FROM: usize = 32;

pub use crate::delivery::plan::Settled;

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
    /// When the message settled (kept completions only).
    done: Option<Instant>,
}

/// The progress of the messages this process is handling.
pub struct Progress {
    every: Duration,
    keep_completions: bool,
    tracked: Mutex<HashMap<String, Tracked>>,
    last_flush: Mutex<Instant>,
    flushing: futures_util::lock::Mutex<()>,
}

impl Progress {
    /// Checkpoints at most once per `every`; with `keep_completions`, a settled message's
    /// record is written before [`Progress::finish`] returns.
    pub fn new(every: Duration, keep_completions: bool) -> Self {
        Self {
            every,
            keep_completions,
            tracked: Mutex::new(HashMap::default()),
            last_flush: Mutex::new(Instant::now()),
            flushing: futures_util::lock::Mutex::new(()),
        }
    }

    /// Starts tracking message `id`; `again` (it was received before) reads what a previous
    /// handling settled. Returns that.
    pub async fn begin(&self, ports: &Ports, id: &str, again: bool) -> Result<Settled> {
        let mut found = Tracked {
            started: Instant::now(),
            settled: Settled::default(),
            dirty: false,
            written: false,
            done: None,
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

    /// Stops tracking message `id`, which settled; removes its record if one was written. With
    /// completions kept, writes the record instead (if the message settled at least
    /// [`KEEP_FROM`] pairs), to be removed after [`LINGER`].
    pub async fn finish(&self, ports: &Ports, id: &str) -> Result<()> {
        if self.keep_completions {
            let pending = match self.lock().get_mut(id) {
                Some(t) if t.settled.values().map(BTreeSet::len).sum::<usize>() >= KEEP_FROM => {
                    t.done = Some(Instant::now());
                    t.dirty = true;
                    true
                }
                _ => false,
            };
            if pending {
                let _guard = self.flushing.lock().await;
                let still_dirty = self.lock().get(id).is_some_and(|t| t.dirty);
                return match still_dirty {
                    true => self.write_dirty(ports, Some(id)).await,
                    false => Ok(()),
                };
            }
        }
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

    /// Writes the changed records of messages that have run for an interval, of settled ones,
    /// and of `also`, and removes those of messages settled [`LINGER`] ago; the caller holds
    /// `flushing`.
    async fn write_dirty(&self, ports: &Ports, also: Option<&str>) -> Result<()> {
        *self.last_flush.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        let expires = Some((ports.clock.now() + TTL).unix_timestamp());
        let mut writes = Vec::new();
        self.lock().retain(|id, t| match t.done {
            Some(done) if done.elapsed() >= LINGER && !t.dirty => {
                if t.written {
                    writes.push((
                        id.clone(),
                        Write::Delete {
                            key: table::fanout_progress(id),
                            expect: Expect::Any,
                        },
                    ));
                }
                false
            }
            _ => true,
        });
        for (id, tracked) in self.lock().iter_mut().filter(|(id, t)| {
            t.dirty
                && (t.started.elapsed() >= self.every
                    || t.done.is_some()
                    || Some(id.as_str()) == also)
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
