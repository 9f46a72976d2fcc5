//! The SSRF guard's address table: what a webhook may never reach on a public deployment.

use std::net::IpAddr;

use infra::webhook::{AllowedNetworks, check_url, is_blocked};

#[test]
fn internal_addresses_in_every_form_are_blocked_and_public_ones_are_not() {
    let blocked = [
        "127.0.0.1",
        "127.9.9.9",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "0.1.2.3",
        "224.0.0.1",
        "255.255.255.255",
        "240.0.0.1",
        "198.18.0.1",
        "192.0.2.1",
        "::1",
        "::",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "fec0::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "64:ff9b::a00:1",
        "64:ff9b::7f00:1",
        "2002:7f00:1::",
        "2002:a9fe:a9fe::",
    ];
    for ip in blocked {
        assert!(
            is_blocked(ip.parse::<IpAddr>().unwrap()),
            "{ip} must be blocked"
        );
    }
    let public = [
        "8.8.8.8",
        "1.1.1.1",
        "52.94.236.248",
        "2606:4700:4700::1111",
        "2001:4860:4860::8888",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::",
    ];
    for ip in public {
        assert!(!is_blocked(ip.parse::<IpAddr>().unwrap()), "{ip} is public");
    }
}

#[test]
fn literal_internal_urls_are_refused_before_any_request_unless_allowed() {
    let none = AllowedNetworks::default();
    for url in [
        "http://127.0.0.1/hook",
        "http://[::ffff:127.0.0.1]/h",
        "http://2130706433/h",
        "http://0x7f.1/h",
        "http://[::]/h",
        "https://169.254.169.254/latest",
    ] {
        let e = check_url(url, &none).unwrap_err();
        assert_eq!(e.code, "WebhookTargetNotAllowed", "{url}: {}", e.message);
        assert!(
            check_url(url, &AllowedNetworks::all()).is_ok(),
            "{url} is allowed when private webhooks are"
        );
    }
    for url in [
        "ftp://example.com/x",
        "example.com/x",
        "http://",
        "file:///etc/passwd",
    ] {
        assert_eq!(
            check_url(url, &none).unwrap_err().code,
            "InvalidWebhookUrl",
            "{url}"
        );
    }
    let e = check_url("http://user:pa55@127.0.0.1/hook?code=s3cret", &none).unwrap_err();
    assert!(
        !e.message.contains("pa55") && !e.message.contains("s3cret"),
        "{}",
        e.message
    );
}

#[test]
fn allowed_networks_open_only_the_named_private_blocks() {
    let vpc = AllowedNetworks::parse("10.0.0.0/8, fd00::/8").unwrap();
    for ip in ["10.1.2.3", "::ffff:10.9.9.9", "fd12::1", "93.184.216.34"] {
        assert!(vpc.allows(ip.parse().unwrap()), "{ip} is allowed");
    }
    for ip in ["127.0.0.1", "192.168.1.1", "169.254.169.254", "::1"] {
        assert!(!vpc.allows(ip.parse().unwrap()), "{ip} stays refused");
    }
    assert!(check_url("http://10.0.0.7/hook", &vpc).is_ok());
    assert_eq!(
        check_url("http://192.168.0.7/hook", &vpc).unwrap_err().code,
        "WebhookTargetNotAllowed"
    );
    assert_eq!(
        AllowedNetworks::parse(" ").unwrap(),
        AllowedNetworks::default()
    );
    let e = AllowedNetworks::parse("10.0.0.0/33").unwrap_err();
    assert!(e.message.contains("'10.0.0.0/33'"), "{}", e.message);
}
