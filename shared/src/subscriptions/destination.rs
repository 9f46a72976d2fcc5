//! Subscription destinations: a WebHook with its batching and delivery attribute mappings.

use serde::{Deserialize, Serialize};

use super::code;
use crate::error::{Error, Result};

/// `destination`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "endpointType", content = "properties")]
pub enum Destination {
    WebHook(WebHook),
    PartnerDestination(PartnerDestinationRef),
}

/// A `PartnerDestination` destination: the customer's partner destination, by resource id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerDestinationRef {
    #[serde(default)]
    pub resource_id: String,
}

/// A WebHook destination. `endpoint_url` is a secret: only `getFullUrl` shows it whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebHook {
    #[serde(default)]
    pub endpoint_url: Option<String>,
    #[serde(default = "one")]
    pub max_events_per_batch: i64,
    #[serde(default = "sixty_four")]
    pub preferred_batch_size_in_kilobytes: i64,
    #[serde(default)]
    pub delivery_attribute_mappings: Vec<DeliveryAttributeMapping>,
}

fn one() -> i64 {
    1
}

fn sixty_four() -> i64 {
    64
}

/// A header added to every delivery: a static value (possibly secret) or an event attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum DeliveryAttributeMapping {
    Static {
        name: String,
        properties: StaticValue,
    },
    Dynamic {
        name: String,
        properties: DynamicValue,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaticValue {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default)]
    pub is_secret: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DynamicValue {
    pub source_field: String,
}

impl DeliveryAttributeMapping {
    pub fn name(&self) -> &str {
        match self {
            Self::Static { name, .. } | Self::Dynamic { name, .. } => name,
        }
    }

    /// The mapping as a read shows it: a secret value left out.
    pub fn redacted(&self) -> Self {
        match self {
            Self::Static { name, properties } if properties.is_secret => Self::Static {
                name: name.clone(),
                properties: StaticValue {
                    value: None,
                    is_secret: true,
                },
            },
            other => other.clone(),
        }
    }
}

/// The URL without its query and without any `user:password@` (Azure's `endpointBaseUrl`):
/// what may be shown.
pub fn base_url(url: &str) -> String {
    let bare = url.split(['?', '#']).next().unwrap_or(url);
    let Some((scheme, rest)) = bare.split_once("://") else {
        return bare.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{scheme}://{host}{path}")
}

impl WebHook {
    /// Batching limits and delivery attribute mappings: at most 10, header names that are
    /// tokens not starting with `aeg-`, values up to 4096 bytes.
    pub fn check(&self) -> Result<()> {
        let bad = |m: String| Error::invalid(code::INVALID_DESTINATION, m);
        if self.endpoint_url.as_deref().is_none_or(str::is_empty) {
            return Err(bad(
                "destination.properties.endpointUrl is required for a WebHook".into(),
            ));
        }
        if !(1..=5000).contains(&self.max_events_per_batch) {
            return Err(bad(format!(
                "maxEventsPerBatch is {}; use 1 to 5000",
                self.max_events_per_batch
            )));
        }
        if !(1..=1024).contains(&self.preferred_batch_size_in_kilobytes) {
            return Err(bad(format!(
                "preferredBatchSizeInKilobytes is {}; use 1 to 1024",
                self.preferred_batch_size_in_kilobytes
            )));
        }
        let mappings = &self.delivery_attribute_mappings;
        let bad_mapping = |m: String| Error::invalid(code::INVALID_DELIVERY_ATTRIBUTE, m);
        if mappings.len() > 10 {
            return Err(bad_mapping(format!(
                "deliveryAttributeMappings has {} entries; at most 10",
                mappings.len()
            )));
        }
        for m in mappings {
            let name = m.name();
            let token = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !token {
                return Err(bad_mapping(format!(
                    "delivery attribute name '{name}' is not a valid HTTP header name"
                )));
            }
            if name.to_ascii_lowercase().starts_with("aeg-") {
                return Err(bad_mapping(format!(
                    "delivery attribute name '{name}' may not start with 'aeg-' (reserved for Event Grid's headers)"
                )));
            }
            let len = match m {
                DeliveryAttributeMapping::Static { properties, .. } => {
                    properties.value.as_deref().unwrap_or_default().len()
                }
                DeliveryAttributeMapping::Dynamic { properties, .. } => {
                    properties.source_field.len()
                }
            };
            if len > 4096 {
                return Err(bad_mapping(format!(
                    "delivery attribute '{name}' has a value of {len} bytes; at most 4096"
                )));
            }
        }
        Ok(())
    }
}

/// `destination` as a read shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationView<'a> {
    pub endpoint_type: &'static str,
    pub properties: serde_json::Value,
    #[serde(skip)]
    _of: std::marker::PhantomData<&'a ()>,
}

impl Destination {
    pub fn view(&self) -> DestinationView<'_> {
        let (endpoint_type, properties) = match self {
            Destination::WebHook(w) => (
                "WebHook",
                serde_json::json!({
                    "endpointBaseUrl": base_url(w.endpoint_url.as_deref().unwrap_or_default()),
                    "maxEventsPerBatch": w.max_events_per_batch,
                    "preferredBatchSizeInKilobytes": w.preferred_batch_size_in_kilobytes,
                    "deliveryAttributeMappings": w.delivery_attribute_mappings.iter().map(DeliveryAttributeMapping::redacted).collect::<Vec<_>>(),
                }),
            ),
            Destination::PartnerDestination(p) => (
                "PartnerDestination",
                serde_json::json!({ "resourceId": p.resource_id }),
            ),
        };
        DestinationView {
            endpoint_type,
            properties,
            _of: std::marker::PhantomData,
        }
    }
}
