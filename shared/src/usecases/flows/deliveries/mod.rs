//! Fan-out and delivery, the queue handler's use cases. A fan-out message's events are matched
//! against the topic's subscriptions and each batch gets its first attempt at once; a batch
//! that fails is sent to the delivery queue as a task due at its next attempt, or dead-lettered.
//! A message is settled (its handler returns `Ok`) only once every batch is delivered, queued
//! for retry or dead-lettered, so a crash at any step loses nothing: the message comes back.
//! What of it had settled is checkpointed ([`progress`]), so a message handled again delivers
//! only what had not (at least once, with duplicates bounded by what was in flight).

mod attempt;
mod give_up;
mod hold;
pub mod log;
pub mod progress;
pub mod topics;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use time::OffsetDateTime;

use crate::delivery::outcome::{reason, remaining_wait};
use crate::delivery::rate::RateLimits;
use crate::delivery::{EventJson, Message, TaskHead, batch};
use crate::error::Result;
use crate::ids::ResourceId;
use crate::ports::{Handlers, MAX_DELAY, Ports, Queue};
use crate::subscriptions::{Destination, EventSubscription};
use crate::usecases::resources::event_subscriptions::pause;
use crate::usecases::resources::event_subscriptions::stats::{self, Stats};
use crate::usecases::support::payloads::load_payload;

pub use log::DeliveryLog;
pub use progress::Progress;
pub use topics::{TopicSubscriptions, Topics};

/// Requests one message's batches may have in flight at once.
pub const CONCURRENCY: usize = 256;
/// How often the progress of messages in flight is written, unless the wiring says otherwise.
pub const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// The time an attempt is given, unless the wiring says otherwise: no attempt starts closer
/// than this to its handler's deadline (the webhook timeout, and room to settle after).
pub const ATTEMPT_TIME: Duration = Duration::from_secs(35);
/// How long a batch that found no free slot for its endpoint waits before it is tried again.
pub const BUSY_ENDPOINT_WAIT: Duration = Duration::from_secs(10);
/// How long an attempt waits for a free slot for its endpoint before it is deferred, so a
/// slow endpoint's batches do not hold an invocation.
pub const SLOT_WAIT: Duration = Duration::from_secs(5);

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
    pub handlers: Handlers,
    pub topics: Topics,
    pub stats: Stats,
    /// Attempts not yet written to the delivery log.
    pub log: DeliveryLog,
    limits: Mutex<RateLimits>,
    jitter: Jitter,
    progress: Progress,
    attempt_time: Duration,
}

/// A batch of events bound for one subscription.
struct Job {
    subscription: Arc<EventSubscription>,
    events: Vec<EventJson>,
    head: TaskHead,
    /// Set when the batch is to be dead-lettered without an attempt, and why.
    doomed: Option<&'static str>,
    /// The events' places in their fan-out message (none for a delivery task).
    indexes: Vec<u32>,
    /// The events' ids, when the fan-out read them (none for a delivery task: read when
    /// needed).
    ids: Vec<Arc<str>>,
}

impl Deliveries {
    pub fn new(ports: Ports, queue: Arc<dyn Queue>, handlers: Handlers, jitter: Jitter) -> Self {
        Self {
            ports,
            queue,
            handlers,
            topics: Topics::default(),
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
            Message::Fanout {
                topic,
                published_at,
                generation,
                id,
                mut events,
                payload,
            } => {
                if let Some(id) = payload {
                    events.push(load_payload(&self.ports, &id).await?.into());
                }
                let topic: ResourceId = topic.parse()?;
                let subscriptions = self.topics.get(&self.ports, &topic, generation).await?;
                let Some(id) = id else {
                    let jobs = self.fan_out(&subscriptions, &topic, published_at, events, None);
                    return self.run(jobs, None, start_by).await;
                };
                let settled = self
                    .progress
                    .begin(&self.ports, &id, receive_count > 1)
                    .await?;
                let jobs =
                    self.fan_out(&subscriptions, &topic, published_at, events, Some(&settled));
                match self.run(jobs, Some(&id), start_by).await {
                    Ok(()) => self.progress.finish(&self.ports, &id).await,
                    Err(e) => {
                        if let Err(w) = self.progress.fail(&self.ports, &id).await {
                            tracing::warn!(message = %id, error = %w, "progress not written; the message will be redone whole");
                        }
                        Err(e)
                    }
                }
            }
            Message::Release { subscription } => {
                let id: ResourceId = subscription.parse()?;
                pause::release(&self.ports, self.queue.as_ref(), &id).await?;
                Ok(())
            }
            Message::Task {
                head,
                mut events,
                payloads,
            } => {
                let now = self.ports.clock.now();
                if let Some(wait) = remaining_wait(head.due, now, MAX_DELAY) {
                    return self.queue.send(vec![body.to_owned()], wait).await;
                }
                for id in payloads {
                    events.push(load_payload(&self.ports, &id).await?.into());
                }
                let id: ResourceId = head.subscription.parse()?;
                let topic = id.top()?;
                let Some(subscription) = self.topics.get(&self.ports, &topic, 0).await?.find(&id)
                else {
                    tracing::info!(subscription = %id, events = events.len(), "dropped: the subscription no longer exists");
                    return Ok(());
                };
                self.attempt(
                    Job {
                        subscription,
                        events,
                        head,
                        doomed: None,
                        indexes: Vec::new(),
                        ids: Vec::new(),
                    },
                    start_by,
                )
                .await
            }
        }
    }

    /// The batches of `events` for each matching, enabled subscription, leaving out what
    /// already `settled` for it.
    fn fan_out(
        &self,
        subscriptions: &TopicSubscriptions,
        topic: &ResourceId,
        published_at: OffsetDateTime,
        events: Vec<EventJson>,
        settled: Option<&progress::Settled>,
    ) -> Vec<Job> {
        if subscriptions.all.is_empty() {
            return Vec::new();
        }
        let mut matched: Vec<Vec<usize>> = vec![Vec::new(); subscriptions.all.len()];
        let mut unreadable = Vec::new();
        let mut ids: Vec<Arc<str>> = Vec::with_capacity(events.len());
        for (i, json) in events.iter().enumerate() {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(json) else {
                tracing::error!(topic = %topic, "an accepted event is not readable JSON; dead-lettered for every subscription");
                unreadable.push(i);
                ids.push(Arc::from(""));
                continue;
            };
            ids.push(Arc::from(value["id"].as_str().unwrap_or_default()));
            for s in subscriptions.matcher.matching_refs(&value) {
                if let Some(list) = matched.get_mut(*s) {
                    list.push(i);
                }
            }
        }
        let head = |subscription: &str| TaskHead {
            subscription: subscription.to_owned(),
            attempts: 0,
            published_at,
            since: published_at,
            due: published_at,
            last: None,
        };
        let mut jobs = Vec::new();
        for (subscription, mut indexes) in subscriptions.all.iter().zip(matched) {
            if subscription.disabled_at.is_some() {
                continue;
            }
            let name = subscription.id.to_string();
            let mut unreadable = unreadable.clone();
            if let Some(done) = settled.and_then(|s| s.get(&name)) {
                indexes.retain(|i| !done.contains(&(*i as u32)));
                unreadable.retain(|i| !done.contains(&(*i as u32)));
            }
            if !unreadable.is_empty() {
                jobs.push(Job {
                    subscription: subscription.clone(),
                    events: unreadable.iter().map(|i| events[*i].clone()).collect(),
                    head: head(&name),
                    doomed: Some(reason::UNREADABLE_EVENT),
                    indexes: unreadable.iter().map(|i| *i as u32).collect(),
                    ids: Vec::new(),
                });
            }
            if indexes.is_empty() {
                continue;
            }
            let (max, preferred) = match &subscription.destination {
                Destination::WebHook(hook) => (
                    hook.max_events_per_batch as usize,
                    hook.preferred_batch_size_in_kilobytes as usize * 1024,
                ),
                Destination::PartnerDestination(_) => (1, 64 * 1024),
                other => match other.aws() {
                    Some((service, target)) => target.batching(service),
                    None => (1, 64 * 1024),
                },
            };
            let sizes: Vec<usize> = indexes.iter().map(|i| events[*i].len()).collect();
            for range in batch::batches(&sizes, max, preferred) {
                jobs.push(Job {
                    subscription: subscription.clone(),
                    events: indexes[range.clone()]
                        .iter()
                        .map(|i| events[*i].clone())
                        .collect(),
                    head: head(&name),
                    doomed: None,
                    ids: indexes[range.clone()]
                        .iter()
                        .map(|i| ids[*i].clone())
                        .collect(),
                    indexes: indexes[range].iter().map(|i| *i as u32).collect(),
                });
            }
        }
        jobs
    }

    /// Runs `jobs`, noting each that settles in the progress of `message` (if it has one).
    async fn run(
        &self,
        jobs: Vec<Job>,
        message: Option<&str>,
        start_by: Option<Instant>,
    ) -> Result<()> {
        let results: Vec<Result<()>> = futures_util::stream::iter(jobs)
            .map(|mut job| async move {
                let Some(message) = message else {
                    return self.attempt(job, start_by).await;
                };
                let indexes = std::mem::take(&mut job.indexes);
                let subscription = job.head.subscription.clone();
                self.attempt(job, start_by).await?;
                self.progress
                    .settled(&self.ports, message, &subscription, &indexes)
                    .await;
                Ok(())
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        results.into_iter().collect()
    }
}
