//! What is checked before a batch is attempted, in order: a batch doomed by the plan, or past
//! its events' time to live, is dead-lettered; one for a paused subscription is held; one for a
//! disabled subscription is dead-lettered; one over the endpoint's allowed rate, or with no
//! time left before the handler's deadline, waits on the delivery queue with its attempts
//! unchanged.

use std::time::{Duration, Instant};

use super::Deliveries;
use super::hold::Held;
use super::settle::expiry;
use crate::delivery::LastAttempt;
use crate::delivery::outcome::{Outcome, reason};
use crate::delivery::plan::Batch;
use crate::error::Result;

impl Deliveries {
    /// The batch to attempt now, as its subscription stands; `None` when it was dead-lettered,
    /// held or queued instead.
    pub(super) async fn admit(
        &self,
        mut batch: Batch,
        start_by: Option<Instant>,
    ) -> Result<Option<Batch>> {
        if let Some(reason) = batch.doomed {
            return self.give_up(&batch, reason, None).await.map(|()| None);
        }
        if self.ports.clock.now() >= expiry(&batch) {
            let last = batch.head.last.clone();
            return self
                .give_up(&batch, reason::TIME_TO_LIVE, last)
                .await
                .map(|()| None);
        }
        if batch.subscription.paused_at.is_some() {
            match self.hold(&batch).await? {
                Held::Kept | Held::Gone => return Ok(None),
                Held::Resumed(fresh) => batch.subscription = fresh,
            }
        }
        if batch.subscription.disabled_at.is_some() {
            let last = LastAttempt {
                outcome: Outcome::Disabled.name().to_owned(),
                status: 0,
                at: self.ports.clock.now(),
            };
            let why = reason::SUBSCRIPTION_DISABLED;
            return self.give_up(&batch, why, Some(last)).await.map(|()| None);
        }
        if let Some(wait) = self.over_rate(&batch) {
            let mut head = batch.head.clone();
            head.due = self.ports.clock.now() + wait;
            return self.enqueue(&head, &batch.events).await.map(|()| None);
        }
        if start_by.is_some_and(|by| Instant::now() >= by) {
            return self.defer(&batch, Duration::ZERO).await.map(|()| None);
        }
        Ok(Some(batch))
    }

    /// How long the batch waits for its endpoint's `WebHook-Allowed-Rate`, if it must.
    fn over_rate(&self, batch: &Batch) -> Option<time::Duration> {
        let rate = batch.subscription.allowed_rate?;
        let mut limits = self.limits.lock().unwrap_or_else(|e| e.into_inner());
        limits.take(&batch.head.subscription, rate, self.ports.clock.now())
    }
}
