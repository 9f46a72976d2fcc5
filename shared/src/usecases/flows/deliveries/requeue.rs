//! Batches sent back to the delivery queue as tasks: retries due at their next attempt, and
//! batches deferred with their attempts unchanged (no time, no free slot, over the rate).

use std::time::Duration;

use super::Deliveries;
use super::settle::expiry;
use crate::delivery::outcome::{reason, remaining_wait};
use crate::delivery::plan::Batch;
use crate::delivery::{EventJson, TaskHead};
use crate::error::Result;
use crate::ports::MAX_DELAY;
use crate::usecases::support::payloads::task_messages;

impl Deliveries {
    /// Queues the batch as a task due after `wait`, its attempts unchanged; past the events'
    /// time to live it is dead-lettered instead.
    pub(super) async fn defer(&self, batch: &Batch, wait: Duration) -> Result<()> {
        if self.ports.clock.now() + wait > expiry(batch) {
            return self
                .give_up(batch, reason::TIME_TO_LIVE, batch.head.last.clone())
                .await;
        }
        tracing::info!(subscription = %batch.subscription.id, events = batch.events.len(), "deferred: no time or no free slot for the attempt");
        let mut head = batch.head.clone();
        head.due = self.ports.clock.now() + wait;
        self.enqueue(&head, &batch.events).await
    }

    /// Sends `events` as tasks due at `head.due`.
    pub(super) async fn enqueue(&self, head: &TaskHead, events: &[EventJson]) -> Result<()> {
        let bodies = task_messages(&self.ports, head, events).await?;
        let wait = remaining_wait(head.due, self.ports.clock.now(), MAX_DELAY).unwrap_or_default();
        self.queue.send(bodies, wait).await
    }
}
