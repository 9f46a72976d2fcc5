//! Channels: a partner's link from a namespace to one partner topic (events to the customer) or
//! one partner destination (events from the customer) in a customer's resource group. What a
//! PUT may set at creation, and the little a PATCH may change later.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::EventTypeInfo;
use crate::error::{Error, Result, code};
use crate::ids::{ResourceId, ResourceType, SubscriptionId};
use crate::resource::{SUCCEEDED, View};

/// `channelType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChannelType {
    PartnerTopic,
    PartnerDestination,
}

/// `readinessState`: whether the customer has ever activated the channel's topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReadinessState {
    NeverActivated,
    Activated,
}

/// `partnerTopicInfo` as a request sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerTopicInfoInput {
    pub azure_subscription_id: Option<String>,
    pub resource_group_name: Option<String>,
    pub name: Option<String>,
    pub source: Option<String>,
    pub event_type_info: Option<EventTypeInfo>,
}

/// `partnerDestinationInfo` as a request sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerDestinationInfoInput {
    pub azure_subscription_id: Option<String>,
    pub resource_group_name: Option<String>,
    pub name: Option<String>,
    pub endpoint_service_context: Option<String>,
    pub endpoint_type: Option<String>,
    pub properties: Option<DestinationEndpointInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationEndpointInput {
    pub endpoint_url: Option<String>,
    pub endpoint_base_url: Option<String>,
}

/// Where a partner destination's events go: the partner's webhook, and the context the partner
/// routes them by (sent as `aeg-partner-destination-context`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationEndpoint {
    pub endpoint_url: String,
    pub endpoint_base_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_service_context: Option<String>,
}

/// `properties` of a channel PUT.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelInput {
    pub channel_type: Option<ChannelType>,
    pub partner_topic_info: Option<PartnerTopicInfoInput>,
    pub partner_destination_info: Option<PartnerDestinationInfoInput>,
    pub message_for_activation: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expiration_time_if_not_activated_utc: Option<OffsetDateTime>,
    /// Not in Azure's channel schema: shown to the customer on the partner topic.
    pub partner_topic_friendly_description: Option<String>,
}

/// `partnerTopicInfo` of a PATCH: only the event types.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartnerTopicInfoPatch {
    pub event_type_info: Option<EventTypeInfo>,
}

/// `properties` of a channel PATCH: nothing but the activation deadline and the event types.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChannelPatch {
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expiration_time_if_not_activated_utc: Option<OffsetDateTime>,
    pub partner_topic_info: Option<PartnerTopicInfoPatch>,
}

/// The validated `partnerTopicInfo` of a stored channel, or of a `PartnerDestination` channel
/// its `partnerDestinationInfo` (then `destination` is set and there is no source).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerTopicInfo {
    pub azure_subscription_id: SubscriptionId,
    pub resource_group_name: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type_info: Option<EventTypeInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<DestinationEndpoint>,
}

impl PartnerTopicInfo {
    /// The id of the partner topic (or partner destination) this info names.
    pub fn topic_id(&self) -> Result<ResourceId> {
        let kind = match self.destination {
            Some(_) => ResourceType::PartnerDestinations,
            None => ResourceType::PartnerTopics,
        };
        ResourceId::new(
            self.azure_subscription_id,
            &self.resource_group_name,
            kind,
            &self.name,
        )
    }
}

/// `partnerDestinationInfo` as a channel shows it (the endpoint URL only via `getFullUrl`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationInfoView<'a> {
    pub azure_subscription_id: SubscriptionId,
    pub resource_group_name: &'a str,
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_service_context: Option<&'a str>,
    pub endpoint_type: &'static str,
    pub properties: serde_json::Value,
}

impl PartnerDestinationInfoInput {
    /// Validates every field: the customer's subscription, group and name, a WebHook endpoint
    /// (`properties.endpointUrl`, http or https).
    pub fn validate(self) -> Result<PartnerTopicInfo> {
        let missing = |field: &str| {
            Error::invalid(
                code::INVALID_PROPERTY,
                format!("properties.partnerDestinationInfo.{field} is required"),
            )
        };
        if let Some(kind) = self.endpoint_type.as_deref()
            && kind != "WebHook"
        {
            return Err(Error::invalid(
                code::INVALID_PROPERTY,
                format!(
                    "partnerDestinationInfo.endpointType is '{kind}'; the only type is 'WebHook'"
                ),
            ));
        }
        let endpoint = self.properties.unwrap_or_default();
        let url = endpoint
            .endpoint_url
            .filter(|u| !u.is_empty())
            .ok_or_else(|| missing("properties.endpointUrl"))?;
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(Error::invalid(
                code::INVALID_PROPERTY,
                "partnerDestinationInfo.properties.endpointUrl must be an http:// or https:// URL",
            ));
        }
        let sub = self
            .azure_subscription_id
            .ok_or_else(|| missing("azureSubscriptionId"))?;
        let info = PartnerTopicInfo {
            azure_subscription_id: SubscriptionId::parse(&sub)?,
            resource_group_name: self
                .resource_group_name
                .ok_or_else(|| missing("resourceGroupName"))?,
            name: self.name.ok_or_else(|| missing("name"))?,
            source: None,
            event_type_info: None,
            destination: Some(DestinationEndpoint {
                endpoint_base_url: endpoint
                    .endpoint_base_url
                    .unwrap_or_else(|| crate::subscriptions::destination::base_url(&url)),
                endpoint_url: url,
                endpoint_service_context: self.endpoint_service_context,
            }),
        };
        info.topic_id()?;
        Ok(info)
    }
}

/// The most bytes a `source` may have (a DynamoDB sort key holds 1024).
pub const MAX_SOURCE_LEN: usize = 1024;

impl PartnerTopicInfoInput {
    /// Validates every field; `source` is required when the namespace routes by source.
    pub fn validate(self, source_required: bool) -> Result<PartnerTopicInfo> {
        let missing = |field: &str| {
            Error::invalid(
                code::INVALID_PROPERTY,
                format!("properties.partnerTopicInfo.{field} is required"),
            )
        };
        let sub = self
            .azure_subscription_id
            .ok_or_else(|| missing("azureSubscriptionId"))?;
        let info = PartnerTopicInfo {
            azure_subscription_id: SubscriptionId::parse(&sub)?,
            resource_group_name: self
                .resource_group_name
                .ok_or_else(|| missing("resourceGroupName"))?,
            name: self.name.ok_or_else(|| missing("name"))?,
            source: self.source.filter(|s| !s.is_empty()),
            event_type_info: self.event_type_info,
            destination: None,
        };
        info.topic_id()?;
        match &info.source {
            None if source_required => {
                return Err(Error::invalid(
                    code::INVALID_PROPERTY,
                    "properties.partnerTopicInfo.source is required: this namespace routes events by their source",
                ));
            }
            Some(s) if s.len() > MAX_SOURCE_LEN => {
                return Err(Error::invalid(
                    code::INVALID_PROPERTY,
                    format!(
                        "properties.partnerTopicInfo.source is longer than {MAX_SOURCE_LEN} bytes"
                    ),
                ));
            }
            _ => {}
        }
        if let Some(types) = &info.event_type_info {
            types.check()?;
        }
        Ok(info)
    }
}

/// A stored channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    pub id: ResourceId,
    pub channel_type: ChannelType,
    pub partner_topic_info: PartnerTopicInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_for_activation: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub expiration_time_if_not_activated_utc: OffsetDateTime,
    pub readiness_state: ReadinessState,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelProperties<'a> {
    pub channel_type: ChannelType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_topic_info: Option<&'a PartnerTopicInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_destination_info: Option<DestinationInfoView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_for_activation: Option<&'a str>,
    #[serde(with = "time::serde::rfc3339")]
    pub expiration_time_if_not_activated_utc: OffsetDateTime,
    pub readiness_state: ReadinessState,
    pub provisioning_state: &'static str,
}

impl Channel {
    /// Gone from the API: never activated and past its activation deadline.
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.readiness_state == ReadinessState::NeverActivated
            && self.expiration_time_if_not_activated_utc <= now
    }

    pub fn view(&self) -> View<ChannelProperties<'_>> {
        View::new(
            &self.id,
            None,
            None,
            ChannelProperties {
                channel_type: self.channel_type,
                partner_topic_info: match self.channel_type {
                    ChannelType::PartnerTopic => Some(&self.partner_topic_info),
                    ChannelType::PartnerDestination => None,
                },
                partner_destination_info: self.partner_topic_info.destination.as_ref().map(|d| {
                    DestinationInfoView {
                        azure_subscription_id: self.partner_topic_info.azure_subscription_id,
                        resource_group_name: &self.partner_topic_info.resource_group_name,
                        name: &self.partner_topic_info.name,
                        endpoint_service_context: d.endpoint_service_context.as_deref(),
                        endpoint_type: "WebHook",
                        properties: serde_json::json!({ "endpointBaseUrl": d.endpoint_base_url }),
                    }
                }),
                message_for_activation: self.message_for_activation.as_deref(),
                expiration_time_if_not_activated_utc: self.expiration_time_if_not_activated_utc,
                readiness_state: self.readiness_state,
                provisioning_state: SUCCEEDED,
            },
        )
    }
}

/// Checks that a PUT on an existing channel changes only what a PATCH could.
pub fn check_replacement(
    current: &Channel,
    requested: &PartnerTopicInfo,
    message: &Option<String>,
) -> Result<()> {
    let info = &current.partner_topic_info;
    let same = info.azure_subscription_id == requested.azure_subscription_id
        && info
            .resource_group_name
            .eq_ignore_ascii_case(&requested.resource_group_name)
        && info.name.eq_ignore_ascii_case(&requested.name)
        && info.source == requested.source
        && info.destination == requested.destination
        && (message.is_none() || *message == current.message_for_activation);
    if same {
        Ok(())
    } else {
        Err(Error::invalid(
            code::IMMUTABLE_PROPERTY,
            "an existing channel may change only expirationTimeIfNotActivatedUtc and partnerTopicInfo.eventTypeInfo; delete and recreate it to change the topic or destination, its source, endpoint or the activation message",
        ))
    }
}
