//! Publish endpoints: what partner namespaces and customer topics share. Each has a name unique
//! in the deployment (held by a name index item), tags and a location, network and auth
//! settings ([`Access`]), two publishing keys ([`AccessKeys`]), and a data-plane URL built on
//! its name. What differs stays with each: a namespace's registration and routing mode, a
//! topic's input schema. Each implements [`PublishEndpoint`] in its own module (with
//! `publish_endpoint!`), so this module imports neither.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::access::Access;
use crate::auth::random_bytes;
use crate::error::{Error, Result, code};
use crate::ids::{ResourceId, ResourceType};
use crate::ports::Key;
use crate::resource::Tags;

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

/// The two access keys of a publish endpoint (a partner namespace or a customer topic): 256
/// random bits each, standard base64 (SAS signing decodes them).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKeys {
    pub key1: String,
    pub key2: String,
}

impl std::fmt::Debug for AccessKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessKeys(..)")
    }
}

pub fn new_key() -> Result<String> {
    Ok(STANDARD.encode(random_bytes::<32>()?))
}

impl AccessKeys {
    pub fn generate() -> Result<Self> {
        Ok(Self {
            key1: new_key()?,
            key2: new_key()?,
        })
    }

    /// Replaces `key1` or `key2`; the other keeps working.
    pub fn regenerate(&mut self, key_name: &str) -> Result<()> {
        match key_name {
            "key1" => self.key1 = new_key()?,
            "key2" => self.key2 = new_key()?,
            other => {
                return Err(Error::invalid(
                    code::INVALID_KEY_NAME,
                    format!("keyName is '{other}'; use 'key1' or 'key2'"),
                ));
            }
        }
        Ok(())
    }
}

/// The body of `POST .../regenerateKey`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegenerateKey {
    pub key_name: String,
}

/// Implements [`PublishEndpoint`] for a stored endpoint with `id`, `location`, `tags`, `access`
/// and `keys` fields: `publish_endpoint!(Type, kind, "what", name_index_fn)`.
macro_rules! publish_endpoint {
    ($type:ty, $kind:expr, $what:literal, $index:path) => {
        impl $crate::provisioning::endpoint::PublishEndpoint for $type {
            const KIND: $crate::ids::ResourceType = $kind;
            const WHAT: &'static str = $what;

            fn id(&self) -> &$crate::ids::ResourceId {
                &self.id
            }
            fn tags_mut(&mut self) -> &mut $crate::resource::Tags {
                &mut self.tags
            }
            fn location_mut(&mut self) -> &mut String {
                &mut self.location
            }
            fn access(&self) -> &$crate::provisioning::access::Access {
                &self.access
            }
            fn access_mut(&mut self) -> &mut $crate::provisioning::access::Access {
                &mut self.access
            }
            fn keys(&self) -> &$crate::provisioning::endpoint::AccessKeys {
                &self.keys
            }
            fn keys_mut(&mut self) -> &mut $crate::provisioning::endpoint::AccessKeys {
                &mut self.keys
            }
            fn name_index(name: &str) -> $crate::ports::Key {
                $index(name)
            }
        }
    };
}

pub(crate) use publish_endpoint;
