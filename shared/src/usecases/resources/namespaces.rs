//! Partner namespaces: what differs from a customer topic. Create or replace (linked to a
//! partner registration, with a routing mode fixed at creation), patch, and delete with every
//! channel and partner topic under it; reads, lists and keys are `endpoints`'.

use crate::auth::Caller;
use crate::error::{Error, Result, code};
use crate::ids::{ResourceId, ResourceType};
use crate::partners::registration::PartnerRegistration;
use crate::ports::Ports;
use crate::provisioning::channel::Channel;
use crate::provisioning::endpoint::AccessKeys;
use crate::provisioning::namespace::{
    NamespaceInput, NamespacePatch, PartnerNamespace, check_routing_mode_unchanged,
};
use crate::resource::{Body, check_tags};
use crate::table;
use crate::usecases::resources::{endpoints, pairs};
use crate::usecases::support::platform_events::Lifecycle;

async fn registration_of(
    ports: &Ports,
    caller: &Caller,
    raw: Option<&str>,
) -> Result<PartnerRegistration> {
    let bad = |why: String| Error::invalid(code::INVALID_PARTNER_REGISTRATION, why);
    let raw = raw.ok_or_else(|| bad("properties.partnerRegistrationFullyQualifiedId is required: the id of your partner registration".into()))?;
    let id: ResourceId = raw.parse()?;
    if id.kind() != ResourceType::PartnerRegistrations || caller.owns(id.subscription).is_err() {
        return Err(bad(format!(
            "partnerRegistrationFullyQualifiedId '{raw}' must be a partner registration in one of your own subscriptions"
        )));
    }
    table::get::<PartnerRegistration>(ports.store.as_ref(), &table::resource_key(&id))
        .await?
        .map(|v| v.value)
        .ok_or_else(|| {
            bad(format!(
                "partner registration '{raw}' does not exist; create it first"
            ))
        })
}

/// Creates (true) or replaces (false) a namespace. Names are unique in the deployment; the
/// routing mode and registration never change; keys are generated on create and kept.
pub async fn put(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    body: Body<NamespaceInput>,
) -> Result<(PartnerNamespace, bool)> {
    caller.owns(id.subscription)?;
    let tags = body.tags.unwrap_or_default();
    check_tags(&tags)?;
    let input = body.properties.unwrap_or_default();
    let registration = registration_of(
        ports,
        caller,
        input.partner_registration_fully_qualified_id.as_deref(),
    )
    .await?;
    let build = |existing: Option<&PartnerNamespace>, tags| match existing {
        Some(current) => {
            check_routing_mode_unchanged(
                current.partner_topic_routing_mode,
                input.partner_topic_routing_mode,
            )?;
            if current.partner_registration_fully_qualified_id != registration.id {
                return Err(Error::invalid(
                    code::IMMUTABLE_PROPERTY,
                    "partnerRegistrationFullyQualifiedId of an existing namespace cannot change",
                ));
            }
            Ok(PartnerNamespace {
                tags,
                ..current.clone()
            })
        }
        None => Ok(PartnerNamespace {
            id: id.clone(),
            location: body.location.clone().unwrap_or_else(|| "global".into()),
            tags,
            partner_registration_fully_qualified_id: registration.id.clone(),
            partner_registration_immutable_id: registration.immutable_id,
            partner_topic_routing_mode: input.partner_topic_routing_mode.unwrap_or_default(),
            access: Default::default(),
            keys: AccessKeys::generate()?,
        }),
    };
    endpoints::put(ports, id, tags, body.location.clone(), input.access, build).await
}

/// Changes tags and the network and auth settings; the routing mode is not patchable.
pub async fn patch(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    body: Body<NamespacePatch>,
) -> Result<PartnerNamespace> {
    let access = body.properties.unwrap_or_default().access;
    endpoints::patch(ports, caller, id, body.tags, access, || Ok(())).await
}

/// Deletes the namespace, then every channel in it and their partner topics (a channel being
/// created meanwhile fails its check on the namespace). Missing is success, and a repeated
/// delete finishes what an interrupted one left.
pub async fn delete(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<()> {
    endpoints::delete::<PartnerNamespace>(ports, caller, id).await?;
    let store = ports.store.as_ref();
    let prefix = table::children_prefix(id, ResourceType::Channels);
    let partition = table::subscription_partition(id.subscription);
    loop {
        let page = store.query(&partition, &prefix, None, 100).await?;
        if page.items.is_empty() {
            return Ok(());
        }
        for item in &page.items {
            let channel: Channel = table::decode(&item.body)?;
            pairs::purge(ports, &channel.id, Lifecycle::Deleted).await?;
        }
    }
}
