//! Giving up on a batch: dead-lettering it (and writing it to the subscription's S3 bucket), disabling a subscription whose endpoint is gone,
//! and the platform events both report to the owner's system topic (written with the change,
//! then relayed).

use serde_json::json;

use super::{Deliveries, Job};
use crate::delivery::LastAttempt;
use crate::delivery::outcome::reason;
use crate::error::Result;
use crate::ids::ResourceId;
use crate::subscriptions::EventSubscription;
use crate::subscriptions::aws::{DeadLetterDestination, S3Bucket};
use crate::table;
use crate::usecases::resources::dead_letters::{self, DeadLetter, GiveUp};
use crate::usecases::resources::event_subscriptions;
use crate::usecases::support::generations::Endpoint;
use crate::usecases::support::platform_events;

impl Deliveries {
    pub(super) async fn give_up(
        &self,
        job: &Job,
        reason: &str,
        last: Option<LastAttempt>,
    ) -> Result<()> {
        let why = GiveUp {
            reason,
            attempts: job.head.attempts,
            last: last.as_ref().or(job.head.last.as_ref()),
            published_at: job.head.published_at,
        };
        let ids: Vec<String> = job
            .events
            .iter()
            .filter_map(|e| serde_json::from_str::<serde_json::Value>(e).ok())
            .filter_map(|e| e["id"].as_str().map(str::to_owned))
            .collect();
        let data = json!({
            "eventSubscriptionId": job.subscription.id.to_string(),
            "eventIds": ids,
            "deadLetterReason": reason,
            "deliveryAttempts": job.head.attempts,
        });
        let notice = match self.platform_event(&job.subscription.id, "EventDeadLettered", data)? {
            Some(event) => Some(platform_events::record(&self.ports, &event)?),
            None => None,
        };
        let noticed = notice.is_some();
        let letters =
            dead_letters::store(&self.ports, &job.subscription.id, &job.events, &why, notice)
                .await?;
        if let Some(DeadLetterDestination::S3Bucket(bucket)) =
            &job.subscription.dead_letter_destination
        {
            self.write_to_bucket(job, bucket, &letters).await;
        }
        if noticed {
            self.relay_platform_events().await;
        }
        self.stats
            .dead_lettered(&job.subscription, job.events.len());
        crate::metrics::dead_lettered(reason, job.events.len());
        tracing::warn!(subscription = %job.subscription.id, reason, events = job.events.len(), "dead-lettered");
        Ok(())
    }

    /// Writes each dead letter as an object of the subscription's S3 bucket, at Event Grid's
    /// blob path `{prefix}{TOPIC}/{SUBSCRIPTION}/{yyyy}/{mm}/{dd}/{hh}/{id}.json`. A write that
    /// fails is logged: the listable dead letter is the record.
    async fn write_to_bucket(&self, job: &Job, bucket: &S3Bucket, letters: &[DeadLetter]) {
        let Some(targets) = &self.handlers.targets else {
            tracing::warn!(subscription = %job.subscription.id, "dead letters not written to S3: AWS targets are not enabled");
            return;
        };
        let id = &job.subscription.id;
        let topic = id
            .path
            .iter()
            .rev()
            .nth(1)
            .map_or("", |(_, name)| name.as_str());
        let target = bucket.target();
        let allowed = event_subscriptions::aws_destinations::still_allowed(
            &self.ports,
            &self.handlers.reserved,
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
        for (letter, event) in letters.iter().zip(&job.events) {
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

    /// A platform event `PartnerEvents.{kind}` about event subscription `id`, for its owner's
    /// system topic; none for subscriptions on system topics (no event about an event).
    fn platform_event(
        &self,
        id: &ResourceId,
        kind: &str,
        data: serde_json::Value,
    ) -> Result<Option<serde_json::Value>> {
        if platform_events::is_system_topic(&id.top()?) {
            return Ok(None);
        }
        let kind = format!("PartnerEvents.{kind}");
        platform_events::event(id.subscription, &kind, id, data, self.ports.clock.now()).map(Some)
    }

    /// Moves recorded platform events on (to this queue: the fan-out handler takes fan-out
    /// messages from either); what fails waits in the outbox for the sweeper.
    async fn relay_platform_events(&self) {
        if let Err(e) =
            crate::usecases::flows::relay::relay_recent(&self.ports, self.queue.as_ref()).await
        {
            tracing::warn!(error = %e, "platform events wait in the outbox for the sweeper");
        }
    }

    /// Marks the subscription disabled (its endpoint answered 410 Gone).
    pub(super) async fn disable(&self, id: &ResourceId) -> Result<()> {
        let key = table::resource_key(id);
        let endpoint = Endpoint::of_topic(&self.ports, &id.top()?).await?;
        for _ in 0..10 {
            let Some(stored) =
                table::get::<EventSubscription>(self.ports.store.as_ref(), &key).await?
            else {
                return Ok(());
            };
            if stored.value.disabled_at.is_some() {
                break;
            }
            let mut subscription = stored.value.clone();
            subscription.disabled_at = Some(self.ports.clock.now());
            let expires = subscription.expiration_time_utc.map(|t| t.unix_timestamp());
            let put = table::put_with_ttl(key.clone(), &subscription, stored.expect(), expires)?;
            let mut writes = vec![put];
            writes.extend(endpoint.as_ref().map(Endpoint::bump));
            if let Some(event) = self.platform_event(
                id,
                "EventSubscriptionDisabled",
                json!({
                    "eventSubscriptionId": id.to_string(),
                    "reason": reason::ENDPOINT_GONE,
                }),
            )? {
                writes.push(platform_events::record(&self.ports, &event)?);
            }
            match self.ports.store.write(writes).await {
                Err(e) if e.is_conflict() => continue,
                Err(e) => return Err(e),
                Ok(()) => {
                    tracing::warn!(subscription = %id, "disabled: the endpoint answered 410 Gone");
                    self.relay_platform_events().await;
                    break;
                }
            }
        }
        self.topics.forget(&id.top()?);
        Ok(())
    }
}
