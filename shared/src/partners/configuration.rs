//! Partner configurations: the per-resource-group list of partners a customer authorizes, with
//! time-bound authorizations. Every rule here is pure; time comes in as `now`.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::error::{Error, Result, code};
use crate::ids::ResourceId;
use crate::resource::{SUCCEEDED, Tags, View};
use crate::time_format::rfc3339;

/// The only name a partner configuration may have.
pub const NAME: &str = "default";
pub const DEFAULT_MAX_DAYS: u32 = 7;
pub const MAX_DAYS: std::ops::RangeInclusive<i64> = 1..=365;
/// At most this many partners may be authorized in one resource group.
pub const MAX_AUTHORIZED_PARTNERS: usize = 1000;

/// One authorized partner, fully resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizedPartner {
    pub partner_registration_immutable_id: Uuid,
    pub partner_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub authorization_expiration_time_in_utc: OffsetDateTime,
}

/// A stored partner configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerConfiguration {
    pub id: ResourceId,
    pub location: String,
    pub tags: Tags,
    pub default_maximum_expiration_time_in_days: u32,
    pub authorized_partners: Vec<AuthorizedPartner>,
}

/// A partner as a request names it: by immutable id, by name, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerInput {
    pub partner_registration_immutable_id: Option<Uuid>,
    pub partner_name: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub authorization_expiration_time_in_utc: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerAuthorizationInput {
    pub default_maximum_expiration_time_in_days: Option<i64>,
    pub authorized_partners_list: Option<Vec<PartnerInput>>,
}

/// `properties` of a PUT.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationInput {
    pub partner_authorization: Option<PartnerAuthorizationInput>,
}

/// `properties` of a PATCH.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationPatch {
    pub default_maximum_expiration_time_in_days: Option<i64>,
}

/// Checks `defaultMaximumExpirationTimeInDays`: 1 to 365.
pub fn check_max_days(days: i64) -> Result<u32> {
    if MAX_DAYS.contains(&days) {
        Ok(days as u32)
    } else {
        Err(Error::invalid(
            code::INVALID_EXPIRATION_DAYS,
            format!(
                "defaultMaximumExpirationTimeInDays is {days}; use a whole number of days from 1 to 365"
            ),
        ))
    }
}

/// The expiry of a new or renewed authorization: `requested`, or now + the maximum when
/// omitted. A requested expiry must be in the future and no later than now + the maximum.
pub fn authorization_expiry(
    requested: Option<OffsetDateTime>,
    max_days: u32,
    now: OffsetDateTime,
) -> Result<OffsetDateTime> {
    let latest = now + Duration::days(i64::from(max_days));
    match requested {
        None => Ok(latest),
        Some(t) if t <= now => Err(Error::invalid(
            code::AUTHORIZATION_EXPIRATION_IN_PAST,
            format!(
                "authorizationExpirationTimeInUtc {} is not in the future",
                rfc3339(t)
            ),
        )),
        Some(t) if t > latest => Err(Error::invalid(
            code::AUTHORIZATION_EXPIRATION_TOO_LATE,
            format!(
                "authorizationExpirationTimeInUtc {} is later than the configuration allows ({max_days} days, i.e. {}); choose an earlier time or raise defaultMaximumExpirationTimeInDays",
                rfc3339(t),
                rfc3339(latest)
            ),
        )),
        Some(t) => Ok(t.to_offset(time::UtcOffset::UTC)),
    }
}

/// Checks that a request naming a partner by id and/or name agrees with the partner found:
/// the name is the registration's, or (`verified_name`) a verified partner's of it.
pub fn check_identity(
    input: &PartnerInput,
    immutable_id: Uuid,
    name: &str,
    verified_name: bool,
) -> Result<()> {
    let id_agrees = input
        .partner_registration_immutable_id
        .is_none_or(|id| id == immutable_id);
    let name_agrees = input
        .partner_name
        .as_deref()
        .is_none_or(|n| verified_name || n.eq_ignore_ascii_case(name));
    if id_agrees && name_agrees {
        Ok(())
    } else {
        Err(Error::invalid(
            code::PARTNER_IDENTITY_MISMATCH,
            format!(
                "partnerRegistrationImmutableId and partnerName name different partners: registration '{name}' has immutable id {immutable_id}, and partnerName must be its name or the name of a verified partner of it; send one of them, or both naming the same partner"
            ),
        ))
    }
}

/// The error for a partner entry that names neither an immutable id nor a name.
pub fn identity_required() -> Error {
    Error::invalid(
        code::PARTNER_IDENTITY_REQUIRED,
        "a partner needs partnerRegistrationImmutableId or partnerName (or both)",
    )
}

/// Fails with 403 `PartnerNotAuthorized` unless `configuration` (the customer's, in the
/// resource group of `topic`) holds an authorization for `partner` unexpired at `now`.
pub fn require_authorized(
    configuration: Option<&PartnerConfiguration>,
    partner: Uuid,
    topic: &ResourceId,
    now: OffsetDateTime,
) -> Result<()> {
    if configuration.is_some_and(|c| c.is_authorized(partner, now)) {
        return Ok(());
    }
    Err(Error::forbidden(
        code::PARTNER_NOT_AUTHORIZED,
        format!(
            "partner registration {partner} is not authorized in resource group '{}' of subscription {} (never authorized, unauthorized, or expired); the customer authorizes it with POST .../partnerConfigurations/default/authorizePartner",
            topic.resource_group, topic.subscription
        ),
    ))
}

impl PartnerConfiguration {
    pub fn new(id: ResourceId, max_days: u32) -> Self {
        Self {
            id,
            location: "global".into(),
            tags: Tags::new(),
            default_maximum_expiration_time_in_days: max_days,
            authorized_partners: Vec::new(),
        }
    }

    /// Adds the partner, or updates its expiry (and name) if it is already authorized.
    pub fn authorize(&mut self, partner: AuthorizedPartner) -> Result<()> {
        let id = partner.partner_registration_immutable_id;
        let listed = self
            .authorized_partners
            .iter()
            .position(|p| p.partner_registration_immutable_id == id);
        match listed {
            Some(i) => self.authorized_partners[i] = partner,
            None if self.authorized_partners.len() >= MAX_AUTHORIZED_PARTNERS => {
                return Err(Error::invalid(
                    code::TOO_MANY_AUTHORIZED_PARTNERS,
                    format!(
                        "a partner configuration authorizes at most {MAX_AUTHORIZED_PARTNERS} partners; unauthorize one first"
                    ),
                ));
            }
            None => self.authorized_partners.push(partner),
        }
        Ok(())
    }

    /// Removes the partner; true if it was there.
    pub fn unauthorize(&mut self, immutable_id: Uuid) -> bool {
        let before = self.authorized_partners.len();
        self.authorized_partners
            .retain(|p| p.partner_registration_immutable_id != immutable_id);
        before != self.authorized_partners.len()
    }

    /// The listed entry a request names, by id or (case-insensitively) by name.
    pub fn find(&self, input: &PartnerInput) -> Option<&AuthorizedPartner> {
        self.authorized_partners.iter().find(|p| {
            input.partner_registration_immutable_id == Some(p.partner_registration_immutable_id)
                || input
                    .partner_name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&p.partner_name))
        })
    }

    /// Whether the partner holds an authorization that has not yet expired at `now`.
    pub fn is_authorized(&self, partner: Uuid, now: OffsetDateTime) -> bool {
        self.authorized_partners.iter().any(|p| {
            p.partner_registration_immutable_id == partner
                && p.authorization_expiration_time_in_utc > now
        })
    }

    pub fn view(&self) -> View<ConfigurationProperties<'_>> {
        View::new(
            &self.id,
            Some(self.location.clone()),
            Some(self.tags.clone()),
            ConfigurationProperties {
                partner_authorization: AuthorizationView {
                    default_maximum_expiration_time_in_days: self
                        .default_maximum_expiration_time_in_days,
                    authorized_partners_list: &self.authorized_partners,
                },
                provisioning_state: SUCCEEDED,
            },
        )
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationProperties<'a> {
    pub partner_authorization: AuthorizationView<'a>,
    pub provisioning_state: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationView<'a> {
    pub default_maximum_expiration_time_in_days: u32,
    pub authorized_partners_list: &'a [AuthorizedPartner],
}
