//! The credential a publish request presents: which header or query parameter carries it, and
//! checking a namespace key.

use subtle::{Choice, ConstantTimeEq};

use super::{code, unauthorized};
use crate::error::Result;

/// The `Authorization` scheme that carries a SAS token.
const SAS_SCHEME: &str = "SharedAccessSignature";

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
