//! CloudEvents 1.0 as Event Grid accepts them: the three HTTP content modes, every attribute
//! rule, and the size limits. An accepted event keeps its exact JSON text, so subscribers
//! receive what the publisher sent. Each event is read once, whole, by the parse the fan-out
//! uses (`serde_json::Value`'s), so every accepted event reads there too: JSON nested more than
//! 127 levels, a number outside a double's range or a lone surrogate escape is refused here.

mod binary;
mod reader;
mod validate;

pub use binary::from_binary;
pub use validate::validate;

use serde_json::value::RawValue;

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
    /// Whether it has a `traceparent` attribute (of any value).
    pub traceparent: bool,
}

/// A 400 with `code`.
fn invalid(code: &'static str, message: String) -> Error {
    Error::invalid(code, message)
}

/// A 413 with `code`.
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
