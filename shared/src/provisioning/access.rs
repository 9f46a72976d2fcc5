//! How a publish endpoint (a partner namespace or a customer topic) may be reached: whether keys
//! and SAS tokens work, inbound IP rules, public network access and the minimum TLS version.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Stable codes of a publish endpoint's network refusals.
pub mod code {
    pub const IP_ADDRESS_REJECTED: &str = "IpAddressRejected";
    pub const PUBLIC_NETWORK_ACCESS_DISABLED: &str = "PublicNetworkAccessDisabled";
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

/// The stored access settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Access {
    pub disable_local_auth: bool,
    pub inbound_ip_rules: Vec<InboundIpRule>,
    pub public_network_access: String,
    pub minimum_tls_version_allowed: String,
}

impl Default for Access {
    fn default() -> Self {
        Self {
            disable_local_auth: false,
            inbound_ip_rules: Vec::new(),
            public_network_access: "Enabled".into(),
            minimum_tls_version_allowed: "1.2".into(),
        }
    }
}

/// The access settings a PUT or PATCH may send; absent ones are kept.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessInput {
    pub disable_local_auth: Option<bool>,
    pub inbound_ip_rules: Option<Vec<InboundIpRule>>,
    pub public_network_access: Option<String>,
    pub minimum_tls_version_allowed: Option<String>,
}

impl Access {
    /// Applies what `input` sets, checking each value.
    pub fn apply(&mut self, input: AccessInput) -> Result<()> {
        if let Some(v) = input.disable_local_auth {
            self.disable_local_auth = v;
        }
        if let Some(rules) = input.inbound_ip_rules {
            for rule in &rules {
                check_ip_rule(rule)?;
            }
            self.inbound_ip_rules = rules;
        }
        if let Some(v) = input.public_network_access {
            one_of(
                "publicNetworkAccess",
                &v,
                &["Enabled", "Disabled", "SecuredByPerimeter"],
            )?;
            self.public_network_access = v;
        }
        if let Some(v) = input.minimum_tls_version_allowed {
            one_of("minimumTlsVersionAllowed", &v, &["1.0", "1.1", "1.2"])?;
            self.minimum_tls_version_allowed = v;
        }
        Ok(())
    }

    /// Whether a publisher at `client` may reach the endpoint. With `publicNetworkAccess` other
    /// than `Enabled` nobody may (this deployment has no private endpoints or perimeters); with
    /// `inboundIpRules`, only an address one of them holds (an unknown address never is).
    pub fn admits(&self, client: Option<IpAddr>) -> Result<()> {
        if self.public_network_access != "Enabled" {
            return Err(Error::forbidden(
                code::PUBLIC_NETWORK_ACCESS_DISABLED,
                format!(
                    "publishing is refused: publicNetworkAccess is {} and this deployment has no \
                     private endpoints; set properties.publicNetworkAccess to Enabled and list \
                     the publishers' addresses in properties.inboundIpRules",
                    self.public_network_access
                ),
            ));
        }
        if self.inbound_ip_rules.is_empty() {
            return Ok(());
        }
        let client = client.map(|ip| ip.to_canonical());
        let held = client.is_some_and(|ip| {
            self.inbound_ip_rules
                .iter()
                .filter_map(|rule| mask(&rule.ip_mask))
                .any(|net| net.contains(&ip))
        });
        if held {
            return Ok(());
        }
        let who = client.map_or_else(|| "an unknown address".to_owned(), |ip| ip.to_string());
        Err(Error::forbidden(
            code::IP_ADDRESS_REJECTED,
            format!(
                "publishing by client {who} is rejected due to IpAddress filtering rules; add \
                 the address, or a range holding it, to properties.inboundIpRules"
            ),
        ))
    }
}

/// An `ipMask`: one address, or an address and a prefix length (`10.0.0.0/8`). A range of
/// IPv4-mapped IPv6 addresses is read as the IPv4 range it maps, as clients' addresses are.
fn mask(text: &str) -> Option<IpNet> {
    let (address, prefix) = text.split_once('/').unwrap_or((text, ""));
    let address: IpAddr = address.parse().ok()?;
    let most = if address.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        "" => most,
        digits => digits.parse::<u8>().ok().filter(|p| *p <= most)?,
    };
    match address {
        IpAddr::V6(v6) if prefix >= 96 => match v6.to_ipv4_mapped() {
            Some(v4) => IpNet::new(IpAddr::V4(v4), prefix - 96).ok(),
            None => IpNet::new(address, prefix).ok(),
        },
        _ => IpNet::new(address, prefix).ok(),
    }
}

pub(crate) fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid(
            crate::error::code::INVALID_PROPERTY,
            format!(
                "properties.{field} is '{value}'; use one of {}",
                allowed.join(", ")
            ),
        ))
    }
}

fn check_ip_rule(rule: &InboundIpRule) -> Result<()> {
    mask(&rule.ip_mask).ok_or_else(|| bad_mask(rule))?;
    one_of("inboundIpRules.action", &rule.action, &["Allow"])
}

fn bad_mask(rule: &InboundIpRule) -> Error {
    Error::invalid(
        crate::error::code::INVALID_PROPERTY,
        format!(
            "inboundIpRules ipMask '{}' is not an IP address or CIDR range (e.g. 10.0.0.0/8)",
            rule.ip_mask
        ),
    )
}
