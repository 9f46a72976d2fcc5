//! A subscription's filter compiled once: event types and string values lower-cased, keys
//! split into paths, operators reduced to a positive test and whether it is negated.

use std::borrow::Cow;

use serde_json::Value;

use super::model::{AdvancedFilter, EventSubscriptionFilter};
use super::resolve::{EventView, KeyPath, Resolved, Scalar, resolve};
use super::validate::validate;
use crate::error::Result;

/// A validated filter ready to match events; build it once per subscription.
#[derive(Debug, Clone)]
pub struct CompiledFilter {
    /// Lower-cased, deduplicated; `None` accepts every type.
    pub(super) event_types: Option<Box<[Box<str>]>>,
    subject_begins_with: Option<Box<str>>,
    subject_ends_with: Option<Box<str>>,
    subject_case_sensitive: bool,
    arrays: bool,
    pub(super) conditions: Box<[Condition]>,
}

/// One advanced filter: where to look and what to test.
#[derive(Debug, Clone)]
pub(super) struct Condition {
    pub(super) key: KeyPath,
    pub(super) op: Op,
}

/// What an advanced filter asks of the value at its key.
#[derive(Debug, Clone)]
pub(super) enum Op {
    /// The test holds for the value (or, with array filtering, for any element).
    Is(Test),
    /// The test holds for no element; a missing key matches when `missing_matches`.
    Not {
        test: Test,
        missing_matches: bool,
    },
    IsNullOrUndefined,
    IsNotNull,
}

/// A positive test on one scalar; string values are lower-cased.
#[derive(Debug, Clone)]
pub(super) enum Test {
    NumberIn(Box<[f64]>),
    LessThan(f64),
    GreaterThan(f64),
    LessThanOrEquals(f64),
    GreaterThanOrEquals(f64),
    InRange(Box<[[f64; 2]]>),
    BoolEquals(bool),
    StringIn(Box<[Box<str>]>),
    BeginsWith(Box<[Box<str>]>),
    EndsWith(Box<[Box<str>]>),
    Contains(Box<[Box<str>]>),
}

impl Test {
    /// Whether the test holds; `None` when the value is not of the test's type.
    fn eval(&self, value: &Scalar<'_>) -> Option<bool> {
        match (self, value) {
            (Self::NumberIn(values), Scalar::Number(n)) => Some(values.contains(n)),
            (Self::LessThan(v), Scalar::Number(n)) => Some(n < v),
            (Self::GreaterThan(v), Scalar::Number(n)) => Some(n > v),
            (Self::LessThanOrEquals(v), Scalar::Number(n)) => Some(n <= v),
            (Self::GreaterThanOrEquals(v), Scalar::Number(n)) => Some(n >= v),
            (Self::InRange(ranges), Scalar::Number(n)) => {
                Some(ranges.iter().any(|[lo, hi]| lo <= n && n <= hi))
            }
            (Self::BoolEquals(v), Scalar::Bool(b)) => Some(v == b),
            (Self::StringIn(values), Scalar::Str(s)) => Some(values.iter().any(|v| **v == **s)),
            (Self::BeginsWith(values), Scalar::Str(s)) => {
                Some(values.iter().any(|v| s.starts_with(&**v)))
            }
            (Self::EndsWith(values), Scalar::Str(s)) => {
                Some(values.iter().any(|v| s.ends_with(&**v)))
            }
            (Self::Contains(values), Scalar::Str(s)) => {
                Some(values.iter().any(|v| s.contains(&**v)))
            }
            _ => None,
        }
    }

    fn is_string(&self) -> bool {
        matches!(
            self,
            Self::StringIn(_) | Self::BeginsWith(_) | Self::EndsWith(_) | Self::Contains(_)
        )
    }
}

impl Op {
    /// Whether the value at the key must be resolved with strings lower-cased.
    pub(super) fn wants_lowered(&self) -> bool {
        match self {
            Self::Is(test) | Self::Not { test, .. } => test.is_string(),
            Self::IsNullOrUndefined | Self::IsNotNull => false,
        }
    }

    /// Whether the resolved value satisfies the operator; `arrays` is
    /// `enableAdvancedFilteringOnArrays`.
    pub(super) fn eval(&self, value: &Resolved<'_>, arrays: bool) -> bool {
        let holds = |s: &Scalar<'_>, test: &Test| test.eval(s) == Some(true);
        match (self, value) {
            (Self::IsNullOrUndefined, v) => {
                matches!(v, Resolved::Missing | Resolved::One(Scalar::Null))
            }
            (Self::IsNotNull, v) => !matches!(v, Resolved::Missing | Resolved::One(Scalar::Null)),
            (Self::Is(_), Resolved::Missing) => false,
            (Self::Is(test), Resolved::One(s)) => holds(s, test),
            (Self::Is(test), Resolved::Many(items)) => {
                arrays && items.iter().any(|s| holds(s, test))
            }
            (
                Self::Not {
                    missing_matches, ..
                },
                Resolved::Missing,
            ) => *missing_matches,
            (Self::Not { test, .. }, Resolved::One(s)) => test.eval(s) == Some(false),
            (Self::Not { test, .. }, Resolved::Many(items)) => {
                arrays && !items.iter().any(|s| holds(s, test))
            }
        }
    }
}

fn lowered(values: &[String]) -> Box<[Box<str>]> {
    values.iter().map(|v| Box::from(v.to_lowercase())).collect()
}

impl Condition {
    fn compile(filter: &AdvancedFilter) -> Self {
        use AdvancedFilter as F;
        let not = |test, missing_matches| Op::Not {
            test,
            missing_matches,
        };
        let op = match filter {
            F::NumberIn { values, .. } => Op::Is(Test::NumberIn(values.as_slice().into())),
            F::NumberNotIn { values, .. } => not(Test::NumberIn(values.as_slice().into()), true),
            F::NumberLessThan { value, .. } => Op::Is(Test::LessThan(*value)),
            F::NumberGreaterThan { value, .. } => Op::Is(Test::GreaterThan(*value)),
            F::NumberLessThanOrEquals { value, .. } => Op::Is(Test::LessThanOrEquals(*value)),
            F::NumberGreaterThanOrEquals { value, .. } => Op::Is(Test::GreaterThanOrEquals(*value)),
            F::NumberInRange { values, .. } => Op::Is(Test::InRange(values.as_slice().into())),
            F::NumberNotInRange { values, .. } => {
                not(Test::InRange(values.as_slice().into()), false)
            }
            F::BoolEquals { value, .. } => Op::Is(Test::BoolEquals(*value)),
            F::StringIn { values, .. } => Op::Is(Test::StringIn(lowered(values))),
            F::StringNotIn { values, .. } => not(Test::StringIn(lowered(values)), true),
            F::StringBeginsWith { values, .. } => Op::Is(Test::BeginsWith(lowered(values))),
            F::StringEndsWith { values, .. } => Op::Is(Test::EndsWith(lowered(values))),
            F::StringContains { values, .. } => Op::Is(Test::Contains(lowered(values))),
            F::StringNotBeginsWith { values, .. } => not(Test::BeginsWith(lowered(values)), false),
            F::StringNotEndsWith { values, .. } => not(Test::EndsWith(lowered(values)), false),
            F::StringNotContains { values, .. } => not(Test::Contains(lowered(values)), false),
            F::IsNullOrUndefined { .. } => Op::IsNullOrUndefined,
            F::IsNotNull { .. } => Op::IsNotNull,
        };
        Self {
            key: KeyPath::parse(filter.key()),
            op,
        }
    }
}

impl CompiledFilter {
    /// Validates `filter` (see [`validate`](fn@super::validate)) and compiles it.
    pub fn compile(filter: &EventSubscriptionFilter) -> Result<Self> {
        validate(filter)?;
        let case_sensitive = filter.is_subject_case_sensitive.unwrap_or(false);
        let affix = |value: &Option<String>| {
            value.as_deref().filter(|v| !v.is_empty()).map(|v| {
                if case_sensitive {
                    Box::from(v)
                } else {
                    Box::from(v.to_lowercase())
                }
            })
        };
        let event_types = filter
            .included_event_types
            .as_deref()
            .filter(|types| !types.is_empty())
            .map(|types| {
                let mut lowered: Vec<Box<str>> =
                    types.iter().map(|t| Box::from(t.to_lowercase())).collect();
                lowered.sort_unstable();
                lowered.dedup();
                lowered.into_boxed_slice()
            });
        Ok(Self {
            event_types,
            subject_begins_with: affix(&filter.subject_begins_with),
            subject_ends_with: affix(&filter.subject_ends_with),
            subject_case_sensitive: case_sensitive,
            arrays: filter.enable_advanced_filtering_on_arrays.unwrap_or(false),
            conditions: filter
                .advanced_filters
                .iter()
                .flatten()
                .map(Condition::compile)
                .collect(),
        })
    }

    /// Whether the CloudEvents JSON `event` passes every part of the filter.
    pub fn matches(&self, event: &Value) -> bool {
        let mut view = EventView::new(event);
        self.accepts_type(view.type_lower.as_ref())
            && self.accepts_subject(&mut view)
            && self
                .conditions
                .iter()
                .all(|c| self.holds(c, &resolve(event, &c.key, c.op.wants_lowered())))
    }

    /// Whether the filter accepts every event type.
    pub fn accepts_all_types(&self) -> bool {
        self.event_types.is_none()
    }

    fn accepts_type(&self, type_lower: Option<&Cow<'_, str>>) -> bool {
        match (&self.event_types, type_lower) {
            (None, _) => true,
            (Some(types), Some(t)) => types.iter().any(|candidate| **candidate == **t),
            (Some(_), None) => false,
        }
    }

    /// Whether the event's subject has the filter's prefix and suffix.
    pub(super) fn accepts_subject(&self, view: &mut EventView<'_>) -> bool {
        if self.subject_begins_with.is_none() && self.subject_ends_with.is_none() {
            return true;
        }
        let subject = if self.subject_case_sensitive {
            view.subject
        } else {
            view.subject_lower()
        };
        let Some(subject) = subject else {
            return false;
        };
        self.subject_begins_with
            .as_deref()
            .is_none_or(|prefix| subject.starts_with(prefix))
            && self
                .subject_ends_with
                .as_deref()
                .is_none_or(|suffix| subject.ends_with(suffix))
    }

    /// Whether one condition holds for the value resolved at its key.
    pub(super) fn holds(&self, condition: &Condition, value: &Resolved<'_>) -> bool {
        condition.op.eval(value, self.arrays)
    }
}
