//! Rule tests for publisher credentials: the credential forms, SAS token parsing (including
//! tokens made by Azure's Python SDK), expiry formats, and verification.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use shared::error::ErrorKind;
use shared::ingest::sas::{
    Credential, code, credential, generate_token, parse_expiry, parse_token, verify_key,
    verify_token,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-24 00:00 UTC);
const ENDPOINT: &str = "http://127.0.0.1:8080/partnerNamespaces/ns1/api/events";
const KEY1: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
const KEY2: &str = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";

#[test]
fn each_credential_form_is_recognised() {
    let key = Credential::Key("k".into());
    let token = Credential::Token("t".into());
    assert_eq!(credential(Some("k"), None, None, None).unwrap(), key);
    assert_eq!(credential(None, Some("k"), None, None).unwrap(), key);
    assert_eq!(credential(None, None, Some("t"), None).unwrap(), token);
    assert_eq!(
        credential(None, None, None, Some("SharedAccessSignature t")).unwrap(),
        token
    );
    assert_eq!(
        credential(Some("k"), None, Some("t"), None).unwrap(),
        key,
        "a key wins over a token"
    );
    let e = credential(None, None, None, None).unwrap_err();
    assert_eq!(
        (e.kind, e.code),
        (ErrorKind::Unauthorized, code::MISSING_CREDENTIAL)
    );
    assert_eq!(
        credential(None, None, None, Some("Bearer x"))
            .unwrap_err()
            .code,
        code::UNSUPPORTED_SCHEME
    );
    assert_eq!(
        credential(Some(""), None, None, None).unwrap_err().code,
        code::MISSING_CREDENTIAL
    );
}

#[test]
fn keys_match_either_namespace_key() {
    assert!(verify_key(KEY1, &[KEY1, KEY2]).is_ok());
    assert!(verify_key(KEY2, &[KEY1, KEY2]).is_ok());
    for wrong in ["", "AQEB", &KEY1[..KEY1.len() - 1], "x"] {
        assert_eq!(
            verify_key(wrong, &[KEY1, KEY2]).unwrap_err().code,
            code::INVALID_KEY
        );
    }
}

#[test]
fn the_three_expiry_formats_parse_in_utc() {
    let table = [
        ("2026-11-24T19:26:57Z", datetime!(2026-11-24 19:26:57 UTC)),
        (
            "2026-11-24T20:26:57.5+01:00",
            datetime!(2026-11-24 19:26:57.5 UTC),
        ),
        (
            "2026-11-24 19:26:57.257927+00:00",
            datetime!(2026-11-24 19:26:57.257927 UTC),
        ),
        (
            "2026-11-24 19:26:57+00:00",
            datetime!(2026-11-24 19:26:57 UTC),
        ),
        ("2026-11-24 19:26:57", datetime!(2026-11-24 19:26:57 UTC)),
        ("11/24/2026 7:26:57 PM", datetime!(2026-11-24 19:26:57 UTC)),
        ("1/2/2027 12:00:00 AM", datetime!(2027-01-02 00:00:00 UTC)),
        ("1/2/2027 12:00:00 PM", datetime!(2027-01-02 12:00:00 UTC)),
    ];
    for (text, want) in table {
        assert_eq!(parse_expiry(text).unwrap(), want, "{text}");
    }
    for bad in [
        "tomorrow",
        "",
        "2026-13-01T00:00:00Z",
        "24/11/2026 7:00:00 PM",
        "1732476417",
    ] {
        assert_eq!(
            parse_expiry(bad).unwrap_err().code,
            code::INVALID_EXPIRY,
            "{bad}"
        );
    }
}

#[test]
fn malformed_tokens_are_named() {
    let good = generate_token(ENDPOINT, NOW + Duration::hours(1), KEY1).unwrap();
    let (signed, _) = good.rsplit_once("&s=").unwrap();
    let table = [
        ("".to_owned(), code::MALFORMED_TOKEN),
        ("r=x".to_owned(), code::MALFORMED_TOKEN),
        (signed.to_owned(), code::MALFORMED_TOKEN),
        (format!("{signed}&s=%%%"), code::MALFORMED_TOKEN),
        (format!("{signed}&s=not*base64"), code::MALFORMED_TOKEN),
        (good.replacen("r=", "q=", 1), code::MALFORMED_TOKEN),
        (
            "r=&e=2030-01-01T00%3A00%3A00Z&s=AAAA".to_owned(),
            code::MALFORMED_TOKEN,
        ),
        ("r=x&e=soon&s=AAAA".to_owned(), code::INVALID_EXPIRY),
    ];
    for (raw, want) in table {
        let e = parse_token(&raw).unwrap_err();
        assert_eq!((e.kind, e.code), (ErrorKind::Unauthorized, want), "{raw}");
    }
}

#[test]
fn a_token_is_checked_for_expiry_resource_and_signature() {
    let token = |resource: &str, expiry: OffsetDateTime, key: &str| {
        parse_token(&generate_token(resource, expiry, key).unwrap()).unwrap()
    };
    let later = NOW + Duration::hours(1);
    let ok = [
        token(ENDPOINT, later, KEY1),
        token(ENDPOINT, later, KEY2),
        token(&format!("{ENDPOINT}?apiVersion=2018-01-01"), later, KEY1),
        token(&ENDPOINT.to_uppercase(), later, KEY1),
        token(&format!("{ENDPOINT}/"), later, KEY1),
    ];
    for t in &ok {
        assert!(
            verify_token(t, ENDPOINT, &[KEY1, KEY2], NOW).is_ok(),
            "{}",
            t.resource
        );
    }
    let code_of = |t: &_, now| {
        verify_token(t, ENDPOINT, &[KEY1, KEY2], now)
            .unwrap_err()
            .code
    };
    assert_eq!(
        code_of(&token(ENDPOINT, NOW, KEY1), NOW),
        code::TOKEN_EXPIRED,
        "expiring now is expired"
    );
    assert_eq!(
        code_of(&token(ENDPOINT, later, KEY1), later + Duration::seconds(1)),
        code::TOKEN_EXPIRED
    );
    assert_eq!(
        code_of(
            &token(
                "http://127.0.0.1:8080/partnerNamespaces/ns2/api/events",
                later,
                KEY1
            ),
            NOW
        ),
        code::RESOURCE_MISMATCH
    );
    let other = "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=";
    assert_eq!(
        code_of(&token(ENDPOINT, later, other), NOW),
        code::INVALID_SIGNATURE
    );
    assert_eq!(
        verify_token(
            &token(ENDPOINT, later, KEY1),
            ENDPOINT,
            &["not base64!"],
            NOW
        )
        .unwrap_err()
        .code,
        code::INVALID_SIGNATURE
    );
}

#[test]
fn a_tampered_expiry_breaks_the_signature() {
    let raw = generate_token(ENDPOINT, NOW + Duration::hours(1), KEY1).unwrap();
    let tampered = raw.replace("2026-11-24T01", "2026-11-25T01");
    assert_ne!(raw, tampered);
    let t = parse_token(&tampered).unwrap();
    assert_eq!(
        verify_token(&t, ENDPOINT, &[KEY1], NOW).unwrap_err().code,
        code::INVALID_SIGNATURE
    );
}

#[test]
fn tokens_made_by_azures_python_sdk_verify() {
    let fixtures: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("fixtures/sas_tokens.json")).unwrap();
    assert!(fixtures.len() >= 4);
    for f in fixtures {
        let token = parse_token(f["token"].as_str().unwrap()).unwrap();
        let result = verify_token(
            &token,
            f["endpoint"].as_str().unwrap(),
            &[f["key"].as_str().unwrap()],
            NOW,
        );
        if f["expired"].as_bool().unwrap() {
            assert_eq!(result.unwrap_err().code, code::TOKEN_EXPIRED);
        } else {
            assert!(result.is_ok(), "{f}: {result:?}");
        }
    }
}

proptest! {
    #[test]
    fn generated_tokens_verify_for_their_resource_and_key(
        path in "[a-zA-Z0-9-]{3,20}",
        key in proptest::array::uniform32(any::<u8>()),
        minutes in 1i64..100_000,
    ) {
        use base64::Engine;
        let key = base64::engine::general_purpose::STANDARD.encode(key);
        let endpoint = format!("https://example.com/partnerNamespaces/{path}/api/events");
        let raw = generate_token(&endpoint, NOW + Duration::minutes(minutes), &key).unwrap();
        let token = parse_token(&raw).unwrap();
        prop_assert!(verify_token(&token, &endpoint, &[&key], NOW).is_ok());
        prop_assert!(verify_token(&token, &endpoint, &[KEY1], NOW).is_err());
    }
}
