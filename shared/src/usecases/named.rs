//! What partner namespaces and customer topics share: a name unique in the deployment (held by
//! a name index item written with the resource), and two publishing keys.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::generations::Endpoint;
use super::{NameIndex, is_conflict};
use crate::error::{Error, Result, code};
use crate::ids::ResourceId;
use crate::ports::{Expect, Key, Ports, Write};
use crate::provisioning::namespace::NamespaceKeys;
use crate::table::{self, Versioned};

/// Writes `value` at `id` (expecting `expect`) and bumps `endpoint`'s generation, and on
/// create also writes its name index at `name_key`; a name held by another resource is 409
/// `what` ... `NameTaken`.
pub(crate) async fn put<T: Serialize>(
    ports: &Ports,
    id: &ResourceId,
    value: &T,
    expect: Expect,
    name_key: Key,
    endpoint: &Endpoint,
    what: &str,
) -> Result<()> {
    let created = expect == Expect::Absent;
    let mut writes = vec![
        table::put(table::resource_key(id), value, expect)?,
        endpoint.bump(),
    ];
    if created {
        writes.push(table::put(
            name_key.clone(),
            &NameIndex { id: id.clone() },
            Expect::Absent,
        )?);
    }
    match ports.store.write(writes).await {
        Err(e) if created && is_conflict(&e) && ports.store.get(&name_key).await?.is_some() => {
            Err(Error::conflict(
                code::NAME_TAKEN,
                format!(
                    "a {what} named '{}' exists in this deployment; {what} names are unique, choose another",
                    id.name()
                ),
            ))
        }
        other => other,
    }
}

/// Deletes the resource at `id` (of type `T`) and its name index, if it exists, bumping
/// `endpoint`'s generation.
pub(crate) async fn delete<T: DeserializeOwned>(
    ports: &Ports,
    id: &ResourceId,
    name_key: Key,
    endpoint: &Endpoint,
) -> Result<()> {
    let store = ports.store.as_ref();
    if let Some(found) = table::get::<T>(store, &table::resource_key(id)).await? {
        store
            .write(vec![
                Write::Delete {
                    key: table::resource_key(id),
                    expect: found.expect(),
                },
                Write::Delete {
                    key: name_key,
                    expect: Expect::Any,
                },
                endpoint.bump(),
            ])
            .await?;
    }
    Ok(())
}

/// Replaces key `key_name` of `current` (its keys reached by `keys`), bumping `endpoint`'s
/// generation; the other key keeps working. Returns both.
pub(crate) async fn regenerate_key<T: Serialize + Clone>(
    ports: &Ports,
    id: &ResourceId,
    current: Versioned<T>,
    keys: fn(&mut T) -> &mut NamespaceKeys,
    key_name: &str,
    endpoint: &Endpoint,
) -> Result<NamespaceKeys> {
    let mut value = current.value.clone();
    keys(&mut value).regenerate(key_name)?;
    ports
        .store
        .write(vec![
            table::put(table::resource_key(id), &value, current.expect())?,
            endpoint.bump(),
        ])
        .await?;
    tracing::info!(resource = %id, key = %key_name, "key regenerated");
    Ok(keys(&mut value).clone())
}
