//! Partner registrations: create or replace, read, list, delete, and resolving the partner a
//! request names (by immutable id, by a registration's name, unique in a deployment, or by a
//! verified partner's name).

use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{Error, Result, code};
use crate::ids::{ResourceId, ResourceType};
use crate::partners::configuration::{PartnerInput, identity_required};
use crate::partners::registration::{
    self, PartnerRegistration, RegistrationInput, RegistrationRef,
};
use crate::partners::verified::VerifiedPartner;
use crate::ports::{Expect, Ports, Write};
use crate::resource::{Body, check_tags, global_location};
use crate::table;
use crate::usecases::support::listing::{Listed, PageRequest, Scope, list_resources};
use crate::usecases::support::not_found;

/// The resource type this module serves.
const KIND: ResourceType = ResourceType::PartnerRegistrations;

/// Creates (true) or replaces (false) a registration. The immutable id is assigned on create
/// and never changes.
pub async fn put(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    body: Body<RegistrationInput>,
) -> Result<(PartnerRegistration, bool)> {
    caller.owns(id.subscription)?;
    let location = global_location(body.location.as_deref())?;
    let tags = body.tags.unwrap_or_default();
    check_tags(&tags)?;
    let requested = body
        .properties
        .unwrap_or_default()
        .partner_registration_immutable_id;
    let key = table::resource_key(id);
    let stored = table::get::<PartnerRegistration>(ports.store.as_ref(), &key).await?;
    let current = stored.as_ref().map(|s| &s.value);
    let registration = registration::put(id, current, requested, location, tags, Uuid::new_v4())?;
    let Some(stored) = stored else {
        return Ok((create(ports, registration).await?, true));
    };
    ports
        .store
        .write(vec![table::put(key, &registration, stored.expect())?])
        .await?;
    Ok((registration, false))
}

/// Writes a new registration and its index entries by immutable id and by name; 409
/// `NameTaken` when another registration has its name.
async fn create(ports: &Ports, registration: PartnerRegistration) -> Result<PartnerRegistration> {
    let reference = registration.reference();
    let name = registration.id.name();
    let writes = vec![
        table::put(
            table::resource_key(&registration.id),
            &registration,
            Expect::Absent,
        )?,
        table::put(
            table::registration_by_id(registration.immutable_id),
            &reference,
            Expect::Absent,
        )?,
        table::put(
            table::registration_by_name(name),
            &reference,
            Expect::Absent,
        )?,
    ];
    let store = ports.store.as_ref();
    match store.write(writes).await {
        Ok(()) => Ok(registration),
        Err(e)
            if e.is_conflict()
                && store
                    .get(&table::registration_by_name(name))
                    .await?
                    .is_some() =>
        {
            Err(Error::conflict(
                code::NAME_TAKEN,
                format!(
                    "a partner registration named '{name}' exists in this deployment; partner names are unique, choose another"
                ),
            ))
        }
        Err(e) => Err(e),
    }
}

/// Replaces the tags (the only patchable part of a registration).
pub async fn patch(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    body: Body<serde_json::Value>,
) -> Result<PartnerRegistration> {
    caller.owns(id.subscription)?;
    let key = table::resource_key(id);
    let current = table::get::<PartnerRegistration>(ports.store.as_ref(), &key)
        .await?
        .ok_or_else(|| not_found("partner registration", id))?;
    let mut registration = current.value.clone();
    if let Some(tags) = body.tags {
        check_tags(&tags)?;
        registration.tags = tags;
    }
    ports
        .store
        .write(vec![table::put(key, &registration, current.expect())?])
        .await?;
    Ok(registration)
}

pub async fn get(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<PartnerRegistration> {
    caller.owns(id.subscription)?;
    table::get::<PartnerRegistration>(ports.store.as_ref(), &table::resource_key(id))
        .await?
        .map(|v| v.value)
        .ok_or_else(|| not_found("partner registration", id))
}

/// The caller's registrations in a subscription or resource group, a page at a time.
pub async fn list(
    ports: &Ports,
    caller: &Caller,
    scope: &Scope,
    page: &PageRequest,
) -> Result<Listed<PartnerRegistration>> {
    list_resources(ports, caller, scope, KIND, page).await
}

/// Deletes a registration and its index entries; deleting a missing one succeeds.
pub async fn delete(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<()> {
    caller.owns(id.subscription)?;
    let key = table::resource_key(id);
    let Some(found) = table::get::<PartnerRegistration>(ports.store.as_ref(), &key).await? else {
        return Ok(());
    };
    ports
        .store
        .write(vec![
            Write::Delete {
                key,
                expect: found.expect(),
            },
            Write::Delete {
                key: table::registration_by_id(found.value.immutable_id),
                expect: Expect::Any,
            },
            Write::Delete {
                key: table::registration_by_name(id.name()),
                expect: Expect::Any,
            },
        ])
        .await
}

/// The registration a request names: by immutable id, by name (a registration's or a verified
/// partner's), or both, which must name the same partner. A name that is a registration's and
/// a verified partner's of different partners is ambiguous without the immutable id.
pub async fn resolve(ports: &Ports, input: &PartnerInput) -> Result<RegistrationRef> {
    let store = ports.store.as_ref();
    let named = input.partner_name.as_deref();
    let immutable_id = match (input.partner_registration_immutable_id, named) {
        (Some(id), _) => id,
        (None, Some(name)) => {
            let registration =
                table::get::<RegistrationRef>(store, &table::registration_by_name(name)).await?;
            let verified = verified_partner_id(ports, name).await?;
            match (registration, verified) {
                (Some(r), Some(v)) if r.value.immutable_id != v => {
                    return Err(Error::invalid(
                        code::PARTNER_NAME_AMBIGUOUS,
                        format!(
                            "partnerName '{name}' is the name of registration {} and of a verified partner of registration {v}; send partnerRegistrationImmutableId to say which",
                            r.value.immutable_id
                        ),
                    ));
                }
                (Some(r), _) => return Ok(r.value),
                (None, Some(v)) => v,
                (None, None) => {
                    return Err(Error::invalid(
                        code::PARTNER_NOT_FOUND,
                        format!(
                            "no partner registration or verified partner has the name '{name}'; check the partner's name (GET /providers/Microsoft.EventGrid/verifiedPartners) or send partnerRegistrationImmutableId"
                        ),
                    ));
                }
            }
        }
        (None, None) => return Err(identity_required()),
    };
    let found = table::get::<RegistrationRef>(store, &table::registration_by_id(immutable_id))
        .await?
        .ok_or_else(|| {
            Error::invalid(
                code::PARTNER_NOT_FOUND,
                format!("no partner registration has immutable id {immutable_id}; check the partner's registration (GET .../partnerRegistrations/{{name}})"),
            )
        })?
        .value;
    let verified = is_verified_name(ports, named, found.immutable_id, found.name()).await?;
    crate::partners::configuration::check_identity(
        input,
        found.immutable_id,
        found.name(),
        verified,
    )?;
    Ok(found)
}

/// The registration immutable id of the verified partner named `name`, if there is one.
async fn verified_partner_id(ports: &Ports, name: &str) -> Result<Option<Uuid>> {
    if crate::ids::check_resource_name("verified partner", name).is_err() {
        return Ok(None);
    }
    Ok(
        table::get::<VerifiedPartner>(ports.store.as_ref(), &table::verified_partner_key(name))
            .await?
            .map(|v| v.value.properties.partner_registration_immutable_id),
    )
}

/// Whether `name` is, rather than the registration's own name, the name of a verified partner
/// of registration `immutable_id` (read only when it is needed).
pub async fn is_verified_name(
    ports: &Ports,
    name: Option<&str>,
    immutable_id: Uuid,
    registration_name: &str,
) -> Result<bool> {
    match name {
        Some(n) if !n.eq_ignore_ascii_case(registration_name) => {
            Ok(verified_partner_id(ports, n).await? == Some(immutable_id))
        }
        _ => Ok(false),
    }
}
