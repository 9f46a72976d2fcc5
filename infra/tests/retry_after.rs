//! `Retry-After` as endpoints send it: delay-seconds or an HTTP date.

use std::time::Duration;

use infra::webhook::parse_retry_after;

#[test]
fn retry_after_is_read_as_seconds_or_as_an_http_date() {
    assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
    assert_eq!(parse_retry_after(" 5 "), Some(Duration::from_secs(5)));
    let later = time::OffsetDateTime::now_utc() + time::Duration::minutes(10);
    let date = later
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap()
        .replace("+0000", "GMT");
    let wait = parse_retry_after(&date).unwrap();
    assert!(
        wait > Duration::from_secs(590) && wait <= Duration::from_secs(600),
        "{date}: {wait:?}"
    );
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
        Some(Duration::ZERO)
    );
    assert_eq!(parse_retry_after("soon"), None);
}
