//! Partner namespaces: where a partner publishes. Two keys each, a routing mode fixed at
//! creation, a deployment-unique name and an endpoint built on the public URL.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::endpoint::{AccessKeys, publish_endpoint, url};
use crate::error::{Error, Result, code};
use crate::ids::{ResourceId, ResourceType};
use crate::resource::{SUCCEEDED, Tags, View};

pub use super::access::{Access, AccessInput, InboundIpRule};

/// How a namespace routes a published event to a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum RoutingMode {
    /// By the `aeg-channel-name` header.
    ChannelNameHeader,
    /// By each event's `source`, matched to the channel's `partnerTopicInfo.source`.
    #[default]
    SourceEventAttribute,
}

/// The settable namespace properties, as a PUT sends them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceInput {
    pub partner_registration_fully_qualified_id: Option<String>,
    pub partner_topic_routing_mode: Option<RoutingMode>,
    #[serde(flatten)]
    pub access: AccessInput,
}

/// The namespace properties a PATCH may change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespacePatch {
    #[serde(flatten)]
    pub access: AccessInput,
}

/// A stored partner namespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerNamespace {
    pub id: ResourceId,
    pub location: String,
    pub tags: Tags,
    pub partner_registration_fully_qualified_id: ResourceId,
    pub partner_registration_immutable_id: Uuid,
    pub partner_topic_routing_mode: RoutingMode,
    #[serde(flatten)]
    pub access: Access,
    pub keys: AccessKeys,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceProperties<'a> {
    pub partner_registration_fully_qualified_id: String,
    pub partner_topic_routing_mode: RoutingMode,
    #[serde(flatten)]
    pub access: &'a Access,
    pub endpoint: String,
    pub provisioning_state: &'static str,
}

impl PartnerNamespace {
    pub fn view(&self, public_url: &str) -> View<NamespaceProperties<'_>> {
        View::new(
            &self.id,
            Some(self.location.clone()),
            Some(self.tags.clone()),
            NamespaceProperties {
                partner_registration_fully_qualified_id: self
                    .partner_registration_fully_qualified_id
                    .to_string(),
                partner_topic_routing_mode: self.partner_topic_routing_mode,
                access: &self.access,
                endpoint: url::<Self>(public_url, self.id.name()),
                provisioning_state: SUCCEEDED,
            },
        )
    }
}

/// Fails when a PUT would change the routing mode of an existing namespace.
pub fn check_routing_mode_unchanged(
    current: RoutingMode,
    requested: Option<RoutingMode>,
) -> Result<()> {
    match requested {
        Some(r) if r != current => Err(Error::invalid(
            code::IMMUTABLE_PROPERTY,
            format!(
                "partnerTopicRoutingMode is {current:?} and cannot change; create a new namespace for {r:?} routing"
            ),
        )),
        _ => Ok(()),
    }
}

publish_endpoint!(
    PartnerNamespace,
    ResourceType::PartnerNamespaces,
    "partner namespace",
    crate::table::namespace_by_name
);
