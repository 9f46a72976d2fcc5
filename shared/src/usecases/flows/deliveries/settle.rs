//! What follows one answer for a batch's events: counted as delivered, a retry task, a dead
//! letter, or a disabled subscription (410 Gone); each event's attempt noted in the delivery
//! log.

use std::time::Duration;

use super::Deliveries;
use crate::delivery::log::{self, Entry, Followed, excerpt};
use crate::delivery::outcome::{Decision, Outcome, reason, reason_after};
use crate::delivery::plan::Batch;
use crate::delivery::{LastAttempt, TaskHead, classify, decide};
use crate::error::Result;
use crate::metrics;
use crate::ports::Attempt;
use crate::usecases::resources::event_subscriptions::stats;

impl Deliveries {
    /// Settles `answer` for the events of `batch` (an attempt that took `took`).
    pub(super) async fn settle(
        &self,
        batch: Batch,
        answer: &Attempt,
        took: Duration,
    ) -> Result<()> {
        let subscription = batch.subscription.clone();
        let now = self.ports.clock.now();
        let attempts = batch.head.attempts + 1;
        let policy = &subscription.retry_policy;
        let decision = decide(
            attempts,
            answer,
            policy,
            batch.head.since,
            now,
            (self.jitter)(),
        );
        metrics::settled(answer, batch.events.len(), batch.head.published_at, now);
        let logged = |followed: Followed| {
            let entries = log_entries(&batch, attempts, answer, took, now, followed);
            self.log.note(&batch.head.subscription, entries)
        };
        if decision == Decision::Delivered {
            logged(Followed::Delivered);
            let count = batch.events.len();
            self.stats
                .delivered(&subscription, count, batch.head.published_at, now);
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
        let head = TaskHead {
            attempts,
            last: Some(last.clone()),
            ..batch.head.clone()
        };
        match decision {
            Decision::Delivered => Ok(()),
            Decision::Retry { at } => {
                logged(Followed::RetryAt(at));
                self.enqueue(&TaskHead { due: at, ..head }, &batch.events)
                    .await
            }
            Decision::DeadLetter { reason } => {
                let reason = reason_after(reason, answer);
                logged(Followed::DeadLettered(reason.clone()));
                let batch = Batch { head, ..batch };
                self.give_up(&batch, &reason, Some(last)).await
            }
            Decision::DeadLetterAndDisable => {
                logged(Followed::DeadLettered(reason::ENDPOINT_GONE.to_owned()));
                self.disable(&subscription.id).await?;
                let batch = Batch { head, ..batch };
                self.give_up(&batch, reason::ENDPOINT_GONE, Some(last))
                    .await
            }
        }
    }
}

/// When the events of `batch` outlive their time to live.
pub(super) fn expiry(batch: &Batch) -> time::OffsetDateTime {
    let ttl = batch
        .subscription
        .retry_policy
        .event_time_to_live_in_minutes;
    batch.head.since + time::Duration::minutes(ttl)
}

/// The log entries of one attempt of the events of `batch`, its `attempts`-th.
fn log_entries(
    batch: &Batch,
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
    batch
        .events
        .iter()
        .enumerate()
        .map(|(i, event)| Entry {
            event_id: match batch.ids.get(i) {
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
        Attempt::OverBudget => "no answer within the first try's budget".into(),
        Attempt::Service(e) => format!("{}: {}", e.code, e.message),
    }
}
