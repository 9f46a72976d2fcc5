//! Verified partners: the operator vouches for a registration; every caller may read them.

use serde::Deserialize;

use crate::auth::Caller;
use crate::error::{Error, Result, code};
use crate::ids::check_resource_name;
use crate::partners::verified::{self, VerifiedPartner, VerifiedPartnerProperties};
use crate::ports::{Expect, Ports};
use crate::table;
use crate::usecases::support::listing::{Listed, PageRequest, list_prefix};

#[derive(Debug, Clone, Deserialize)]
pub struct VerifiedPartnerInput {
    pub properties: Option<VerifiedPartnerProperties>,
}

/// Creates (true) or replaces (false) a verified partner. Operator only; the registration it
/// names must exist.
pub async fn put(
    ports: &Ports,
    caller: &Caller,
    name: &str,
    input: VerifiedPartnerInput,
) -> Result<(VerifiedPartner, bool)> {
    caller.require_operator()?;
    check_resource_name("verified partner", name)?;
    let properties = input.properties.ok_or_else(|| {
        Error::invalid(code::INVALID_REQUEST_CONTENT, "the body needs 'properties' with partnerRegistrationImmutableId, organizationName and partnerDisplayName")
    })?;
    verified::check(&properties)?;
    let store = ports.store.as_ref();
    let registration = table::registration_by_id(properties.partner_registration_immutable_id);
    if store.get(&registration).await?.is_none() {
        return Err(Error::invalid(
            code::PARTNER_NOT_FOUND,
            format!(
                "no partner registration has immutable id {}; the partner creates its registration first",
                properties.partner_registration_immutable_id
            ),
        ));
    }
    let key = table::verified_partner_key(name);
    let existing = table::get::<VerifiedPartner>(store, &key).await?;
    let partner = VerifiedPartner {
        name: name.to_owned(),
        properties,
    }
    .with_state();
    store
        .write(vec![table::put(
            key,
            &partner,
            table::expect_of(&existing),
        )?])
        .await?;
    Ok((partner, existing.is_none()))
}

/// Removes a verified partner (operator only); removing a missing one succeeds.
pub async fn delete(ports: &Ports, caller: &Caller, name: &str) -> Result<()> {
    caller.require_operator()?;
    check_resource_name("verified partner", name)?;
    ports
        .store
        .delete(table::verified_partner_key(name), Expect::Any)
        .await
}

pub async fn get(ports: &Ports, name: &str) -> Result<VerifiedPartner> {
    check_resource_name("verified partner", name)?;
    table::get::<VerifiedPartner>(ports.store.as_ref(), &table::verified_partner_key(name))
        .await?
        .map(|v| v.value)
        .ok_or_else(|| crate::usecases::support::not_found("verified partner", &name))
}

pub async fn list(ports: &Ports, page: &PageRequest) -> Result<Listed<VerifiedPartner>> {
    list_prefix(ports.store.as_ref(), table::VERIFIED_PARTNERS, "", page).await
}
