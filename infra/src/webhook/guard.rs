//! The SSRF guard: which addresses a webhook may reach.

use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use shared::error::{Error, Result};

/// The code of a webhook URL refused before any request.
pub const INVALID_URL: &str = "InvalidWebhookUrl";
pub const TARGET_NOT_ALLOWED: &str = "WebhookTargetNotAllowed";

/// True for loopback, private, link-local (cloud metadata), CGNAT, unspecified, multicast and
/// other non-public addresses.
pub fn is_blocked(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
        }
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => is_blocked(IpAddr::V4(v4)),
            None => {
                v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || v6.is_unique_local()
                    || v6.is_unicast_link_local()
                    || (v6.segments()[0] & 0xffc0) == 0xfec0
            }
        },
    }
}

/// The IPv4 address an IPv6 one carries: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
/// (`::a.b.c.d`), NAT64 (`64:ff9b::/96`) or 6to4 (`2002::/16`).
fn embedded_v4(v6: std::net::Ipv6Addr) -> Option<std::net::Ipv4Addr> {
    let s = v6.segments();
    let tail =
        std::net::Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    match s {
        [0, 0, 0, 0, 0, 0, _, _] if !v6.is_loopback() && !v6.is_unspecified() => Some(tail),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(tail),
        [0x2002, hi, lo, ..] => Some(std::net::Ipv4Addr::new(
            (hi >> 8) as u8,
            hi as u8,
            (lo >> 8) as u8,
            lo as u8,
        )),
        _ => None,
    }
}

/// The networks a webhook may reach besides the public internet: none by default; a private
/// deployment names its own (a VPC's `10.0.0.0/8`), or every network (`0.0.0.0/0, ::/0`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedNetworks(Vec<IpNet>);

impl AllowedNetworks {
    /// Every address, loopback and private ones included (local runs and tests).
    pub fn all() -> Self {
        Self(vec![
            IpNet::V4(Ipv4Net::default()),
            IpNet::V6(Ipv6Net::default()),
        ])
    }

    /// Parses a list of CIDR blocks separated by commas or spaces; empty means none.
    pub fn parse(list: &str) -> Result<Self> {
        list.split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|cidr| {
                cidr.parse::<IpNet>().map(|n| n.trunc()).map_err(|_| {
                    Error::internal(format!(
                        "allowed webhook network '{cidr}' is not a CIDR block such as 10.0.0.0/8 or fd00::/8"
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()
            .map(Self)
    }

    /// True when a webhook may connect to `ip`: a public address, or one in an allowed network.
    pub fn allows(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        !is_blocked(ip) || self.0.iter().any(|n| n.contains(&ip))
    }
}

pub fn not_allowed(url: &str) -> Error {
    let url = shared::subscriptions::destination::base_url(url);
    Error::invalid(
        TARGET_NOT_ALLOWED,
        format!(
            "webhook '{url}' resolves to a loopback, private, link-local or metadata address outside the networks this deployment allows"
        ),
    )
}

/// Parses a webhook URL: http or https with a host; an IP-literal host must be allowed.
pub fn check_url(url: &str, allowed: &AllowedNetworks) -> Result<url::Url> {
    let shown = shared::subscriptions::destination::base_url(url);
    let parsed = url::Url::parse(url).map_err(|e| {
        Error::invalid(
            INVALID_URL,
            format!("webhook URL '{shown}' is not a URL: {e}"),
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid(
            INVALID_URL,
            format!("webhook URL '{shown}' must be an http:// or https:// URL with a host"),
        ));
    }
    let literal = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    };
    if literal.is_some_and(|ip| !allowed.allows(ip)) {
        return Err(not_allowed(url));
    }
    Ok(parsed)
}

/// A host name that resolved only to addresses the guard refuses.
#[derive(Debug)]
pub(super) struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{TARGET_NOT_ALLOWED}: {} resolves only to addresses that are not allowed",
            self.0
        )
    }
}

impl std::error::Error for Refused {}
