//! Disabling a subscription whose endpoint is gone: it stays, shows when it was disabled, and
//! is no longer delivered to. Its owner hears of it on the system topic.

use serde_json::json;

use crate::error::Result;
use crate::ids::ResourceId;
use crate::ports::Ports;
use crate::subscriptions::EventSubscription;
use crate::table::{self, Versioned};
use crate::usecases::support::generations::Endpoint;
use crate::usecases::support::platform_events;
use crate::usecases::support::updates::{self, Change};

/// How many times a disable reads and writes the subscription before leaving it to the next.
const TRIES: usize = 10;

/// Disables subscription `id` for `reason` (e.g. `EndpointGone`): marks `disabledAt`, and in
/// the same write bumps its topic's publish endpoint generation and records the platform event
/// `PartnerEvents.EventSubscriptionDisabled` (none for a subscription on a system topic). True
/// when this call disabled it (the caller then relays platform events); false when it is gone,
/// was disabled already, or kept changing over every try.
pub async fn disable(ports: &Ports, id: &ResourceId, reason: &str) -> Result<bool> {
    let key = table::resource_key(id);
    let endpoint = Endpoint::of_topic(ports, &id.top()?).await?;
    let disabled = updates::update(ports, &key, TRIES, |found| {
        let Some(stored) =
            found.filter(|s: &Versioned<EventSubscription>| s.value.disabled_at.is_none())
        else {
            return Ok(Change::Keep(false));
        };
        let expect = stored.expect();
        let mut subscription = stored.value;
        subscription.disabled_at = Some(ports.clock.now());
        let expires = subscription.expiration_time_utc.map(|t| t.unix_timestamp());
        let mut writes = vec![table::put_with_ttl(
            key.clone(),
            &subscription,
            expect,
            expires,
        )?];
        writes.extend(endpoint.as_ref().map(Endpoint::bump));
        let data = json!({ "eventSubscriptionId": id.to_string(), "reason": reason });
        let now = ports.clock.now();
        if let Some(event) =
            platform_events::about_subscription(id, "EventSubscriptionDisabled", data, now)?
        {
            writes.push(platform_events::record(ports, &event)?);
        }
        Ok(Change::Write(writes, true))
    })
    .await;
    match disabled {
        Err(e) if e.is_conflict() => Ok(false),
        disabled => disabled,
    }
}
