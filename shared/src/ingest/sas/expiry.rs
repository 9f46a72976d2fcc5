//! Reading a SAS token's expiry in the formats Azure's SDKs and documentation produce.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use super::{code, shorten, unauthorized};
use crate::error::Result;

/// The accepted expiry formats, as told to a publisher whose expiry is unreadable.
const EXPIRY_FORMATS: &str = "RFC 3339 ('2026-11-24T19:26:57Z'), 'YYYY-MM-DD HH:MM:SS[.ffffff][+00:00]' (UTC without an offset) or 'M/D/YYYY h:mm:ss AM|PM' (UTC)";

/// Parses a token's (URL-decoded) expiry in any of the three accepted formats (see the
/// [`sas`](super) module documentation); a time without an offset is UTC. Anything else is
/// [`code::INVALID_EXPIRY`].
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
