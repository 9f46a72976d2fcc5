//! `EmbeddedQueue`: the `Queue` port on redb, one file per queue in the data directory.
//! A message's key is its visibility time and a sequence number, so a receive is a range
//! scan up to now; receiving re-keys a message to now + visibility, and an ack deletes it.
//! Sends and acks are durably committed in groups (`group_commit`): a crash loses nothing
//! accepted. A receive is committed without waiting for the disk (the next durable commit
//! carries it): a crash that undoes it leaves its messages visible, as reopening makes every
//! message in flight anyway.
//! What was received but not acknowledged comes back after its visibility timeout, or at once
//! when the queue is next opened: one process holds the data directory, so a message still in
//! flight at open was taken by a process that is gone.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use redb::{
    Database, Durability, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition,
};
use shared::error::{Error, Result};
use shared::ports::{
    Clock, Depth, MAX_DELAY, MAX_MESSAGE_BYTES, MAX_RECEIVE, Queue, Received, SystemClock,
};
use tokio::sync::Notify;

use super::blocking;
use super::group_commit::{GroupCommit, Write};
use super::keep_size::KeepSize;

/// (visible at, in Unix milliseconds; sequence) → (receive count, body).
const MESSAGES: TableDefinition<(u64, u64), (u32, &str)> = TableDefinition::new("messages");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const NEXT_SEQ: &str = "next_seq";

/// A durable queue in `<data dir>/queue-<name>.redb`.
#[derive(Clone)]
pub struct EmbeddedQueue {
    db: Arc<Database>,
    sent: Arc<Notify>,
    writes: GroupCommit,
    clock: Arc<dyn Clock>,
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::internal(format!("embedded queue: {e}"))
}

fn millis(clock: &dyn Clock) -> u64 {
    u64::try_from(clock.now().unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

fn receipt(key: (u64, u64)) -> String {
    format!("{}.{}", key.0, key.1)
}

fn parse_receipt(receipt: &str) -> Option<(u64, u64)> {
    let (at, seq) = receipt.split_once('.')?;
    Some((at.parse().ok()?, seq.parse().ok()?))
}

impl EmbeddedQueue {
    /// Opens (or creates) the queue `name` in `dir`, on the system clock.
    pub fn open(dir: &Path, name: &str) -> Result<Self> {
        Self::open_with_clock(dir, name, Arc::new(SystemClock))
    }

    /// Opens the queue with delays and visibility measured on `clock`. Messages a previous
    /// process received and never acknowledged are visible at once; delayed ones stay delayed.
    pub fn open_with_clock(dir: &Path, name: &str, clock: Arc<dyn Clock>) -> Result<Self> {
        let path = super::private_file(dir, &format!("queue-{name}.redb"))?;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(internal)?;
        let db = redb::Builder::new()
            .create_with_backend(KeepSize::new(file).map_err(internal)?)
            .map_err(internal)?;
        let txn = db.begin_write().map_err(internal)?;
        let revealed = Self::reveal_in_flight(
            &mut txn.open_table(MESSAGES).map_err(internal)?,
            millis(clock.as_ref()),
        )?;
        txn.open_table(META).map_err(internal)?;
        txn.commit().map_err(internal)?;
        if revealed > 0 {
            tracing::info!(queue = %name, messages = revealed, "messages in flight in the previous process made visible");
        }
        let db = Arc::new(db);
        let sent = Arc::new(Notify::new());
        Ok(Self {
            writes: GroupCommit::new(db.clone(), sent.clone(), Self::write),
            db,
            sent,
            clock,
        })
    }

    /// Makes `writes` in one durable transaction: sends' messages numbered in order, acked
    /// messages removed.
    fn write(db: &Database, writes: &[Write]) -> Result<()> {
        let txn = db.begin_write().map_err(internal)?;
        {
            let mut meta = txn.open_table(META).map_err(internal)?;
            let mut seq = meta
                .get(NEXT_SEQ)
                .map_err(internal)?
                .map_or(0, |v| v.value());
            let mut table = txn.open_table(MESSAGES).map_err(internal)?;
            for write in writes {
                match write {
                    Write::Send { visible, bodies } => {
                        for body in bodies {
                            table
                                .insert((*visible, seq), (0u32, body.as_str()))
                                .map_err(internal)?;
                            seq += 1;
                        }
                    }
                    Write::Ack(keys) => {
                        for key in keys {
                            table.remove(*key).map_err(internal)?;
                        }
                    }
                }
            }
            meta.insert(NEXT_SEQ, seq).map_err(internal)?;
        }
        txn.commit().map_err(internal)
    }

    /// Makes every message hidden by a receive (received at least once, visible later than
    /// `now`) visible at `now`; returns how many.
    fn reveal_in_flight(
        table: &mut redb::Table<(u64, u64), (u32, &str)>,
        now: u64,
    ) -> Result<usize> {
        let in_flight: Vec<((u64, u64), u32, String)> = table
            .range((now.saturating_add(1), 0)..)
            .map_err(internal)?
            .filter_map(|entry| {
                entry
                    .map(|(k, v)| {
                        let (count, body) = v.value();
                        (count > 0).then(|| (k.value(), count, body.to_owned()))
                    })
                    .map_err(internal)
                    .transpose()
            })
            .collect::<Result<_>>()?;
        for (key, count, body) in &in_flight {
            table.remove(*key).map_err(internal)?;
            table
                .insert((now, key.1), (*count, body.as_str()))
                .map_err(internal)?;
        }
        Ok(in_flight.len())
    }

    /// Moves up to `max` visible messages out of sight for `visibility`; returns them, and
    /// the time the next hidden message becomes visible.
    fn take(
        db: &Database,
        now: u64,
        max: usize,
        visibility: Duration,
    ) -> Result<(Vec<Received>, Option<u64>)> {
        let until = now + visibility.as_millis() as u64;
        let mut txn = db.begin_write().map_err(internal)?;
        txn.set_durability(Durability::None).map_err(internal)?;
        let mut taken = Vec::new();
        let next;
        {
            let mut table = txn.open_table(MESSAGES).map_err(internal)?;
            let due: Vec<((u64, u64), u32, String)> = table
                .range(..=(now, u64::MAX))
                .map_err(internal)?
                .take(max)
                .map(|entry| {
                    let (k, v) = entry.map_err(internal)?;
                    let (count, body) = v.value();
                    Ok((k.value(), count, body.to_owned()))
                })
                .collect::<Result<_>>()?;
            for (key, count, body) in due {
                table.remove(key).map_err(internal)?;
                let moved = (until, key.1);
                table
                    .insert(moved, (count + 1, body.as_str()))
                    .map_err(internal)?;
                taken.push(Received {
                    body,
                    receipt: receipt(moved),
                    receive_count: count + 1,
                });
            }
            next = table.first().map_err(internal)?.map(|(k, _)| k.value().0);
        }
        txn.commit().map_err(internal)?;
        Ok((taken, next))
    }
}

#[async_trait::async_trait]
impl Queue for EmbeddedQueue {
    async fn send(&self, bodies: Vec<String>, delay: Duration) -> Result<()> {
        if let Some(big) = bodies.iter().find(|b| b.len() > MAX_MESSAGE_BYTES) {
            return Err(Error::invalid(
                "MessageTooLarge",
                format!(
                    "a queue message has {} bytes; at most {MAX_MESSAGE_BYTES}",
                    big.len()
                ),
            ));
        }
        if bodies.is_empty() {
            return Ok(());
        }
        let visible = millis(self.clock.as_ref()) + delay.min(MAX_DELAY).as_millis() as u64;
        self.writes.write(Write::Send { visible, bodies }).await
    }

    async fn receive(
        &self,
        max: usize,
        visibility: Duration,
        wait: Duration,
    ) -> Result<Vec<Received>> {
        let max = max.clamp(1, MAX_RECEIVE);
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let sent = self.sent.notified();
            let at = millis(self.clock.as_ref());
            let (taken, next) = blocking("embedded queue", &self.db, move |db| {
                Self::take(db, at, max, visibility)
            })
            .await?;
            let now = tokio::time::Instant::now();
            if !taken.is_empty() || now >= deadline {
                return Ok(taken);
            }
            let mut pause = deadline - now;
            if let Some(next_at) = next {
                let left = next_at.saturating_sub(millis(self.clock.as_ref())).max(1);
                pause = pause.min(Duration::from_millis(left));
            }
            let _ = tokio::time::timeout(pause, sent).await;
        }
    }

    async fn depth(&self) -> Result<Option<Depth>> {
        let now = millis(self.clock.as_ref());
        blocking("embedded queue", &self.db, move |db| {
            let txn = db.begin_read().map_err(internal)?;
            let table = txn.open_table(MESSAGES).map_err(internal)?;
            let first = table.first().map_err(internal)?.map(|(k, _)| k.value().0);
            Ok(Some(Depth {
                messages: table.len().map_err(internal)?,
                oldest_due: Duration::from_millis(first.map_or(0, |at| now.saturating_sub(at))),
            }))
        })
        .await
    }

    async fn ack(&self, receipts: &[String]) -> Result<()> {
        let keys: Vec<(u64, u64)> = receipts.iter().filter_map(|r| parse_receipt(r)).collect();
        if keys.is_empty() {
            return Ok(());
        }
        self.writes.write(Write::Ack(keys)).await
    }
}
