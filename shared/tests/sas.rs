//! Rule tests for publisher credentials: the credential forms, SAS token parsing (including
//! tokens made by Azure's Python SDK and tokens in the .NET and Java SDKs' formats), the expiry
//! formats, and verification of expiry, resource and signature.

mod credentials;
mod expiry;
mod properties;
mod sdk_tokens;
mod tokens;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use shared::error::ErrorKind;
use shared::ingest::sas::{generate_token, parse_token, verify_token};
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
