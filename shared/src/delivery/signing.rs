//! Signed deliveries (Standard Webhooks 1.0): the `webhook-id`, `webhook-timestamp` and
//! `webhook-signature` headers of one attempt, signed with every secret in force (see
//! [`crate::subscriptions::signing_secrets`]), and what a receiver checks of them. The
//! HMAC-SHA256 key is a secret's bytes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};

use crate::subscriptions::signing_secrets::{SECRET_PREFIX, SigningSecrets};

/// The delivery's id, the same across its retries.
pub const ID_HEADER: &str = "webhook-id";
/// The attempt's time, Unix seconds.
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// `v1,<signature>` per secret in force, space-separated.
pub const SIGNATURE_HEADER: &str = "webhook-signature";

/// The same for every attempt of one body to one subscription (so across retries, and when a
/// fan-out is redone): `msg_` and the SHA-256 of both in hex.
pub fn webhook_id(subscription: &str, body: &str) -> String {
    format!(
        "msg_{}",
        super::aws_messages::deduplication_id(subscription, body)
    )
}

/// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` keyed by the secret's bytes; `None`
/// for a secret that is not base64 (with or without `whsec_`).
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .ok()?;
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The three headers of an attempt at `now` of `body` for `subscription`, signed with every
/// secret in force (space-separated, the current one first).
pub fn headers(
    secrets: &SigningSecrets,
    subscription: &str,
    body: &str,
    now: OffsetDateTime,
) -> Vec<(String, String)> {
    let id = webhook_id(subscription, body);
    let timestamp = now.unix_timestamp();
    let signatures: Vec<String> = secrets
        .in_force(now)
        .into_iter()
        .filter_map(|secret| signature(secret, &id, timestamp, body))
        .collect();
    vec![
        (ID_HEADER.to_owned(), id),
        (TIMESTAMP_HEADER.to_owned(), timestamp.to_string()),
        (SIGNATURE_HEADER.to_owned(), signatures.join(" ")),
    ]
}

/// How far a `webhook-timestamp` may be from the receiver's clock (Standard Webhooks' advice).
pub const TIMESTAMP_TOLERANCE: Duration = Duration::minutes(5);

/// What a receiver holding `secret` checks of an attempt: its timestamp is within
/// [`TIMESTAMP_TOLERANCE`] of `now`, and one of its space-separated signatures is the secret's
/// (compared in constant time). The error says which check failed.
pub fn verify(
    secret: &str,
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &str,
    now: OffsetDateTime,
) -> std::result::Result<(), String> {
    let seconds: i64 = timestamp
        .parse()
        .map_err(|_| format!("{TIMESTAMP_HEADER} '{timestamp}' is not a number of seconds"))?;
    if (now.unix_timestamp() - seconds).abs() > TIMESTAMP_TOLERANCE.whole_seconds() {
        return Err(format!(
            "{TIMESTAMP_HEADER} {seconds} is more than 5 minutes from this clock's {}",
            now.unix_timestamp()
        ));
    }
    let expected = signature(secret, id, seconds, body)
        .ok_or_else(|| "the secret is not base64 (whsec_ and base64)".to_owned())?;
    let matches = signatures
        .split(' ')
        .any(|given| bool::from(given.as_bytes().ct_eq(expected.as_bytes())));
    match matches {
        true => Ok(()),
        false => Err(format!("no {SIGNATURE_HEADER} is this secret's")),
    }
}

/// Adds the signing headers to `request` when there are `secrets`.
pub fn sign(
    request: &mut crate::ports::DeliveryRequest,
    secrets: Option<&SigningSecrets>,
    subscription: &str,
    now: OffsetDateTime,
) {
    if let Some(secrets) = secrets {
        let signed = headers(secrets, subscription, &request.body, now);
        request.headers.extend(signed);
    }
}
