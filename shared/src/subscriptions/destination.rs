//! Subscription destinations: a WebHook with its batching, delivery attribute mappings (see
//! [`super::delivery_attributes`]) and payload signing, a partner destination, or an AWS service
//! (see [`super::aws`]).

use serde::{Deserialize, Serialize};

use super::aws::{AwsTarget, Service};
use super::code;
use super::delivery_attributes::{self, DeliveryAttributeMapping};
use super::signing_secrets::{self, SigningSecrets};
use crate::error::{Error, Result};

/// `destination`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "endpointType", content = "properties")]
pub enum Destination {
    WebHook(WebHook),
    PartnerDestination(PartnerDestinationRef),
    SqsQueue(AwsTarget),
    SnsTopic(AwsTarget),
    EventBridgeBus(AwsTarget),
    KinesisStream(AwsTarget),
    LambdaFunction(AwsTarget),
}

impl Destination {
    /// The AWS service and its settings, for an AWS destination.
    pub fn aws(&self) -> Option<(Service, &AwsTarget)> {
        match self {
            Destination::SqsQueue(t) => Some((Service::Sqs, t)),
            Destination::SnsTopic(t) => Some((Service::Sns, t)),
            Destination::EventBridgeBus(t) => Some((Service::EventBridge, t)),
            Destination::KinesisStream(t) => Some((Service::Kinesis, t)),
            Destination::LambdaFunction(t) => Some((Service::Lambda, t)),
            Destination::WebHook(_) | Destination::PartnerDestination(_) => None,
        }
    }

    pub fn aws_mut(&mut self) -> Option<(Service, &mut AwsTarget)> {
        match self {
            Destination::SqsQueue(t) => Some((Service::Sqs, t)),
            Destination::SnsTopic(t) => Some((Service::Sns, t)),
            Destination::EventBridgeBus(t) => Some((Service::EventBridge, t)),
            Destination::KinesisStream(t) => Some((Service::Kinesis, t)),
            Destination::LambdaFunction(t) => Some((Service::Lambda, t)),
            Destination::WebHook(_) | Destination::PartnerDestination(_) => None,
        }
    }
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
    /// Standard Webhooks signatures on every delivery; its secrets only through
    /// `getSigningSecrets`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_signing: Option<PayloadSigning>,
}

/// `payloadSigning`: the scheme a request names, and the secrets the server keeps (never taken
/// from a request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayloadSigning {
    #[serde(default)]
    pub scheme: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<SigningSecrets>,
}

fn one() -> i64 {
    1
}

fn sixty_four() -> i64 {
    64
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
    /// The secrets deliveries are signed with, when signing is on.
    pub fn signing_secrets(&self) -> Option<&SigningSecrets> {
        self.payload_signing.as_ref()?.secrets.as_ref()
    }

    /// Batching limits, the signing scheme, and delivery attribute mappings (as
    /// [`delivery_attributes::check`] requires).
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
        if let Some(signing) = &self.payload_signing
            && signing.scheme != signing_secrets::SCHEME
        {
            return Err(Error::invalid(
                code::INVALID_PAYLOAD_SIGNING,
                format!(
                    "payloadSigning.scheme is '{}'; the only scheme accepted is '{}'",
                    signing.scheme,
                    signing_secrets::SCHEME
                ),
            ));
        }
        delivery_attributes::check(&self.delivery_attribute_mappings)
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
        let (endpoint_type, properties) = match (self, self.aws()) {
            (_, Some((service, target))) => {
                let shown = AwsTarget {
                    owner: None,
                    delivery_attribute_mappings: target
                        .delivery_attribute_mappings
                        .iter()
                        .map(DeliveryAttributeMapping::redacted)
                        .collect(),
                    ..target.clone()
                };
                (
                    service.endpoint_type(),
                    serde_json::to_value(shown).unwrap_or_default(),
                )
            }
            (Destination::WebHook(w), _) => {
                let mut shown = serde_json::json!({
                    "endpointBaseUrl": base_url(w.endpoint_url.as_deref().unwrap_or_default()),
                    "maxEventsPerBatch": w.max_events_per_batch,
                    "preferredBatchSizeInKilobytes": w.preferred_batch_size_in_kilobytes,
                    "deliveryAttributeMappings": w.delivery_attribute_mappings.iter().map(DeliveryAttributeMapping::redacted).collect::<Vec<_>>(),
                });
                if let Some(signing) = &w.payload_signing {
                    shown["payloadSigning"] = serde_json::json!({ "scheme": signing.scheme });
                }
                ("WebHook", shown)
            }
            (Destination::PartnerDestination(p), _) => (
                "PartnerDestination",
                serde_json::json!({ "resourceId": p.resource_id }),
            ),
            (_, None) => ("", serde_json::Value::Null),
        };
        DestinationView {
            endpoint_type,
            properties,
            _of: std::marker::PhantomData,
        }
    }
}
