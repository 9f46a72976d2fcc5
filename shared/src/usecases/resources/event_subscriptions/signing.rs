//! Signed deliveries of a WebHook subscription: the secrets a create or change keeps or makes,
//! and the two actions that read and rotate them. A rotation is a write of the subscription
//! like any change, bumping its topic's generation, so the next fan-out signs with it.

use super::{find, not_found, read_live, write};
use crate::auth::Caller;
use crate::error::{Error, Result};
use crate::ids::ResourceId;
use crate::ports::Ports;
use crate::subscriptions::SigningSecrets;
use crate::subscriptions::{Destination, code};

/// Fills in the secrets of a destination that signs: the stored ones when it signed before,
/// fresh ones otherwise. Whatever secrets a request carried are dropped.
pub(super) fn settle(destination: &mut Destination, previous: Option<&Destination>) -> Result<()> {
    let Destination::WebHook(hook) = destination else {
        return Ok(());
    };
    let Some(signing) = hook.payload_signing.as_mut() else {
        return Ok(());
    };
    let kept = match previous {
        Some(Destination::WebHook(old)) => old.signing_secrets().cloned(),
        _ => None,
    };
    signing.secrets = Some(match kept {
        Some(secrets) => secrets,
        None => SigningSecrets::generate()?,
    });
    Ok(())
}

fn not_signed(id: &ResourceId) -> Error {
    Error::invalid(
        code::PAYLOAD_SIGNING_NOT_ENABLED,
        format!(
            "event subscription '{}' does not sign its deliveries; set destination.properties.payloadSigning to {{\"scheme\": \"StandardWebhooks\"}} on its WebHook destination first",
            id.name()
        ),
    )
}

/// The secrets the subscription's deliveries are signed with (`getSigningSecrets`), an
/// expired previous one left out.
pub async fn signing_secrets(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
) -> Result<SigningSecrets> {
    match &read_live(ports, caller, id).await?.value.destination {
        Destination::WebHook(hook) => hook
            .signing_secrets()
            .map(|s| s.shown(ports.clock.now()))
            .ok_or_else(|| not_signed(id)),
        _ => Err(not_signed(id)),
    }
}

/// A new current secret (`rotateSigningSecret`); the one it replaces signs beside it for 24
/// hours.
pub async fn rotate_signing_secret(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
) -> Result<SigningSecrets> {
    let found = find(ports, caller, id).await?;
    let live = found
        .live
        .ok_or_else(|| not_found("event subscription", id))?;
    let now = ports.clock.now();
    let mut subscription = live.value.clone();
    let Destination::WebHook(hook) = &mut subscription.destination else {
        return Err(not_signed(id));
    };
    let Some(signing) = hook.payload_signing.as_mut() else {
        return Err(not_signed(id));
    };
    let rotated = match &signing.secrets {
        Some(secrets) => secrets.rotated(now)?,
        None => SigningSecrets::generate()?,
    };
    signing.secrets = Some(rotated.clone());
    write(ports, &subscription, live.expect(), found.with).await?;
    Ok(rotated.shown(now))
}
