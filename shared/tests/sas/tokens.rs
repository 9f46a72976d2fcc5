//! Parsing, verifying and generating SAS tokens: their form, expiry, resource and signature.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use shared::error::ErrorKind;
use shared::ingest::sas::{MAX_TOKEN_LEN, code, generate_token, parse_token, verify_token};
use time::Duration;
use time::macros::datetime;

use super::{ENDPOINT, KEY1, KEY2, NOW, OTHER_KEY, later, token, verify_code};

#[test]
fn malformed_tokens_are_refused_with_a_code_naming_the_piece() {
    let good = token(ENDPOINT, later(), KEY1);
    let (signed, signature) = good.rsplit_once("&s=").unwrap();
    let (r, e) = signed.rsplit_once("&e=").unwrap();
    let short_signature = STANDARD.encode([7u8; 31]);
    let m = code::MALFORMED_TOKEN;
    let table = [
        ("empty", String::new(), m),
        ("garbage", "garbage".to_owned(), m),
        ("only a resource", "r=x".to_owned(), m),
        ("no signature", signed.to_owned(), m),
        ("no expiry", format!("{r}&s={signature}"), m),
        ("no resource", format!("e={e}&s={signature}"), m),
        ("another first key", good.replacen("r=", "q=", 1), m),
        ("an empty resource", format!("r=&e={e}&s={signature}"), m),
        ("a blank resource", format!("r=%20&e={e}&s={signature}"), m),
        (
            "a bad escape in r",
            format!("r=%zz{r}&e={e}&s={signature}"),
            m,
        ),
        ("a cut escape in r", format!("{r}%2&e={e}&s={signature}"), m),
        ("r not UTF-8", format!("r=%ff%fe&e={e}&s={signature}"), m),
        (
            "a bad escape in e",
            format!("{r}&e={e}%g1&s={signature}"),
            m,
        ),
        ("a bad escape in s", format!("{signed}&s=%%%"), m),
        ("s not base64", format!("{signed}&s=not*base64"), m),
        ("s with a bad padding", format!("{signed}&s=AAA"), m),
        ("an empty signature", format!("{signed}&s="), m),
        (
            "a short signature",
            format!("{signed}&s={short_signature}"),
            m,
        ),
        (
            "a huge token",
            format!("{signed}{}&s={signature}", "a".repeat(MAX_TOKEN_LEN)),
            m,
        ),
        (
            "an unreadable expiry",
            format!("{r}&e=soon&s={signature}"),
            code::INVALID_EXPIRY,
        ),
        (
            "an empty expiry",
            format!("{r}&e=&s={signature}"),
            code::INVALID_EXPIRY,
        ),
    ];
    for (what, raw, want) in table {
        let e = parse_token(&raw).unwrap_err();
        assert_eq!(
            (e.kind, e.code),
            (ErrorKind::Unauthorized, want),
            "{what}: {raw}"
        );
        assert!(!e.message.contains(signature), "{what}: {}", e.message);
    }
}

#[test]
fn a_token_exposes_its_resource_expiry_and_signed_text() {
    let raw = token(&format!("{ENDPOINT}?apiVersion=2018-01-01"), later(), KEY1);
    let parsed = parse_token(&format!("  {raw}\t")).unwrap();
    assert_eq!(
        parsed.resource(),
        format!("{ENDPOINT}?apiVersion=2018-01-01")
    );
    assert_eq!(parsed.expiry(), later());
    assert_eq!(
        Some(parsed.signed()),
        raw.rsplit_once("&s=").map(|(s, _)| s)
    );
    assert!(
        raw.starts_with("r=http%3A%2F%2F127.0.0.1%3A8080%2FpartnerNamespaces%2Fns1%2Fapi%2Fevents%3FapiVersion%3D2018-01-01&e=2026-11-24T01%3A00%3A00Z&s="),
        "{raw}"
    );
}

#[test]
fn a_token_expiring_now_or_earlier_is_expired() {
    let table = [
        (later(), NOW, None),
        (NOW + Duration::nanoseconds(1), NOW, None),
        (NOW, NOW, Some(code::TOKEN_EXPIRED)),
        (later(), later(), Some(code::TOKEN_EXPIRED)),
        (
            later(),
            later() + Duration::seconds(1),
            Some(code::TOKEN_EXPIRED),
        ),
        (NOW - Duration::days(400), NOW, Some(code::TOKEN_EXPIRED)),
    ];
    for (expiry, now, want) in table {
        assert_eq!(
            verify_code(&token(ENDPOINT, expiry, KEY1), now),
            want,
            "expiry {expiry}, now {now}"
        );
    }
    let e = verify_token(
        &parse_token(&token(ENDPOINT, NOW, KEY1)).unwrap(),
        ENDPOINT,
        &[KEY1],
        later(),
    )
    .unwrap_err();
    assert!(e.message.contains("2026-11-24T00:00:00Z"), "{}", e.message);
}

#[test]
fn the_resource_may_differ_in_query_case_and_trailing_slash() {
    for resource in [
        ENDPOINT.to_owned(),
        format!("{ENDPOINT}?apiVersion=2018-01-01"),
        format!("{ENDPOINT}?api-version=2018-01-01"),
        format!("{ENDPOINT}/"),
        format!("{ENDPOINT}/?apiVersion=2018-01-01"),
        ENDPOINT.to_uppercase(),
        "HTTP://127.0.0.1:8080/PARTNERNAMESPACES/NS1/api/events".to_owned(),
    ] {
        assert_eq!(
            verify_code(&token(&resource, later(), KEY1), NOW),
            None,
            "{resource}"
        );
    }
    // The endpoint as the request names it may carry a query too.
    let parsed = parse_token(&token(ENDPOINT, later(), KEY1)).unwrap();
    assert!(
        verify_token(
            &parsed,
            &format!("{ENDPOINT}?api-version=2018-01-01"),
            &[KEY1],
            NOW
        )
        .is_ok()
    );
}

#[test]
fn a_token_for_another_resource_is_refused() {
    for resource in [
        "http://127.0.0.1:8080/partnerNamespaces/ns2/api/events",
        "http://127.0.0.1:8080/partnerNamespaces/ns1/api/events2",
        "http://127.0.0.1:8080/partnerNamespaces/ns1/api",
        "http://127.0.0.1:8081/partnerNamespaces/ns1/api/events",
        "https://127.0.0.1:8080/partnerNamespaces/ns1/api/events",
        "http://localhost:8080/partnerNamespaces/ns1/api/events",
        "http://127.0.0.1:8080/partnerNamespaces/ns1/api/events/extra",
        "/partnerNamespaces/ns1/api/events",
    ] {
        let raw = token(resource, later(), KEY1);
        assert_eq!(
            verify_code(&raw, NOW),
            Some(code::RESOURCE_MISMATCH),
            "{resource}"
        );
        let e = verify_token(&parse_token(&raw).unwrap(), ENDPOINT, &[KEY1], NOW).unwrap_err();
        assert!(e.message.contains(ENDPOINT), "{}", e.message);
    }
}

#[test]
fn a_signature_by_either_key_is_accepted_and_by_any_other_refused() {
    assert_eq!(verify_code(&token(ENDPOINT, later(), KEY1), NOW), None);
    assert_eq!(verify_code(&token(ENDPOINT, later(), KEY2), NOW), None);
    let by_other = parse_token(&token(ENDPOINT, later(), OTHER_KEY)).unwrap();
    let by_key1 = parse_token(&token(ENDPOINT, later(), KEY1)).unwrap();
    let table: [(&_, &[&str]); 6] = [
        (&by_other, &[KEY1, KEY2]),
        (&by_key1, &[KEY2]),
        (&by_key1, &[]),
        (&by_key1, &["not base64!", KEY2]),
        (&by_key1, &[""]),
        (&by_key1, &[&KEY1[..KEY1.len() - 4]]),
    ];
    for (parsed, keys) in table {
        let e = verify_token(parsed, ENDPOINT, keys, NOW).unwrap_err();
        assert_eq!(
            (e.kind, e.code),
            (ErrorKind::Unauthorized, code::INVALID_SIGNATURE),
            "{keys:?}"
        );
    }
    // A key that is not base64 is skipped, not fatal: the other key still works.
    assert!(verify_token(&by_key1, ENDPOINT, &["not base64!", KEY1], NOW).is_ok());
}

#[test]
fn the_signature_covers_the_expiry_and_the_resource_as_sent() {
    let raw = token(ENDPOINT, later(), KEY1);
    let tampered = [
        raw.replace("2026-11-24T01", "2026-11-25T01"),
        raw.replace("T01%3A00%3A00Z", "T01%3A00%3A00.5Z"),
        // Same time, written another way.
        raw.replace("2026-11-24T01%3A00%3A00Z", "2026-11-24%2001%3A00%3A00"),
        // A resource that still names the endpoint, but is not what was signed.
        raw.replace("partnerNamespaces", "PARTNERNAMESPACES"),
        raw.replace("%2Fevents", "%2Fevents%2F"),
        raw.replace("%3A8080", "%3a8080"),
    ];
    for t in tampered {
        assert_ne!(t, raw);
        assert_eq!(verify_code(&t, NOW), Some(code::INVALID_SIGNATURE), "{t}");
    }
}

#[test]
fn generating_a_token_needs_a_base64_key_and_a_resource() {
    let e = generate_token(ENDPOINT, later(), "not base64!").unwrap_err();
    assert_eq!((e.kind, e.code), (ErrorKind::Invalid, code::INVALID_KEY));
    let e = generate_token(ENDPOINT, later(), "").unwrap_err();
    assert_eq!(e.code, code::INVALID_KEY);
    let e = generate_token(" ", later(), KEY1).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    // An expiry in another offset is written in UTC.
    let raw = token(ENDPOINT, datetime!(2030-01-01 02:00 +02:00), KEY1);
    assert!(raw.contains("&e=2030-01-01T00%3A00%3A00Z&"), "{raw}");
}
