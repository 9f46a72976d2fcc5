//! The `filter` of an event subscription in Azure's exact JSON shape: camelCase properties and
//! advanced filters told apart by `operatorType`, with `key` and `value` or `values`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `properties.filter` of an event subscription.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventSubscriptionFilter {
    /// Event types to deliver, compared case-insensitively; absent or empty means all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub included_event_types: Option<Vec<String>>,
    /// A prefix the event's `subject` must have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_begins_with: Option<String>,
    /// A suffix the event's `subject` must have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_ends_with: Option<String>,
    /// Whether the subject prefix and suffix compare case-sensitively (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_subject_case_sensitive: Option<bool>,
    /// Whether advanced filters look into array values element by element (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_advanced_filtering_on_arrays: Option<bool>,
    /// Conditions on event attributes and data, all of which must hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advanced_filters: Option<Vec<AdvancedFilter>>,
}

/// One advanced filter: an operator on the value at `key`. Lists of values are OR'd.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "operatorType")]
pub enum AdvancedFilter {
    /// The number equals one of `values`.
    NumberIn {
        #[serde(default)]
        key: String,
        #[serde(default, with = "numbers")]
        values: Vec<f64>,
    },
    /// The number equals none of `values`; a missing key matches.
    NumberNotIn {
        #[serde(default)]
        key: String,
        #[serde(default, with = "numbers")]
        values: Vec<f64>,
    },
    /// The number is less than `value`.
    NumberLessThan {
        #[serde(default)]
        key: String,
        #[serde(with = "number")]
        value: f64,
    },
    /// The number is greater than `value`.
    NumberGreaterThan {
        #[serde(default)]
        key: String,
        #[serde(with = "number")]
        value: f64,
    },
    /// The number is at most `value`.
    NumberLessThanOrEquals {
        #[serde(default)]
        key: String,
        #[serde(with = "number")]
        value: f64,
    },
    /// The number is at least `value`.
    NumberGreaterThanOrEquals {
        #[serde(default)]
        key: String,
        #[serde(with = "number")]
        value: f64,
    },
    /// The number lies in one of the inclusive `[lo, hi]` ranges.
    NumberInRange {
        #[serde(default)]
        key: String,
        #[serde(default, with = "ranges")]
        values: Vec<[f64; 2]>,
    },
    /// The number lies in none of the inclusive `[lo, hi]` ranges.
    NumberNotInRange {
        #[serde(default)]
        key: String,
        #[serde(default, with = "ranges")]
        values: Vec<[f64; 2]>,
    },
    /// The boolean equals `value`.
    BoolEquals {
        #[serde(default)]
        key: String,
        value: bool,
    },
    /// The string equals one of `values`.
    StringIn {
        #[serde(default)]
        key: String,
        #[serde(default, deserialize_with = "strings")]
        values: Vec<String>,
    },
    /// The string equals none of `values`; a missing key matches.
    StringNotIn {
        #[serde(default)]
        key: String,
        #[serde(default, deserialize_with = "strings")]
        values: Vec<String>,
    },
    /// The string begins with one of `values`.
    StringBeginsWith {
        #[serde(default)]
        key: String,
        #[serde(default, deserialize_with = "strings")]
        values: Vec<String>,
    },
    /// The string ends with one of `values`.
    StringEndsWith {
        #[serde(default)]
        key: String,
        #[serde(default, deserialize_with = "strings")]
        values: Vec<String>,
    },
    /// The string contains one of `values`.
    StringContains {
        #[serde(default)]
        key: String,
        #[serde(default, deserialize_with = "strings")]
        values: Vec<String>,
    },
    /// The string begins with none of `values`.
    StringNotBeginsWith {
        #[serde(default)]
        key: String,
        #[serde(default, deserialize_with = "strings")]
        values: Vec<String>,
    },
    /// The string ends with none of `values`.
    StringNotEndsWith {
        #[serde(default)]
        key: String,
        #[serde(default, deserialize_with = "strings")]
        values: Vec<String>,
    },
    /// The string contains none of `values`.
    StringNotContains {
        #[serde(default)]
        key: String,
        #[serde(default, deserialize_with = "strings")]
        values: Vec<String>,
    },
    /// The key is missing or its value is `null`.
    IsNullOrUndefined {
        #[serde(default)]
        key: String,
    },
    /// The key is present with a value other than `null`.
    IsNotNull {
        #[serde(default)]
        key: String,
    },
}

impl AdvancedFilter {
    /// The `key` the filter applies to.
    pub fn key(&self) -> &str {
        match self {
            Self::NumberIn { key, .. }
            | Self::NumberNotIn { key, .. }
            | Self::NumberLessThan { key, .. }
            | Self::NumberGreaterThan { key, .. }
            | Self::NumberLessThanOrEquals { key, .. }
            | Self::NumberGreaterThanOrEquals { key, .. }
            | Self::NumberInRange { key, .. }
            | Self::NumberNotInRange { key, .. }
            | Self::BoolEquals { key, .. }
            | Self::StringIn { key, .. }
            | Self::StringNotIn { key, .. }
            | Self::StringBeginsWith { key, .. }
            | Self::StringEndsWith { key, .. }
            | Self::StringContains { key, .. }
            | Self::StringNotBeginsWith { key, .. }
            | Self::StringNotEndsWith { key, .. }
            | Self::StringNotContains { key, .. }
            | Self::IsNullOrUndefined { key }
            | Self::IsNotNull { key } => key,
        }
    }

    /// The `operatorType` as Azure spells it.
    pub fn operator_type(&self) -> &'static str {
        match self {
            Self::NumberIn { .. } => "NumberIn",
            Self::NumberNotIn { .. } => "NumberNotIn",
            Self::NumberLessThan { .. } => "NumberLessThan",
            Self::NumberGreaterThan { .. } => "NumberGreaterThan",
            Self::NumberLessThanOrEquals { .. } => "NumberLessThanOrEquals",
            Self::NumberGreaterThanOrEquals { .. } => "NumberGreaterThanOrEquals",
            Self::NumberInRange { .. } => "NumberInRange",
            Self::NumberNotInRange { .. } => "NumberNotInRange",
            Self::BoolEquals { .. } => "BoolEquals",
            Self::StringIn { .. } => "StringIn",
            Self::StringNotIn { .. } => "StringNotIn",
            Self::StringBeginsWith { .. } => "StringBeginsWith",
            Self::StringEndsWith { .. } => "StringEndsWith",
            Self::StringContains { .. } => "StringContains",
            Self::StringNotBeginsWith { .. } => "StringNotBeginsWith",
            Self::StringNotEndsWith { .. } => "StringNotEndsWith",
            Self::StringNotContains { .. } => "StringNotContains",
            Self::IsNullOrUndefined { .. } => "IsNullOrUndefined",
            Self::IsNotNull { .. } => "IsNotNull",
        }
    }

    /// How many values the filter counts toward the per-subscription limit: one per `value`,
    /// one per entry of `values` (a range pair is one), none for the null checks.
    pub fn value_count(&self) -> usize {
        match self {
            Self::NumberIn { values, .. } | Self::NumberNotIn { values, .. } => values.len(),
            Self::NumberInRange { values, .. } | Self::NumberNotInRange { values, .. } => {
                values.len()
            }
            Self::StringIn { values, .. }
            | Self::StringNotIn { values, .. }
            | Self::StringBeginsWith { values, .. }
            | Self::StringEndsWith { values, .. }
            | Self::StringContains { values, .. }
            | Self::StringNotBeginsWith { values, .. }
            | Self::StringNotEndsWith { values, .. }
            | Self::StringNotContains { values, .. } => values.len(),
            Self::NumberLessThan { .. }
            | Self::NumberGreaterThan { .. }
            | Self::NumberLessThanOrEquals { .. }
            | Self::NumberGreaterThanOrEquals { .. }
            | Self::BoolEquals { .. } => 1,
            Self::IsNullOrUndefined { .. } | Self::IsNotNull { .. } => 0,
        }
    }
}

/// A number written as an integer when it is one (`5`, not `5.0`), as Azure echoes it.
struct Num(f64);

/// Integers up to this magnitude are exact in an `f64` and written without a fraction.
const EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() <= EXACT_INTEGER {
            serializer.serialize_i64(self.0 as i64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

/// `null` where a list is expected reads as an empty list, which validation then names.
fn strings<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(deserializer)?.unwrap_or_default())
}

mod number {
    //! `value` of the single-number operators.
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        super::Num(*value).serialize(serializer)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        f64::deserialize(deserializer)
    }
}

mod numbers {
    //! `values` of `NumberIn` and `NumberNotIn`.
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        values: &[f64],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(values.iter().map(|v| super::Num(*v)))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<f64>, D::Error> {
        Ok(Option::<Vec<f64>>::deserialize(deserializer)?.unwrap_or_default())
    }
}

mod ranges {
    //! `values` of `NumberInRange` and `NumberNotInRange`: `[[lo, hi], ...]`.
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        values: &[[f64; 2]],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            values
                .iter()
                .map(|[lo, hi]| [super::Num(*lo), super::Num(*hi)]),
        )
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<[f64; 2]>, D::Error> {
        Ok(Option::<Vec<[f64; 2]>>::deserialize(deserializer)?.unwrap_or_default())
    }
}
