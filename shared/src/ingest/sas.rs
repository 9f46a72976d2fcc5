//! Publisher credentials: a namespace key (`aeg-sas-key` header or `?aeg-sas-key=`) or a shared
//! access signature (`aeg-sas-token` header, or `Authorization: SharedAccessSignature <token>`),
//! checked against either of the namespace's two keys in constant time. Pure rules: no IO.
//!
//! A token is `r={url-encoded resource}&e={url-encoded expiry}&s={url-encoded signature}`, the
//! signature being base64(HMAC-SHA256(base64-decoded key, "r=...&e=...")) over the `r=...&e=...`
//! part exactly as sent (still URL-encoded). The resource is the namespace endpoint, optionally
//! with a query (Azure's SDKs append `?apiVersion=2018-01-01` or `?api-version=...`). The expiry
//! is accepted in the formats Azure's SDKs and documentation produce:
//! - RFC 3339: `2026-11-24T19:26:57Z`;
//! - Python's `str(datetime)` / `isoformat()`: `2026-11-24 19:26:57.257927+00:00`, the fraction
//!   (1–9 digits) and the offset optional (no offset means UTC), `T` or a space between;
//! - .NET's and Java's en-US form: `11/24/2026 7:26:57 PM` (UTC), minutes and seconds with or
//!   without a leading zero, optionally followed by an offset such as ` +00:00`.
//!
//! Every refusal is a 401 with a stable code from [`code`] and a message saying what to fix;
//! no message ever repeats a key or a signature.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::error::{Error, Result};

/// The stable codes of credential failures. All are 401 (`ErrorKind::Unauthorized`).
pub mod code {
    /// No key and no token was presented.
    pub const MISSING_CREDENTIAL: &str = "MissingCredential";
    /// An `Authorization` header with a scheme other than `SharedAccessSignature`.
    pub const UNSUPPORTED_SCHEME: &str = "UnsupportedAuthorizationScheme";
    /// The presented key is neither of the namespace's keys.
    pub const INVALID_KEY: &str = "InvalidSasKey";
    /// The token is not `r=...&e=...&s=...`, a part is not URL-encoded properly, or the
    /// signature is not base64 of 32 bytes.
    pub const MALFORMED_TOKEN: &str = "MalformedSasToken";
    /// The token's expiry (`e=`) is in none of the accepted formats.
    pub const INVALID_EXPIRY: &str = "InvalidSasExpiry";
    /// The token's expiry is not in the future.
    pub const TOKEN_EXPIRED: &str = "SasTokenExpired";
    /// The token was made for another endpoint.
    pub const RESOURCE_MISMATCH: &str = "SasTokenResourceMismatch";
    /// The token's signature matches neither of the namespace's keys.
    pub const INVALID_SIGNATURE: &str = "InvalidSasSignature";
}

/// The longest token looked at; real tokens are a few hundred bytes.
pub const MAX_TOKEN_LEN: usize = 4096;

/// What URL encoding leaves alone: RFC 3986's unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The `Authorization` scheme that carries a SAS token.
const SAS_SCHEME: &str = "SharedAccessSignature";

/// The accepted expiry formats, as told to a publisher whose expiry is unreadable.
const EXPIRY_FORMATS: &str = "RFC 3339 ('2026-11-24T19:26:57Z'), 'YYYY-MM-DD HH:MM:SS[.ffffff][+00:00]' (UTC without an offset) or 'M/D/YYYY h:mm:ss AM|PM' (UTC)";

/// What a publisher presented. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// A namespace key, from the `aeg-sas-key` header or the `aeg-sas-key` query parameter.
    Key(String),
    /// A SAS token (`r=...&e=...&s=...`), from the `aeg-sas-token` header or
    /// `Authorization: SharedAccessSignature <token>`; not yet parsed.
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

/// At most `max` characters of `text`, for echoing a publisher's input in a message.
fn shorten(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((end, _)) => Cow::Owned(format!("{}...", text.get(..end).unwrap_or_default())),
        None => Cow::Borrowed(text),
    }
}

/// `value` trimmed, or `None` when absent or blank.
fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// The token after a case-insensitive `SharedAccessSignature` scheme, if `value` starts with it.
fn strip_sas_scheme(value: &str) -> Option<&str> {
    let (scheme, rest) = value.split_once(char::is_whitespace).unwrap_or((value, ""));
    scheme.eq_ignore_ascii_case(SAS_SCHEME).then(|| rest.trim())
}

/// The credential of a request. In order of precedence: the `aeg-sas-key` header, the
/// `aeg-sas-key` query parameter (both a [`Credential::Key`]), the `aeg-sas-token` header, then
/// `Authorization: SharedAccessSignature <token>` (both a [`Credential::Token`]). Blank values
/// count as absent; the scheme is case-insensitive.
///
/// Nothing presented is [`code::MISSING_CREDENTIAL`]; an `Authorization` header with another
/// scheme (such as an Entra ID `Bearer` token, which is not supported) is
/// [`code::UNSUPPORTED_SCHEME`].
pub fn credential(
    sas_key_header: Option<&str>,
    sas_key_query: Option<&str>,
    sas_token_header: Option<&str>,
    authorization_header: Option<&str>,
) -> Result<Credential> {
    if let Some(key) = present(sas_key_header).or(present(sas_key_query)) {
        return Ok(Credential::Key(key.to_owned()));
    }
    if let Some(token) = present(sas_token_header) {
        // Tolerate a token pasted with its scheme: `aeg-sas-token: SharedAccessSignature r=...`.
        let token = strip_sas_scheme(token).unwrap_or(token);
        return Ok(Credential::Token(token.to_owned()));
    }
    if let Some(authorization) = present(authorization_header) {
        return match strip_sas_scheme(authorization) {
            Some("") => Err(unauthorized(
                code::MALFORMED_TOKEN,
                "the Authorization header says SharedAccessSignature but carries no token: send 'Authorization: SharedAccessSignature r=...&e=...&s=...'",
            )),
            Some(token) => Ok(Credential::Token(token.to_owned())),
            None => Err(unauthorized(
                code::UNSUPPORTED_SCHEME,
                "the Authorization header must be 'SharedAccessSignature <token>': Microsoft Entra ID (Bearer) tokens are not supported here; send a namespace key as the aeg-sas-key header or a SAS token",
            )),
        };
    }
    Err(unauthorized(
        code::MISSING_CREDENTIAL,
        "no credential: send a namespace key as the aeg-sas-key header or the ?aeg-sas-key= query parameter, or a SAS token as the aeg-sas-token header or as 'Authorization: SharedAccessSignature <token>'",
    ))
}

/// Checks a presented key against the namespace's keys, each compared in constant time (every
/// key is compared; an empty key never matches). A mismatch is [`code::INVALID_KEY`].
pub fn verify_key(presented: &str, keys: &[&str]) -> Result<()> {
    let mut matched = Choice::from(0);
    for key in keys.iter().filter(|k| !k.is_empty()) {
        matched |= presented.as_bytes().ct_eq(key.as_bytes());
    }
    if bool::from(matched) {
        Ok(())
    } else {
        Err(unauthorized(
            code::INVALID_KEY,
            "the aeg-sas-key is neither of this namespace's keys: use key1 or key2 as listKeys shows them (a regenerated key stops working)",
        ))
    }
}

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

/// Parses a token's (URL-decoded) expiry in any of the three accepted formats (see the module
/// documentation); a time without an offset is UTC. Anything else is [`code::INVALID_EXPIRY`].
pub fn parse_expiry(text: &str) -> Result<OffsetDateTime> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(t);
    }
    // Python: `str(datetime)` (space) and `datetime.isoformat()` (T), offset optional.
    let python_offset = format_description!(
        "[year]-[month]-[day][first [ ][T]][hour]:[minute]:[second][optional [.[subsecond]]][offset_hour sign:mandatory]:[offset_minute]"
    );
    let python_naive = format_description!(
        "[year]-[month]-[day][first [ ][T]][hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    // .NET (`DateTime`/`DateTimeOffset.ToString(en-US)`) and Java (`M/d/yyyy h:m:s a`).
    let us_offset = format_description!(
        "[month padding:none]/[day padding:none]/[year] [hour repr:12 padding:none]:[minute padding:none]:[second padding:none] [period case_sensitive:false] [offset_hour sign:mandatory]:[offset_minute]"
    );
    let us_naive = format_description!(
        "[month padding:none]/[day padding:none]/[year] [hour repr:12 padding:none]:[minute padding:none]:[second padding:none] [period case_sensitive:false]"
    );
    let parsed = OffsetDateTime::parse(text, python_offset)
        .or_else(|_| PrimitiveDateTime::parse(text, python_naive).map(|t| t.assume_utc()))
        .or_else(|_| OffsetDateTime::parse(text, us_offset))
        .or_else(|_| PrimitiveDateTime::parse(text, us_naive).map(|t| t.assume_utc()));
    parsed.map_err(|_| {
        unauthorized(
            code::INVALID_EXPIRY,
            format!(
                "the SAS token's expiry (e=) '{}' is not a time: use {EXPIRY_FORMATS}",
                shorten(text, 64)
            ),
        )
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
