//! Fan-out and delivery, the queue handler's use cases. A queue message goes through stages:
//!
//! | stage | where | what |
//! |---|---|---|
//! | read | [`crate::delivery::wire`] | the message: a fan-out message, a delivery task or a release |
//! | plan | [`crate::delivery::plan`] (pure) | subscriptions × events × what already settled → batches |
//! | admit | `admit.rs` | per batch: dead-letter, hold (paused), wait (rate, deadline) or go on |
//! | prepare | `prepare.rs` | the request or messages its destination takes, signed |
//! | send | [`crate::ports::Destinations::send`] | one transport call, one answer per message |
//! | settle | `settle.rs`, `dead_letter.rs`, `requeue.rs` | per answer: delivered, a retry task, a dead letter, a disabled subscription |
//!
//! A fan-out message is settled (its handler returns `Ok`) only once every batch is delivered,
//! queued for retry or dead-lettered, so a crash at any step loses nothing: the message comes
//! back. What of it had settled is checkpointed ([`progress`]), so a message handled again
//! delivers only what had not (at least once, with duplicates bounded by what was in flight).

mod admit;
mod attempt;
mod dead_letter;
mod fan_out;
mod hold;
pub mod log_writer;
mod prepare;
pub mod progress;
mod requeue;
mod settle;
pub mod subscription_cache;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::delivery::outcome::remaining_wait;
use crate::delivery::plan::Batch;
use crate::delivery::rate::RateLimits;
use crate::delivery::{Message, TaskMessage};
use crate::error::Result;
use crate::ids::ResourceId;
use crate::ports::{Destinations, MAX_DELAY, Ports, Queue};
use crate::usecases::resources::event_subscriptions::pause;
use crate::usecases::resources::event_subscriptions::stats::Stats;
use crate::usecases::support::payloads::load_payload;

pub use log_writer::DeliveryLog;
pub use progress::Progress;
pub use subscription_cache::SubscriptionCache;

/// Requests one message's batches may have in flight at once.
pub const CONCURRENCY: usize = 256;
/// How often the progress of messages in flight is written, unless the wiring says otherwise.
pub const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// The time an attempt is given, unless the wiring says otherwise: no attempt starts closer
/// than this to its handler's deadline (the webhook timeout, and room to settle after).
pub const ATTEMPT_TIME: Duration = Duration::from_secs(35);
/// How long a batch that found no free slot for its endpoint waits before it is tried again.
pub const BUSY_ENDPOINT_WAIT: Duration = Duration::from_secs(10);
/// How long an attempt waits for a free slot for its healthy endpoint before it is deferred
/// (a failing endpoint's batches do not wait at all), so a busy endpoint's batches do not hold
/// a handler.
pub const SLOT_WAIT: Duration = Duration::from_secs(5);
/// How long the fan-out's own try of a batch waits for an answer: past it (or at once, for an
/// endpoint known to answer slower), the batch goes to the delivery queue, where it has the
/// whole timeout, so a slow or hanging endpoint holds no fan-out message.
pub const FIRST_TRY_BUDGET: Duration = Duration::from_secs(2);

/// A draw in [0, 1) for retry jitter.
pub type Jitter = Arc<dyn Fn() -> f64 + Send + Sync>;

/// The random jitter draw (a thread-local generator: no system call per attempt).
pub fn random_jitter() -> f64 {
    fastrand::f64()
}

/// Everything the fan-out and delivery handler works with, shared by its invocations.
pub struct Deliveries {
    pub ports: Ports,
    /// Where retries and deferred batches wait.
    pub queue: Arc<dyn Queue>,
    /// Webhooks and AWS targets.
    pub destinations: Destinations,
    pub subscriptions: SubscriptionCache,
    pub stats: Stats,
    /// Attempts not yet written to the delivery log.
    pub log: DeliveryLog,
    limits: Mutex<RateLimits>,
    jitter: Jitter,
    progress: Progress,
    attempt_time: Duration,
}

impl Deliveries {
    pub fn new(
        ports: Ports,
        queue: Arc<dyn Queue>,
        destinations: Destinations,
        jitter: Jitter,
    ) -> Self {
        Self {
            ports,
            queue,
            destinations,
            subscriptions: SubscriptionCache::default(),
            stats: Stats::default(),
            log: DeliveryLog::default(),
            limits: Mutex::new(RateLimits::default()),
            jitter,
            progress: Progress::new(CHECKPOINT_EVERY, false),
            attempt_time: ATTEMPT_TIME,
        }
    }

    /// No attempt starts closer than `time` to the handler's deadline.
    pub fn with_attempt_time(mut self, time: Duration) -> Self {
        self.attempt_time = time;
        self
    }

    /// Keeps delivery log entries `days` days.
    pub fn with_log_retention(mut self, days: u32) -> Self {
        self.log = DeliveryLog::new(days);
        self
    }

    pub fn attempt_time(&self) -> Duration {
        self.attempt_time
    }

    /// Checkpoints the progress of messages in flight at most once per `every`; with
    /// `keep_completions`, also writes a settled message's progress before its handler returns
    /// (for a queue acknowledged after, where a crash in between would redo it whole).
    pub fn with_checkpoints(mut self, every: std::time::Duration, keep_completions: bool) -> Self {
        self.progress = Progress::new(every, keep_completions);
        self
    }

    /// Handles one queue message, received `receive_count` times (1 the first time): `Ok`
    /// once it is settled; `Err` leaves it to be received again (a malformed message fails
    /// every time and ends in the queue's DLQ). With a `deadline` (the invocation's end), a
    /// batch that cannot be attempted within it is queued as a task instead, not attempted; a
    /// deadline too close for any attempt is ignored, so a short timeout cannot defer forever.
    pub async fn handle(
        &self,
        body: &str,
        receive_count: u32,
        deadline: Option<Instant>,
    ) -> Result<()> {
        let start_by = deadline
            .and_then(|d| d.checked_sub(self.attempt_time))
            .filter(|by| *by > Instant::now());
        match Message::parse(body)? {
            Message::Fanout(message) => self.fan_out(message, receive_count, start_by).await,
            Message::Task(task) => self.retry(body, task, start_by).await,
            Message::Release { subscription } => self.release(&subscription).await,
        }
    }

    /// A delivery task: waits on the queue until it is due, then its batch is attempted; a
    /// task for a subscription that no longer exists is dropped.
    async fn retry(&self, body: &str, task: TaskMessage, start_by: Option<Instant>) -> Result<()> {
        let now = self.ports.clock.now();
        if let Some(wait) = remaining_wait(task.head.due, now, MAX_DELAY) {
            return self.queue.send(vec![body.to_owned()], wait).await;
        }
        let mut events = task.events;
        for id in task.payloads {
            events.push(load_payload(&self.ports, &id).await?.into());
        }
        let id: ResourceId = task.head.subscription.parse()?;
        let subscribers = self.subscriptions.get(&self.ports, &id.top()?, 0).await?;
        let Some(subscription) = subscribers.find(&id) else {
            tracing::info!(subscription = %id, events = events.len(), "dropped: the subscription no longer exists");
            return Ok(());
        };
        let batch = Batch::of_task(subscription, task.head, events);
        self.attempt(batch, start_by).await
    }

    /// Sends the rest of a resumed subscription's held events back to delivery.
    async fn release(&self, subscription: &str) -> Result<()> {
        let id: ResourceId = subscription.parse()?;
        pause::release(&self.ports, self.queue.as_ref(), &id).await?;
        Ok(())
    }
}
