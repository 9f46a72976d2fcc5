//! Finding a filter key's value in a CloudEvents JSON event: key paths split once at compile
//! time, values classified once per event (strings lower-cased when a string operator needs
//! them), and the per-event view the matchers share.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// A filter key split into segments: an attribute name, then property names inside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct KeyPath {
    /// Each segment as written, and lower-cased for the case-insensitive fallback.
    segments: Box<[(Box<str>, Box<str>)]>,
}

impl KeyPath {
    /// Splits a validated key on `.`.
    pub(super) fn parse(key: &str) -> Self {
        Self {
            segments: key
                .split('.')
                .map(|s| (Box::from(s), Box::from(s.to_lowercase())))
                .collect(),
        }
    }

    fn is_data(&self) -> bool {
        self.segments
            .first()
            .is_some_and(|(_, lower)| &**lower == "data")
    }
}

/// One value as the operators see it.
#[derive(Debug)]
pub(super) enum Scalar<'e> {
    Null,
    Bool(bool),
    Number(f64),
    /// Lower-cased when the key is used by a string operator, as written otherwise.
    Str(Cow<'e, str>),
    /// An object, or an array inside an array.
    Other,
}

/// The value at a key.
#[derive(Debug)]
pub(super) enum Resolved<'e> {
    Missing,
    One(Scalar<'e>),
    Many(Vec<Scalar<'e>>),
}

/// Lower-cases `s`, borrowing it when it has nothing to lower.
pub(super) fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// The value at `key` in `event`; `lowered` lower-cases strings for the string operators.
pub(super) fn resolve<'e>(event: &'e Value, key: &KeyPath, lowered: bool) -> Resolved<'e> {
    match find(event, key) {
        None => Resolved::Missing,
        Some(Value::Array(items)) => {
            Resolved::Many(items.iter().map(|v| scalar(v, lowered)).collect())
        }
        Some(value) => Resolved::One(scalar(value, lowered)),
    }
}

fn scalar(value: &Value, lowered: bool) -> Scalar<'_> {
    match value {
        Value::Null => Scalar::Null,
        Value::Bool(b) => Scalar::Bool(*b),
        Value::Number(n) => n.as_f64().map_or(Scalar::Other, Scalar::Number),
        Value::String(s) if lowered => Scalar::Str(lower(s)),
        Value::String(s) => Scalar::Str(Cow::Borrowed(s)),
        Value::Array(_) | Value::Object(_) => Scalar::Other,
    }
}

/// The value at `key` (a filter key such as `subject` or `data.a.b`) in `event`, found as a
/// filter finds it.
pub fn attribute<'e>(event: &'e Value, key: &str) -> Option<&'e Value> {
    find(event, &KeyPath::parse(key))
}

fn find<'e>(event: &'e Value, key: &KeyPath) -> Option<&'e Value> {
    let object = event.as_object()?;
    if key.is_data() && !data_is_json(object) {
        return None;
    }
    let mut current = event;
    for (exact, lower) in &key.segments {
        current = member(current.as_object()?, exact, lower)?;
    }
    Some(current)
}

/// The property named `exact`, else the first whose name lower-cases to `lower`.
fn member<'e>(object: &'e Map<String, Value>, exact: &str, lower: &str) -> Option<&'e Value> {
    object.get(exact).or_else(|| {
        object
            .iter()
            .find(|(name, _)| eq_lowered(name, lower))
            .map(|(_, value)| value)
    })
}

fn eq_lowered(name: &str, lowered: &str) -> bool {
    if name.is_ascii() {
        name.eq_ignore_ascii_case(lowered)
    } else {
        name.to_lowercase() == lowered
    }
}

/// Whether the event carries JSON `data`: a `data` member and no or a JSON `datacontenttype`.
fn data_is_json(event: &Map<String, Value>) -> bool {
    if !event.contains_key("data") {
        return false;
    }
    match event.get("datacontenttype") {
        None | Some(Value::Null) => true,
        Some(Value::String(content_type)) => {
            let media = content_type
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            media == "application/json" || media == "text/json" || media.ends_with("+json")
        }
        Some(_) => false,
    }
}

/// One event as the matchers look at it: `type` and `subject` read once, the subject
/// lower-cased at most once.
pub(super) struct EventView<'e> {
    pub(super) event: &'e Value,
    pub(super) type_lower: Option<Cow<'e, str>>,
    pub(super) subject: Option<&'e str>,
    subject_lower: Option<Cow<'e, str>>,
}

impl<'e> EventView<'e> {
    pub(super) fn new(event: &'e Value) -> Self {
        let attribute = |name: &str| event.get(name).and_then(Value::as_str);
        Self {
            event,
            type_lower: attribute("type").map(lower),
            subject: attribute("subject"),
            subject_lower: None,
        }
    }

    /// The subject lower-cased, computed on first use.
    pub(super) fn subject_lower(&mut self) -> Option<&str> {
        let subject = self.subject?;
        Some(self.subject_lower.get_or_insert_with(|| lower(subject)))
    }
}
