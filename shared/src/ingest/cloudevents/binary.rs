//! Binary content mode: an event from `ce-*` headers, a Content-Type and a body.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::value::RawValue;

use super::{Event, check_request_size, code, invalid, validate};
use crate::error::{Error, Result};

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
