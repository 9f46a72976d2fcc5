//! Giving up on a batch: dead-lettering it (and writing it to the subscription's S3 bucket),
//! with the `EventDeadLettered` platform event for the owner's system topic (written with the
//! dead letters, then relayed); and disabling a subscription whose endpoint is gone.

use serde_json::json;

use super::Deliveries;
use crate::delivery::LastAttempt;
use crate::delivery::outcome::reason;
use crate::delivery::plan::Batch;
use crate::error::Result;
use crate::ids::ResourceId;
use crate::subscriptions::aws::{DeadLetterDestination, S3Bucket};
use crate::usecases::resources::dead_letters::{self, DeadLetter, GiveUp};
use crate::usecases::resources::event_subscriptions;
use crate::usecases::support::platform_events;

impl Deliveries {
    pub(super) async fn give_up(
        &self,
        batch: &Batch,
        reason: &str,
        last: Option<LastAttempt>,
    ) -> Result<()> {
        let why = GiveUp {
            reason,
            attempts: batch.head.attempts,
            last: last.as_ref().or(batch.head.last.as_ref()),
            published_at: batch.head.published_at,
        };
        let ids: Vec<String> = batch
            .events
            .iter()
            .filter_map(|e| serde_json::from_str::<serde_json::Value>(e).ok())
            .filter_map(|e| e["id"].as_str().map(str::to_owned))
            .collect();
        let data = json!({
            "eventSubscriptionId": batch.subscription.id.to_string(),
            "eventIds": ids,
            "deadLetterReason": reason,
            "deliveryAttempts": batch.head.attempts,
        });
        let id = &batch.subscription.id;
        let now = self.ports.clock.now();
        let notice = match platform_events::about_subscription(id, "EventDeadLettered", data, now)?
        {
            Some(event) => Some(platform_events::record(&self.ports, &event)?),
            None => None,
        };
        let noticed = notice.is_some();
        let letters = dead_letters::store(
            &self.ports,
            &batch.subscription.id,
            &batch.events,
            &why,
            notice,
        )
        .await?;
        if let Some(DeadLetterDestination::S3Bucket(bucket)) =
            &batch.subscription.dead_letter_destination
        {
            self.write_to_bucket(batch, bucket, &letters).await;
        }
        if noticed {
            self.relay_platform_events().await;
        }
        self.stats
            .dead_lettered(&batch.subscription, batch.events.len());
        crate::metrics::dead_lettered(reason, batch.events.len());
        tracing::warn!(subscription = %batch.subscription.id, reason, events = batch.events.len(), "dead-lettered");
        Ok(())
    }

    /// Writes each dead letter as an object of the subscription's S3 bucket, at Event Grid's
    /// blob path `{prefix}{TOPIC}/{SUBSCRIPTION}/{yyyy}/{mm}/{dd}/{hh}/{id}.json`. A write that
    /// fails is logged: the listable dead letter is the record.
    async fn write_to_bucket(&self, batch: &Batch, bucket: &S3Bucket, letters: &[DeadLetter]) {
        let Some(targets) = &self.destinations.targets else {
            tracing::warn!(subscription = %batch.subscription.id, "dead letters not written to S3: AWS targets are not enabled");
            return;
        };
        let id = &batch.subscription.id;
        let topic = id
            .path
            .iter()
            .rev()
            .nth(1)
            .map_or("", |(_, name)| name.as_str());
        let target = bucket.target();
        let allowed = event_subscriptions::aws_destinations::still_allowed(
            &self.ports,
            &self.destinations.reserved,
            &target,
        )
        .await;
        let refused = match allowed {
            Ok(Ok(())) => None,
            Ok(Err(refused)) => Some(refused.message),
            Err(e) => Some(format!("the owner could not be read: {e}")),
        };
        if let Some(why) = refused {
            tracing::warn!(subscription = %id, bucket = %bucket.resource_id, error = %why, "dead letters not written to S3");
            return;
        }
        for (letter, event) in letters.iter().zip(&batch.events) {
            let at = letter.dead_lettered_at;
            let key = format!(
                "{}{}/{}/{:04}/{:02}/{:02}/{:02}/{}.json",
                bucket.prefix,
                topic.to_uppercase(),
                id.name().to_uppercase(),
                at.year(),
                u8::from(at.month()),
                at.day(),
                at.hour(),
                letter.id
            );
            let body = match letter.view(event) {
                Ok(view) => view.to_string(),
                Err(e) => {
                    tracing::error!(subscription = %id, error = %e, "dead letter not written to S3");
                    continue;
                }
            };
            if let Err(e) = targets.put_object(&target, &key, body).await {
                tracing::warn!(subscription = %id, bucket = %bucket.resource_id, key, code = %e.code, error = %e.message, "dead letter not written to S3; it stays listable");
            }
        }
    }

    /// Marks the subscription disabled (its endpoint answered 410 Gone), and relays the
    /// platform event that says so.
    pub(super) async fn disable(&self, id: &ResourceId) -> Result<()> {
        if event_subscriptions::disable(&self.ports, id, reason::ENDPOINT_GONE).await? {
            tracing::warn!(subscription = %id, "disabled: the endpoint answered 410 Gone");
            self.relay_platform_events().await;
        }
        self.subscriptions.forget(&id.top()?);
        Ok(())
    }

    /// Moves recorded platform events on (to this queue: the fan-out handler takes fan-out
    /// messages from either); what fails waits in the outbox for the sweeper.
    pub(super) async fn relay_platform_events(&self) {
        if let Err(e) =
            crate::usecases::flows::relay::relay_recent(&self.ports, self.queue.as_ref()).await
        {
            tracing::warn!(error = %e, "platform events wait in the outbox for the sweeper");
        }
    }
}
