//! Disabling a subscription whose endpoint answered 410 Gone, with the
//! `EventSubscriptionDisabled` platform event written in the same change, then relayed.

use serde_json::json;

use super::Deliveries;
use crate::delivery::outcome::reason;
use crate::error::Result;
use crate::ids::ResourceId;
use crate::subscriptions::EventSubscription;
use crate::table;
use crate::usecases::support::generations::Endpoint;
use crate::usecases::support::platform_events;

impl Deliveries {
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
        self.subscriptions.forget(&id.top()?);
        Ok(())
    }
}
