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

mod credential;
mod expiry;
mod token;

pub use credential::{Credential, credential, verify_key};
pub use expiry::parse_expiry;
pub use token::{MAX_TOKEN_LEN, SasToken, generate_token, parse_token, verify_token};

use std::borrow::Cow;

use crate::error::Error;

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
