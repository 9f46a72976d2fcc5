//! Event subscriptions: where a topic's matching events go, and how. The rules on a
//! subscription's settings, and what a read may show (secrets only through `getFullUrl` and
//! `getDeliveryAttributes`).

pub mod aws;
pub mod delivery_attributes;
pub mod destination;
pub mod signing_secrets;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use delivery_attributes::DeliveryAttributeMapping;
pub use destination::{Destination, PayloadSigning, WebHook};
pub use signing_secrets::SigningSecrets;

use crate::error::{Error, Result};
use crate::filter::EventSubscriptionFilter;
use crate::ids::ResourceId;
use crate::resource::{SUCCEEDED, View};

/// Stable codes of subscription validation.
pub mod code {
    pub const INVALID_RETRY_POLICY: &str = "InvalidRetryPolicy";
    pub const INVALID_DESTINATION: &str = "InvalidDestination";
    pub const INVALID_DELIVERY_SCHEMA: &str = "InvalidEventDeliverySchema";
    pub const INVALID_EXPIRATION: &str = "InvalidExpirationTime";
    pub const INVALID_DELIVERY_ATTRIBUTE: &str = "InvalidDeliveryAttributeMapping";
    pub const TOO_MANY_SUBSCRIPTIONS: &str = "TooManyEventSubscriptions";
    pub const VALIDATION_FAILED: &str = "WebhookValidationFailed";
    pub const INVALID_LABELS: &str = "InvalidLabels";
    pub const INVALID_PAYLOAD_SIGNING: &str = "InvalidPayloadSigning";
    pub const PAYLOAD_SIGNING_NOT_ENABLED: &str = "PayloadSigningNotEnabled";
}

/// The most subscriptions one topic may have.
pub const MAX_PER_TOPIC: usize = 500;
/// The only delivery schema served.
pub const CLOUD_EVENTS: &str = "CloudEventSchemaV1_0";

/// `retryPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryPolicy {
    #[serde(default = "default_attempts")]
    pub max_delivery_attempts: i64,
    #[serde(default = "default_ttl")]
    pub event_time_to_live_in_minutes: i64,
}

fn default_attempts() -> i64 {
    30
}

fn default_ttl() -> i64 {
    1440
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_delivery_attempts: default_attempts(),
            event_time_to_live_in_minutes: default_ttl(),
        }
    }
}

impl RetryPolicy {
    /// `maxDeliveryAttempts` 1..=30 and `eventTimeToLiveInMinutes` 1..=1440.
    pub fn check(&self) -> Result<()> {
        if !(1..=30).contains(&self.max_delivery_attempts) {
            return Err(Error::invalid(
                code::INVALID_RETRY_POLICY,
                format!(
                    "retryPolicy.maxDeliveryAttempts is {}; use 1 to 30",
                    self.max_delivery_attempts
                ),
            ));
        }
        if !(1..=1440).contains(&self.event_time_to_live_in_minutes) {
            return Err(Error::invalid(
                code::INVALID_RETRY_POLICY,
                format!(
                    "retryPolicy.eventTimeToLiveInMinutes is {}; use 1 to 1440",
                    self.event_time_to_live_in_minutes
                ),
            ));
        }
        Ok(())
    }
}

/// `properties` of a PUT or PATCH.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionInput {
    pub destination: Option<Destination>,
    pub filter: Option<EventSubscriptionFilter>,
    pub labels: Option<Vec<String>>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expiration_time_utc: Option<OffsetDateTime>,
    pub event_delivery_schema: Option<String>,
    pub retry_policy: Option<RetryPolicy>,
    pub dead_letter_destination: Option<aws::DeadLetterDestination>,
}

/// The body of a PATCH: Azure's `EventSubscriptionUpdateParameters` is flat (no `properties`
/// wrapper); a body wrapped in `properties`, as a PUT's is, is accepted too.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SubscriptionPatch {
    pub properties: Option<SubscriptionInput>,
    #[serde(flatten)]
    pub flat: SubscriptionInput,
}

impl SubscriptionPatch {
    pub fn into_input(self) -> SubscriptionInput {
        self.properties.unwrap_or(self.flat)
    }
}

/// A stored event subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventSubscription {
    pub id: ResourceId,
    pub destination: Destination,
    pub filter: EventSubscriptionFilter,
    pub labels: Vec<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expiration_time_utc: Option<OffsetDateTime>,
    pub retry_policy: RetryPolicy,
    /// Where dead letters are written besides the listable ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_destination: Option<aws::DeadLetterDestination>,
    /// What the endpoint allowed in the handshake (`WebHook-Allowed-Rate`, per minute).
    #[serde(default)]
    pub allowed_rate: Option<u32>,
    /// When deliveries stopped because the endpoint answered 410 Gone; a PUT or PATCH
    /// enables the subscription again.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub disabled_at: Option<OffsetDateTime>,
    /// When deliveries were paused (`POST .../pause`): matching events are held, not
    /// attempted, until `POST .../resume`. A PUT or PATCH keeps it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub paused_at: Option<OffsetDateTime>,
    /// Set when the subscription is created and kept by every change, so a subscription
    /// deleted and created again under its name is told apart (none for one stored before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incarnation: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionProperties<'a> {
    pub topic: String,
    pub provisioning_state: &'static str,
    pub destination: destination::DestinationView<'a>,
    pub filter: &'a EventSubscriptionFilter,
    pub labels: &'a [String],
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub expiration_time_utc: Option<OffsetDateTime>,
    pub event_delivery_schema: &'static str,
    pub retry_policy: RetryPolicy,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_letter_destination: Option<serde_json::Value>,
    /// `Enabled`, `Paused`, or `Disabled` after the endpoint answered 410 Gone (an
    /// extension).
    pub delivery_state: &'static str,
}

impl EventSubscription {
    /// The subscription as a read shows it: the endpoint without its query, secret header
    /// values left out.
    pub fn view(&self) -> View<SubscriptionProperties<'_>> {
        let topic = ResourceId {
            path: self.id.path[..self.id.path.len().saturating_sub(1)].to_vec(),
            ..self.id.clone()
        };
        View::new(
            &self.id,
            None,
            None,
            SubscriptionProperties {
                topic: topic.to_string(),
                provisioning_state: SUCCEEDED,
                destination: self.destination.view(),
                filter: &self.filter,
                labels: &self.labels,
                expiration_time_utc: self.expiration_time_utc,
                event_delivery_schema: CLOUD_EVENTS,
                retry_policy: self.retry_policy,
                dead_letter_destination: self.dead_letter_destination.as_ref().map(|d| {
                    let aws::DeadLetterDestination::S3Bucket(bucket) = d;
                    let shown = aws::S3Bucket {
                        owner: None,
                        ..bucket.clone()
                    };
                    serde_json::json!({ "endpointType": "S3Bucket", "properties": shown })
                }),
                delivery_state: match (self.disabled_at, self.paused_at) {
                    (Some(_), _) => "Disabled",
                    (None, Some(_)) => "Paused",
                    (None, None) => "Enabled",
                },
            },
        )
    }

    /// Gone once past its expiration time.
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.expiration_time_utc.is_some_and(|t| t <= now)
    }
}

/// Checks the settings every subscription shares.
pub fn check(input: &SubscriptionInput, now: OffsetDateTime) -> Result<()> {
    if let Some(schema) = &input.event_delivery_schema
        && schema != CLOUD_EVENTS
    {
        return Err(Error::invalid(
            code::INVALID_DELIVERY_SCHEMA,
            format!("eventDeliverySchema '{schema}' is not served; use {CLOUD_EVENTS}"),
        ));
    }
    if let Some(t) = input.expiration_time_utc
        && t <= now
    {
        return Err(Error::invalid(
            code::INVALID_EXPIRATION,
            format!(
                "expirationTimeUtc {} is not in the future",
                crate::time_format::rfc3339(t)
            ),
        ));
    }
    if let Some(policy) = &input.retry_policy {
        policy.check()?;
    }
    if let Some(labels) = &input.labels
        && (labels.len() > 25 || labels.iter().any(|l| l.is_empty() || l.len() > 256))
    {
        return Err(Error::invalid(
            code::INVALID_LABELS,
            "labels holds at most 25 non-empty strings of up to 256 characters",
        ));
    }
    if let Some(filter) = &input.filter {
        crate::filter::validate(filter)?;
    }
    Ok(())
}
