//! Delivery attribute mappings: the headers (message attributes for SQS and SNS) added to every
//! delivery of a WebHook or AWS destination, each a static value (possibly secret) or an event
//! attribute, and the rules on their names and values.

use serde::{Deserialize, Serialize};

use super::code;
use crate::error::{Error, Result};

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

/// A destination's mappings: at most 10, each as `check_mapping` requires, no two names equal
/// ignoring case.
pub fn check(mappings: &[DeliveryAttributeMapping]) -> Result<()> {
    let bad = |m: String| Error::invalid(code::INVALID_DELIVERY_ATTRIBUTE, m);
    if mappings.len() > 10 {
        return Err(bad(format!(
            "deliveryAttributeMappings has {} entries; at most 10",
            mappings.len()
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for m in mappings {
        check_mapping(m)?;
        if !seen.insert(m.name().to_ascii_lowercase()) {
            return Err(bad(format!(
                "delivery attribute name '{}' is given twice (header names are case-insensitive); give each header once",
                m.name()
            )));
        }
    }
    Ok(())
}

/// The longest delivery attribute name.
pub const MAX_ATTRIBUTE_NAME: usize = 256;
/// The longest static value or dynamic source field.
pub const MAX_ATTRIBUTE_VALUE: usize = 4096;

/// Headers a delivery attribute may not set (compared ignoring case): those that frame or route
/// the request, hop-by-hop ones, and those the delivery or its handshake sets itself.
const RESERVED_HEADERS: [&str; 11] = [
    "host",
    "content-length",
    "content-type",
    "content-encoding",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "expect",
];
/// Reserved prefixes: Event Grid's own headers, proxy headers, the webhook handshake's.
const RESERVED_PREFIXES: [&str; 3] = ["aeg-", "proxy-", "webhook-request-"];

/// One mapping: a name that is an HTTP token of at most 256 characters and no reserved header,
/// and a static value or source field of at most 4096 bytes with no control character other
/// than tab (a header value cannot carry one).
fn check_mapping(m: &DeliveryAttributeMapping) -> Result<()> {
    let bad = |m: String| Error::invalid(code::INVALID_DELIVERY_ATTRIBUTE, m);
    let name = m.name();
    let token = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !token {
        let shown: String = name.chars().take(64).collect();
        return Err(bad(format!(
            "delivery attribute name '{shown}' is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~)"
        )));
    }
    if name.len() > MAX_ATTRIBUTE_NAME {
        return Err(bad(format!(
            "delivery attribute name '{}...' has {} characters; at most {MAX_ATTRIBUTE_NAME}",
            &name[..32],
            name.len()
        )));
    }
    let lower = name.to_ascii_lowercase();
    if let Some(prefix) = RESERVED_PREFIXES.iter().find(|p| lower.starts_with(*p)) {
        return Err(bad(format!(
            "delivery attribute name '{name}' may not start with '{prefix}' (reserved for Event Grid's, proxies' and the webhook handshake's headers)"
        )));
    }
    if RESERVED_HEADERS.contains(&lower.as_str()) {
        return Err(bad(format!(
            "delivery attribute name '{name}' is a header the delivery sets or that frames the request; choose another name"
        )));
    }
    let (what, value) = match m {
        DeliveryAttributeMapping::Static { properties, .. } => {
            ("value", properties.value.as_deref().unwrap_or_default())
        }
        DeliveryAttributeMapping::Dynamic { properties, .. } => {
            ("sourceField", properties.source_field.as_str())
        }
    };
    if value.len() > MAX_ATTRIBUTE_VALUE {
        return Err(bad(format!(
            "delivery attribute '{name}' has a {what} of {} bytes; at most {MAX_ATTRIBUTE_VALUE}",
            value.len()
        )));
    }
    if value.chars().any(|c| c.is_ascii_control() && c != '\t') {
        return Err(bad(format!(
            "delivery attribute '{name}' has a {what} with a control character (CR, LF, NUL, ...), which a header cannot carry; remove it"
        )));
    }
    Ok(())
}
