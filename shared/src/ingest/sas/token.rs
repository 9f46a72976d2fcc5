//! SAS tokens: parsing `r=...&e=...&s=...`, verifying one against a namespace's endpoint and
//! keys, and generating one.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::{code, parse_expiry, shorten, unauthorized};
use crate::error::{Error, Result};

/// The longest token looked at; real tokens are a few hundred bytes.
pub const MAX_TOKEN_LEN: usize = 4096;

/// What URL encoding leaves alone: RFC 3986's unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A parsed SAS token: what it grants access to, until when, and its signature. `Debug` never
/// shows the signature.
#[derive(Clone, PartialEq, Eq)]
pub struct SasToken {
    resource: String,
    expiry: OffsetDateTime,
    signature: Vec<u8>,
    signed: String,
}

impl std::fmt::Debug for SasToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SasToken")
            .field("resource", &self.resource)
            .field("expiry", &self.expiry)
            .finish_non_exhaustive()
    }
}

impl SasToken {
    /// The URL-decoded resource (`r=`): an endpoint URL, possibly with a query.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// When the token stops being valid.
    pub fn expiry(&self) -> OffsetDateTime {
        self.expiry
    }

    /// The signed text: the token's `r=...&e=...` exactly as sent.
    pub fn signed(&self) -> &str {
        &self.signed
    }
}

/// URL-decodes `part`, refusing a `%` not followed by two hex digits and text that is not
/// UTF-8. With `plus_is_space`, `+` means a space (form encoding, as .NET and Java produce).
fn url_decode(part: &str, plus_is_space: bool) -> Option<String> {
    let mut bytes = part.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_hexdigit());
            if !(hex(bytes.next()) && hex(bytes.next())) {
                return None;
            }
        }
    }
    let text: Cow<'_, str> = if plus_is_space && part.contains('+') {
        Cow::Owned(part.replace('+', " "))
    } else {
        Cow::Borrowed(part)
    };
    percent_decode_str(&text)
        .decode_utf8()
        .ok()
        .map(Cow::into_owned)
}

/// Parses `r={resource}&e={expiry}&s={signature}` (each URL-encoded). Checks its form only;
/// [`verify_token`] decides whether it is valid.
///
/// A token that is too long, lacks `r=`, `&e=` or `&s=`, has an empty resource, a part that is
/// not proper URL encoding, or a signature that is not base64 of 32 bytes is
/// [`code::MALFORMED_TOKEN`]; an unreadable expiry is [`code::INVALID_EXPIRY`].
pub fn parse_token(raw: &str) -> Result<SasToken> {
    let malformed = |what: &str| {
        unauthorized(
            code::MALFORMED_TOKEN,
            format!(
                "the SAS token {what}: it must be r={{resource}}&e={{expiry}}&s={{signature}}, each URL-encoded"
            ),
        )
    };
    let raw = raw.trim();
    if raw.len() > MAX_TOKEN_LEN {
        return Err(malformed(&format!(
            "is {} bytes long, more than {MAX_TOKEN_LEN}",
            raw.len()
        )));
    }
    let (signed, signature) = raw
        .rsplit_once("&s=")
        .ok_or_else(|| malformed("has no signature (&s=)"))?;
    let (resource, expiry) = signed
        .rsplit_once("&e=")
        .ok_or_else(|| malformed("has no expiry (&e=)"))?;
    let resource = resource
        .strip_prefix("r=")
        .ok_or_else(|| malformed("does not start with the resource (r=)"))?;
    let resource = url_decode(resource, true)
        .ok_or_else(|| malformed("has a resource (r=) that is not valid URL encoding"))?;
    if resource.trim().is_empty() {
        return Err(malformed("has an empty resource (r=)"));
    }
    let expiry_text = url_decode(expiry, true)
        .ok_or_else(|| malformed("has an expiry (e=) that is not valid URL encoding"))?;
    let expiry = match parse_expiry(&expiry_text) {
        Ok(t) => t,
        // A sender may have left a `+` of an offset unencoded: read it as a plus, not a space.
        Err(e) => match url_decode(expiry, false) {
            Some(literal) if literal != expiry_text => parse_expiry(&literal).map_err(|_| e)?,
            _ => return Err(e),
        },
    };
    let signature = url_decode(signature, false)
        .ok_or_else(|| malformed("has a signature (s=) that is not valid URL encoding"))?;
    let signature = STANDARD
        .decode(signature.trim())
        .map_err(|_| malformed("has a signature (s=) that is not base64"))?;
    if signature.len() != 32 {
        return Err(malformed(&format!(
            "has a signature (s=) of {} bytes, not the 32 of an HMAC-SHA256",
            signature.len()
        )));
    }
    Ok(SasToken {
        resource,
        expiry,
        signature,
        signed: signed.to_owned(),
    })
}

/// A URL without its query and trailing slashes, lower-cased, for comparing resources.
fn normalize(url: &str) -> String {
    let url = url.trim();
    let path = url.split_once('?').map_or(url, |(path, _)| path);
    path.trim_end_matches('/').to_ascii_lowercase()
}

/// HMAC-SHA256 of `signed` with `key` (base64); `None` for a key that is not base64 or empty.
fn mac(key: &str, signed: &str) -> Option<Vec<u8>> {
    let secret = STANDARD.decode(key.trim()).ok().filter(|s| !s.is_empty())?;
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&secret).ok()?;
    mac.update(signed.as_bytes());
    Some(mac.finalize().into_bytes().to_vec())
}

/// Checks a parsed token at `now`: it must not have expired ([`code::TOKEN_EXPIRED`]; expiring
/// exactly `now` counts as expired), its resource must name `endpoint` (query, trailing `/` and
/// case aside; else [`code::RESOURCE_MISMATCH`]), and its signature must be that of one of
/// `keys` (base64; compared in constant time, every key tried; else
/// [`code::INVALID_SIGNATURE`]).
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
                "the SAS token expired at {} (it is now {}): generate a new token with a later expiry",
                crate::time_format::rfc3339(token.expiry),
                crate::time_format::rfc3339(now)
            ),
        ));
    }
    if normalize(&token.resource) != normalize(endpoint) {
        return Err(unauthorized(
            code::RESOURCE_MISMATCH,
            format!(
                "the SAS token was made for '{}', not for this endpoint: generate it for '{endpoint}'",
                shorten(&token.resource, 256)
            ),
        ));
    }
    let mut matched = Choice::from(0);
    for key in keys {
        if let Some(expected) = mac(key, &token.signed) {
            matched |= expected.as_slice().ct_eq(token.signature.as_slice());
        }
    }
    if bool::from(matched) {
        Ok(())
    } else {
        Err(unauthorized(
            code::INVALID_SIGNATURE,
            "the SAS token's signature matches neither of this namespace's keys: sign 'r=...&e=...' as sent with key1 or key2 (base64-decoded) using HMAC-SHA256",
        ))
    }
}

/// A token for `resource`, valid until `expiry`, signed with `key` (base64, as listKeys shows
/// it), in the format [`parse_token`] reads, with an RFC 3339 (UTC) expiry. An empty resource or
/// a key that is not base64 is refused ([`crate::error::ErrorKind::Invalid`]).
pub fn generate_token(resource: &str, expiry: OffsetDateTime, key: &str) -> Result<String> {
    if resource.trim().is_empty() {
        return Err(Error::invalid(
            code::MALFORMED_TOKEN,
            "a SAS token needs a resource: the namespace endpoint URL",
        ));
    }
    let expiry = expiry
        .to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .map_err(|e| {
            Error::invalid(
                code::INVALID_EXPIRY,
                format!("the expiry cannot be written as RFC 3339: {e}"),
            )
        })?;
    let encode = |s: &str| utf8_percent_encode(s, UNRESERVED).to_string();
    let signed = format!("r={}&e={}", encode(resource), encode(&expiry));
    let signature = mac(key, &signed).ok_or_else(|| {
        Error::invalid(
            code::INVALID_KEY,
            "the key must be base64, as listKeys shows it",
        )
    })?;
    Ok(format!(
        "{signed}&s={}",
        encode(&STANDARD.encode(signature))
    ))
}
