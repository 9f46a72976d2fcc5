//! Signed deliveries (Standard Webhooks 1.0): the secrets of one signer, their rotation, and
//! the `webhook-id`, `webhook-timestamp` and `webhook-signature` headers of one attempt.
//!
//! A secret is `whsec_` and the base64 of 32 random bytes; the HMAC-SHA256 key is those bytes.
//! Rotating makes a new current secret and keeps the one it replaces signing beside it for
//! [`ROTATION_OVERLAP`]; a second rotation within that time drops the older one.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};

use crate::error::{Error, Result};

/// The only signing scheme served.
pub const SCHEME: &str = "StandardWebhooks";
/// How long a replaced secret keeps signing beside the new one.
pub const ROTATION_OVERLAP: Duration = Duration::hours(24);
/// The prefix of a secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// The delivery's id, the same across its retries.
pub const ID_HEADER: &str = "webhook-id";
/// The attempt's time, Unix seconds.
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// `v1,<signature>` per secret in force, space-separated.
pub const SIGNATURE_HEADER: &str = "webhook-signature";

/// The secrets of one signer (a subscription, or a partner destination).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningSecrets {
    pub current: String,
    #[serde(default)]
    pub previous: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub previous_expires_utc: Option<OffsetDateTime>,
}

impl SigningSecrets {
    /// One fresh secret, no previous one.
    pub fn generate() -> Result<Self> {
        Ok(Self {
            current: new_secret()?,
            previous: None,
            previous_expires_utc: None,
        })
    }

    /// A new current secret; the one it replaces signs beside it until `now` + 24 h.
    pub fn rotated(&self, now: OffsetDateTime) -> Result<Self> {
        Ok(Self {
            current: new_secret()?,
            previous: Some(self.current.clone()),
            previous_expires_utc: Some(now + ROTATION_OVERLAP),
        })
    }

    /// The secrets that sign at `now`: the current one, and the previous one until it expires.
    pub fn in_force(&self, now: OffsetDateTime) -> Vec<&str> {
        let mut secrets = vec![self.current.as_str()];
        if let (Some(previous), Some(until)) = (&self.previous, self.previous_expires_utc)
            && now < until
        {
            secrets.push(previous);
        }
        secrets
    }

    /// As `getSigningSecrets` shows them at `now`: an expired previous secret is gone.
    pub fn shown(&self, now: OffsetDateTime) -> SigningSecrets {
        match self.in_force(now).len() {
            2 => self.clone(),
            _ => SigningSecrets {
                current: self.current.clone(),
                previous: None,
                previous_expires_utc: None,
            },
        }
    }
}

/// `whsec_` and the base64 of 32 random bytes.
pub fn new_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::internal(format!("no randomness for a signing secret: {e}")))?;
    Ok(format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes)))
}

/// The same for every attempt of one body to one subscription (so across retries, and when a
/// fan-out is redone): `msg_` and the SHA-256 of both in hex.
pub fn webhook_id(subscription: &str, body: &str) -> String {
    format!(
        "msg_{}",
        super::targets::deduplication_id(subscription, body)
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
