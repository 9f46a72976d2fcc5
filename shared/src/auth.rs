//! Principals, their API keys, and who is calling.
//!
//! Keys are 256 random bits, shown once, stored only as a SHA-256 hash (a fast hash is enough
//! for keys of that entropy) and compared in constant time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{Error, Result, code};
use crate::ids::SubscriptionId;

const KEY_PREFIX: &str = "pek_";

/// A secret API key. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(..)")
    }
}

impl ApiKey {
    /// A new random key: `pek_` and 32 random bytes in URL-safe base64.
    pub fn generate() -> Result<Self> {
        let bytes = random_bytes::<32>()?;
        Ok(Self(format!(
            "{KEY_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(bytes)
        )))
    }

    pub fn from_secret(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    pub fn secret(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> KeyHash {
        KeyHash(Sha256::digest(self.0.as_bytes()).into())
    }
}

/// Cryptographically random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal(format!("no randomness: {e}")))?;
    Ok(bytes)
}

/// The SHA-256 of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyHash([u8; 32]);

impl KeyHash {
    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Constant-time comparison with a stored hex hash.
    pub fn matches_hex(&self, stored: &str) -> bool {
        self.hex().as_bytes().ct_eq(stored.as_bytes()).into()
    }

    /// Parses a hash written as 64 hex digits.
    pub fn from_hex(hex: &str) -> Option<Self> {
        let hex = hex.trim();
        if hex.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Self(out))
    }

    /// Constant-time comparison with another hash.
    pub fn matches(&self, other: &KeyHash) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

/// A tenant account: a name, the subscriptions it owns, and its key's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Principal {
    pub name: String,
    pub subscriptions: Vec<SubscriptionId>,
    pub key_hash: String,
    /// The AWS accounts its subscriptions may deliver to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aws_accounts: Vec<String>,
}

/// Checks a principal name: 1–64 ASCII letters, digits, `-`, `_` or `.`.
pub fn check_principal_name(name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            code::INVALID_PRINCIPAL_NAME,
            format!(
                "principal name '{name}' is invalid: use 1-64 letters, digits, '-', '_' or '.'"
            ),
        ))
    }
}

/// Who is calling: the operator (from the deployment's configuration) or a principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Operator,
    Principal(Principal),
}

impl Caller {
    /// Succeeds if the caller owns `subscription`. Anyone else's subscription is reported as
    /// not found, so callers learn nothing about other tenants.
    pub fn owns(&self, subscription: SubscriptionId) -> Result<()> {
        match self {
            Caller::Principal(p) if p.subscriptions.contains(&subscription) => Ok(()),
            _ => Err(Error::not_found(
                code::SUBSCRIPTION_NOT_FOUND,
                format!(
                    "subscription '{subscription}' was not found among the subscriptions of this key"
                ),
            )),
        }
    }

    /// Succeeds for the operator only.
    pub fn require_operator(&self) -> Result<()> {
        match self {
            Caller::Operator => Ok(()),
            Caller::Principal(_) => Err(Error::forbidden(
                code::AUTHORIZATION_FAILED,
                "this route is for the operator key only",
            )),
        }
    }
}
