//! Customer topics (Event Grid "custom topics"): where a customer publishes its own events.
//! Two keys each, CloudEvents input, a deployment-unique name and an endpoint built on the
//! public URL; published to like a partner namespace, without routing.

use serde::{Deserialize, Serialize};

use super::access::{Access, AccessInput};
use super::endpoint::{AccessKeys, publish_endpoint, url};
use crate::error::{Error, Result, code};
use crate::ids::{ResourceId, ResourceType};
use crate::resource::{SUCCEEDED, Tags, View};

/// The one input schema topics accept.
pub const CLOUD_EVENTS: &str = "CloudEventSchemaV1_0";

/// The settable topic properties, as a PUT sends them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicInput {
    pub input_schema: Option<String>,
    #[serde(flatten)]
    pub access: AccessInput,
}

/// A stored customer topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomTopic {
    pub id: ResourceId,
    pub location: String,
    pub tags: Tags,
    pub input_schema: String,
    #[serde(flatten)]
    pub access: Access,
    pub keys: AccessKeys,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicProperties<'a> {
    pub input_schema: &'a str,
    #[serde(flatten)]
    pub access: &'a Access,
    pub endpoint: String,
    pub provisioning_state: &'static str,
}

/// Checks a requested input schema: only CloudEvents 1.0.
pub fn check_input_schema(schema: Option<&str>) -> Result<()> {
    match schema {
        None | Some(CLOUD_EVENTS) => Ok(()),
        Some(other) => Err(Error::invalid(
            code::INVALID_PROPERTY,
            format!(
                "properties.inputSchema is '{other}'; this service accepts only '{CLOUD_EVENTS}' (publish CloudEvents 1.0)"
            ),
        )),
    }
}

impl CustomTopic {
    pub fn view(&self, public_url: &str) -> View<TopicProperties<'_>> {
        View::new(
            &self.id,
            Some(self.location.clone()),
            Some(self.tags.clone()),
            TopicProperties {
                input_schema: &self.input_schema,
                access: &self.access,
                endpoint: url::<Self>(public_url, self.id.name()),
                provisioning_state: SUCCEEDED,
            },
        )
    }
}

publish_endpoint!(
    CustomTopic,
    ResourceType::Topics,
    "topic",
    crate::table::topic_by_name
);
