//! The request one delivery makes: CloudEvents structured mode for one event, batch mode when
//! the subscription batches (`maxEventsPerBatch` > 1), Event Grid's `aeg-*` headers and the
//! subscription's delivery attribute mappings.
//!
//! A dynamic mapping takes its value from the first event of the batch (strings as they are,
//! other JSON values as JSON text); a mapping whose attribute is missing or `null` adds no
//! header. The first event's trace context (`traceparent`, `tracestate`), when valid, is sent
//! as headers of those names unless a mapping sets them.

use serde_json::Value;

use super::EventJson;
use crate::ingest::trace;
use crate::ports::DeliveryRequest;
use crate::subscriptions::{DeliveryAttributeMapping, WebHook};

pub const STRUCTURED: &str = "application/cloudevents+json; charset=utf-8";
pub const BATCH: &str = "application/cloudevents-batch+json; charset=utf-8";

/// The POST of `events` to `hook` for subscription `name`, attempt `delivery_count` (0 first).
pub fn build(
    name: &str,
    hook: &WebHook,
    events: &[EventJson],
    delivery_count: u32,
) -> DeliveryRequest {
    let batching = hook.max_events_per_batch > 1;
    let (content_type, body) = match events {
        [one] if !batching => (STRUCTURED, one.to_string()),
        _ => (BATCH, format!("[{}]", events.join(","))),
    };
    let mut headers = vec![
        ("Content-Type".to_owned(), content_type.to_owned()),
        ("aeg-subscription-name".to_owned(), name.to_owned()),
        ("aeg-delivery-count".to_owned(), delivery_count.to_string()),
        ("aeg-event-type".to_owned(), "Notification".to_owned()),
        ("aeg-metadata-version".to_owned(), "1".to_owned()),
    ];
    let first: Option<Value> = if needs_event(hook, events) {
        events.first().and_then(|e| serde_json::from_str(e).ok())
    } else {
        None
    };
    if let (false, Some(version)) = (batching, first.as_ref().and_then(data_version)) {
        headers.push(("aeg-data-version".to_owned(), version));
    }
    if let Some(event) = &first {
        headers.extend(trace_context(event, &hook.delivery_attribute_mappings));
    }
    for mapping in &hook.delivery_attribute_mappings {
        let value = match mapping {
            DeliveryAttributeMapping::Static { properties, .. } => properties.value.clone(),
            DeliveryAttributeMapping::Dynamic { properties, .. } => first
                .as_ref()
                .and_then(|e| crate::filter::attribute(e, &properties.source_field))
                .and_then(header_text),
        };
        if let Some(value) = value {
            headers.push((mapping.name().to_owned(), value));
        }
    }
    DeliveryRequest {
        url: hook.endpoint_url.clone().unwrap_or_default(),
        headers,
        body,
        start_by: None,
        answer_within: None,
    }
}

fn needs_event(hook: &WebHook, events: &[EventJson]) -> bool {
    (events.len() == 1 && hook.max_events_per_batch == 1 && events[0].contains("\"dataversion\""))
        || events
            .first()
            .is_some_and(|e| e.contains("\"traceparent\""))
        || hook
            .delivery_attribute_mappings
            .iter()
            .any(|m| matches!(m, DeliveryAttributeMapping::Dynamic { .. }))
}

/// The event's `dataversion` extension attribute, when it has one.
fn data_version(event: &Value) -> Option<String> {
    event.get("dataversion").and_then(header_text)
}

fn header_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The event's valid `traceparent` (and its valid `tracestate`), as name and value, leaving out
/// a name one of `mappings` sets.
pub fn trace_context(
    event: &Value,
    mappings: &[DeliveryAttributeMapping],
) -> Vec<(String, String)> {
    let Some(parent) = event
        .get(trace::TRACEPARENT)
        .and_then(Value::as_str)
        .filter(|t| trace::is_traceparent(t))
    else {
        return Vec::new();
    };
    let state = event
        .get(trace::TRACESTATE)
        .and_then(Value::as_str)
        .filter(|s| trace::is_tracestate(s));
    [
        (trace::TRACEPARENT, Some(parent)),
        (trace::TRACESTATE, state),
    ]
    .into_iter()
    .filter(|(name, _)| !mappings.iter().any(|m| m.name().eq_ignore_ascii_case(name)))
    .filter_map(|(name, value)| Some((name.to_owned(), value?.to_owned())))
    .collect()
}
