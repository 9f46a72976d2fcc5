//! The event subscription filter engine: Event Grid's `filter` object as Azure's JSON carries
//! it, its validation, a compiled form built once per subscription, and a per-topic matcher for
//! the fan-out hot path. Pure: no IO, no clock.
//!
//! # Semantics
//! Events are CloudEvents 1.0 in their JSON form. A subscription matches an event when every
//! part of its filter does:
//! - `includedEventTypes`: `type` equals one of the entries, case-insensitively. Absent or empty
//!   means every type.
//! - `subjectBeginsWith` / `subjectEndsWith`: prefix / suffix of `subject`, case-insensitive
//!   unless `isSubjectCaseSensitive`. An empty value is no constraint; a non-empty one fails an
//!   event without a (string) `subject`.
//! - `advancedFilters`: every filter must match (AND); within a filter, any value may (OR).
//!   String comparisons are case-insensitive, numeric ranges inclusive, `NumberIn` / `BoolEquals`
//!   need a JSON number / bool (the string `"5"` is not a number, `"true"` not a bool). A value
//!   of another type than the operator's never matches, for `Not` operators as well.
//! - A missing key matches only `NumberNotIn`, `StringNotIn` and `IsNullOrUndefined`.
//!   `IsNullOrUndefined` matches a missing or `null` value; `IsNotNull` any other value.
//! - Arrays with `enableAdvancedFilteringOnArrays`: a positive operator matches when any
//!   element matches, a `Not` operator when no element matches the positive form; elements of
//!   another type are ignored. Without it, an array value matches no operator but the null
//!   checks.
//!
//! # Keys
//! The first segment of a key names a CloudEvents attribute (`id`, `source`, `type`, `subject`,
//! `specversion`, `time`, `dataschema`, `datacontenttype`) or an extension attribute; `data`
//! with further segments (`data.a.b`) walks into `data` object by object.
//!
//! # Choices where Event Grid's documentation is silent
//! - Keys are case-insensitive: an exact-case property wins, otherwise the first property whose
//!   name equals the segment case-insensitively (in the event's key order). There is no
//!   escaping: a property whose name contains `.` cannot be addressed, and a segment never
//!   indexes into an array (`data.items.0` is missing).
//! - `data` is addressable only when it is JSON: present as `data` (not `data_base64`) with no
//!   `datacontenttype` or a JSON one (`application/json`, `text/json`, `*/*+json`). Otherwise
//!   every `data` key is missing. The key `data` alone is the whole `data` value.
//! - `null` is a value, not a missing key: it matches `IsNullOrUndefined` and is a type
//!   mismatch for every other operator (so `StringNotIn` does not match a `null`).
//! - A path through a non-object (`data.a.b` where `a` is a string or an array) is missing.
//! - With array filtering on, a `Not` operator matches an empty array and an array with no
//!   element of its type (no element matches); the null checks look at the array itself, never
//!   at its elements, whether or not array filtering is on.
//! - Case-insensitive means Unicode lower-casing (`str::to_lowercase`) of both sides.
//! - Limits count one value for each `value`, each entry of `values` (a range pair is one
//!   value), none for the null checks. String values are measured in characters.
//! - A key with an empty segment (`data..a`, `data.`) is invalid, as are non-finite numbers.

mod compile;
mod matcher;
mod model;
mod resolve;
mod validate;

pub use compile::CompiledFilter;
pub use matcher::TopicMatcher;
pub use model::{AdvancedFilter, EventSubscriptionFilter};
pub use resolve::attribute;
pub use validate::validate;

/// The most advanced filters one subscription may have.
pub const MAX_ADVANCED_FILTERS: usize = 25;
/// The most values all advanced filters of one subscription may carry together.
pub const MAX_FILTER_VALUES: usize = 25;
/// The most characters one string value of an advanced filter may have.
pub const MAX_STRING_VALUE_CHARS: usize = 512;

/// The stable error codes of filter validation; each is a 400.
pub mod code {
    /// More than [`MAX_ADVANCED_FILTERS`](super::MAX_ADVANCED_FILTERS) advanced filters.
    pub const TOO_MANY_ADVANCED_FILTERS: &str = "TooManyAdvancedFilters";
    /// More than [`MAX_FILTER_VALUES`](super::MAX_FILTER_VALUES) values across all filters.
    pub const TOO_MANY_FILTER_VALUES: &str = "TooManyFilterValues";
    /// A string value longer than [`MAX_STRING_VALUE_CHARS`](super::MAX_STRING_VALUE_CHARS).
    pub const FILTER_VALUE_TOO_LONG: &str = "FilterValueTooLong";
    /// An advanced filter with an empty or malformed key, no values, a reversed range or a
    /// non-finite number.
    pub const INVALID_ADVANCED_FILTER: &str = "InvalidAdvancedFilter";
    /// An empty entry in `includedEventTypes`.
    pub const INVALID_INCLUDED_EVENT_TYPE: &str = "InvalidIncludedEventType";
}
