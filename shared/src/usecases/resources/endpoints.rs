//! What partner namespaces and customer topics share as resources, written once for any
//! [`PublishEndpoint`]: reads, the deployment-unique name (an index item written with the
//! resource), tags, location and access settings, the two keys, and delete. Each change bumps
//! the endpoint's generation in the same write. The resource modules keep only what differs.

use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{Error, Result, code};
use crate::ids::{ResourceId, ResourceType};
use crate::ports::{Expect, Ports, Write};
use crate::provisioning::access::AccessInput;
use crate::provisioning::endpoint::AccessKeys;
use crate::provisioning::endpoint::{PublishEndpoint, RegenerateKey};
use crate::resource::{Tags, check_tags};
use crate::table::{self, Versioned};
use crate::usecases::support::generations::Endpoint;
use crate::usecases::support::listing::{Listed, PageRequest, Scope, list_resources};
use crate::usecases::support::not_found;

/// A deployment-wide name's index item: the id of the resource holding the name.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct NameIndex {
    id: ResourceId,
}

/// The generation of the endpoint of kind `E` named `name`.
pub(crate) fn generation<E: PublishEndpoint>(name: &str) -> Result<Endpoint> {
    match E::KIND {
        ResourceType::PartnerNamespaces => Ok(Endpoint::Namespace(name.to_owned())),
        ResourceType::Topics => Ok(Endpoint::Topic(name.to_owned())),
        other => Err(Error::internal(format!(
            "{other:?} is not a publish endpoint with a generation"
        ))),
    }
}

/// Reads an endpoint of the caller's; missing is 404.
pub async fn read<E: PublishEndpoint>(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
) -> Result<Versioned<E>> {
    caller.owns(id.subscription)?;
    table::get(ports.store.as_ref(), &table::resource_key(id))
        .await?
        .ok_or_else(|| not_found(E::WHAT, id))
}

/// An endpoint of the caller's; missing is 404.
pub async fn get<E: PublishEndpoint>(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<E> {
    Ok(read(ports, caller, id).await?.value)
}

/// The caller's endpoints of kind `E` in a subscription or resource group, a page at a time.
pub async fn list<E: PublishEndpoint>(
    ports: &Ports,
    caller: &Caller,
    scope: &Scope,
    page: &PageRequest,
) -> Result<Listed<E>> {
    list_resources(ports, caller, scope, E::KIND, page).await
}

/// The endpoint named `name` anywhere in the deployment (the data plane's lookup).
pub async fn by_name<E: PublishEndpoint>(ports: &Ports, name: &str) -> Result<Option<E>> {
    let store = ports.store.as_ref();
    let Some(found) = table::get::<NameIndex>(store, &E::name_index(name)).await? else {
        return Ok(None);
    };
    Ok(table::get(store, &table::resource_key(&found.value.id))
        .await?
        .map(|v| v.value))
}

/// Creates (true) or replaces (false) the endpoint at `id`, after its own checks: `build`
/// makes it from the stored one, if any, and the checked `tags`; then `location` and `access`
/// apply. On create the name index is written too; a name held by another resource is 409
/// `NameTaken`.
pub(crate) async fn put<E: PublishEndpoint>(
    ports: &Ports,
    id: &ResourceId,
    tags: Tags,
    location: Option<String>,
    access: AccessInput,
    build: impl FnOnce(Option<&E>, Tags) -> Result<E>,
) -> Result<(E, bool)> {
    let existing = table::get::<E>(ports.store.as_ref(), &table::resource_key(id)).await?;
    let mut endpoint = build(existing.as_ref().map(|v| &v.value), tags)?;
    if let Some(location) = location {
        *endpoint.location_mut() = location;
    }
    endpoint.access_mut().apply(access)?;
    let expect = table::expect_of(&existing);
    let created = expect == Expect::Absent;
    let name_key = E::name_index(id.name());
    let mut writes = vec![
        table::put(table::resource_key(id), &endpoint, expect)?,
        generation::<E>(id.name())?.bump(),
    ];
    if created {
        writes.push(table::put(
            name_key.clone(),
            &NameIndex { id: id.clone() },
            Expect::Absent,
        )?);
    }
    match ports.store.write(writes).await {
        Err(e) if created && e.is_conflict() && ports.store.get(&name_key).await?.is_some() => {
            Err(Error::conflict(
                code::NAME_TAKEN,
                format!(
                    "a {what} named '{}' exists in this deployment; {what} names are unique, choose another",
                    id.name(),
                    what = E::WHAT,
                ),
            ))
        }
        Err(e) => Err(e),
        Ok(()) => Ok((endpoint, created)),
    }
}

/// Changes tags and the access settings, after `check` (what else the patch asks of `E`).
pub(crate) async fn patch<E: PublishEndpoint>(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    tags: Option<Tags>,
    access: AccessInput,
    check: impl FnOnce() -> Result<()>,
) -> Result<E> {
    let current = read::<E>(ports, caller, id).await?;
    let mut endpoint = current.value.clone();
    if let Some(tags) = tags {
        check_tags(&tags)?;
        *endpoint.tags_mut() = tags;
    }
    check()?;
    endpoint.access_mut().apply(access)?;
    rewrite(ports, &endpoint, current.expect()).await?;
    Ok(endpoint)
}

/// Writes a changed endpoint (expecting `expect`) and bumps its generation.
async fn rewrite<E: PublishEndpoint>(ports: &Ports, endpoint: &E, expect: Expect) -> Result<()> {
    let id = endpoint.id();
    ports
        .store
        .write(vec![
            table::put(table::resource_key(id), endpoint, expect)?,
            generation::<E>(id.name())?.bump(),
        ])
        .await
}

/// Deletes the endpoint at `id` and its name index, if it exists. What hangs under it is the
/// caller's to delete next.
pub(crate) async fn delete<E: PublishEndpoint>(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
) -> Result<()> {
    caller.owns(id.subscription)?;
    let store = ports.store.as_ref();
    if let Some(found) = table::get::<E>(store, &table::resource_key(id)).await? {
        store
            .write(vec![
                Write::Delete {
                    key: table::resource_key(id),
                    expect: found.expect(),
                },
                Write::Delete {
                    key: E::name_index(id.name()),
                    expect: Expect::Any,
                },
                generation::<E>(id.name())?.bump(),
            ])
            .await?;
    }
    Ok(())
}

/// Both keys, for the endpoint's owner only.
pub async fn list_keys<E: PublishEndpoint>(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
) -> Result<AccessKeys> {
    Ok(read::<E>(ports, caller, id).await?.value.keys().clone())
}

/// Replaces one key; the other keeps working. Returns both.
pub async fn regenerate_key<E: PublishEndpoint>(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    request: RegenerateKey,
) -> Result<AccessKeys> {
    let current = read::<E>(ports, caller, id).await?;
    let mut endpoint = current.value.clone();
    endpoint.keys_mut().regenerate(&request.key_name)?;
    rewrite(ports, &endpoint, current.expect()).await?;
    tracing::info!(resource = %id, key = %request.key_name, "key regenerated");
    Ok(endpoint.keys().clone())
}
