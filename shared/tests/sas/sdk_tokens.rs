//! Tokens as Azure's SDKs make them: .NET's and Java's encodings and expiry formats, and
//! tokens made by the Python SDK (fixtures).

use shared::ingest::sas::{Credential, code, credential, parse_token, verify_token};
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::{ENDPOINT, KEY1, KEY2, NOW, OTHER_KEY, sign};

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
        serde_json::from_str(include_str!("../fixtures/sas_tokens.json")).unwrap();
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
