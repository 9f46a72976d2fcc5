//! One attempt of one batch and what follows from it: the request, the answer's decision
//! (delivered, a retry task, a dead letter, a disabled subscription), and the deferral of a
//! batch that has no time or no free slot for its attempt.

use std::time::{Duration, Instant};

use super::{BUSY_ENDPOINT_WAIT, Deliveries, Job, SLOT_WAIT, stats};
use crate::delivery::outcome::{Decision, Outcome, reason, remaining_wait};
use crate::delivery::{EventJson, LastAttempt, TaskHead, classify, decide, request};
use crate::error::Result;
use crate::ports::{Attempt, MAX_DELAY};
use crate::subscriptions::Destination;
use crate::usecases::resources::partner_destinations;
use crate::usecases::support::payloads::task_messages;

impl Deliveries {
    /// One attempt of one batch, and what follows from it. A batch that cannot start by
    /// `start_by` is queued as a task due at once, its attempts unchanged; one whose endpoint
    /// had no free slot in time waits [`BUSY_ENDPOINT_WAIT`].
    pub(super) async fn attempt(&self, job: Job, start_by: Option<Instant>) -> Result<()> {
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
    pub(super) async fn defer(&self, job: &Job, wait: Duration) -> Result<()> {
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
    pub(super) async fn enqueue(&self, head: &TaskHead, events: &[EventJson]) -> Result<()> {
        let bodies = task_messages(&self.ports, head, events).await?;
        let wait = remaining_wait(head.due, self.ports.clock.now(), MAX_DELAY).unwrap_or_default();
        self.queue.send(bodies, wait).await
    }
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
