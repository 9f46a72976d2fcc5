//! Deliveries to a partner destination: the partner's endpoint is read at every attempt, so a
//! deactivated or deleted destination stops deliveries at once (they dead-letter, saying why).

use crate::error::Result;
use crate::ids::{ResourceId, ResourceType};
use crate::ports::Ports;
use crate::provisioning::topic::{ActivationState, PartnerTopic};
use crate::subscriptions::destination::WebHook;
use crate::table;

/// The header that carries the destination's `endpointServiceContext` to the partner.
pub const CONTEXT_HEADER: &str = "aeg-partner-destination-context";

/// Dead-letter reasons of a destination that cannot be delivered to.
pub mod reason {
    pub const NOT_FOUND: &str = "PartnerDestinationNotFound";
    pub const NOT_ACTIVATED: &str = "PartnerDestinationNotActivated";
}

/// Where deliveries to the partner destination `resource_id` go now: the partner's webhook
/// and the context to send, or the dead-letter reason when it is gone or not activated.
pub async fn endpoint(
    ports: &Ports,
    resource_id: &str,
) -> Result<std::result::Result<(WebHook, Option<String>), &'static str>> {
    let Ok(id) = resource_id.parse::<ResourceId>() else {
        return Ok(Err(reason::NOT_FOUND));
    };
    if id.kind() != ResourceType::PartnerDestinations {
        return Ok(Err(reason::NOT_FOUND));
    }
    let found = table::get::<PartnerTopic>(ports.store.as_ref(), &table::resource_key(&id))
        .await?
        .map(|v| v.value)
        .filter(|d| !d.is_expired(ports.clock.now()));
    let Some(destination) = found else {
        return Ok(Err(reason::NOT_FOUND));
    };
    let Some(target) = destination.destination else {
        return Ok(Err(reason::NOT_FOUND));
    };
    if destination.activation_state != ActivationState::Activated {
        return Ok(Err(reason::NOT_ACTIVATED));
    }
    let hook = WebHook {
        endpoint_url: Some(target.endpoint_url),
        max_events_per_batch: 1,
        preferred_batch_size_in_kilobytes: 64,
        delivery_attribute_mappings: Vec::new(),
    };
    Ok(Ok((hook, target.endpoint_service_context)))
}
