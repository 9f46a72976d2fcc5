//! Verified partners: registrations the operator vouches for, readable by everyone.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result, code};
use crate::resource::SUCCEEDED;

/// A verified partner as stored and returned (`properties`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedPartnerProperties {
    pub partner_registration_immutable_id: Uuid,
    pub organization_name: String,
    pub partner_display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_topic_details: Option<PartnerDetails>,
    #[serde(default)]
    pub provisioning_state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup_uri: Option<String>,
}

/// A stored verified partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedPartner {
    pub name: String,
    pub properties: VerifiedPartnerProperties,
}

impl VerifiedPartner {
    pub fn id(&self) -> String {
        format!(
            "/providers/Microsoft.EventGrid/verifiedPartners/{}",
            self.name
        )
    }

    pub fn with_state(mut self) -> Self {
        self.properties.provisioning_state = Some(SUCCEEDED.into());
        self
    }

    /// The resource as the API returns it (a provider-level resource, outside any tenant).
    pub fn view(&self) -> VerifiedPartnerView<'_> {
        VerifiedPartnerView {
            id: self.id(),
            name: &self.name,
            kind: "Microsoft.EventGrid/verifiedPartners",
            properties: &self.properties,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifiedPartnerView<'a> {
    pub id: String,
    pub name: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub properties: &'a VerifiedPartnerProperties,
}

/// Checks the operator-supplied fields against Azure's limits.
pub fn check(props: &VerifiedPartnerProperties) -> Result<()> {
    let limit = |field: &str, value: &str, min: usize, max: usize| {
        let n = value.chars().count();
        if (min..=max).contains(&n) {
            Ok(())
        } else {
            Err(Error::invalid(
                code::INVALID_PROPERTY,
                format!("properties.{field} has {n} characters; use {min} to {max}"),
            ))
        }
    };
    limit("organizationName", &props.organization_name, 1, 256)?;
    limit("partnerDisplayName", &props.partner_display_name, 1, 256)?;
    if let Some(d) = &props.partner_topic_details {
        if let Some(v) = &d.description {
            limit("partnerTopicDetails.description", v, 0, 256)?;
        }
        if let Some(v) = &d.long_description {
            limit("partnerTopicDetails.longDescription", v, 0, 2048)?;
        }
        if let Some(uri) = &d.setup_uri
            && !(uri.starts_with("https://") || uri.starts_with("http://"))
        {
            return Err(Error::invalid(
                code::INVALID_PROPERTY,
                format!("properties.partnerTopicDetails.setupUri '{uri}' must be an http(s) URL"),
            ));
        }
    }
    Ok(())
}
