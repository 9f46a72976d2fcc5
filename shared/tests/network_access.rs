//! Rule tests for a publish endpoint's network settings: which addresses `inboundIpRules` and
//! `publicNetworkAccess` admit, and which masks a PUT may set.

use std::net::IpAddr;

use serde_json::json;
use shared::error::ErrorKind;
use shared::provisioning::access::{Access, AccessInput};

fn access(properties: serde_json::Value) -> Access {
    let mut access = Access::default();
    access
        .apply(serde_json::from_value::<AccessInput>(properties).unwrap())
        .unwrap();
    access
}

fn masks(list: &[&str]) -> Access {
    access(
        json!({"inboundIpRules": list.iter().map(|m| json!({"ipMask": m, "action": "Allow"})).collect::<Vec<_>>()}),
    )
}

fn ip(text: &str) -> Option<IpAddr> {
    Some(text.parse().unwrap())
}

fn refusal(access: &Access, client: Option<IpAddr>) -> &'static str {
    let error = access.admits(client).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Forbidden);
    error.code
}

#[test]
fn without_rules_every_address_is_admitted_even_an_unknown_one() {
    let open = Access::default();
    for client in [ip("203.0.113.9"), ip("2001:db8::1"), None] {
        assert!(open.admits(client).is_ok());
    }
}

#[test]
fn a_rule_admits_its_address_or_every_address_of_its_range() {
    let guarded = masks(&["203.0.113.9", "10.0.0.0/8", "2001:db8::/32"]);
    for client in ["203.0.113.9", "10.255.0.1", "2001:db8:1::5"] {
        assert!(guarded.admits(ip(client)).is_ok(), "{client}");
    }
}

#[test]
fn an_address_no_rule_holds_is_refused() {
    let guarded = masks(&["203.0.113.9", "10.0.0.0/8", "2001:db8::/32"]);
    for client in ["203.0.113.10", "11.0.0.1", "2001:db9::1"] {
        assert_eq!(
            refusal(&guarded, ip(client)),
            "IpAddressRejected",
            "{client}"
        );
    }
}

#[test]
fn an_ipv4_client_seen_through_a_dual_stack_socket_matches_its_ipv4_rule() {
    assert!(masks(&["10.0.0.0/8"]).admits(ip("::ffff:10.1.2.3")).is_ok());
}

#[test]
fn a_rule_of_ipv4_mapped_ipv6_addresses_holds_the_ipv4_addresses_it_maps() {
    let guarded = masks(&["::ffff:10.0.0.0/104"]);
    assert!(guarded.admits(ip("10.1.2.3")).is_ok());
    assert!(guarded.admits(ip("::ffff:10.1.2.3")).is_ok());
    assert_eq!(refusal(&guarded, ip("11.1.2.3")), "IpAddressRejected");
}

#[test]
fn every_mask_form_a_put_accepts_holds_what_it_says() {
    let guarded = masks(&["10.0.0.0/008", "192.0.2.1/"]);
    assert!(guarded.admits(ip("10.9.9.9")).is_ok());
    assert!(guarded.admits(ip("192.0.2.1")).is_ok());
    assert_eq!(refusal(&guarded, ip("192.0.2.2")), "IpAddressRejected");
}

#[test]
fn with_rules_an_unknown_address_is_refused() {
    assert_eq!(refusal(&masks(&["10.0.0.0/8"]), None), "IpAddressRejected");
}

#[test]
fn public_network_access_other_than_enabled_refuses_even_an_address_a_rule_holds() {
    for setting in ["Disabled", "SecuredByPerimeter"] {
        let closed = access(json!({
            "publicNetworkAccess": setting,
            "inboundIpRules": [{"ipMask": "10.0.0.0/8"}]
        }));
        assert_eq!(
            refusal(&closed, ip("10.0.0.1")),
            "PublicNetworkAccessDisabled"
        );
    }
}

#[test]
fn masks_that_are_not_an_address_or_a_cidr_range_are_refused_when_set() {
    for mask in [
        "10.0.0.0/33",
        "not-an-ip",
        "10.0.0/8",
        "010.0.0.0/8",
        "2001:db8::/129",
        "",
    ] {
        let input: AccessInput =
            serde_json::from_value(json!({"inboundIpRules": [{"ipMask": mask}]})).unwrap();
        let error = Access::default().apply(input).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Invalid, "{mask}");
        assert!(
            error.message.contains("ipMask"),
            "{mask}: {}",
            error.message
        );
    }
}
