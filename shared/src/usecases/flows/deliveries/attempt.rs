//! One attempt of one batch and what follows from it: the request to a webhook, or the
//! messages to an AWS target (whose answers come per message, so part of a batch may be
//! delivered and part retried); each answer's decision (delivered, a retry task, a dead letter,
//! a disabled subscription); and the deferral of a batch that has no time or no free slot.

use std::time::{Duration, Instant};

use super::hold::Held;
use super::{BUSY_ENDPOINT_WAIT, Deliveries, Job, SLOT_WAIT, stats};
use crate::delivery::log::{self, Entry, Followed, excerpt};
use crate::delivery::outcome::{Decision, Outcome, reason, reason_after, remaining_wait};
use crate::delivery::{
    EventJson, LastAttempt, TaskHead, aws_messages, classify, decide, request, signing,
};
use crate::error::Result;
use crate::metrics;
use crate::ports::{Attempt, Fault, MAX_DELAY, ServiceError, TargetDelivery};
use crate::subscriptions::Destination;
use crate::subscriptions::aws::{self, AwsTarget, Service};
use crate::usecases::resources::{event_subscriptions, partner_destinations};
use crate::usecases::support::payloads::task_messages;

impl Deliveries {
    /// One attempt of one batch, and what follows from it. A batch that cannot start by
    /// `start_by` is queued as a task due at once, its attempts unchanged; one whose endpoint
    /// had no free slot in time waits [`BUSY_ENDPOINT_WAIT`].
    pub(super) async fn attempt(&self, mut job: Job, start_by: Option<Instant>) -> Result<()> {
        if let Some(reason) = job.doomed {
            return self.give_up(&job, reason, None).await;
        }
        if self.ports.clock.now() >= expiry(&job) {
            let last = job.head.last.clone();
            return self.give_up(&job, reason::TIME_TO_LIVE, last).await;
        }
        if job.subscription.paused_at.is_some() {
            match self.hold(&job).await? {
                Held::Kept | Held::Gone => return Ok(()),
                Held::Resumed(fresh) => job.subscription = fresh,
            }
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
        if start_by.is_some_and(|by| Instant::now() >= by) {
            return self.defer(&job, Duration::ZERO).await;
        }
        let started = Instant::now();
        let answers = match subscription.destination.aws() {
            Some((service, target)) => self.send_to_target(service, target, &job).await?,
            None => match self.send_to_webhook(&job, start_by).await? {
                Some(answer) => vec![((0..job.events.len()).collect(), answer)],
                None => return Ok(()),
            },
        };
        let took = started.elapsed();
        if let [(_, answer)] = answers.as_slice() {
            return self.settle(job, answer, took).await;
        }
        let mut result = Ok(());
        for (positions, answer) in answers {
            let part = Job {
                subscription: job.subscription.clone(),
                events: positions.iter().map(|p| job.events[*p].clone()).collect(),
                head: job.head.clone(),
                doomed: None,
                indexes: Vec::new(),
                ids: positions
                    .iter()
                    .filter_map(|p| job.ids.get(*p).cloned())
                    .collect(),
            };
            if let Err(e) = self.settle(part, &answer, took).await {
                result = Err(e);
            }
        }
        result
    }

    /// The POST of the batch to its webhook (or partner destination). `None` when the batch
    /// is settled without an attempt: dead-lettered (its partner destination is gone) or
    /// deferred (no free slot for the endpoint).
    async fn send_to_webhook(
        &self,
        job: &Job,
        start_by: Option<Instant>,
    ) -> Result<Option<Attempt>> {
        let (hook, context) = match &job.subscription.destination {
            Destination::PartnerDestination(target) => {
                match partner_destinations::endpoint(&self.ports, &target.resource_id).await? {
                    Ok((hook, context)) => (std::borrow::Cow::Owned(hook), context),
                    Err(why) => return self.give_up(job, why, None).await.map(|()| None),
                }
            }
            Destination::WebHook(hook) => (std::borrow::Cow::Borrowed(hook), None),
            _ => return Err(crate::error::Error::internal("not a webhook destination")),
        };
        let mut request = request::build(
            job.subscription.id.name(),
            &hook,
            &job.events,
            job.head.attempts,
        );
        request.start_by = start_by.map(|by| by.min(Instant::now() + SLOT_WAIT));
        let now = self.ports.clock.now();
        signing::sign(
            &mut request,
            hook.signing_secrets(),
            &job.head.subscription,
            now,
        );
        if let Some(context) = context {
            request
                .headers
                .push((partner_destinations::CONTEXT_HEADER.to_owned(), context));
        }
        let answer = metrics::timed(self.handlers.webhooks.deliver(&request)).await;
        if answer == Attempt::NotSent {
            self.defer(job, BUSY_ENDPOINT_WAIT).await?;
            return Ok(None);
        }
        Ok(Some(answer))
    }

    /// The batch's messages to an AWS target, with the events each carried and what came of
    /// it. Without AWS targets enabled, each is a failed attempt (retried until they are).
    async fn send_to_target(
        &self,
        service: Service,
        target: &AwsTarget,
        job: &Job,
    ) -> Result<Vec<(Vec<usize>, Attempt)>> {
        let subscription = job.subscription.id.to_string();
        let built = aws_messages::messages(service, target, &subscription, &job.events);
        let mut answers: Vec<(Vec<usize>, Attempt)> = Vec::with_capacity(built.len());
        let mut delivery = TargetDelivery {
            target: target.target(service),
            messages: Vec::new(),
        };
        let mut sent = Vec::new();
        for (positions, message) in built {
            match message {
                Ok(message) => {
                    sent.push(answers.len());
                    delivery.messages.push(message);
                    answers.push((positions, Attempt::NotSent));
                }
                Err(refused) => answers.push((positions, Attempt::Service(refused))),
            }
        }
        if sent.is_empty() {
            return Ok(grouped(answers));
        }
        let allowed = event_subscriptions::aws_destinations::still_allowed(
            &self.ports,
            &self.handlers.reserved,
            &delivery.target,
        )
        .await?;
        let mut results = match (&self.handlers.targets, allowed) {
            (_, Err(refused)) => vec![Attempt::Service(refused); sent.len()].into_iter(),
            (Some(targets), Ok(())) => metrics::timed(targets.deliver(&delivery)).await.into_iter(),
            (None, Ok(())) => vec![Attempt::Service(not_enabled()); sent.len()].into_iter(),
        };
        for slot in sent {
            answers[slot].1 = results.next().unwrap_or_else(|| {
                Attempt::Service(ServiceError::new(
                    Fault::Unavailable,
                    0,
                    "NoAnswer",
                    "the target adapter gave no answer for this message",
                ))
            });
        }
        Ok(grouped(answers))
    }

    /// What follows one answer for the events of `job` (an attempt that took `took`): counted
    /// as delivered, a retry task, a dead letter, or a disabled subscription; and logged.
    async fn settle(&self, job: Job, answer: &Attempt, took: Duration) -> Result<()> {
        let subscription = job.subscription.clone();
        let now = self.ports.clock.now();
        let attempts = job.head.attempts + 1;
        let decision = decide(
            attempts,
            answer,
            &subscription.retry_policy,
            job.head.since,
            now,
            (self.jitter)(),
        );
        metrics::settled(answer, job.events.len(), job.head.published_at, now);
        let logged = |followed: Followed| {
            self.log.note(
                &job.head.subscription,
                log_entries(&job, attempts, answer, took, now, followed),
            )
        };
        if decision == Decision::Delivered {
            logged(Followed::Delivered);
            self.stats
                .delivered(&subscription, job.events.len(), job.head.published_at, now);
            return Ok(());
        }
        let last = LastAttempt {
            outcome: classify(answer).name().to_owned(),
            status: status_of(answer),
            at: now,
        };
        tracing::warn!(subscription = %subscription.id, attempts, outcome = %last.outcome, status = last.status, detail = %detail_of(answer), "delivery failed");
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
                logged(Followed::RetryAt(at));
                head.due = at;
                self.enqueue(&head, &job.events).await
            }
            Decision::DeadLetter { reason } => {
                let reason = reason_after(reason, answer);
                logged(Followed::DeadLettered(reason.clone()));
                let job = Job { head, ..job };
                self.give_up(&job, &reason, Some(last)).await
            }
            Decision::DeadLetterAndDisable => {
                logged(Followed::DeadLettered(reason::ENDPOINT_GONE.to_owned()));
                self.disable(&subscription.id).await?;
                let job = Job { head, ..job };
                self.give_up(&job, reason::ENDPOINT_GONE, Some(last)).await
            }
        }
    }

    /// Queues the batch as a task due after `wait`, its attempts unchanged; past the events'
    /// time to live it is dead-lettered instead.
    pub(super) async fn defer(&self, job: &Job, wait: Duration) -> Result<()> {
        if self.ports.clock.now() + wait > expiry(job) {
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
    pub(super) async fn enqueue(&self, head: &TaskHead, events: &[EventJson]) -> Result<()> {
        let bodies = task_messages(&self.ports, head, events).await?;
        let wait = remaining_wait(head.due, self.ports.clock.now(), MAX_DELAY).unwrap_or_default();
        self.queue.send(bodies, wait).await
    }
}

/// The events of equal answers together, in the order the answers first came, so what follows
/// one answer (a retry task, a dead-letter write) is done once for all its events.
fn grouped(answers: Vec<(Vec<usize>, Attempt)>) -> Vec<(Vec<usize>, Attempt)> {
    let mut groups: Vec<(Vec<usize>, Attempt)> = Vec::new();
    for (positions, answer) in answers {
        match groups.iter_mut().find(|(_, a)| *a == answer) {
            Some((all, _)) => all.extend(positions),
            None => groups.push((positions, answer)),
        }
    }
    groups
}

/// When the events of `job` outlive their time to live.
fn expiry(job: &Job) -> time::OffsetDateTime {
    let ttl = job.subscription.retry_policy.event_time_to_live_in_minutes;
    job.head.since + time::Duration::minutes(ttl)
}

/// The log entries of one attempt of the events of `job`, its `attempts`-th.
fn log_entries(
    job: &Job,
    attempts: u32,
    answer: &Attempt,
    took: Duration,
    at: time::OffsetDateTime,
    followed: Followed,
) -> Vec<Entry> {
    let outcome = classify(answer);
    let delivered = followed == Followed::Delivered;
    let body = match answer {
        _ if delivered => None,
        Attempt::Answered { body, .. } => body.clone(),
        other => excerpt(detail_of(other).as_bytes()),
    };
    let (retry_at_ms, dead_letter_reason) = match followed {
        Followed::Delivered => (None, None),
        Followed::RetryAt(at) => (Some(log::ms(at)), None),
        Followed::DeadLettered(reason) => (None, Some(reason)),
    };
    job.events
        .iter()
        .enumerate()
        .map(|(i, event)| Entry {
            event_id: match job.ids.get(i) {
                Some(id) => id.clone(),
                None => log::event_id(event),
            },
            delivery_count: attempts,
            at_ms: log::ms(at),
            outcome: (outcome != Outcome::Delivered).then(|| outcome.name().to_owned()),
            status: status_of(answer),
            duration_ms: took.as_millis() as u64,
            body: body.clone(),
            retry_at_ms,
            dead_letter_reason: dead_letter_reason.clone(),
        })
        .collect()
}

fn not_enabled() -> ServiceError {
    ServiceError::new(
        Fault::Unavailable,
        0,
        aws::code::NOT_ENABLED,
        "this server delivers to AWS targets only when started with --aws-targets",
    )
}

fn status_of(answer: &Attempt) -> u16 {
    match answer {
        Attempt::Answered { status, .. } => *status,
        Attempt::Service(e) => e.status,
        _ => 0,
    }
}

fn detail_of(answer: &Attempt) -> String {
    match answer {
        Attempt::Answered { status, .. } => format!("HTTP {status}"),
        Attempt::TimedOut => "timed out".into(),
        Attempt::SocketError(e) | Attempt::ResolutionError(e) => e.clone(),
        Attempt::NotSent => "not sent".into(),
        Attempt::Service(e) => format!("{}: {}", e.code, e.message),
    }
}
