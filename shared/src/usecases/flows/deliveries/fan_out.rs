//! A fan-out message: its events matched against the topic's subscriptions as of the
//! message's generation, planned into batches leaving out what a previous handling settled, and
//! each batch attempted at once, what settles noted in the message's progress.

use std::time::Instant;

use futures_util::StreamExt;

use super::{CONCURRENCY, Deliveries};
use crate::delivery::FanoutMessage;
use crate::delivery::plan::{self, Batch, Settled};
use crate::error::Result;
use crate::ids::ResourceId;
use crate::usecases::support::payloads::load_payload;

impl Deliveries {
    pub(super) async fn fan_out(
        &self,
        message: FanoutMessage,
        receive_count: u32,
        start_by: Option<Instant>,
    ) -> Result<()> {
        let FanoutMessage {
            topic,
            published_at,
            generation,
            id,
            mut events,
            payload,
        } = message;
        if let Some(stored) = payload {
            events.push(load_payload(&self.ports, &stored).await?.into());
        }
        let topic: ResourceId = topic.parse()?;
        let subscribers = self
            .subscriptions
            .get(&self.ports, &topic, generation)
            .await?;
        let settled = match &id {
            Some(id) => {
                self.progress
                    .begin(&self.ports, id, receive_count > 1)
                    .await?
            }
            None => Settled::default(),
        };
        let plan = plan::plan(&subscribers, published_at, &events, &settled);
        if plan.unreadable > 0 {
            tracing::error!(topic = %topic, events = plan.unreadable, "accepted events are not readable JSON; dead-lettered for every subscription");
        }
        let Some(id) = id else {
            return self.run(plan.batches, None, start_by).await;
        };
        let result = self.run(plan.batches, Some(&id), start_by).await;
        match result {
            Ok(()) => self.progress.finish(&self.ports, &id).await,
            Err(e) => {
                if let Err(w) = self.progress.fail(&self.ports, &id).await {
                    tracing::warn!(message = %id, error = %w, "progress not written; the message will be redone whole");
                }
                Err(e)
            }
        }
    }

    /// Attempts `batches`, noting each that settles in the progress of `message` (if it has
    /// one).
    async fn run(
        &self,
        batches: Vec<Batch>,
        message: Option<&str>,
        start_by: Option<Instant>,
    ) -> Result<()> {
        let results: Vec<Result<()>> = futures_util::stream::iter(batches)
            .map(|mut batch| async move {
                let Some(message) = message else {
                    return self.attempt(batch, start_by).await;
                };
                let indexes = std::mem::take(&mut batch.indexes);
                let subscription = batch.head.subscription.clone();
                self.attempt(batch, start_by).await?;
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
