//! How a publish endpoint (a partner namespace or a customer topic) may be reached: whether keys
//! and SAS tokens work, inbound IP rules, public network access and the minimum TLS version.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, code};

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
}

pub(crate) fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<()> {
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
