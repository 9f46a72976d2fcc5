//! Partner configurations: the customer's side of the trust, one per resource group.

use std::collections::HashSet;

use crate::auth::Caller;
use crate::error::{Error, Result, code};
use crate::ids::{ResourceId, ResourceType};
use crate::partners::configuration::{
    self as rules, AuthorizedPartner, ConfigurationInput, ConfigurationPatch, PartnerConfiguration,
    PartnerInput,
};
use crate::ports::Ports;
use crate::resource::{Body, check_tags, global_location};
use crate::table::{self, Versioned};
use crate::usecases::resources::registrations::{is_verified_name, resolve};
use crate::usecases::support::listing::{Listed, PageRequest, Scope, list_resources};
use crate::usecases::support::not_found;
use crate::usecases::support::updates::{self, Change};

/// The resource type this module serves.
const KIND: ResourceType = ResourceType::PartnerConfigurations;

/// How many times a change reads and writes the configuration before answering the lost race's
/// 409.
const TRIES: usize = 4;

fn check_name(id: &ResourceId) -> Result<()> {
    if id.name().eq_ignore_ascii_case(rules::NAME) {
        Ok(())
    } else {
        Err(Error::invalid(
            code::INVALID_RESOURCE_NAME,
            format!(
                "a partner configuration is always named 'default', not '{}'",
                id.name()
            ),
        ))
    }
}

async fn read(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
) -> Result<Option<Versioned<PartnerConfiguration>>> {
    caller.owns(id.subscription)?;
    check_name(id)?;
    table::get(ports.store.as_ref(), &table::resource_key(id)).await
}

async fn resolve_entry(
    ports: &Ports,
    input: &PartnerInput,
    max_days: u32,
) -> Result<AuthorizedPartner> {
    let now = ports.clock.now();
    let expiry =
        rules::authorization_expiry(input.authorization_expiration_time_in_utc, max_days, now)?;
    let found = resolve(ports, input).await?;
    Ok(AuthorizedPartner {
        partner_registration_immutable_id: found.immutable_id,
        partner_name: found.name().to_owned(),
        authorization_expiration_time_in_utc: expiry,
    })
}

/// Creates (true) or replaces (false) the configuration, validating every listed partner. An
/// entry identical to the stored one (same partner and expiry) is kept as it is, so what a GET
/// returned can always be PUT back.
pub async fn put(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    body: Body<ConfigurationInput>,
) -> Result<(PartnerConfiguration, bool)> {
    let existing = read(ports, caller, id).await?;
    let location = global_location(body.location.as_deref())?;
    let tags = body.tags.unwrap_or_default();
    check_tags(&tags)?;
    let auth = body
        .properties
        .unwrap_or_default()
        .partner_authorization
        .unwrap_or_default();
    let max_days = match auth.default_maximum_expiration_time_in_days {
        Some(days) => rules::check_max_days(days)?,
        None => rules::DEFAULT_MAX_DAYS,
    };
    let mut config = PartnerConfiguration::new(id.clone(), max_days);
    config.location = location;
    config.tags = tags;
    let mut seen = HashSet::new();
    for input in auth.authorized_partners_list.unwrap_or_default() {
        let unchanged = existing
            .as_ref()
            .and_then(|e| e.value.find(&input))
            .filter(|listed| {
                input.authorization_expiration_time_in_utc
                    == Some(listed.authorization_expiration_time_in_utc)
                    && rules::check_identity(
                        &input,
                        listed.partner_registration_immutable_id,
                        &listed.partner_name,
                        false,
                    )
                    .is_ok()
            });
        let entry = match unchanged {
            Some(listed) => listed.clone(),
            None => resolve_entry(ports, &input, max_days).await?,
        };
        if !seen.insert(entry.partner_registration_immutable_id) {
            return Err(Error::invalid(
                code::DUPLICATE_PARTNER,
                format!(
                    "authorizedPartnersList names partner '{}' twice; list each partner once",
                    entry.partner_name
                ),
            ));
        }
        config.authorize(entry)?;
    }
    ports
        .store
        .write(vec![table::put(
            table::resource_key(id),
            &config,
            table::expect_of(&existing),
        )?])
        .await?;
    Ok((config, existing.is_none()))
}

pub async fn get(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<PartnerConfiguration> {
    read(ports, caller, id)
        .await?
        .map(|v| v.value)
        .ok_or_else(|| not_found("partner configuration", id))
}

/// Updates tags and/or the maximum expiry. Authorizations already granted keep their expiry.
pub async fn patch(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    body: Body<ConfigurationPatch>,
) -> Result<PartnerConfiguration> {
    if let Some(tags) = &body.tags {
        check_tags(tags)?;
    }
    let max_days = match body
        .properties
        .as_ref()
        .and_then(|p| p.default_maximum_expiration_time_in_days)
    {
        Some(days) => Some(rules::check_max_days(days)?),
        None => None,
    };
    update(ports, caller, id, |config| {
        if let Some(tags) = &body.tags {
            config.tags = tags.clone();
        }
        if let Some(days) = max_days {
            config.default_maximum_expiration_time_in_days = days;
        }
        Ok(())
    })
    .await
}

/// Deletes the configuration (and with it every authorization); a missing one succeeds.
pub async fn delete(ports: &Ports, caller: &Caller, id: &ResourceId) -> Result<()> {
    let Some(found) = read(ports, caller, id).await? else {
        return Ok(());
    };
    ports
        .store
        .delete(table::resource_key(id), found.expect())
        .await
}

/// The caller's configurations in a subscription or resource group, a page at a time.
pub async fn list(
    ports: &Ports,
    caller: &Caller,
    scope: &Scope,
    page: &PageRequest,
) -> Result<Listed<PartnerConfiguration>> {
    list_resources(ports, caller, scope, KIND, page).await
}

/// Authorizes a partner, or renews its authorization; the expiry defaults to now + the maximum.
pub async fn authorize_partner(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    input: PartnerInput,
) -> Result<PartnerConfiguration> {
    caller.owns(id.subscription)?;
    let partner = resolve(ports, &input).await?;
    update(ports, caller, id, |config| {
        let expiry = rules::authorization_expiry(
            input.authorization_expiration_time_in_utc,
            config.default_maximum_expiration_time_in_days,
            ports.clock.now(),
        )?;
        config.authorize(AuthorizedPartner {
            partner_registration_immutable_id: partner.immutable_id,
            partner_name: partner.name().to_owned(),
            authorization_expiration_time_in_utc: expiry,
        })
    })
    .await
}

/// Removes a partner's authorization. Idempotent for a known partner that is not listed; a
/// listed partner can be removed even after its registration is gone.
pub async fn unauthorize_partner(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    input: PartnerInput,
) -> Result<PartnerConfiguration> {
    let current = read(ports, caller, id).await?.ok_or_else(|| missing(id))?;
    let immutable_id = match current.value.find(&input) {
        Some(listed) => {
            let id = listed.partner_registration_immutable_id;
            let verified = is_verified_name(
                ports,
                input.partner_name.as_deref(),
                id,
                &listed.partner_name,
            )
            .await?;
            rules::check_identity(&input, id, &listed.partner_name, verified)?;
            id
        }
        None => resolve(ports, &input).await?.immutable_id,
    };
    update(ports, caller, id, |config| {
        config.unauthorize(immutable_id);
        Ok(())
    })
    .await
}

fn missing(id: &ResourceId) -> Error {
    Error::not_found(
        code::PARTNER_CONFIGURATION_NOT_FOUND,
        format!("no partner configuration exists at '{id}'; create it with PUT first"),
    )
}

/// Reads, changes and conditionally writes the configuration, reading again after a lost race.
async fn update(
    ports: &Ports,
    caller: &Caller,
    id: &ResourceId,
    change: impl Fn(&mut PartnerConfiguration) -> Result<()>,
) -> Result<PartnerConfiguration> {
    caller.owns(id.subscription)?;
    check_name(id)?;
    let key = table::resource_key(id);
    updates::update(ports, &key, TRIES, |found: Option<Versioned<_>>| {
        let found = found.ok_or_else(|| missing(id))?;
        let expect = found.expect();
        let mut config = found.value;
        change(&mut config)?;
        Change::put(key.clone(), config, expect)
    })
    .await
}

/// The partner configuration of the resource group `scope` lives in, with its key and version.
pub async fn authorization_of(
    ports: &Ports,
    scope: &ResourceId,
) -> Result<Option<(crate::ports::Key, u64, PartnerConfiguration)>> {
    let id = ResourceId::new(
        scope.subscription,
        &scope.resource_group,
        ResourceType::PartnerConfigurations,
        rules::NAME,
    )?;
    let key = table::resource_key(&id);
    let found = table::get::<PartnerConfiguration>(ports.store.as_ref(), &key).await?;
    Ok(found.map(|v| (key, v.version, v.value)))
}
