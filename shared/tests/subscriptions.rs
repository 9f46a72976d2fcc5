//! Rule tests for subscription settings: what a read may show of an endpoint, retry policy
//! ranges and WebHook checks.

use shared::subscriptions::RetryPolicy;
use shared::subscriptions::destination::base_url;

#[test]
fn the_shown_endpoint_drops_query_fragment_and_credentials() {
    let table = [
        (
            "https://hooks.example/a/b?code=s3cret",
            "https://hooks.example/a/b",
        ),
        (
            "https://user:pa55@hooks.example/a?x=1",
            "https://hooks.example/a",
        ),
        (
            "https://user@hooks.example:8443",
            "https://hooks.example:8443",
        ),
        (
            "http://hooks.example/path#frag",
            "http://hooks.example/path",
        ),
        ("https://hooks.example/a@b", "https://hooks.example/a@b"),
    ];
    for (url, shown) in table {
        assert_eq!(base_url(url), shown, "{url}");
    }
}

#[test]
fn retry_policies_stay_within_event_grids_ranges() {
    let ok = [(1, 1), (30, 1440), (10, 60)];
    for (attempts, ttl) in ok {
        assert!(
            RetryPolicy {
                max_delivery_attempts: attempts,
                event_time_to_live_in_minutes: ttl
            }
            .check()
            .is_ok()
        );
    }
    for (attempts, ttl) in [(0, 60), (31, 60), (10, 0), (10, 1441), (-1, -1)] {
        let e = RetryPolicy {
            max_delivery_attempts: attempts,
            event_time_to_live_in_minutes: ttl,
        }
        .check()
        .unwrap_err();
        assert_eq!(e.code, "InvalidRetryPolicy");
    }
    assert_eq!(
        RetryPolicy::default(),
        RetryPolicy {
            max_delivery_attempts: 30,
            event_time_to_live_in_minutes: 1440
        }
    );
}

fn hook_with(mappings: serde_json::Value) -> shared::subscriptions::WebHook {
    serde_json::from_value(serde_json::json!({
        "endpointUrl": "https://hooks.example/h",
        "deliveryAttributeMappings": mappings,
    }))
    .unwrap()
}

fn fixed(name: &str, value: &str) -> serde_json::Value {
    serde_json::json!({"name": name, "type": "Static", "properties": {"value": value}})
}

fn dynamic(name: &str, field: &str) -> serde_json::Value {
    serde_json::json!({"name": name, "type": "Dynamic", "properties": {"sourceField": field}})
}

#[test]
fn delivery_attributes_may_not_set_framing_hop_by_hop_or_event_grid_headers() {
    for name in [
        "Host",
        "Content-Length",
        "content-type",
        "Content-Encoding",
        "Transfer-Encoding",
        "Connection",
        "Keep-Alive",
        "Upgrade",
        "TE",
        "Trailer",
        "Expect",
        "Proxy-Authorization",
        "proxy-connection",
        "aeg-subscription-name",
        "AEG-Delivery-Count",
        "aeg-event-type",
        "aeg-metadata-version",
        "aeg-data-version",
        "WebHook-Request-Origin",
    ] {
        let e = hook_with(serde_json::json!([fixed(name, "0")]))
            .check()
            .unwrap_err();
        assert_eq!(e.code, "InvalidDeliveryAttributeMapping", "{name}");
        assert!(e.message.contains(name), "{name}: {}", e.message);
    }
    for name in [
        "Authorization",
        "x-api-key",
        "X-Tenant",
        "Hostname",
        "tenant",
    ] {
        assert!(
            hook_with(serde_json::json!([fixed(name, "v")]))
                .check()
                .is_ok(),
            "{name}"
        );
    }
}

#[test]
fn delivery_attribute_names_are_short_tokens_given_once_ignoring_case() {
    let long = "x".repeat(257);
    let refused = [
        serde_json::json!([fixed("x-a", "1"), fixed("X-A", "2")]),
        serde_json::json!([fixed("x-a", "1"), dynamic("x-a", "subject")]),
        serde_json::json!([fixed(&long, "1")]),
        serde_json::json!([fixed("x a", "1")]),
        serde_json::json!([fixed("x:a", "1")]),
        serde_json::json!([fixed("", "1")]),
    ];
    for mappings in refused {
        let e = hook_with(mappings.clone()).check().unwrap_err();
        assert_eq!(e.code, "InvalidDeliveryAttributeMapping", "{mappings}");
    }
    assert!(
        hook_with(serde_json::json!([
            fixed(&"x".repeat(256), "1"),
            fixed("x-b", "2")
        ]))
        .check()
        .is_ok()
    );
}

#[test]
fn delivery_attribute_values_and_source_fields_carry_no_control_characters() {
    for value in [
        "a\r\nX-Injected: 1",
        "a\nb",
        "a\rb",
        "a\0b",
        "a\u{7f}b",
        "a\u{1b}b",
    ] {
        for mapping in [fixed("x-a", value), dynamic("x-a", value)] {
            let e = hook_with(serde_json::json!([mapping])).check().unwrap_err();
            assert_eq!(e.code, "InvalidDeliveryAttributeMapping", "{value:?}");
            assert!(e.message.contains("control character"), "{}", e.message);
        }
    }
    let e = hook_with(serde_json::json!([dynamic("x-a", &"d".repeat(4097))]))
        .check()
        .unwrap_err();
    assert!(e.message.contains("4096"), "{}", e.message);
    assert!(
        hook_with(serde_json::json!([
            fixed("x-a", "tab\tand ünïcode"),
            fixed("x-b", &"v".repeat(4096)),
            dynamic("x-c", "data.orderId")
        ]))
        .check()
        .is_ok()
    );
}
