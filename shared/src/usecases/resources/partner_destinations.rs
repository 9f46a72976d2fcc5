//! Partner destinations as a subscription's destination: whether one can be delivered to now,
//! and the partner's webhook and context to deliver with. Read at every subscription write and
//! every delivery attempt, so a deactivated or deleted destination stops deliveries at once
//! (they dead-letter, saying why).

use crate::auth::Caller;
use crate::error::{Error, Result};
use crate::ids::{ResourceId, ResourceType};
use crate::ports::Ports;
use crate::provisioning::channel::DestinationEndpoint;
use crate::provisioning::topic::{ActivationState, PartnerTopic};
use crate::subscriptions::destination::WebHook;
use crate::table;

/// The header that carries the destination's `endpointServiceContext` to the partner.
pub const CONTEXT_HEADER: &str = "aeg-partner-destination-context";

/// Why a destination cannot be delivered to (the dead-letter reasons).
pub mod reason {
    pub const NOT_FOUND: &str = "PartnerDestinationNotFound";
    pub const NOT_ACTIVATED: &str = "PartnerDestinationNotActivated";
}

/// A `PartnerDestination` destination must name an activated partner destination in one of
/// the caller's own subscriptions.
pub async fn check_target(ports: &Ports, caller: &Caller, raw: &str) -> Result<()> {
    let refused =
        |why: String| Error::invalid(crate::subscriptions::code::INVALID_DESTINATION, why);
    let id: ResourceId = raw.parse().map_err(|_| {
        refused(format!(
            "destination.properties.resourceId '{raw}' is not a partner destination id (/subscriptions/.../providers/Microsoft.EventGrid/partnerDestinations/<name>)"
        ))
    })?;
    if id.kind() != ResourceType::PartnerDestinations || caller.owns(id.subscription).is_err() {
        return Err(refused(format!(
            "destination.properties.resourceId '{raw}' must be a partner destination in one of your own subscriptions"
        )));
    }
    match usable(ports, &id).await? {
        Ok(_) => Ok(()),
        Err(reason::NOT_ACTIVATED) => Err(refused(format!(
            "partner destination '{raw}' is not activated; activate it with POST .../partnerDestinations/{}/activate first",
            id.name()
        ))),
        Err(_) => Err(refused(format!(
            "partner destination '{raw}' does not exist"
        ))),
    }
}

/// The endpoint of the partner destination `id` if it exists and is activated; otherwise the
/// reason it is not usable.
pub async fn usable(
    ports: &Ports,
    id: &ResourceId,
) -> Result<std::result::Result<DestinationEndpoint, &'static str>> {
    if id.kind() != ResourceType::PartnerDestinations {
        return Ok(Err(reason::NOT_FOUND));
    }
    let found = table::get::<PartnerTopic>(ports.store.as_ref(), &table::resource_key(id))
        .await?
        .map(|v| v.value)
        .filter(|d| !d.is_expired(ports.clock.now()));
    Ok(match found {
        Some(d) if d.activation_state != ActivationState::Activated => Err(reason::NOT_ACTIVATED),
        Some(PartnerTopic {
            destination: Some(endpoint),
            ..
        }) => Ok(endpoint),
        _ => Err(reason::NOT_FOUND),
    })
}

/// Where deliveries to the destination `resource_id` go now: the partner's webhook (one event
/// per request) and the context to send, or the dead-letter reason.
pub async fn endpoint(
    ports: &Ports,
    resource_id: &str,
) -> Result<std::result::Result<(WebHook, Option<String>), &'static str>> {
    let Ok(id) = resource_id.parse::<ResourceId>() else {
        return Ok(Err(reason::NOT_FOUND));
    };
    Ok(usable(ports, &id).await?.map(|target| {
        let hook = WebHook {
            endpoint_url: Some(target.endpoint_url),
            max_events_per_batch: 1,
            preferred_batch_size_in_kilobytes: 64,
            delivery_attribute_mappings: Vec::new(),
        };
        (hook, target.endpoint_service_context)
    }))
}
