//! Partner namespaces: where a partner publishes. Two keys each, a routing mode fixed at
//! creation, a deployment-unique name and an endpoint built on the public URL.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::random_bytes;
use crate::error::{Error, Result, code};
use crate::ids::ResourceId;
use crate::resource::{SUCCEEDED, Tags, View};

/// How a namespace routes a published event to a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum RoutingMode {
    /// By the `aeg-channel-name` header.
    ChannelNameHeader,
    /// By each event's `source`, matched to the channel's `partnerTopicInfo.source`.
    #[default]
    SourceEventAttribute,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundIpRule {
    pub ip_mask: String,
    #[serde(default = "allow")]
    pub action: String,
}

fn allow() -> String {
    "Allow".into()
}

/// The two namespace keys: 256 random bits each, standard base64 (SAS signing decodes them).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceKeys {
    pub key1: String,
    pub key2: String,
}

impl std::fmt::Debug for NamespaceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NamespaceKeys(..)")
    }
}

pub fn new_key() -> Result<String> {
    Ok(STANDARD.encode(random_bytes::<32>()?))
}

impl NamespaceKeys {
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

/// The settable namespace properties, as a PUT sends them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceInput {
    pub partner_registration_fully_qualified_id: Option<String>,
    pub partner_topic_routing_mode: Option<RoutingMode>,
    pub disable_local_auth: Option<bool>,
    pub inbound_ip_rules: Option<Vec<InboundIpRule>>,
    pub public_network_access: Option<String>,
    pub minimum_tls_version_allowed: Option<String>,
}

/// The namespace properties a PATCH may change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamespacePatch {
    pub disable_local_auth: Option<bool>,
    pub inbound_ip_rules: Option<Vec<InboundIpRule>>,
    pub public_network_access: Option<String>,
    pub minimum_tls_version_allowed: Option<String>,
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
    pub disable_local_auth: bool,
    pub inbound_ip_rules: Vec<InboundIpRule>,
    pub public_network_access: String,
    pub minimum_tls_version_allowed: String,
    pub keys: NamespaceKeys,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceProperties<'a> {
    pub partner_registration_fully_qualified_id: String,
    pub partner_topic_routing_mode: RoutingMode,
    pub disable_local_auth: bool,
    pub inbound_ip_rules: &'a [InboundIpRule],
    pub public_network_access: &'a str,
    pub minimum_tls_version_allowed: &'a str,
    pub endpoint: String,
    pub provisioning_state: &'static str,
}

/// The data-plane endpoint of a namespace named `name` under `public_url`.
pub fn endpoint(public_url: &str, name: &str) -> String {
    format!(
        "{}/partnerNamespaces/{name}/api/events",
        public_url.trim_end_matches('/')
    )
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
                disable_local_auth: self.disable_local_auth,
                inbound_ip_rules: &self.inbound_ip_rules,
                public_network_access: &self.public_network_access,
                minimum_tls_version_allowed: &self.minimum_tls_version_allowed,
                endpoint: endpoint(public_url, self.id.name()),
                provisioning_state: SUCCEEDED,
            },
        )
    }

    /// Applies the settable network and auth properties, checking each.
    pub fn apply(
        &mut self,
        disable_local_auth: Option<bool>,
        inbound_ip_rules: Option<Vec<InboundIpRule>>,
        public_network_access: Option<String>,
        minimum_tls_version_allowed: Option<String>,
    ) -> Result<()> {
        if let Some(v) = disable_local_auth {
            self.disable_local_auth = v;
        }
        if let Some(rules) = inbound_ip_rules {
            for rule in &rules {
                check_ip_rule(rule)?;
            }
            self.inbound_ip_rules = rules;
        }
        if let Some(v) = public_network_access {
            one_of(
                "publicNetworkAccess",
                &v,
                &["Enabled", "Disabled", "SecuredByPerimeter"],
            )?;
            self.public_network_access = v;
        }
        if let Some(v) = minimum_tls_version_allowed {
            one_of("minimumTlsVersionAllowed", &v, &["1.0", "1.1", "1.2"])?;
            self.minimum_tls_version_allowed = v;
        }
        Ok(())
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

fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid(
            code::INVALID_PROPERTY,
            format!(
                "properties.{field} is '{value}'; use one of {}",
                allowed.join(", ")
            ),
        ))
    }
}

fn check_ip_rule(rule: &InboundIpRule) -> Result<()> {
    let (addr, prefix) = rule.ip_mask.split_once('/').unwrap_or((&rule.ip_mask, ""));
    let ip: std::net::IpAddr = addr.parse().map_err(|_| bad_mask(rule))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    if !prefix.is_empty() && !prefix.parse::<u8>().is_ok_and(|p| p <= max) {
        return Err(bad_mask(rule));
    }
    one_of("inboundIpRules.action", &rule.action, &["Allow"])
}

fn bad_mask(rule: &InboundIpRule) -> Error {
    Error::invalid(
        code::INVALID_PROPERTY,
        format!(
            "inboundIpRules ipMask '{}' is not an IP address or CIDR range (e.g. 10.0.0.0/8)",
            rule.ip_mask
        ),
    )
}
