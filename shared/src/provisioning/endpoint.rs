//! Publish endpoints: what partner namespaces and customer topics share. Each has a name unique
//! in the deployment (held by a name index item), tags and a location, network and auth
//! settings ([`Access`]), two publishing keys, and a data-plane URL built on its name. What
//! differs stays with each: a namespace's registration and routing mode, a topic's input schema.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::access::Access;
use super::custom_topic::CustomTopic;
use super::namespace::{AccessKeys, PartnerNamespace};
use crate::ids::{ResourceId, ResourceType};
use crate::ports::Key;
use crate::resource::Tags;
use crate::table;

/// A resource events are published to with a key or SAS token.
pub trait PublishEndpoint: Clone + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Its resource type.
    const KIND: ResourceType;
    /// How messages name it: "partner namespace", "topic".
    const WHAT: &'static str;

    /// Its resource id.
    fn id(&self) -> &ResourceId;
    /// Its tags, to replace.
    fn tags_mut(&mut self) -> &mut Tags;
    /// Its location, to replace.
    fn location_mut(&mut self) -> &mut String;
    /// Its network and auth settings.
    fn access(&self) -> &Access;
    /// Its network and auth settings, to change.
    fn access_mut(&mut self) -> &mut Access;
    /// Its two publishing keys.
    fn keys(&self) -> &AccessKeys;
    /// Its two publishing keys, to regenerate one.
    fn keys_mut(&mut self) -> &mut AccessKeys;
    /// The key of the index item that holds the deployment-unique `name`.
    fn name_index(name: &str) -> Key;
}

/// The data-plane URL of the endpoint of kind `E` named `name` under `public_url`.
pub fn url<E: PublishEndpoint>(public_url: &str, name: &str) -> String {
    format!(
        "{}/{}/{name}/api/events",
        public_url.trim_end_matches('/'),
        E::KIND.segment()
    )
}

/// The body of `POST .../regenerateKey`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegenerateKey {
    pub key_name: String,
}

macro_rules! publish_endpoint {
    ($type:ty, $kind:expr, $what:literal, $index:path) => {
        impl PublishEndpoint for $type {
            const KIND: ResourceType = $kind;
            const WHAT: &'static str = $what;

            fn id(&self) -> &ResourceId {
                &self.id
            }
            fn tags_mut(&mut self) -> &mut Tags {
                &mut self.tags
            }
            fn location_mut(&mut self) -> &mut String {
                &mut self.location
            }
            fn access(&self) -> &Access {
                &self.access
            }
            fn access_mut(&mut self) -> &mut Access {
                &mut self.access
            }
            fn keys(&self) -> &AccessKeys {
                &self.keys
            }
            fn keys_mut(&mut self) -> &mut AccessKeys {
                &mut self.keys
            }
            fn name_index(name: &str) -> Key {
                $index(name)
            }
        }
    };
}

publish_endpoint!(
    PartnerNamespace,
    ResourceType::PartnerNamespaces,
    "partner namespace",
    table::namespace_by_name
);
publish_endpoint!(
    CustomTopic,
    ResourceType::Topics,
    "topic",
    table::topic_by_name
);
