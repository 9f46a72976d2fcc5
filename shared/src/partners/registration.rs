//! Partner registrations: a partner's identity, named by a server-assigned immutable UUID.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
