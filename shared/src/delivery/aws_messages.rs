//! The messages a batch of events becomes for an AWS target: one per event (a batching
//! Lambda: one array), each the CloudEvent's bytes as published, with the FIFO group and
//! deduplication ids, the Kinesis partition key, EventBridge's source and detail type and the
//! message attributes. An event the service cannot carry is refused here, with why.
//!
//! `messageGroupId` and `partitionKey` are a literal or `$<attribute>`: an attribute the event
//! lacks falls back to the default (`$source` for a group, `$subject` then `$id` for a key);
//! a value the service would refuse (too long, or characters outside its set) is replaced by
//! its SHA-256, so equal values still land together.
//!
//! SQS and SNS messages also carry the event's trace context as the message attributes
//! `traceparent` and `tracestate` (see [`super::request::trace_context`]).

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::EventJson;
use crate::ports::{Fault, ServiceError, TargetMessage};
use crate::subscriptions::DeliveryAttributeMapping;
use crate::subscriptions::aws::{Arn, AwsTarget, Service};

/// The largest message each service takes, in bytes.
pub fn max_bytes(service: Service) -> usize {
    match service {
        Service::Sqs | Service::Sns | Service::EventBridge => 256 * 1024,
        Service::Kinesis => 1024 * 1024,
        Service::Lambda => 6 * 1024 * 1024,
        Service::S3 => usize::MAX,
    }
}

/// The most message attributes SQS and SNS take: the trace context is added only while there
/// is room beside the subscription's own.
pub const MAX_ATTRIBUTES: usize = 10;

/// The code of a message refused before it was sent.
pub const TOO_LARGE: &str = "MessageTooLarge";
pub const SOURCE_NOT_ALLOWED: &str = "SourceNotAllowed";

/// The messages for `events` bound for `target` of subscription `subscription`, each with the
/// positions of the events it carries; a message the service cannot carry is an `Err`.
pub fn messages(
    service: Service,
    target: &AwsTarget,
    subscription: &str,
    events: &[EventJson],
) -> Vec<(Vec<usize>, Result<TargetMessage, ServiceError>)> {
    let batching = service == Service::Lambda && target.max_events_per_batch.unwrap_or(1) > 1;
    if batching {
        let body = format!("[{}]", events.join(","));
        let positions = (0..events.len()).collect();
        return vec![(
            positions,
            fit(
                service,
                TargetMessage {
                    body,
                    ..Default::default()
                },
            ),
        )];
    }
    let fifo = Arn::parse(&target.resource_id).is_some_and(|a| a.is_fifo());
    events
        .iter()
        .enumerate()
        .map(|(i, json)| {
            let needs_event = matches!(service, Service::EventBridge | Service::Kinesis)
                || fifo
                || (service.has_attributes() && json.contains("\"traceparent\""))
                || target
                    .delivery_attribute_mappings
                    .iter()
                    .any(|m| matches!(m, DeliveryAttributeMapping::Dynamic { .. }));
            let event = needs_event
                .then(|| serde_json::from_str::<Value>(json).ok())
                .flatten()
                .unwrap_or(Value::Null);
            (
                vec![i],
                message(service, target, subscription, fifo, json, &event),
            )
        })
        .collect()
}

fn message(
    service: Service,
    target: &AwsTarget,
    subscription: &str,
    fifo: bool,
    json: &str,
    event: &Value,
) -> Result<TargetMessage, ServiceError> {
    let mut message = TargetMessage {
        body: json.to_owned(),
        ..Default::default()
    };
    if fifo {
        let group = pick(event, target.message_group_id.as_deref(), &["$source"]);
        message.group_id = Some(fitted(group.unwrap_or_default(), 128, group_char));
        message.deduplication_id = Some(deduplication_id(subscription, json));
    }
    match service {
        Service::Kinesis => {
            let key = pick(event, target.partition_key.as_deref(), &["$subject", "$id"]);
            message.partition_key = Some(fitted(key.unwrap_or_default(), 256, |_| true));
        }
        Service::EventBridge => {
            let source = text(event, "source").unwrap_or_default();
            if source.to_ascii_lowercase().starts_with("aws.") {
                return Err(refused(
                    SOURCE_NOT_ALLOWED,
                    format!(
                        "EventBridge refuses events whose source starts with 'aws.' (this one's is '{source}')"
                    ),
                ));
            }
            message.source = Some(source);
            message.detail_type = Some(text(event, "type").unwrap_or_default());
        }
        _ => {}
    }
    if service.has_attributes() {
        let mappings = &target.delivery_attribute_mappings;
        message.attributes = attributes(mappings, event);
        for traced in super::request::trace_context(event, mappings) {
            if message.attributes.len() < MAX_ATTRIBUTES {
                message.attributes.push(traced);
            }
        }
    }
    fit(service, message)
}

/// Refuses a message larger than the service takes.
fn fit(service: Service, message: TargetMessage) -> Result<TargetMessage, ServiceError> {
    let size = message.body.len()
        + message.partition_key.as_ref().map_or(0, String::len)
        + message.source.as_ref().map_or(0, String::len)
        + message.detail_type.as_ref().map_or(0, String::len)
        + message
            .attributes
            .iter()
            .map(|(n, v)| n.len() + v.len())
            .sum::<usize>();
    let max = max_bytes(service);
    if size > max {
        return Err(refused(
            TOO_LARGE,
            format!(
                "the message is {size} bytes; a {} takes at most {max}",
                service.endpoint_type()
            ),
        ));
    }
    Ok(message)
}

fn refused(code: &str, message: String) -> ServiceError {
    ServiceError::new(Fault::Unfit, 0, code, message)
}

/// The same for every attempt of one event to one subscription.
pub fn deduplication_id(subscription: &str, json: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(subscription.as_bytes());
    hash.update(b"\n");
    hash.update(json.as_bytes());
    hex(&hash.finalize())
}

/// A literal, or the first of the `$<attribute>`s (the given one, then the defaults) the event
/// has.
fn pick(event: &Value, given: Option<&str>, defaults: &[&str]) -> Option<String> {
    if let Some(literal) = given.filter(|g| !g.starts_with('$')) {
        return Some(literal.to_owned());
    }
    given
        .into_iter()
        .chain(defaults.iter().copied())
        .filter_map(|t| t.strip_prefix('$'))
        .find_map(|attribute| crate::filter::attribute(event, attribute).and_then(as_text))
}

fn text(event: &Value, name: &str) -> Option<String> {
    event.get(name).and_then(as_text)
}

fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// `value` if it is 1 to `max` characters the service allows, else its SHA-256 in hex.
fn fitted(value: String, max: usize, allowed: fn(char) -> bool) -> String {
    let fits = !value.is_empty() && value.chars().count() <= max && value.chars().all(allowed);
    if fits {
        return value;
    }
    hex(&Sha256::digest(value.as_bytes()))
}

/// SQS and SNS group ids: letters, digits and ASCII punctuation.
fn group_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c.is_ascii_punctuation()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The message attributes: static values, and dynamic ones from the event (an attribute it
/// lacks adds none).
fn attributes(mappings: &[DeliveryAttributeMapping], event: &Value) -> Vec<(String, String)> {
    mappings
        .iter()
        .filter_map(|m| {
            let value = match m {
                DeliveryAttributeMapping::Static { properties, .. } => properties.value.clone(),
                DeliveryAttributeMapping::Dynamic { properties, .. } => {
                    crate::filter::attribute(event, &properties.source_field).and_then(as_text)
                }
            };
            value
                .filter(|v| !v.is_empty())
                .map(|v| (m.name().to_owned(), v))
        })
        .collect()
}
