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
