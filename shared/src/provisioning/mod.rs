//! What partners provision: partner namespaces (with their keys and routing mode), channels,
//! and the partner topics those channels create in customers' resource groups; and the
//! customer topics customers publish their own events to.

pub mod access;
pub mod channel;
pub mod channel_put;
pub mod custom_topic;
pub mod endpoint;
pub mod namespace;
pub mod topic;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{Error, Result, code};

/// Event types a partner declares for a topic (`kind: Inline` only, as in Azure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct EventTypeInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inline_event_types: Option<std::collections::BTreeMap<String, InlineEventType>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct InlineEventType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_schema_url: Option<String>,
}

impl EventTypeInfo {
    /// Checks `kind` (only `Inline`) and the number of declared types (at most 100).
    pub fn check(&self) -> Result<()> {
        if let Some(kind) = &self.kind
            && kind != "Inline"
        {
            return Err(Error::invalid(
                code::INVALID_PROPERTY,
                format!("eventTypeInfo.kind is '{kind}'; the only kind is 'Inline'"),
            ));
        }
        let count = self.inline_event_types.as_ref().map_or(0, |t| t.len());
        if count > 100 {
            return Err(Error::invalid(
                code::INVALID_PROPERTY,
                format!("eventTypeInfo declares {count} event types; at most 100 are allowed"),
            ));
        }
        Ok(())
    }
}

/// The default time a partner topic waits for activation.
pub const DEFAULT_ACTIVATION_WINDOW: time::Duration = time::Duration::days(7);

/// `expirationTimeIfNotActivatedUtc`: `requested`, which must be in the future, or now + 7 days.
pub fn activation_deadline(
    requested: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<OffsetDateTime> {
    match requested {
        None => Ok(now + DEFAULT_ACTIVATION_WINDOW),
        Some(t) if t > now => Ok(t.to_offset(time::UtcOffset::UTC)),
        Some(t) => Err(Error::invalid(
            code::INVALID_ACTIVATION_EXPIRATION,
            format!(
                "expirationTimeIfNotActivatedUtc {} is not in the future; omit it for 7 days from now",
                crate::time_format::rfc3339(t)
            ),
        )),
    }
}
