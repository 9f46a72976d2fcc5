//! What a channel PUT does, from what it asks, its namespace, the channel stored at its id, the
//! customer's partner configuration and the time: replace the live channel as a PATCH would,
//! or create the channel and its partner topic (or partner destination), both waiting for
//! activation. Reading and writing them is the use case's.

use time::OffsetDateTime;

use super::activation_deadline;
use super::channel::{
    Channel, ChannelInput, ChannelPatch, ChannelType, PartnerTopicInfo, PartnerTopicInfoPatch,
    ReadinessState, check_replacement,
};
use super::namespace::{PartnerNamespace, RoutingMode};
use super::topic::{ActivationState, PartnerTopic};
use crate::error::{Error, Result, code};
use crate::ids::ResourceId;
use crate::partners::configuration::{PartnerConfiguration, require_authorized};
use crate::subscriptions::SigningSecrets;

/// A channel PUT's properties, checked against its namespace's routing mode.
#[derive(Debug, Clone)]
pub struct ChannelRequest {
    pub channel_type: ChannelType,
    /// The validated `partnerTopicInfo` (or `partnerDestinationInfo`).
    pub info: PartnerTopicInfo,
    pub input: ChannelInput,
}

/// What a channel PUT does with the channel stored at its id.
#[derive(Debug, Clone)]
pub enum ChannelPut {
    /// The channel is live: the PUT changes what this PATCH changes.
    Replace(ChannelPatch),
    /// There is none, or it expired: the PUT creates a new one.
    Create,
}

/// A new channel and the partner topic or destination it creates.
#[derive(Debug, Clone)]
pub struct NewChannel {
    pub channel: Channel,
    pub topic: PartnerTopic,
    /// Whether the channel's source routes to it, its own in the namespace: the namespace
    /// routes by source.
    pub routes_by_source: bool,
}

impl ChannelRequest {
    /// Checks `input`: the info its `channelType` (default `PartnerTopic`) needs, a source
    /// when a namespace routing by `routing` needs one.
    pub fn new(input: ChannelInput, routing: RoutingMode) -> Result<Self> {
        let channel_type = input.channel_type.unwrap_or(ChannelType::PartnerTopic);
        let required = |field: &str, kind: &str| {
            Error::invalid(
                code::INVALID_PROPERTY,
                format!("properties.{field} is required for channelType '{kind}'"),
            )
        };
        let info = match channel_type {
            ChannelType::PartnerTopic => input
                .partner_topic_info
                .clone()
                .ok_or_else(|| required("partnerTopicInfo", "PartnerTopic"))?
                .validate(routing == RoutingMode::SourceEventAttribute)?,
            ChannelType::PartnerDestination => input
                .partner_destination_info
                .clone()
                .ok_or_else(|| required("partnerDestinationInfo", "PartnerDestination"))?
                .validate()?,
        };
        Ok(Self {
            channel_type,
            info,
            input,
        })
    }

    /// The partner topic or destination the request names.
    pub fn topic_id(&self) -> Result<ResourceId> {
        self.info.topic_id()
    }

    /// True when the request creates a partner destination (which signs its deliveries).
    pub fn is_destination(&self) -> bool {
        self.info.destination.is_some()
    }

    /// Replace when `stored` is live at `now` (400 `ImmutableProperty` when the request changes
    /// more than a PATCH may), otherwise create.
    pub fn against(&self, stored: Option<&Channel>, now: OffsetDateTime) -> Result<ChannelPut> {
        let Some(current) = stored.filter(|c| !c.is_expired(now)) else {
            return Ok(ChannelPut::Create);
        };
        check_replacement(current, &self.info, &self.input.message_for_activation)?;
        Ok(ChannelPut::Replace(ChannelPatch {
            expiration_time_if_not_activated_utc: self.input.expiration_time_if_not_activated_utc,
            partner_topic_info: Some(PartnerTopicInfoPatch {
                event_type_info: self.info.event_type_info.clone(),
            }),
        }))
    }

    /// The channel `id` of `namespace` and its partner topic or destination, never activated,
    /// waiting until the requested deadline (400 if it is not after `now`; 7 days without one).
    /// 403 `PartnerNotAuthorized` unless `configuration`, the customer's in the topic's
    /// resource group, authorizes the namespace's partner at `now`. A destination signs with
    /// `signing`.
    pub fn create(
        self,
        id: &ResourceId,
        namespace: &PartnerNamespace,
        configuration: Option<&PartnerConfiguration>,
        signing: Option<SigningSecrets>,
        now: OffsetDateTime,
    ) -> Result<NewChannel> {
        let topic_id = self.topic_id()?;
        let deadline = activation_deadline(self.input.expiration_time_if_not_activated_utc, now)?;
        let partner = namespace.partner_registration_immutable_id;
        require_authorized(configuration, partner, &topic_id, now)?;
        let input = self.input;
        let channel = Channel {
            id: id.clone(),
            channel_type: self.channel_type,
            partner_topic_info: self.info.clone(),
            message_for_activation: input.message_for_activation.clone(),
            expiration_time_if_not_activated_utc: deadline,
            readiness_state: ReadinessState::NeverActivated,
        };
        let topic = PartnerTopic {
            id: topic_id,
            location: "global".into(),
            tags: Default::default(),
            channel: id.clone(),
            partner_registration_immutable_id: partner,
            source: self.info.source,
            event_type_info: self.info.event_type_info,
            expiration_time_if_not_activated_utc: deadline,
            message_for_activation: input.message_for_activation,
            partner_topic_friendly_description: input.partner_topic_friendly_description,
            activation_state: ActivationState::NeverActivated,
            signing: signing.filter(|_| self.info.destination.is_some()),
            destination: self.info.destination,
        };
        Ok(NewChannel {
            channel,
            topic,
            routes_by_source: namespace.partner_topic_routing_mode
                == RoutingMode::SourceEventAttribute,
        })
    }
}
