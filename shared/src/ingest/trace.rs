//! W3C trace context (`traceparent`, `tracestate`) carried from a publish request to its
//! events, as the CloudEvents distributed-tracing extension attributes, and from an event to
//! its deliveries. A malformed `traceparent` is ignored (not an error), and so is a malformed
//! `tracestate`.

use super::cloudevents::Event;

/// The extension attributes (and the HTTP header and message attribute names) carried.
pub const TRACEPARENT: &str = "traceparent";
pub const TRACESTATE: &str = "tracestate";

/// The most bytes of `tracestate` carried (W3C asks propagators to keep at least 512).
const MAX_TRACESTATE: usize = 512;
/// The most list members of `tracestate`.
const MAX_MEMBERS: usize = 32;

/// A publish request's trace context, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext {
    pub traceparent: String,
    pub tracestate: Option<String>,
}

impl TraceContext {
    /// The context of a request's `traceparent` and `tracestate` headers; `None` without a
    /// valid `traceparent`. An invalid `tracestate` is dropped.
    pub fn from_headers(traceparent: Option<&str>, tracestate: Option<&str>) -> Option<Self> {
        let traceparent = traceparent.map(str::trim).filter(|t| is_traceparent(t))?;
        Some(Self {
            traceparent: traceparent.to_owned(),
            tracestate: tracestate
                .map(str::trim)
                .filter(|s| !s.is_empty() && is_tracestate(s))
                .map(str::to_owned),
        })
    }

    /// Adds the context to each event without a `traceparent` attribute of its own, as its
    /// `traceparent` (and `tracestate`) extension attributes.
    pub fn apply(&self, events: &mut [Event]) {
        let mut attributes = format!("\"{TRACEPARENT}\":{},", json_string(&self.traceparent));
        if let Some(state) = &self.tracestate {
            attributes.push_str(&format!("\"{TRACESTATE}\":{},", json_string(state)));
        }
        for event in events.iter_mut().filter(|e| !e.traceparent) {
            if let Some(open) = event.json.find('{') {
                event.json.insert_str(open + 1, &attributes);
                event.traceparent = true;
            }
        }
    }
}

fn json_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// The longest `traceparent` carried: a later version may add fields, within reason.
const MAX_TRACEPARENT: usize = 256;

/// `version-traceid-parentid-flags` in lower-case hex: version not `ff`, trace id and parent
/// id not all zeros; version `00` has exactly these four fields, a later version may add
/// fields after a `-`.
pub fn is_traceparent(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() < 55 {
        return false;
    }
    let hex = |range: std::ops::Range<usize>| {
        b[range]
            .iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
    };
    let zeros = |range: std::ops::Range<usize>| b[range].iter().all(|c| *c == b'0');
    let shape = hex(0..2)
        && b[2] == b'-'
        && hex(3..35)
        && b[35] == b'-'
        && hex(36..52)
        && b[52] == b'-'
        && hex(53..55);
    let version = &value[..2];
    shape
        && version != "ff"
        && !zeros(3..35)
        && !zeros(36..52)
        && match version {
            "00" => b.len() == 55,
            _ => {
                b.len() == 55
                    || (b[55] == b'-'
                        && b.len() <= MAX_TRACEPARENT
                        && b[56..].iter().all(|c| c.is_ascii_graphic()))
            }
        }
}

/// At most 512 bytes and 32 comma-separated `key=value` members: a key of lower-case letters,
/// digits and `_-*/` (with one `@` for a tenant) starting with a letter or digit, a value of
/// printable ASCII other than `,` and `=` not ending in a space.
pub fn is_tracestate(value: &str) -> bool {
    if value.len() > MAX_TRACESTATE {
        return false;
    }
    let members: Vec<&str> = value
        .split(',')
        .map(|m| m.trim_matches([' ', '\t']))
        .filter(|m| !m.is_empty())
        .collect();
    !members.is_empty() && members.len() <= MAX_MEMBERS && members.iter().all(|m| is_member(m))
}

fn is_member(member: &str) -> bool {
    let Some((key, value)) = member.split_once('=') else {
        return false;
    };
    let key_ok = (1..=256).contains(&key.len())
        && key.bytes().filter(|c| *c == b'@').count() <= 1
        && key
            .bytes()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && key
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"_-*/@".contains(&c));
    let value_ok = (1..=256).contains(&value.len())
        && !value.ends_with(' ')
        && value
            .bytes()
            .all(|c| (0x20..=0x7e).contains(&c) && c != b',' && c != b'=');
    key_ok && value_ok
}
