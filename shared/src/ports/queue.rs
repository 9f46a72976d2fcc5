//! The `Queue` port: durable, at-least-once task queues (fan-out, delivery) with delayed
//! visibility and receive/ack.

use std::time::Duration;

use crate::error::Result;

/// The longest delay one send may ask for (SQS's limit); callers re-enqueue to wait longer.
pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// The largest message body, in bytes (SQS's default MaximumMessageSize, 256 KiB).
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;
/// The most messages one receive returns (SQS's limit).
pub const MAX_RECEIVE: usize = 10;

/// A received message: its body, the receipt that acknowledges it, and how many times it has
/// been received (1 the first time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub body: String,
    pub receipt: String,
    pub receive_count: u32,
}

/// How much waits on a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Depth {
    /// Messages on the queue: due, delayed and in flight.
    pub messages: u64,
    /// How long the longest-waiting due message has been due (zero when none is).
    pub oldest_due: Duration,
}

/// A durable queue of text messages.
#[async_trait::async_trait]
pub trait Queue: Send + Sync {
    /// Enqueues every body; `Ok` only once all are durably stored. On `Err` some may have been
    /// enqueued (callers retry the whole send; consumers are idempotent). Each body is at most
    /// [`MAX_MESSAGE_BYTES`]; `delay` (capped at [`MAX_DELAY`]) hides them until it passes.
    async fn send(&self, bodies: Vec<String>, delay: Duration) -> Result<()>;

    /// Up to `max` (1..=[`MAX_RECEIVE`]) visible messages, each hidden for `visibility` from
    /// now; a message not acknowledged by then becomes visible again. Waits up to `wait` for a
    /// message when none is visible, and returns an empty list if none comes.
    async fn receive(
        &self,
        max: usize,
        visibility: Duration,
        wait: Duration,
    ) -> Result<Vec<Received>>;

    /// Removes received messages for good. Receipts of messages already removed are ignored; a
    /// receipt of a message received again since may still remove it (SQS and its emulator
    /// differ here), which is safe because only a consumer that finished the work acknowledges.
    async fn ack(&self, receipts: &[String]) -> Result<()>;

    /// How much waits on the queue, read without changing it; `None` where the queue's
    /// service reports it itself (SQS, in CloudWatch).
    async fn depth(&self) -> Result<Option<Depth>> {
        Ok(None)
    }
}
