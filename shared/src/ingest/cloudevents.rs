//! CloudEvents 1.0 as Event Grid accepts them: the three HTTP content modes, every attribute
//! rule, and the size limits. An accepted event keeps its exact JSON text, so subscribers
//! receive what the publisher sent. Each event is read once, whole, by the parse the fan-out
//! uses (`serde_json::Value`'s), so every accepted event reads there too: JSON nested more than
//! 127 levels, a number outside a double's range or a lone surrogate escape is refused here.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{Error, ErrorKind, Result};

/// The largest event, and the largest request body.
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;
/// The most events one request may carry.
pub const MAX_EVENTS: usize = 5000;

/// Stable codes of the publish endpoint's validation errors.
pub mod code {
    pub const UNSUPPORTED_CONTENT_TYPE: &str = "UnsupportedContentType";
    pub const INVALID_JSON: &str = "InvalidJson";
    pub const EMPTY_BATCH: &str = "EmptyBatch";
    pub const TOO_MANY_EVENTS: &str = "TooManyEvents";
    pub const EVENT_TOO_LARGE: &str = "EventTooLarge";
    pub const REQUEST_TOO_LARGE: &str = "RequestTooLarge";
    pub const MISSING_ATTRIBUTE: &str = "MissingRequiredAttribute";
    pub const INVALID_ATTRIBUTE: &str = "InvalidAttributeValue";
    pub const INVALID_SPEC_VERSION: &str = "InvalidSpecVersion";
    pub const INVALID_EXTENSION_NAME: &str = "InvalidExtensionAttributeName";
    pub const DATA_AND_DATA_BASE64: &str = "DataAndDataBase64";
    pub const UNSUPPORTED_JSON: &str = "UnsupportedJson";
    pub const DUPLICATE_ATTRIBUTE: &str = "DuplicateAttribute";
}

/// How a publish request carries its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentMode {
    /// `application/cloudevents+json`: one event.
    Structured,
    /// `application/cloudevents-batch+json`: a JSON array of events.
    Batch,
    /// `ce-*` headers and the data as the body.
    Binary,
}

/// The content mode of a request from its `Content-Type` and whether it has `ce-specversion`.
pub fn content_mode(content_type: Option<&str>, has_ce_headers: bool) -> Result<ContentMode> {
    let media = content_type
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match media.as_str() {
        "application/cloudevents-batch+json" => Ok(ContentMode::Batch),
        "application/cloudevents+json" => Ok(ContentMode::Structured),
        _ if has_ce_headers => Ok(ContentMode::Binary),
        _ => Err(invalid(
            code::UNSUPPORTED_CONTENT_TYPE,
            format!(
                "Content-Type '{media}' is not a CloudEvents mode: use application/cloudevents-batch+json (an array), application/cloudevents+json (one event), or binary mode with ce-* headers"
            ),
        )),
    }
}

/// One validated event: its JSON text, unchanged, and the attributes routing and filtering need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub json: String,
    pub id: String,
    pub source: String,
    pub kind: String,
    pub subject: Option<String>,
}

fn invalid(code: &'static str, message: String) -> Error {
    Error::invalid(code, message)
}

fn too_large(code: &'static str, message: String) -> Error {
    Error::new(ErrorKind::TooLarge, code, message)
}

/// Checks the request body size before anything is parsed.
pub fn check_request_size(len: usize) -> Result<()> {
    if len > MAX_REQUEST_BYTES {
        Err(request_too_large(Some(len)))
    } else {
        Ok(())
    }
}

/// The 413 of a request body over the limit, with its size when known.
pub fn request_too_large(len: Option<usize>) -> Error {
    let size = len.map_or_else(|| "more than that".to_owned(), |n| format!("{n} bytes"));
    too_large(
        code::REQUEST_TOO_LARGE,
        format!(
            "the request body is over the limit ({size}); at most {MAX_REQUEST_BYTES} bytes (1 MB) are accepted, split the batch"
        ),
    )
}

/// Parses and validates a structured or batch body. Any invalid event fails the whole request,
/// naming the event's index and the attribute.
pub fn parse(mode: ContentMode, body: &[u8]) -> Result<Vec<Event>> {
    check_request_size(body.len())?;
    let text = std::str::from_utf8(body)
        .map_err(|e| invalid(code::INVALID_JSON, format!("the body is not UTF-8: {e}")))?;
    let raws: Vec<&RawValue> = match mode {
        ContentMode::Batch => serde_json::from_str(text).map_err(|e| {
            invalid(
                code::INVALID_JSON,
                format!("the body is not a JSON array of events: {e}"),
            )
        })?,
        ContentMode::Structured => vec![serde_json::from_str(text).map_err(|e| {
            invalid(
                code::INVALID_JSON,
                format!("the body is not one JSON event: {e}"),
            )
        })?],
        ContentMode::Binary => {
            return Err(Error::internal("binary mode is parsed from headers"));
        }
    };
    if raws.is_empty() {
        return Err(invalid(
            code::EMPTY_BATCH,
            "the batch holds no events; send at least one".into(),
        ));
    }
    if raws.len() > MAX_EVENTS {
        return Err(too_large(
            code::TOO_MANY_EVENTS,
            format!(
                "the batch holds {} events; at most {MAX_EVENTS} are accepted per request",
                raws.len()
            ),
        ));
    }
    raws.iter()
        .enumerate()
        .map(|(i, raw)| validate(i, raw.get()))
        .collect()
}

/// A top-level attribute's value, as far as the rules look at it.
enum Attr<'a> {
    Null,
    Str(Cow<'a, str>),
    Other(&'static str),
}

impl Attr<'_> {
    fn is_container(&self) -> bool {
        matches!(self, Attr::Other("an object" | "an array"))
    }
}

/// An event's attributes, and the first name given twice.
struct Attributes<'a> {
    map: HashMap<Cow<'a, str>, Attr<'a>>,
    duplicate: Option<String>,
}

/// Validates one event's JSON text (index `i` names it in errors).
pub fn validate(i: usize, json: &str) -> Result<Event> {
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
    let attrs = attributes(i, json)?;
    if let Some(name) = attrs.duplicate {
        return Err(invalid(
            code::DUPLICATE_ATTRIBUTE,
            format!(
                "event [{i}] has the attribute '{name}' more than once; give each attribute once"
            ),
        ));
    }
    let attrs = attrs.map;
    let string = |name: &str| -> Result<Option<String>> {
        match attrs.get(name) {
            None | Some(Attr::Null) => Ok(None),
            Some(Attr::Str(v)) => Ok(Some(v.clone().into_owned())),
            Some(Attr::Other(what)) => Err(invalid(
                code::INVALID_ATTRIBUTE,
                format!("event [{i}]: attribute '{name}' must be a string, got {what}"),
            )),
        }
    };
    let required = |name: &str| -> Result<String> {
        match string(name)? {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(invalid(
                code::MISSING_ATTRIBUTE,
                format!("event [{i}]: required attribute '{name}' is missing or empty"),
            )),
        }
    };
    let spec = required("specversion")?;
    if spec != "1.0" {
        return Err(invalid(
            code::INVALID_SPEC_VERSION,
            format!("event [{i}]: specversion is '{spec}'; only \"1.0\" is accepted"),
        ));
    }
    let id = required("id")?;
    let source = required("source")?;
    let kind = required("type")?;
    let subject = string("subject")?;
    if let Some(t) = string("time")? {
        OffsetDateTime::parse(&t, &Rfc3339).map_err(|_| {
            invalid(code::INVALID_ATTRIBUTE, format!("event [{i}]: attribute 'time' is '{t}', not an RFC 3339 timestamp (e.g. 2026-11-24T12:00:00Z)"))
        })?;
    }
    for name in ["datacontenttype", "dataschema"] {
        if let Some(v) = string(name)?
            && v.is_empty()
        {
            return Err(invalid(
                code::INVALID_ATTRIBUTE,
                format!("event [{i}]: attribute '{name}' is empty; omit it or give a value"),
            ));
        }
    }
    let has_data = attrs.get("data").is_some_and(|v| !matches!(v, Attr::Null));
    if let Some(encoded) = string("data_base64")? {
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
    for (name, value) in &attrs {
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
    })
}

/// Reads an event's attributes in one pass that also reads every nested value as
/// `serde_json::Value` would (the same deserializer calls, so the same recursion limit, number
/// range and string escapes), without building it.
fn attributes(i: usize, json: &str) -> Result<Attributes<'_>> {
    let mut de = serde_json::Deserializer::from_str(json);
    let read = serde::Deserializer::deserialize_any(&mut de, EventVisitor).and_then(|a| {
        de.end()?;
        Ok(a)
    });
    read.map_err(|e| {
        if e.classify() == serde_json::error::Category::Data
            || serde_json::from_str::<&RawValue>(json).is_err()
        {
            invalid(
                code::INVALID_JSON,
                format!("event [{i}] is not a JSON object: {e}"),
            )
        } else {
            invalid(
                code::UNSUPPORTED_JSON,
                format!(
                    "event [{i}] is JSON that subscribers could not read ({e}): nest at most 127 levels (the event object is the first), keep numbers within a double's range (about 1.8e308), and escape no lone surrogate (\\ud800-\\udfff unpaired)"
                ),
            )
        }
    })
}

struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = Attributes<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut attrs = Attributes {
            map: HashMap::with_capacity(map.size_hint().unwrap_or(8)),
            duplicate: None,
        };
        while let Some(Key(name)) = map.next_key()? {
            let value = map.next_value()?;
            if let Some(name) = attrs.map.insert(name.clone(), value).and(Some(name))
                && attrs.duplicate.is_none()
            {
                attrs.duplicate = Some(name.into_owned());
            }
        }
        Ok(attrs)
    }
}

/// An attribute name, borrowed from the text unless it has escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an attribute name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for Attr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AttrVisitor)
    }
}

struct AttrVisitor;

impl<'de> Visitor<'de> for AttrVisitor {
    type Value = Attr<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Attr::Null)
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Attr::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Attr::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Attr::Other("a boolean"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Attr::Other("a number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Attr::Other("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Attr::Other("a number"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Checked.visit_seq(seq)?;
        Ok(Attr::Other("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Checked.visit_map(map)?;
        Ok(Attr::Other("an object"))
    }
}

/// Any JSON value, read as `serde_json::Value` reads it and then dropped.
struct Checked;

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Checked)
    }
}

impl<'de> Visitor<'de> for Checked {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Checked)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Checked)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Checked)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Checked)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Checked)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Checked)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<Checked, Checked>()?.is_some() {}
        Ok(Checked)
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

/// Builds the structured JSON of a binary-mode event from its `ce-*` headers (names
/// lower-cased, values percent-decoded by the caller), its Content-Type and its body.
pub fn from_binary(
    headers: &[(String, String)],
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Event> {
    check_request_size(body.len())?;
    let mut event = serde_json::Map::new();
    for (name, value) in headers {
        if let Some(attr) = name.strip_prefix("ce-") {
            event.insert(attr.to_owned(), serde_json::Value::String(value.clone()));
        }
    }
    if let Some(ct) = content_type {
        event.insert(
            "datacontenttype".into(),
            serde_json::Value::String(ct.to_owned()),
        );
    }
    if !body.is_empty() {
        let json_data = content_type
            .map(|c| {
                c.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .is_some_and(|m| m == "application/json" || m.ends_with("+json") || m == "text/json");
        let data = if json_data {
            serde_json::from_slice(body).map_err(|e| {
                if serde_json::from_slice::<&RawValue>(body).is_ok() {
                    invalid(
                        code::UNSUPPORTED_JSON,
                        format!(
                            "event [0]: the body is JSON that subscribers could not read ({e}): nest at most 126 levels (the event object holding it is one more), keep numbers within a double's range (about 1.8e308), and escape no lone surrogate"
                        ),
                    )
                } else {
                    invalid(
                        code::INVALID_JSON,
                        format!("event [0]: the body is declared JSON but does not parse: {e}"),
                    )
                }
            })?
        } else {
            event.insert(
                "data_base64".into(),
                serde_json::Value::String(STANDARD.encode(body)),
            );
            serde_json::Value::Null
        };
        if !data.is_null() {
            event.insert("data".into(), data);
        }
    }
    let json = serde_json::to_string(&event)
        .map_err(|e| Error::internal(format!("event does not encode: {e}")))?;
    validate(0, &json)
}
