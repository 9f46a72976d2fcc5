//! Partner registrations: a partner's identity, named by a server-assigned immutable UUID, and
//! what a PUT of one stores.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result, code};
use crate::ids::ResourceId;
use crate::resource::{SUCCEEDED, Tags, View};

/// A stored partner registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerRegistration {
    pub id: ResourceId,
    pub immutable_id: Uuid,
    pub location: String,
    pub tags: Tags,
}

/// What a PUT may carry in `properties`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationInput {
    pub partner_registration_immutable_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationProperties {
    pub partner_registration_immutable_id: Uuid,
    pub provisioning_state: &'static str,
}

/// How the registration index entries (by id, by name) point back at the registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationRef {
    pub id: ResourceId,
    pub immutable_id: Uuid,
}

impl RegistrationRef {
    pub fn name(&self) -> &str {
        self.id.name()
    }
}

impl PartnerRegistration {
    pub fn reference(&self) -> RegistrationRef {
        RegistrationRef {
            id: self.id.clone(),
            immutable_id: self.immutable_id,
        }
    }

    pub fn view(&self) -> View<RegistrationProperties> {
        View::new(
            &self.id,
            Some(self.location.clone()),
            Some(self.tags.clone()),
            RegistrationProperties {
                partner_registration_immutable_id: self.immutable_id,
                provisioning_state: SUCCEEDED,
            },
        )
    }
}

/// The registration a PUT at `id` stores: the `stored` one with `location` and `tags`, its
/// immutable id kept; or, when none is stored, a new one with the immutable id `fresh`. 400
/// when `requested`, the immutable id the request sends, is not the stored one's, or is sent
/// to create.
pub fn put(
    id: &ResourceId,
    stored: Option<&PartnerRegistration>,
    requested: Option<Uuid>,
    location: String,
    tags: Tags,
    fresh: Uuid,
) -> Result<PartnerRegistration> {
    match stored {
        Some(stored) if requested.is_some_and(|r| r != stored.immutable_id) => Err(Error::invalid(
            code::INVALID_PROPERTY,
            format!(
                "properties.partnerRegistrationImmutableId is immutable ({}); omit it or send the same value",
                stored.immutable_id
            ),
        )),
        Some(stored) => Ok(PartnerRegistration {
            location,
            tags,
            ..stored.clone()
        }),
        None if requested.is_some() => Err(Error::invalid(
            code::INVALID_PROPERTY,
            "properties.partnerRegistrationImmutableId is assigned by the server; omit it when creating",
        )),
        None => Ok(PartnerRegistration {
            id: id.clone(),
            immutable_id: fresh,
            location,
            tags,
        }),
    }
}
