//! Partner topics and partner destinations: created in a customer's resource group by a
//! partner's channel, activated (or deactivated) by the customer, gone if never activated by
//! their deadline. A partner destination is the same record with the partner's endpoint.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::EventTypeInfo;
use super::channel::DestinationEndpoint;
use crate::error::{Error, Result, code};
use crate::ids::ResourceId;
use crate::resource::{SUCCEEDED, Tags, View};
use crate::subscriptions::SigningSecrets;

/// `activationState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivationState {
    NeverActivated,
    Activated,
    Deactivated,
}

/// What the customer asks of a topic's activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Activate,
    Deactivate,
}

/// The state after `action`. Both are idempotent; a topic never activated cannot be
/// deactivated (delete it to refuse it).
pub fn transition(state: ActivationState, action: Activation) -> Result<ActivationState> {
    use ActivationState::*;
    match (state, action) {
        (_, Activation::Activate) => Ok(Activated),
        (Activated | Deactivated, Activation::Deactivate) => Ok(Deactivated),
        (NeverActivated, Activation::Deactivate) => Err(Error::invalid(
            code::INVALID_ACTIVATION_TRANSITION,
            "this partner topic was never activated, so it cannot be deactivated; activate it first, or delete it to refuse it",
        )),
    }
}

/// A stored partner topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerTopic {
    pub id: ResourceId,
    pub location: String,
    pub tags: Tags,
    pub channel: ResourceId,
    pub partner_registration_immutable_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type_info: Option<EventTypeInfo>,
    #[serde(with = "time::serde::rfc3339")]
    pub expiration_time_if_not_activated_utc: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_for_activation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_topic_friendly_description: Option<String>,
    pub activation_state: ActivationState,
    /// Set on a partner destination: where its events go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<DestinationEndpoint>,
    /// Set on a partner destination: what its deliveries are signed with (the partner reads
    /// and rotates them through its channel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing: Option<SigningSecrets>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationProperties<'a> {
    pub partner_registration_immutable_id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_service_context: Option<&'a str>,
    pub endpoint_base_url: &'a str,
    #[serde(with = "time::serde::rfc3339")]
    pub expiration_time_if_not_activated_utc: OffsetDateTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_for_activation: Option<&'a str>,
    pub activation_state: ActivationState,
    pub provisioning_state: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicProperties<'a> {
    pub partner_registration_immutable_id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type_info: Option<&'a EventTypeInfo>,
    #[serde(with = "time::serde::rfc3339")]
    pub expiration_time_if_not_activated_utc: OffsetDateTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_for_activation: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_topic_friendly_description: Option<&'a str>,
    pub activation_state: ActivationState,
    pub provisioning_state: &'static str,
}

impl PartnerTopic {
    /// Gone from the API: never activated and past its activation deadline.
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.activation_state == ActivationState::NeverActivated
            && self.expiration_time_if_not_activated_utc <= now
    }

    /// The partner destination view (`Microsoft.EventGrid/partnerDestinations`).
    pub fn destination_view(&self) -> View<DestinationProperties<'_>> {
        let endpoint = self.destination.as_ref();
        View::new(
            &self.id,
            Some(self.location.clone()),
            Some(self.tags.clone()),
            DestinationProperties {
                partner_registration_immutable_id: self.partner_registration_immutable_id,
                endpoint_service_context: endpoint
                    .and_then(|d| d.endpoint_service_context.as_deref()),
                endpoint_base_url: endpoint.map_or("", |d| d.endpoint_base_url.as_str()),
                expiration_time_if_not_activated_utc: self.expiration_time_if_not_activated_utc,
                message_for_activation: self.message_for_activation.as_deref(),
                activation_state: self.activation_state,
                provisioning_state: SUCCEEDED,
            },
        )
    }

    pub fn view(&self) -> View<TopicProperties<'_>> {
        View::new(
            &self.id,
            Some(self.location.clone()),
            Some(self.tags.clone()),
            TopicProperties {
                partner_registration_immutable_id: self.partner_registration_immutable_id,
                source: self.source.as_deref(),
                event_type_info: self.event_type_info.as_ref(),
                expiration_time_if_not_activated_utc: self.expiration_time_if_not_activated_utc,
                message_for_activation: self.message_for_activation.as_deref(),
                partner_topic_friendly_description: self
                    .partner_topic_friendly_description
                    .as_deref(),
                activation_state: self.activation_state,
                provisioning_state: SUCCEEDED,
            },
        )
    }
}
