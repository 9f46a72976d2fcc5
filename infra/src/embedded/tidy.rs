//! Gives a drained queue's disk space back while the queue is idle. redb trims the free tail of
//! its file by half at each durable commit, and truncating tens of MB takes this disk ~10 ms: a
//! backlog that drained would otherwise be trimmed by the next publishes' commits, a step
//! each, on their way to a 200. The committer instead takes those steps (empty durable commits)
//! when the queue is empty and no write waits, and stops as soon as one does.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use redb::Database;
use shared::error::{Error, Result};

/// Files up to this size are left as they are.
const TIDY_ABOVE: u64 = 1 << 20;

/// The queue file's size, and the size it could not be trimmed below.
pub(super) struct Tidy {
    path: PathBuf,
    settled_len: AtomicU64,
}

impl Tidy {
    pub(super) fn new(path: PathBuf) -> Self {
        Self {
            path,
            settled_len: AtomicU64::new(0),
        }
    }

    fn len(&self) -> u64 {
        std::fs::metadata(&self.path).map_or(0, |m| m.len())
    }

    /// Whether the file is big and has grown since it last stopped shrinking.
    pub(super) fn due(&self) -> bool {
        let len = self.len();
        len > TIDY_ABOVE && len != self.settled_len.load(Ordering::Relaxed)
    }

    /// One step: an empty durable commit. False once the file stopped shrinking (redb frees
    /// an ack's pages one commit later, so a step that trims nothing is tried twice).
    pub(super) fn step(&self, db: &Database) -> Result<bool> {
        let before = self.len();
        for _ in 0..2 {
            let commit = || -> std::result::Result<(), redb::Error> {
                db.begin_write()?.commit()?;
                Ok(())
            };
            commit().map_err(|e| Error::internal(format!("embedded queue: trimming: {e}")))?;
            if self.len() < before {
                return Ok(true);
            }
        }
        self.settled_len.store(before, Ordering::Relaxed);
        Ok(false)
    }
}
