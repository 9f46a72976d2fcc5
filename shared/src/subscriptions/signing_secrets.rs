//! The secrets one signer (a subscription, or a partner destination) signs its deliveries with
//! (Standard Webhooks 1.0), and their rotation; the headers they sign are
//! [`crate::delivery::signing`]'s.
//!
//! A secret is `whsec_` and the base64 of 32 random bytes. Rotating makes a new current secret
//! and keeps the one it replaces signing beside it for [`ROTATION_OVERLAP`]; a second rotation
//! within that time drops the older one.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::error::{Error, Result};

/// The only signing scheme served.
pub const SCHEME: &str = "StandardWebhooks";
/// How long a replaced secret keeps signing beside the new one.
pub const ROTATION_OVERLAP: Duration = Duration::hours(24);
/// The prefix of a secret.
pub const SECRET_PREFIX: &str = "whsec_";

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
