//! Rule tests for publisher credentials: the credential forms, SAS token parsing (including
//! tokens made by Azure's Python SDK and tokens in the .NET and Java SDKs' formats), the expiry
//! formats, and verification of expiry, resource and signature.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use proptest::prelude::*;
use sha2::Sha256;
use shared::error::ErrorKind;
use shared::ingest::sas::{
    Credential, MAX_TOKEN_LEN, code, credential, generate_token, parse_expiry, parse_token,
    verify_key, verify_token,
};
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-24 00:00 UTC);
const ENDPOINT: &str = "http://127.0.0.1:8080/partnerNamespaces/ns1/api/events";
/// base64 of 32 bytes of 0x01 and of 0x02.
const KEY1: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
const KEY2: &str = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";
/// base64 of 32 bytes of 0x09: no fixture's key.
const OTHER_KEY: &str = "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=";

fn later() -> OffsetDateTime {
    NOW + Duration::hours(1)
}

fn token(resource: &str, expiry: OffsetDateTime, key: &str) -> String {
    generate_token(resource, expiry, key).unwrap()
}

/// `signed&s=...` signed with `key` the way every Azure SDK does it, with the signature
/// URL-encoded by `encode_signature`.
fn sign(signed: &str, key: &str, encode_signature: impl Fn(&str) -> String) -> String {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(&STANDARD.decode(key).unwrap()).unwrap();
    mac.update(signed.as_bytes());
    let signature = STANDARD.encode(mac.finalize().into_bytes());
    format!("{signed}&s={}", encode_signature(&signature))
}

fn verify_code(raw: &str, now: OffsetDateTime) -> Option<&'static str> {
    let parsed = parse_token(raw).unwrap();
    verify_token(&parsed, ENDPOINT, &[KEY1, KEY2], now)
        .err()
        .map(|e| {
            assert_eq!(e.kind, ErrorKind::Unauthorized, "{e}");
            e.code
        })
}

#[test]
fn each_credential_form_is_recognised() {
    let key = || Credential::Key("k".into());
    let tok = || Credential::Token("r=a&e=b&s=c".into());
    let t = "r=a&e=b&s=c";
    let table: [(&str, [Option<&str>; 4], Credential); 11] = [
        ("key header", [Some("k"), None, None, None], key()),
        ("key query", [None, Some("k"), None, None], key()),
        ("token header", [None, None, Some(t), None], tok()),
        (
            "Authorization SAS",
            [None, None, None, Some("SharedAccessSignature r=a&e=b&s=c")],
            tok(),
        ),
        (
            "scheme in another case",
            [
                None,
                None,
                None,
                Some("sharedaccesssignature   r=a&e=b&s=c "),
            ],
            tok(),
        ),
        (
            "token header with the scheme pasted in",
            [None, None, Some("SharedAccessSignature r=a&e=b&s=c"), None],
            tok(),
        ),
        (
            "whitespace around a key",
            [Some(" k "), None, None, None],
            key(),
        ),
        (
            "a key header wins over everything",
            [Some("k"), Some("q"), Some(t), Some("Bearer x")],
            key(),
        ),
        (
            "a blank key header falls back to the query",
            [Some(" "), Some("k"), None, None],
            key(),
        ),
        (
            "a key wins over a token",
            [None, Some("k"), Some(t), None],
            key(),
        ),
        (
            "the token header wins over Authorization",
            [None, None, Some(t), Some("Bearer x")],
            tok(),
        ),
    ];
    for (what, [h, q, th, a], want) in table {
        assert_eq!(credential(h, q, th, a).unwrap(), want, "{what}");
    }
}

#[test]
fn no_credential_is_refused_with_the_accepted_forms_listed() {
    for blank in [None, Some(""), Some("   ")] {
        let e = credential(blank, blank, blank, blank).unwrap_err();
        assert_eq!(
            (e.kind, e.code),
            (ErrorKind::Unauthorized, code::MISSING_CREDENTIAL)
        );
        for form in [
            "aeg-sas-key",
            "?aeg-sas-key=",
            "aeg-sas-token",
            "SharedAccessSignature",
        ] {
            assert!(e.message.contains(form), "{}", e.message);
        }
    }
}

#[test]
fn other_authorization_schemes_are_refused_and_bearer_is_named_unsupported() {
    for header in [
        "Bearer eyJ0eXAiOiJKV1Qi",
        "bearer x",
        "Basic dXNlcjpwYXNz",
        "SharedAccessSignatureX r=a",
        "r=a&e=b&s=c",
    ] {
        let e = credential(None, None, None, Some(header)).unwrap_err();
        assert_eq!(
            (e.kind, e.code),
            (ErrorKind::Unauthorized, code::UNSUPPORTED_SCHEME),
            "{header}"
        );
        assert!(e.message.contains("Bearer"), "{}", e.message);
        assert!(!e.message.contains("eyJ0"), "never echo a credential");
    }
    let e = credential(None, None, None, Some("SharedAccessSignature  ")).unwrap_err();
    assert_eq!(e.code, code::MALFORMED_TOKEN);
}

#[test]
fn debug_output_never_shows_a_secret() {
    let shown = format!(
        "{:?} {:?}",
        Credential::Key(KEY1.into()),
        Credential::Token("r=a&e=b&s=secret".into())
    );
    assert!(
        !shown.contains(KEY1) && !shown.contains("secret"),
        "{shown}"
    );
    let raw = token(ENDPOINT, later(), KEY1);
    let parsed = parse_token(&raw).unwrap();
    let shown = format!("{parsed:?}");
    let (_, signature) = raw.rsplit_once("&s=").unwrap();
    assert!(shown.contains(ENDPOINT), "{shown}");
    assert!(!shown.contains(signature), "{shown}");
}

#[test]
fn keys_match_either_namespace_key_and_nothing_else() {
    assert!(verify_key(KEY1, &[KEY1, KEY2]).is_ok());
    assert!(verify_key(KEY2, &[KEY1, KEY2]).is_ok());
    let table: [(&str, &[&str]); 7] = [
        ("", &[KEY1, KEY2]),
        ("AQEB", &[KEY1, KEY2]),
        (&KEY1[..KEY1.len() - 1], &[KEY1, KEY2]),
        (OTHER_KEY, &[KEY1, KEY2]),
        (&KEY1.to_lowercase(), &[KEY1, KEY2]),
        (KEY1, &[]),
        ("", &["", ""]),
    ];
    for (presented, keys) in table {
        let e = verify_key(presented, keys).unwrap_err();
        assert_eq!(
            (e.kind, e.code),
            (ErrorKind::Unauthorized, code::INVALID_KEY),
            "{presented}"
        );
        assert!(!e.message.contains(KEY1));
    }
}

#[test]
fn the_three_expiry_formats_parse() {
    let table = [
        // RFC 3339.
        ("2026-11-24T19:26:57Z", datetime!(2026-11-24 19:26:57 UTC)),
        (
            "2026-11-24T20:26:57.5+01:00",
            datetime!(2026-11-24 19:26:57.5 UTC),
        ),
        // Python `str(datetime)`: fraction and offset each optional.
        (
            "2026-11-24 19:26:57.257927+00:00",
            datetime!(2026-11-24 19:26:57.257927 UTC),
        ),
        (
            "2026-11-24 19:26:57+00:00",
            datetime!(2026-11-24 19:26:57 UTC),
        ),
        (
            "2026-11-24 19:26:57.257927",
            datetime!(2026-11-24 19:26:57.257927 UTC),
        ),
        ("2026-11-24 19:26:57", datetime!(2026-11-24 19:26:57 UTC)),
        (
            "2026-11-24 19:26:57.5",
            datetime!(2026-11-24 19:26:57.5 UTC),
        ),
        (
            "2026-11-24 19:26:57.123456789+00:00",
            datetime!(2026-11-24 19:26:57.123456789 UTC),
        ),
        // Digits past the nanosecond are dropped.
        (
            "2026-11-24 19:26:57.1234567891",
            datetime!(2026-11-24 19:26:57.123456789 UTC),
        ),
        (
            "2026-11-25 01:00:00+05:30",
            datetime!(2026-11-24 19:30:00 UTC),
        ),
        (
            "2026-11-24 11:00:00-08:00",
            datetime!(2026-11-24 19:00:00 UTC),
        ),
        // Python `datetime.isoformat()` of a naive time (Azure's documented sample).
        (
            "2026-11-24T19:26:57.257927",
            datetime!(2026-11-24 19:26:57.257927 UTC),
        ),
        // .NET / Java en-US, UTC.
        ("11/24/2026 7:26:57 PM", datetime!(2026-11-24 19:26:57 UTC)),
        ("11/24/2026 7:26:57 AM", datetime!(2026-11-24 07:26:57 UTC)),
        ("1/2/2027 12:00:00 AM", datetime!(2027-01-02 00:00:00 UTC)),
        ("1/2/2027 12:59:59 AM", datetime!(2027-01-02 00:59:59 UTC)),
        ("1/2/2027 12:00:00 PM", datetime!(2027-01-02 12:00:00 UTC)),
        ("1/2/2027 11:59:59 PM", datetime!(2027-01-02 23:59:59 UTC)),
        ("01/02/2027 03:04:05 PM", datetime!(2027-01-02 15:04:05 UTC)),
        ("1/2/2027 3:4:5 PM", datetime!(2027-01-02 15:04:05 UTC)),
        ("6/15/2017 6:20:15 pm", datetime!(2017-06-15 18:20:15 UTC)),
        (
            "11/24/2026 7:26:57 PM +00:00",
            datetime!(2026-11-24 19:26:57 UTC),
        ),
        (
            "11/24/2026 9:26:57 PM +02:00",
            datetime!(2026-11-24 19:26:57 UTC),
        ),
        (" 2026-11-24T19:26:57Z ", datetime!(2026-11-24 19:26:57 UTC)),
    ];
    for (text, want) in table {
        assert_eq!(parse_expiry(text).unwrap(), want, "{text}");
    }
}

#[test]
fn unreadable_expiries_are_refused_with_the_formats_listed() {
    for bad in [
        "",
        "tomorrow",
        "1732476417",
        "2026-13-01T00:00:00Z",
        "2026-02-30 00:00:00",
        "2026-11-24 24:00:00",
        "2026-11-24 19:26",
        "2026-11-24 19:26:57+0000",
        "2026-11-24",
        "24/11/2026 7:00:00 PM",
        "11/24/2026 13:00:00 PM",
        "11/24/2026 0:00:00 AM",
        "11/24/2026 19:26:57",
        "11/24/2026 7:26:57",
        "11/24/2026 7:60:00 PM",
        "Tue, 24 Nov 2026 19:26:57 GMT",
    ] {
        let e = parse_expiry(bad).unwrap_err();
        assert_eq!(
            (e.kind, e.code),
            (ErrorKind::Unauthorized, code::INVALID_EXPIRY),
            "{bad}"
        );
        for format in ["RFC 3339", "YYYY-MM-DD HH:MM:SS", "M/D/YYYY h:mm:ss AM"] {
            assert!(e.message.contains(format), "{}", e.message);
        }
    }
}

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
fn tokens_in_the_dotnet_and_java_formats_verify() {
    // .NET: HttpUtility.UrlEncode (lower-case hex, '+' for a space), DateTime in en-US;
    // DateTimeOffset appends its offset. Java: URLEncoder, "M/d/yyyy h:m:s a" in UTC.
    let dotnet_resource = "r=http%3a%2f%2f127.0.0.1%3a8080%2fpartnerNamespaces%2fns1%2fapi%2fevents%3fapi-version%3d2018-01-01";
    let lower = |s: &str| {
        s.replace("%2F", "%2f")
            .replace("%2B", "%2b")
            .replace("%3D", "%3d")
    };
    let upper = |s: &str| {
        s.replace('/', "%2F")
            .replace('+', "%2B")
            .replace('=', "%3D")
    };
    let table = [
        (
            format!("{dotnet_resource}&e=11%2f24%2f2099+7%3a26%3a57+PM"),
            datetime!(2099-11-24 19:26:57 UTC),
        ),
        (
            format!("{dotnet_resource}&e=11%2f24%2f2099+7%3a26%3a57+PM+%2b00%3a00"),
            datetime!(2099-11-24 19:26:57 UTC),
        ),
        (
            "r=http%3A%2F%2F127.0.0.1%3A8080%2FpartnerNamespaces%2Fns1%2Fapi%2Fevents%3Fapi-version%3D2018-01-01&e=1%2F2%2F2099+3%3A5%3A7+AM".to_owned(),
            datetime!(2099-01-02 03:05:07 UTC),
        ),
        (
            // Azure's documented Python sample: quote_plus and a naive isoformat().
            "r=http%3A%2F%2F127.0.0.1%3A8080%2FpartnerNamespaces%2Fns1%2Fapi%2Fevents&e=2099-11-24T19%3A26%3A57.257927".to_owned(),
            datetime!(2099-11-24 19:26:57.257927 UTC),
        ),
        (
            // A hand-made token with the offset's '+' left unencoded.
            "r=http%3A%2F%2F127.0.0.1%3A8080%2FpartnerNamespaces%2Fns1%2Fapi%2Fevents&e=2099-11-24T19:26:57+00:00".to_owned(),
            datetime!(2099-11-24 19:26:57 UTC),
        ),
    ];
    for (signed, expiry) in table {
        for raw in [
            sign(&signed, KEY2, lower),
            sign(&signed, KEY2, upper),
            sign(&signed, KEY2, str::to_owned),
        ] {
            let parsed = parse_token(&raw).unwrap();
            assert_eq!(parsed.expiry(), expiry, "{raw}");
            assert!(
                verify_token(&parsed, ENDPOINT, &[KEY1, KEY2], NOW).is_ok(),
                "{raw}"
            );
            let Credential::Token(from_header) = credential(
                None,
                None,
                None,
                Some(&format!("SharedAccessSignature {raw}")),
            )
            .unwrap() else {
                panic!("not a token")
            };
            assert_eq!(from_header, raw);
        }
    }
}

#[test]
fn tokens_made_by_azures_python_sdk_verify() {
    let fixtures: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("fixtures/sas_tokens.json")).unwrap();
    assert!(fixtures.len() >= 4);
    assert!(fixtures.iter().any(|f| f["expired"] == true));
    for f in &fixtures {
        let text = |field: &str| f[field].as_str().unwrap();
        let parsed = parse_token(text("token")).unwrap();
        assert_eq!(
            parsed.expiry(),
            OffsetDateTime::parse(text("expiry_utc"), &Rfc3339).unwrap(),
            "{f}"
        );
        let result = verify_token(&parsed, text("endpoint"), &[text("key")], NOW);
        if f["expired"].as_bool().unwrap() {
            assert_eq!(result.unwrap_err().code, code::TOKEN_EXPIRED, "{f}");
            // Still genuine: it verifies at a time before its expiry.
            let before = parsed.expiry() - Duration::seconds(1);
            assert!(verify_token(&parsed, text("endpoint"), &[text("key")], before).is_ok());
        } else {
            assert!(result.is_ok(), "{f}: {result:?}");
            let e = verify_token(&parsed, text("endpoint"), &[OTHER_KEY, KEY1], NOW);
            if text("key") != KEY1 {
                assert_eq!(e.unwrap_err().code, code::INVALID_SIGNATURE, "{f}");
            }
            let elsewhere = verify_token(
                &parsed,
                ENDPOINT.replace("ns1", "nsX").as_str(),
                &[text("key")],
                NOW,
            );
            assert_eq!(elsewhere.unwrap_err().code, code::RESOURCE_MISMATCH, "{f}");
        }
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

proptest! {
    #[test]
    fn generated_tokens_verify_for_their_resource_and_key_until_they_expire(
        host in "[a-z0-9.-]{1,20}",
        path in "[a-zA-Z0-9 %+&=?/._~-]{0,30}",
        key in proptest::collection::vec(any::<u8>(), 1..80),
        nanos in 1i64..(100 * 365 * 86_400 * 1_000_000_000),
    ) {
        let key = STANDARD.encode(key);
        let endpoint = format!("https://{host}/partnerNamespaces/{path}/api/events");
        let expiry = NOW + Duration::nanoseconds(nanos);
        let raw = generate_token(&endpoint, expiry, &key).unwrap();
        let parsed = parse_token(&raw).unwrap();
        prop_assert_eq!(parsed.resource(), endpoint.as_str());
        prop_assert_eq!(parsed.expiry(), expiry);
        prop_assert!(verify_token(&parsed, &endpoint, &[OTHER_KEY, &key], NOW).is_ok());
        prop_assert_eq!(
            verify_token(&parsed, &endpoint, &[OTHER_KEY], NOW).unwrap_err().code,
            code::INVALID_SIGNATURE
        );
        prop_assert_eq!(
            verify_token(&parsed, &endpoint, &[&key], expiry).unwrap_err().code,
            code::TOKEN_EXPIRED
        );
    }

    #[test]
    fn no_input_makes_the_rules_panic(
        raw in "\\PC{0,200}",
        parts in proptest::collection::vec("(r=|&e=|&s=|%[0-9a-fA-F]{0,2}|\\+|[A-Za-z0-9/:. =-]{0,12})", 0..12),
    ) {
        let assembled: String = parts.concat();
        for text in [raw.as_str(), assembled.as_str()] {
            let _ = credential(Some(text), Some(text), Some(text), Some(text));
            let _ = credential(None, None, None, Some(text));
            let _ = verify_key(text, &[KEY1, text]);
            let _ = parse_expiry(text);
            let _ = generate_token(text, NOW, text);
            if let Ok(parsed) = parse_token(text) {
                let _ = verify_token(&parsed, text, &[KEY1, text], NOW);
            }
        }
    }
}
