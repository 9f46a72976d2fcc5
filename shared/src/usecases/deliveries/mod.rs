//! Fan-out and delivery, the queue handler's use cases. A fan-out message's events are matched
//! against the topic's subscriptions and each batch gets its first attempt at once; a batch
//! that fails is sent to the delivery queue as a task due at its next attempt, or dead-lettered.
//! A message is settled (its handler returns `Ok`) only once every batch is delivered, queued
//! for retry or dead-lettered, so a crash at any step loses nothing: the message comes back.
//! What of it had settled is checkpointed ([`progress`]), so a message handled again delivers
//! only what had not (at least once, with duplicates bounded by what was in flight).

mod give_up;
pub mod progress;
pub mod stats;
pub mod topics;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use time::OffsetDateTime;

use super::event_subscriptions::topic_of;
use super::partner_destinations;
use super::publish::{PAYLOAD_TTL, load_payload, store_payload};
use crate::delivery::outcome::{Decision, Outcome, reason, remaining_wait};
use crate::delivery::rate::RateLimits;
use crate::delivery::{
    self, EventJson, LastAttempt, Message, TaskHead, batch, classify, decide, request,
};
use crate::error::Result;
use crate::ids::ResourceId;
use crate::ports::{Attempt, MAX_DELAY, MAX_MESSAGE_BYTES, Ports, Queue, Webhooks};
use crate::subscriptions::{Destination, EventSubscription};

pub use progress::Progress;
pub use stats::{DeliveryStats, Stats};
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

/// The random jitter draw.
pub fn random_jitter() -> f64 {
    getrandom::u64().map_or(0.5, |r| (r >> 11) as f64 / (1u64 << 53) as f64)
}

/// Everything the fan-out and delivery handler works with, shared by its invocations.
pub struct Deliveries {
    pub ports: Ports,
    /// Where retries and deferred batches wait.
    pub queue: Arc<dyn Queue>,
    pub webhooks: Arc<dyn Webhooks>,
    pub topics: Topics,
    pub stats: Stats,
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
}

impl Deliveries {
    pub fn new(
        ports: Ports,
        queue: Arc<dyn Queue>,
        webhooks: Arc<dyn Webhooks>,
        jitter: Jitter,
    ) -> Self {
        Self {
            ports,
            queue,
            webhooks,
            topics: Topics::default(),
            stats: Stats::default(),
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
                let topic = topic_of(&id)?;
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
        for (i, json) in events.iter().enumerate() {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(json) else {
                tracing::error!(topic = %topic, "an accepted event is not readable JSON; dead-lettered for every subscription");
                unreadable.push(i);
                continue;
            };
            for s in subscriptions.matcher.matching_refs(&value) {
                if let Some(list) = matched.get_mut(*s) {
                    list.push(i);
                }
            }
        }
        let head = |subscription: &EventSubscription| TaskHead {
            subscription: subscription.id.to_string(),
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
            let mut unreadable = unreadable.clone();
            if let Some(done) = settled.and_then(|s| s.get(&subscription.id.to_string())) {
                indexes.retain(|i| !done.contains(&(*i as u32)));
                unreadable.retain(|i| !done.contains(&(*i as u32)));
            }
            if !unreadable.is_empty() {
                jobs.push(Job {
                    subscription: subscription.clone(),
                    events: unreadable.iter().map(|i| events[*i].clone()).collect(),
                    head: head(subscription),
                    doomed: Some(reason::UNREADABLE_EVENT),
                    indexes: unreadable.iter().map(|i| *i as u32).collect(),
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
            };
            let sizes: Vec<usize> = indexes.iter().map(|i| events[*i].len()).collect();
            for range in batch::batches(&sizes, max, preferred) {
                jobs.push(Job {
                    subscription: subscription.clone(),
                    events: indexes[range.clone()]
                        .iter()
                        .map(|i| events[*i].clone())
                        .collect(),
                    head: head(subscription),
                    doomed: None,
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
                let subscription = job.subscription.clone();
                self.attempt(job, start_by).await?;
                self.progress
                    .settled(&self.ports, message, &subscription.id.to_string(), &indexes)
                    .await;
                Ok(())
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        results.into_iter().collect()
    }

    /// One attempt of one batch, and what follows from it. A batch that cannot start by
    /// `start_by` is queued as a task due at once, its attempts unchanged; one whose endpoint
    /// had no free slot in time waits [`BUSY_ENDPOINT_WAIT`].
    async fn attempt(&self, job: Job, start_by: Option<Instant>) -> Result<()> {
        if let Some(reason) = job.doomed {
            return self.give_up(&job, reason, None).await;
        }
        let subscription = job.subscription.clone();
        if subscription.disabled_at.is_some() {
            let last = LastAttempt {
                outcome: Outcome::Disabled.name().to_owned(),
                status: 0,
                at: self.ports.clock.now(),
            };
            return self
                .give_up(&job, reason::SUBSCRIPTION_DISABLED, Some(last))
                .await;
        }
        if let Some(rate) = subscription.allowed_rate {
            let wait = self.limits.lock().unwrap_or_else(|e| e.into_inner()).take(
                &job.head.subscription,
                rate,
                self.ports.clock.now(),
            );
            if let Some(wait) = wait {
                let mut head = job.head.clone();
                head.due = self.ports.clock.now() + wait;
                return self.enqueue(&head, &job.events).await;
            }
        }
        let (hook, context) = match &subscription.destination {
            Destination::WebHook(hook) => (std::borrow::Cow::Borrowed(hook), None),
            Destination::PartnerDestination(target) => {
                match partner_destinations::endpoint(&self.ports, &target.resource_id).await? {
                    Ok((hook, context)) => (std::borrow::Cow::Owned(hook), context),
                    Err(why) => return self.give_up(&job, why, None).await,
                }
            }
        };
        if start_by.is_some_and(|by| Instant::now() >= by) {
            return self.defer(&job, Duration::ZERO).await;
        }
        let mut request = request::build(
            subscription.id.name(),
            &hook,
            &job.events,
            job.head.attempts,
        );
        request.start_by = start_by.map(|by| by.min(Instant::now() + SLOT_WAIT));
        if let Some(context) = context {
            request
                .headers
                .push((partner_destinations::CONTEXT_HEADER.to_owned(), context));
        }
        let answer = self.webhooks.deliver(&request).await;
        if answer == Attempt::NotSent {
            return self.defer(&job, BUSY_ENDPOINT_WAIT).await;
        }
        let now = self.ports.clock.now();
        let attempts = job.head.attempts + 1;
        let decision = decide(
            attempts,
            &answer,
            &subscription.retry_policy,
            job.head.since,
            now,
            (self.jitter)(),
        );
        if decision == Decision::Delivered {
            self.stats.delivered(&subscription, job.events.len(), now);
            return Ok(());
        }
        let last = LastAttempt {
            outcome: classify(&answer).name().to_owned(),
            status: status_of(&answer),
            at: now,
        };
        tracing::warn!(subscription = %subscription.id, attempts, outcome = %last.outcome, status = last.status, detail = %detail_of(&answer), "delivery failed");
        self.stats.failed(
            &subscription,
            stats::LastError {
                outcome: last.outcome.clone(),
                http_status_code: last.status,
                time_utc: now,
            },
        );
        let mut head = TaskHead {
            attempts,
            last: Some(last.clone()),
            ..job.head.clone()
        };
        match decision {
            Decision::Delivered => Ok(()),
            Decision::Retry { at } => {
                head.due = at;
                self.enqueue(&head, &job.events).await
            }
            Decision::DeadLetter { reason } => {
                let job = Job { head, ..job };
                self.give_up(&job, reason, Some(last)).await
            }
            Decision::DeadLetterAndDisable => {
                self.disable(&subscription.id).await?;
                let job = Job { head, ..job };
                self.give_up(&job, reason::ENDPOINT_GONE, Some(last)).await
            }
        }
    }

    /// Queues the batch as a task due after `wait`, its attempts unchanged; past the events'
    /// time to live it is dead-lettered instead.
    async fn defer(&self, job: &Job, wait: Duration) -> Result<()> {
        let ttl =
            time::Duration::minutes(job.subscription.retry_policy.event_time_to_live_in_minutes);
        if self.ports.clock.now() + wait > job.head.since + ttl {
            return self
                .give_up(job, reason::TIME_TO_LIVE, job.head.last.clone())
                .await;
        }
        tracing::info!(subscription = %job.subscription.id, events = job.events.len(), "deferred: no time or no free slot for the attempt");
        let mut head = job.head.clone();
        head.due = self.ports.clock.now() + wait;
        self.enqueue(&head, &job.events).await
    }

    /// Sends `events` as tasks due at `head.due`.
    async fn enqueue(&self, head: &TaskHead, events: &[EventJson]) -> Result<()> {
        let bodies = task_messages(&self.ports, head, events).await?;
        let wait = remaining_wait(head.due, self.ports.clock.now(), MAX_DELAY).unwrap_or_default();
        self.queue.send(bodies, wait).await
    }
}

/// The delivery tasks that carry `events`: as many per message as fit; an event too large for
/// a message alone is stored in the table and named by its task.
pub(crate) async fn task_messages(
    ports: &Ports,
    head: &TaskHead,
    events: &[EventJson],
) -> Result<Vec<String>> {
    let room = MAX_MESSAGE_BYTES - 2048;
    let mut bodies = Vec::new();
    let mut current: Vec<EventJson> = Vec::new();
    let mut size = 0;
    for event in events {
        if event.len() + 1 > room {
            let id = store_payload(ports, event, PAYLOAD_TTL).await?;
            bodies.push(delivery::task_message_with_payloads(head, &[id])?);
            continue;
        }
        if size + event.len() + 1 > room {
            bodies.push(delivery::task_message(head, &std::mem::take(&mut current))?);
            size = 0;
        }
        size += event.len() + 1;
        current.push(event.clone());
    }
    if !current.is_empty() {
        bodies.push(delivery::task_message(head, &current)?);
    }
    Ok(bodies)
}

fn status_of(answer: &Attempt) -> u16 {
    match answer {
        Attempt::Answered { status, .. } => *status,
        _ => 0,
    }
}

fn detail_of(answer: &Attempt) -> String {
    match answer {
        Attempt::Answered { status, .. } => format!("HTTP {status}"),
        Attempt::TimedOut => "timed out".into(),
        Attempt::SocketError(e) | Attempt::ResolutionError(e) => e.clone(),
        Attempt::NotSent => "not sent".into(),
    }
}
