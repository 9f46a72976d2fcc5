//! The attribute rules of one CloudEvent: required attributes, the spec version, `time`,
//! `data` or `data_base64`, and extension names and values.

use std::borrow::Cow;
use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::reader::{Attr, attributes};
use super::{Event, MAX_EVENT_BYTES, code, invalid, too_large};
use crate::error::Result;

/// Validates one event's JSON text (index `i` names it in errors).
pub fn validate(i: usize, json: &str) -> Result<Event> {
    check_text(i, json)?;
    let attrs = attributes(i, json)?;
    if let Some(name) = attrs.duplicate {
        return Err(invalid(
            code::DUPLICATE_ATTRIBUTE,
            format!(
                "event [{i}] has the attribute '{name}' more than once; give each attribute once"
            ),
        ));
    }
    let context = Context {
        i,
        attrs: &attrs.map,
    };
    let spec = context.required("specversion")?;
    if spec != "1.0" {
        return Err(invalid(
            code::INVALID_SPEC_VERSION,
            format!("event [{i}]: specversion is '{spec}'; only \"1.0\" is accepted"),
        ));
    }
    let id = context.required("id")?;
    let source = context.required("source")?;
    let kind = context.required("type")?;
    let subject = context.string("subject")?;
    context.check_optional()?;
    context.check_data()?;
    for (name, value) in context.attrs {
        if is_context_attribute(name) {
            continue;
        }
        check_extension(i, name, value)?;
    }
    Ok(Event {
        json: json.to_owned(),
        id,
        source,
        kind,
        subject,
        traceparent: context
            .attrs
            .contains_key(crate::ingest::trace::TRACEPARENT),
    })
}

/// The text as a whole: at most [`MAX_EVENT_BYTES`], and no noncharacter a queue cannot carry.
fn check_text(i: usize, json: &str) -> Result<()> {
    if json.len() > MAX_EVENT_BYTES {
        return Err(too_large(
            code::EVENT_TOO_LARGE,
            format!(
                "event [{i}] has {} bytes; one event may have at most {MAX_EVENT_BYTES} (1 MB)",
                json.len()
            ),
        ));
    }
    if json.contains(['\u{FFFE}', '\u{FFFF}']) {
        return Err(invalid(
            code::INVALID_JSON,
            format!(
                "event [{i}] contains the noncharacter U+FFFE or U+FFFF, which cannot be queued; escape it as \\uFFFE or \\uFFFF"
            ),
        ));
    }
    Ok(())
}

/// The attributes of event `i`, read by name.
struct Context<'m, 'a> {
    i: usize,
    attrs: &'m HashMap<Cow<'a, str>, Attr<'a>>,
}

impl Context<'_, '_> {
    /// A string attribute; `None` when absent or null.
    fn string(&self, name: &str) -> Result<Option<String>> {
        match self.attrs.get(name) {
            None | Some(Attr::Null) => Ok(None),
            Some(Attr::Str(v)) => Ok(Some(v.clone().into_owned())),
            Some(Attr::Other(what)) => Err(invalid(
                code::INVALID_ATTRIBUTE,
                format!(
                    "event [{}]: attribute '{name}' must be a string, got {what}",
                    self.i
                ),
            )),
        }
    }

    /// A string attribute that is present and not empty.
    fn required(&self, name: &str) -> Result<String> {
        match self.string(name)? {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(invalid(
                code::MISSING_ATTRIBUTE,
                format!(
                    "event [{}]: required attribute '{name}' is missing or empty",
                    self.i
                ),
            )),
        }
    }

    /// `time`, when given, is RFC 3339; `datacontenttype` and `dataschema`, when given, are not
    /// empty.
    fn check_optional(&self) -> Result<()> {
        let i = self.i;
        if let Some(t) = self.string("time")? {
            OffsetDateTime::parse(&t, &Rfc3339).map_err(|_| {
                invalid(code::INVALID_ATTRIBUTE, format!("event [{i}]: attribute 'time' is '{t}', not an RFC 3339 timestamp (e.g. 2026-11-24T12:00:00Z)"))
            })?;
        }
        for name in ["datacontenttype", "dataschema"] {
            if let Some(v) = self.string(name)?
                && v.is_empty()
            {
                return Err(invalid(
                    code::INVALID_ATTRIBUTE,
                    format!("event [{i}]: attribute '{name}' is empty; omit it or give a value"),
                ));
            }
        }
        Ok(())
    }

    /// At most one of `data` and `data_base64`, the latter valid base64.
    fn check_data(&self) -> Result<()> {
        let i = self.i;
        let has_data = self
            .attrs
            .get("data")
            .is_some_and(|v| !matches!(v, Attr::Null));
        if let Some(encoded) = self.string("data_base64")? {
            if has_data {
                return Err(invalid(
                    code::DATA_AND_DATA_BASE64,
                    format!("event [{i}] has both 'data' and 'data_base64'; send one of them"),
                ));
            }
            STANDARD.decode(encoded.as_bytes()).map_err(|_| {
                invalid(
                    code::INVALID_ATTRIBUTE,
                    format!("event [{i}]: attribute 'data_base64' is not valid base64"),
                )
            })?;
        }
        Ok(())
    }
}

fn is_context_attribute(name: &str) -> bool {
    matches!(
        name,
        "specversion"
            | "id"
            | "source"
            | "type"
            | "subject"
            | "time"
            | "datacontenttype"
            | "dataschema"
            | "data"
            | "data_base64"
    )
}

/// Extension attributes: 1–20 lower-case letters or digits, with a string, number or boolean value.
fn check_extension(i: usize, name: &str, value: &Attr) -> Result<()> {
    let ok_name = (1..=20).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !ok_name {
        return Err(invalid(
            code::INVALID_EXTENSION_NAME,
            format!(
                "event [{i}]: extension attribute '{name}' must be 1-20 lower-case letters or digits"
            ),
        ));
    }
    if value.is_container() {
        return Err(invalid(
            code::INVALID_ATTRIBUTE,
            format!(
                "event [{i}]: extension attribute '{name}' must be a string, number or boolean, not an object or array"
            ),
        ));
    }
    Ok(())
}
