//! Publisher credentials: a namespace key (`aeg-sas-key` header or query) or a shared access
//! signature (`aeg-sas-token`, or `Authorization: SharedAccessSignature ...`), checked against
//! either of the namespace's two keys in constant time.
//!
//! A token is `r={url-encoded resource}&e={url-encoded expiry}&s={url-encoded signature}`, the
//! signature being base64(HMAC-SHA256(base64-decoded key, "r=...&e=..." exactly as sent)).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::error::{Error, Result};

/// What URL encoding leaves alone: RFC 3986's unreserved characters, as Python's `quote`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Stable codes of credential failures (all 401).
pub mod code {
    pub const MISSING_CREDENTIAL: &str = "MissingCredential";
    pub const UNSUPPORTED_SCHEME: &str = "UnsupportedAuthorizationScheme";
    pub const INVALID_KEY: &str = "InvalidSasKey";
    pub const MALFORMED_TOKEN: &str = "MalformedSasToken";
    pub const INVALID_EXPIRY: &str = "InvalidSasExpiry";
    pub const TOKEN_EXPIRED: &str = "SasTokenExpired";
    pub const RESOURCE_MISMATCH: &str = "SasTokenResourceMismatch";
    pub const INVALID_SIGNATURE: &str = "InvalidSasSignature";
}

/// What a publisher presented.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    Key(String),
    Token(String),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Credential::Key(_) => "Credential::Key(..)",
            Credential::Token(_) => "Credential::Token(..)",
        })
    }
}

fn unauthorized(code: &'static str, message: impl Into<String>) -> Error {
    Error::unauthorized(code, message)
}

/// The credential of a request, from the `aeg-sas-key` header or query parameter, the
/// `aeg-sas-token` header, or `Authorization: SharedAccessSignature <token>`.
pub fn credential(
    key_header: Option<&str>,
    key_query: Option<&str>,
    token_header: Option<&str>,
    authorization: Option<&str>,
) -> Result<Credential> {
    if let Some(key) = key_header.or(key_query).filter(|k| !k.is_empty()) {
        return Ok(Credential::Key(key.to_owned()));
    }
    if let Some(token) = token_header.filter(|t| !t.is_empty()) {
        return Ok(Credential::Token(token.to_owned()));
    }
    if let Some(auth) = authorization {
        return match auth.strip_prefix("SharedAccessSignature ") {
            Some(token) => Ok(Credential::Token(token.trim().to_owned())),
            None => Err(unauthorized(
                code::UNSUPPORTED_SCHEME,
                "the Authorization header must be 'SharedAccessSignature <token>'; Entra ID bearer tokens are not supported here, use a namespace key or SAS token",
            )),
        };
    }
    Err(unauthorized(
        code::MISSING_CREDENTIAL,
        "send a namespace key as the aeg-sas-key header (or ?aeg-sas-key=), or a SAS token as the aeg-sas-token header or 'Authorization: SharedAccessSignature <token>'",
    ))
}

/// Checks a presented key against the namespace keys, in constant time.
pub fn verify_key(presented: &str, keys: &[&str]) -> Result<()> {
    let mut ok = subtle::Choice::from(0);
    for key in keys {
        ok |= presented.as_bytes().ct_eq(key.as_bytes());
    }
    if bool::from(ok) {
        Ok(())
    } else {
        Err(unauthorized(
            code::INVALID_KEY,
            "the aeg-sas-key is not one of this namespace's keys (listKeys shows them; a regenerated key stops working)",
        ))
    }
}

/// A parsed SAS token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SasToken {
    pub resource: String,
    pub expiry: OffsetDateTime,
    signature: Vec<u8>,
    signed: String,
}

fn decode(part: &str) -> Result<String> {
    percent_decode_str(&part.replace('+', " "))
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| {
            unauthorized(
                code::MALFORMED_TOKEN,
                "the SAS token has a part that is not valid URL encoding",
            )
        })
}

/// Parses `r=...&e=...&s=...`.
pub fn parse_token(raw: &str) -> Result<SasToken> {
    let malformed = || {
        unauthorized(
            code::MALFORMED_TOKEN,
            "the SAS token must be r={resource}&e={expiry}&s={signature}, each URL-encoded",
        )
    };
    let (signed, signature) = raw.trim().rsplit_once("&s=").ok_or_else(malformed)?;
    let (r, e) = signed.split_once("&e=").ok_or_else(malformed)?;
    let resource = decode(r.strip_prefix("r=").ok_or_else(malformed)?)?;
    let expiry = parse_expiry(&decode(e)?)?;
    let signature = STANDARD
        .decode(
            percent_decode_str(signature)
                .decode_utf8()
                .map_err(|_| malformed())?
                .as_bytes(),
        )
        .map_err(|_| {
            unauthorized(
                code::MALFORMED_TOKEN,
                "the SAS token's signature (s=) is not base64",
            )
        })?;
    if resource.is_empty() {
        return Err(malformed());
    }
    Ok(SasToken {
        resource,
        expiry,
        signature,
        signed: signed.to_owned(),
    })
}

/// Expiry as RFC 3339, as `YYYY-MM-DD HH:MM:SS[.f][+00:00]` (Python's `str(datetime)`), or as
/// `M/D/YYYY h:mm:ss AM` (UTC when no offset is given).
pub fn parse_expiry(text: &str) -> Result<OffsetDateTime> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(t);
    }
    let spaced = format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second][optional [.[subsecond]]][optional [[offset_hour]:[offset_minute]]]"
    );
    if let Ok(t) = OffsetDateTime::parse(text, spaced) {
        return Ok(t);
    }
    let naive = format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    if let Ok(t) = PrimitiveDateTime::parse(text, naive) {
        return Ok(t.assume_utc());
    }
    let us = format_description!(
        "[month padding:none]/[day padding:none]/[year] [hour repr:12 padding:none]:[minute]:[second] [period]"
    );
    if let Ok(t) = PrimitiveDateTime::parse(text, us) {
        return Ok(t.assume_utc());
    }
    Err(unauthorized(
        code::INVALID_EXPIRY,
        format!(
            "the SAS token's expiry '{text}' is not a time: use RFC 3339, 'YYYY-MM-DD HH:MM:SS[.ffffff][+00:00]' or 'M/D/YYYY h:mm:ss AM'"
        ),
    ))
}

fn normalize(url: &str) -> String {
    url.split('?')
        .next()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_ascii_lowercase()
}

fn signature(key: &str, signed: &str) -> Option<Vec<u8>> {
    let secret = STANDARD.decode(key.as_bytes()).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&secret).ok()?;
    mac.update(signed.as_bytes());
    Some(mac.finalize().into_bytes().to_vec())
}

/// Checks a token against the endpoint it must name and the namespace keys, at `now`.
pub fn verify_token(
    token: &SasToken,
    endpoint: &str,
    keys: &[&str],
    now: OffsetDateTime,
) -> Result<()> {
    if token.expiry <= now {
        return Err(unauthorized(
            code::TOKEN_EXPIRED,
            format!(
                "the SAS token expired at {}; generate a new one",
                crate::time_format::rfc3339(token.expiry)
            ),
        ));
    }
    if normalize(&token.resource) != normalize(endpoint) {
        return Err(unauthorized(
            code::RESOURCE_MISMATCH,
            format!(
                "the SAS token was made for '{}', not for this endpoint '{endpoint}'",
                token.resource
            ),
        ));
    }
    let mut ok = subtle::Choice::from(0);
    for key in keys {
        if let Some(expected) = signature(key, &token.signed) {
            ok |= expected.as_slice().ct_eq(token.signature.as_slice());
        }
    }
    if bool::from(ok) {
        Ok(())
    } else {
        Err(unauthorized(
            code::INVALID_SIGNATURE,
            "the SAS token's signature matches neither namespace key; sign it with key1 or key2",
        ))
    }
}

/// A token for `resource`, valid until `expiry`, signed with `key` (base64).
pub fn generate_token(resource: &str, expiry: OffsetDateTime, key: &str) -> Result<String> {
    let enc = |s: &str| utf8_percent_encode(s, UNRESERVED).to_string();
    let signed = format!(
        "r={}&e={}",
        enc(resource),
        enc(&crate::time_format::rfc3339(expiry))
    );
    let mac = signature(key, &signed)
        .ok_or_else(|| Error::invalid(code::INVALID_KEY, "the key is not base64"))?;
    Ok(format!("{signed}&s={}", enc(&STANDARD.encode(mac))))
}
