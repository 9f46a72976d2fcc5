//! Partner destinations as a subscription's destination: whether one can be delivered to now,
//! and the partner's webhook, context and signing secrets to deliver with. Read at every
//! subscription write and every delivery attempt, so a deactivated or deleted destination stops
//! deliveries at once (they dead-letter, saying why), and a rotated secret signs the next one.
//! The partner reads and rotates the secrets through its `PartnerDestination` channel.

use crate::auth::Caller;
use crate::delivery::outcome::reason;
use crate::error::{Error, Result};
use crate::ids::{ResourceId, ResourceType};
use crate::ports::Ports;
use crate::provisioning::channel::DestinationEndpoint;
use crate::provisioning::topic::{ActivationState, PartnerTopic};
use crate::subscriptions::{PayloadSigning, SigningSecrets, WebHook};
use crate::table::{self, Versioned};
use crate::usecases::resources::pairs;
use crate::usecases::support::not_found;

/// The header that carries the destination's `endpointServiceContext` to the partner.
pub const CONTEXT_HEADER: &str = "aeg-partner-destination-context";

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
        Err(reason::PARTNER_DESTINATION_NOT_ACTIVATED) => Err(refused(format!(
            "partner destination '{raw}' is not activated; activate it with POST .../partnerDestinations/{}/activate first",
            id.name()
        ))),
        Err(_) => Err(refused(format!(
            "partner destination '{raw}' does not exist"
        ))),
    }
}

/// The endpoint and signing secrets of the partner destination `id` if it exists and is
/// activated; otherwise the reason it is not usable.
pub async fn usable(
    ports: &Ports,
    id: &ResourceId,
) -> Result<std::result::Result<(DestinationEndpoint, Option<SigningSecrets>), &'static str>> {
    if id.kind() != ResourceType::PartnerDestinations {
        return Ok(Err(reason::PARTNER_DESTINATION_NOT_FOUND));
    }
    let found = table::get::<PartnerTopic>(ports.store.as_ref(), &table::resource_key(id))
        .await?
        .map(|v| v.value)
        .filter(|d| !d.is_expired(ports.clock.now()));
    Ok(match found {
        Some(d) if d.activation_state != ActivationState::Activated => {
            Err(reason::PARTNER_DESTINATION_NOT_ACTIVATED)
        }
        Some(PartnerTopic {
            destination: Some(endpoint),
            signing,
            ..
        }) => Ok((endpoint, signing)),
        _ => Err(reason::PARTNER_DESTINATION_NOT_FOUND),
    })
}

/// Where deliveries to the destination `resource_id` go now: the partner's webhook (one event
/// per request, signed with the destination's secrets) and the context to send, or the
/// dead-letter reason.
pub async fn endpoint(
    ports: &Ports,
    resource_id: &str,
) -> Result<std::result::Result<(WebHook, Option<String>), &'static str>> {
    let Ok(id) = resource_id.parse::<ResourceId>() else {
        return Ok(Err(reason::PARTNER_DESTINATION_NOT_FOUND));
    };
    Ok(usable(ports, &id).await?.map(|(target, signing)| {
        let hook = WebHook {
            endpoint_url: Some(target.endpoint_url),
            max_events_per_batch: 1,
            preferred_batch_size_in_kilobytes: 64,
            delivery_attribute_mappings: Vec::new(),
            payload_signing: signing.map(|secrets| PayloadSigning {
                scheme: crate::subscriptions::signing_secrets::SCHEME.to_owned(),
                secrets: Some(secrets),
            }),
        };
        (hook, target.endpoint_service_context)
    }))
}

/// The live `PartnerDestination` channel `channel` of the caller's, and its destination.
async fn destination_of(
    ports: &Ports,
    caller: &Caller,
    channel: &ResourceId,
) -> Result<Versioned<PartnerTopic>> {
    caller.owns(channel.subscription)?;
    let now = ports.clock.now();
    match pairs::read_pair(ports, channel).await? {
        (Some(c), Some(d)) if !c.value.is_expired(now) && d.value.destination.is_some() => Ok(d),
        (Some(c), _)
            if !c.value.is_expired(now) && c.value.partner_topic_info.destination.is_none() =>
        {
            Err(Error::invalid(
                crate::subscriptions::code::PAYLOAD_SIGNING_NOT_ENABLED,
                "signing secrets are for channels of type 'PartnerDestination'; this one is a 'PartnerTopic' channel",
            ))
        }
        _ => Err(not_found("channel", channel)),
    }
}

/// The secrets deliveries to the destination of `channel` are signed with
/// (`getSigningSecrets`), an expired previous one left out.
pub async fn signing_secrets(
    ports: &Ports,
    caller: &Caller,
    channel: &ResourceId,
) -> Result<SigningSecrets> {
    let destination = destination_of(ports, caller, channel).await?;
    destination
        .value
        .signing
        .map(|s| s.shown(ports.clock.now()))
        .ok_or_else(|| {
            Error::invalid(
                crate::subscriptions::code::PAYLOAD_SIGNING_NOT_ENABLED,
                "this channel's destination was created before deliveries were signed; POST .../rotateSigningSecret makes its first secret",
            )
        })
}

/// A new current secret for the destination of `channel` (`rotateSigningSecret`), the one it
/// replaces signing beside it for 24 hours; the first one for a destination that had none.
pub async fn rotate_signing_secret(
    ports: &Ports,
    caller: &Caller,
    channel: &ResourceId,
) -> Result<SigningSecrets> {
    let destination = destination_of(ports, caller, channel).await?;
    let now = ports.clock.now();
    let rotated = match &destination.value.signing {
        Some(secrets) => secrets.rotated(now)?,
        None => SigningSecrets::generate()?,
    };
    let updated = PartnerTopic {
        signing: Some(rotated.clone()),
        ..destination.value.clone()
    };
    let expires = match updated.activation_state {
        ActivationState::NeverActivated => pairs::ttl(updated.expiration_time_if_not_activated_utc),
        _ => None,
    };
    let put = table::put_with_ttl(
        table::resource_key(&updated.id),
        &updated,
        destination.expect(),
        expires,
    )?;
    ports.store.write(vec![put]).await?;
    Ok(rotated.shown(now))
}
