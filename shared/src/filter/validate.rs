//! Validation of a subscription's filter against Event Grid's limits and shape rules. The first
//! violation found is returned as a 400 naming the filter and what to change.

use super::model::{AdvancedFilter, EventSubscriptionFilter};
use super::{MAX_ADVANCED_FILTERS, MAX_FILTER_VALUES, MAX_STRING_VALUE_CHARS, code};
use crate::error::{Error, Result};

/// Checks `includedEventTypes` and every advanced filter: at most 25 filters and 25 values in
/// total, string values of at most 512 characters, non-empty keys without empty segments,
/// non-empty value lists, finite numbers and ranges with `lo <= hi`.
pub fn validate(filter: &EventSubscriptionFilter) -> Result<()> {
    for (i, event_type) in filter.included_event_types.iter().flatten().enumerate() {
        if event_type.trim().is_empty() {
            return Err(Error::invalid(
                code::INVALID_INCLUDED_EVENT_TYPE,
                format!(
                    "filter.includedEventTypes[{i}] is empty; name an event type or remove the entry"
                ),
            ));
        }
    }
    let filters = filter.advanced_filters.as_deref().unwrap_or_default();
    if filters.len() > MAX_ADVANCED_FILTERS {
        return Err(Error::invalid(
            code::TOO_MANY_ADVANCED_FILTERS,
            format!(
                "filter.advancedFilters has {} filters; at most {MAX_ADVANCED_FILTERS} are allowed: \
                 merge filters with the same key and operator, or remove some",
                filters.len()
            ),
        ));
    }
    let total: usize = filters.iter().map(AdvancedFilter::value_count).sum();
    if total > MAX_FILTER_VALUES {
        return Err(Error::invalid(
            code::TOO_MANY_FILTER_VALUES,
            format!(
                "filter.advancedFilters carry {total} values in total; at most {MAX_FILTER_VALUES} \
                 are allowed across all advanced filters of a subscription"
            ),
        ));
    }
    filters
        .iter()
        .enumerate()
        .try_for_each(|(i, f)| check_filter(i, f))
}

/// One advanced filter: its key, that it has values (unless it tests for null), and its values.
fn check_filter(i: usize, filter: &AdvancedFilter) -> Result<()> {
    let op = filter.operator_type();
    let key = filter.key();
    let error = |code: &'static str, what: String| {
        Error::invalid(
            code,
            format!("filter.advancedFilters[{i}] ({op} on '{key}'): {what}"),
        )
    };
    let invalid = |what: String| error(code::INVALID_ADVANCED_FILTER, what);
    check_key(key, &invalid)?;
    if filter.value_count() == 0
        && !matches!(
            filter,
            AdvancedFilter::IsNullOrUndefined { .. } | AdvancedFilter::IsNotNull { .. }
        )
    {
        return Err(invalid("values is empty; give at least one value".into()));
    }
    match filter {
        AdvancedFilter::NumberIn { values, .. } | AdvancedFilter::NumberNotIn { values, .. } => {
            check_finite(values.iter().copied(), &invalid)
        }
        AdvancedFilter::NumberLessThan { value, .. }
        | AdvancedFilter::NumberGreaterThan { value, .. }
        | AdvancedFilter::NumberLessThanOrEquals { value, .. }
        | AdvancedFilter::NumberGreaterThanOrEquals { value, .. } => {
            check_finite(std::iter::once(*value), &invalid)
        }
        AdvancedFilter::NumberInRange { values, .. }
        | AdvancedFilter::NumberNotInRange { values, .. } => check_ranges(values, &invalid),
        AdvancedFilter::StringIn { values, .. }
        | AdvancedFilter::StringNotIn { values, .. }
        | AdvancedFilter::StringBeginsWith { values, .. }
        | AdvancedFilter::StringEndsWith { values, .. }
        | AdvancedFilter::StringContains { values, .. }
        | AdvancedFilter::StringNotBeginsWith { values, .. }
        | AdvancedFilter::StringNotEndsWith { values, .. }
        | AdvancedFilter::StringNotContains { values, .. } => {
            check_lengths(values, &|what| error(code::FILTER_VALUE_TOO_LONG, what))
        }
        AdvancedFilter::BoolEquals { .. }
        | AdvancedFilter::IsNullOrUndefined { .. }
        | AdvancedFilter::IsNotNull { .. } => Ok(()),
    }
}

/// A key is not empty and has no empty segment.
fn check_key(key: &str, invalid: &impl Fn(String) -> Error) -> Result<()> {
    if key.trim().is_empty() {
        return Err(invalid(
            "key is empty; set it to an event attribute such as 'subject' or a data path such \
             as 'data.orderId'"
                .into(),
        ));
    }
    if key.split('.').any(str::is_empty) {
        return Err(invalid(
            "key has an empty segment; separate attribute and property names with single dots"
                .into(),
        ));
    }
    Ok(())
}

/// Ranges have finite bounds, the lower first.
fn check_ranges(ranges: &[[f64; 2]], invalid: &impl Fn(String) -> Error) -> Result<()> {
    for (j, [lo, hi]) in ranges.iter().enumerate() {
        if !lo.is_finite() || !hi.is_finite() {
            return Err(invalid(format!(
                "range [{j}] is [{lo}, {hi}]; give finite bounds"
            )));
        }
        if lo > hi {
            return Err(invalid(format!(
                "range [{j}] is [{lo}, {hi}]: the lower bound comes first; write [{hi}, {lo}]"
            )));
        }
    }
    Ok(())
}

/// String values have at most [`MAX_STRING_VALUE_CHARS`] characters.
fn check_lengths(values: &[String], too_long: &impl Fn(String) -> Error) -> Result<()> {
    for (j, value) in values.iter().enumerate() {
        let chars = value.chars().count();
        if chars > MAX_STRING_VALUE_CHARS {
            return Err(too_long(format!(
                "value [{j}] has {chars} characters; at most {MAX_STRING_VALUE_CHARS} are allowed"
            )));
        }
    }
    Ok(())
}

fn check_finite(
    values: impl Iterator<Item = f64>,
    invalid: &impl Fn(String) -> Error,
) -> Result<()> {
    match values.enumerate().find(|(_, v)| !v.is_finite()) {
        Some((j, v)) => Err(invalid(format!("value [{j}] is {v}; give a finite number"))),
        None => Ok(()),
    }
}
