//! Partner namespaces: create or replace, patch, read, list, delete (with every channel and
//! partner topic under it), and the keys.

use serde::Deserialize;

use super::generations::Endpoint;
use super::platform_events::Lifecycle;
use super::{Listed, PageRequest, Scope, by_name_index, list_resources, named, not_found, pairs};
use crate::auth::Caller;
use crate::error::{Error, Result, code};
use crate::ids::{ResourceId, ResourceType};
use crate::partners::registration::PartnerRegistration;
use crate::ports::Ports;
use crate::provisioning::channel::Channel;
use crate::provisioning::namespace::{
    NamespaceInput, NamespaceKeys, NamespacePatch, PartnerNamespace, check_routing_mode_unchanged,
};
use crate::resource::{Body, check_tags};
use crate::table::{self, Versioned};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegenerateKey {
    pub key_name: String,
}

/// Reads a namespace of the caller's; missing is 404.
pub async fn read(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
) -> Result<Versioned<PartnerNamespace>> {
    caller.owns(id.subscription)?;
    table::get(ports.store.as_ref(), &table::resource_key(id))
        .await?
        .ok_or_else(|| not_found("partner namespace", id))
}

fn endpoint(id: &ResourceId) -> Endpoint {
    Endpoint::Namespace(id.name().to_owned())
}

/// The namespace named `name` anywhere in the deployment (the data plane's lookup).
pub async fn by_name(ports: &Ports, name: &str) -> Result<Option<PartnerNamespace>> {
    by_name_index(ports.store.as_ref(), &table::namespace_by_name(name)).await
}

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
    let store = ports.store.as_ref();
    let key = table::resource_key(id);
    let existing = table::get::<PartnerNamespace>(store, &key).await?;
    let mut namespace = match &existing {
        Some(current) => {
            let current = &current.value;
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
            PartnerNamespace {
                tags,
                ..current.clone()
            }
        }
        None => PartnerNamespace {
            id: id.clone(),
            location: body.location.clone().unwrap_or_else(|| "global".into()),
            tags,
            partner_registration_fully_qualified_id: registration.id.clone(),
            partner_registration_immutable_id: registration.immutable_id,
            partner_topic_routing_mode: input.partner_topic_routing_mode.unwrap_or_default(),
            access: Default::default(),
            keys: NamespaceKeys::generate()?,
        },
    };
    if let Some(location) = body.location {
        namespace.location = location;
    }
    namespace.access.apply(input.access)?;
    named::put(
        ports,
        id,
        &namespace,
        table::expect_of(&existing),
        table::namespace_by_name(id.name()),
        &endpoint(id),
        "partner namespace",
    )
    .await?;
    Ok((namespace, existing.is_none()))
}

/// Changes tags and the network and auth settings; the routing mode is not patchable.
pub async fn patch(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    body: Body<NamespacePatch>,
) -> Result<PartnerNamespace> {
    let current = read(ports, caller, id).await?;
    let mut namespace = current.value.clone();
    if let Some(tags) = body.tags {
        check_tags(&tags)?;
        namespace.tags = tags;
    }
    namespace
        .access
        .apply(body.properties.unwrap_or_default().access)?;
    ports
        .store
        .write(vec![
            table::put(table::resource_key(id), &namespace, current.expect())?,
            endpoint(id).bump(),
        ])
        .await?;
    Ok(namespace)
}

pub async fn get(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<PartnerNamespace> {
    Ok(read(ports, caller, id).await?.value)
}

pub async fn list(
    ports: &Ports,
    caller: &Caller,
    scope: &Scope,
    page: &PageRequest,
) -> Result<Listed<PartnerNamespace>> {
    list_resources(ports, caller, scope, ResourceType::PartnerNamespaces, page).await
}

/// Deletes the namespace, then every channel in it and their partner topics (a channel being
/// created meanwhile fails its check on the namespace). Missing is success, and a repeated
/// delete finishes what an interrupted one left.
pub async fn delete(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<()> {
    caller.owns(id.subscription)?;
    named::delete::<PartnerNamespace>(
        ports,
        id,
        table::namespace_by_name(id.name()),
        &endpoint(id),
    )
    .await?;
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

/// Both keys, for the namespace's owner only.
pub async fn list_keys(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<NamespaceKeys> {
    Ok(read(ports, caller, id).await?.value.keys)
}

/// Replaces one key; the other keeps working. Returns both.
pub async fn regenerate_key(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    request: RegenerateKey,
) -> Result<NamespaceKeys> {
    let current = read(ports, caller, id).await?;
    named::regenerate_key(
        ports,
        id,
        current,
        |n| &mut n.keys,
        &request.key_name,
        &endpoint(id),
    )
    .await
}
