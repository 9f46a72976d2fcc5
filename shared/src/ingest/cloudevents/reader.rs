//! Reading an event's top-level attributes in one pass that reads every nested value the way
//! `serde_json::Value` does, so that what is accepted here also reads in the fan-out.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{code, invalid};
use crate::error::Result;

/// A top-level attribute's value, as far as the rules look at it.
pub(super) enum Attr<'a> {
    Null,
    Str(Cow<'a, str>),
    Other(&'static str),
}

impl Attr<'_> {
    pub(super) fn is_container(&self) -> bool {
        matches!(self, Attr::Other("an object" | "an array"))
    }
}

/// An event's attributes, and the first name given twice.
pub(super) struct Attributes<'a> {
    pub(super) map: HashMap<Cow<'a, str>, Attr<'a>>,
    pub(super) duplicate: Option<String>,
}

/// Reads an event's attributes in one pass that also reads every nested value as
/// `serde_json::Value` would (the same deserializer calls, so the same recursion limit, number
/// range and string escapes), without building it.
pub(super) fn attributes(i: usize, json: &str) -> Result<Attributes<'_>> {
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
