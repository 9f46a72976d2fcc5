//! Properties of the filter engine: negated operators are the complement of their positive form
//! on present scalars, ranges are two comparisons, and the topic matcher answers exactly what
//! checking each subscription's filter one by one answers.

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};
use shared::filter::{CompiledFilter, EventSubscriptionFilter, TopicMatcher};

fn compile(filter: Value) -> CompiledFilter {
    let parsed: EventSubscriptionFilter = serde_json::from_value(filter).unwrap();
    CompiledFilter::compile(&parsed).unwrap()
}

fn advanced(filter: Value, arrays: bool) -> CompiledFilter {
    compile(json!({"enableAdvancedFilteringOnArrays": arrays, "advancedFilters": [filter]}))
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec!["", "a", "A", "ab", "aB", "b", "Ba", "é", "É", "x y"]).prop_map(String::from),
        "[a-cA-C]{0,4}",
    ]
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-20i32..20).prop_map(f64::from),
        (-200i32..200).prop_map(|n| f64::from(n) / 8.0)
    ]
}

/// A value at `data.v`: a number, a string, a bool, null, an array, or no key at all.
fn data_value() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        number().prop_map(|n| Some(json!(n))),
        word().prop_map(|s| Some(json!(s))),
        any::<bool>().prop_map(|b| Some(json!(b))),
        Just(Some(Value::Null)),
        Just(None),
        prop::collection::vec(
            prop_oneof![
                number().prop_map(|n| json!(n)),
                word().prop_map(|s| json!(s))
            ],
            0..4
        )
        .prop_map(|items| Some(Value::Array(items))),
    ]
}

fn event_with(value: Option<Value>) -> Value {
    let mut data = json!({"other": 1});
    if let Some(value) = value {
        data["v"] = value;
    }
    json!({"specversion": "1.0", "id": "1", "source": "/s", "type": "T", "data": data})
}

const POSITIVE_AND_NEGATED: [(&str, &str); 4] = [
    ("StringIn", "StringNotIn"),
    ("StringBeginsWith", "StringNotBeginsWith"),
    ("StringEndsWith", "StringNotEndsWith"),
    ("StringContains", "StringNotContains"),
];

fn key() -> impl Strategy<Value = &'static str> {
    select(vec![
        "data.n",
        "data.s",
        "data.a",
        "data.o.x",
        "subject",
        "type",
        "tenant",
        "data.none",
    ])
}

fn advanced_filter() -> impl Strategy<Value = Value> {
    prop_oneof![
        (key(), select(vec!["NumberIn", "NumberNotIn"]), prop::collection::vec(number(), 1..3))
            .prop_map(|(k, op, v)| json!({"operatorType": op, "key": k, "values": v})),
        (key(), select(vec!["NumberLessThan", "NumberGreaterThan", "NumberLessThanOrEquals", "NumberGreaterThanOrEquals"]), number())
            .prop_map(|(k, op, v)| json!({"operatorType": op, "key": k, "value": v})),
        (key(), select(vec!["NumberInRange", "NumberNotInRange"]), number(), 0u8..10)
            .prop_map(|(k, op, lo, width)| json!({"operatorType": op, "key": k, "values": [[lo, lo + f64::from(width)]]})),
        (key(), any::<bool>()).prop_map(|(k, v)| json!({"operatorType": "BoolEquals", "key": k, "value": v})),
        (key(), select(vec!["StringIn", "StringNotIn", "StringBeginsWith", "StringEndsWith", "StringContains", "StringNotBeginsWith", "StringNotEndsWith", "StringNotContains"]), prop::collection::vec(word(), 1..3))
            .prop_map(|(k, op, v)| json!({"operatorType": op, "key": k, "values": v})),
        (key(), select(vec!["IsNullOrUndefined", "IsNotNull"]))
            .prop_map(|(k, op)| json!({"operatorType": op, "key": k})),
    ]
}

fn subscription_filter() -> impl Strategy<Value = Value> {
    (
        prop::option::of(prop::collection::vec(
            select(vec!["T1", "t1", "T2", "T3"]),
            0..3,
        )),
        prop::option::of(select(vec!["", "/a", "/A", "/b"])),
        prop::option::of(select(vec!["", "1", "x"])),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(advanced_filter(), 0..4),
    )
        .prop_map(|(types, begins, ends, case_sensitive, arrays, filters)| {
            json!({
                "includedEventTypes": types, "subjectBeginsWith": begins, "subjectEndsWith": ends,
                "isSubjectCaseSensitive": case_sensitive, "enableAdvancedFilteringOnArrays": arrays,
                "advancedFilters": filters,
            })
        })
}

fn topic_event() -> impl Strategy<Value = Value> {
    (
        prop::option::of(select(vec!["T1", "t1", "T2", "T4"])),
        prop::option::of(select(vec!["/a/1", "/A/x", "/b", ""])),
        prop::option::of(word()),
        data_value(),
        data_value(),
        data_value(),
        data_value(),
    )
        .prop_map(|(event_type, subject, tenant, n, s, a, x)| {
            let mut data = json!({"o": {}});
            for (name, value) in [("n", n), ("s", s), ("a", a)] {
                if let Some(value) = value {
                    data[name] = value;
                }
            }
            if let Some(x) = x {
                data["o"]["x"] = x;
            }
            let mut event = json!({"specversion": "1.0", "id": "1", "source": "/s", "data": data});
            for (name, value) in [
                ("type", event_type.map(String::from)),
                ("subject", subject.map(String::from)),
                ("tenant", tenant),
            ] {
                if let Some(value) = value {
                    event[name] = json!(value);
                }
            }
            event
        })
}

proptest! {
    #[test]
    fn negated_string_operators_complement_the_positive_ones_on_present_strings(
        value in word(),
        values in prop::collection::vec(word(), 1..4),
        pair in select(POSITIVE_AND_NEGATED.to_vec()),
        arrays in any::<bool>(),
    ) {
        let event = event_with(Some(json!(value)));
        let (positive, negated) = pair;
        let is = advanced(json!({"operatorType": positive, "key": "data.v", "values": values}), arrays);
        let not = advanced(json!({"operatorType": negated, "key": "data.v", "values": values}), arrays);
        prop_assert_eq!(not.matches(&event), !is.matches(&event));
    }

    #[test]
    fn string_not_in_is_not_string_in_on_present_scalar_strings(
        value in word(),
        values in prop::collection::vec(word(), 1..4),
    ) {
        let event = event_with(Some(json!(value)));
        let is = advanced(json!({"operatorType": "StringIn", "key": "data.v", "values": values}), false);
        let not = advanced(json!({"operatorType": "StringNotIn", "key": "data.v", "values": values}), false);
        prop_assert_eq!(not.matches(&event), !is.matches(&event));
    }

    #[test]
    fn number_not_in_is_not_number_in_on_present_numbers(
        value in number(),
        values in prop::collection::vec(number(), 1..4),
    ) {
        let event = event_with(Some(json!(value)));
        let is = advanced(json!({"operatorType": "NumberIn", "key": "data.v", "values": values}), false);
        let not = advanced(json!({"operatorType": "NumberNotIn", "key": "data.v", "values": values}), false);
        prop_assert_eq!(not.matches(&event), !is.matches(&event));
    }

    #[test]
    fn number_in_range_is_at_least_lo_and_at_most_hi(
        a in number(),
        b in number(),
        value in data_value(),
        arrays in any::<bool>(),
    ) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let event = event_with(value.clone());
        let range = advanced(json!({"operatorType": "NumberInRange", "key": "data.v", "values": [[lo, hi]]}), arrays);
        let at_least = advanced(json!({"operatorType": "NumberGreaterThanOrEquals", "key": "data.v", "value": lo}), arrays);
        let at_most = advanced(json!({"operatorType": "NumberLessThanOrEquals", "key": "data.v", "value": hi}), arrays);
        let both = compile(json!({"enableAdvancedFilteringOnArrays": arrays, "advancedFilters": [
            {"operatorType": "NumberGreaterThanOrEquals", "key": "data.v", "value": lo},
            {"operatorType": "NumberLessThanOrEquals", "key": "data.v", "value": hi},
        ]}));
        // With array filtering on, each comparison may hold for a different element.
        if !(arrays && matches!(value, Some(Value::Array(_)))) {
            prop_assert_eq!(range.matches(&event), both.matches(&event));
            prop_assert_eq!(range.matches(&event), at_least.matches(&event) && at_most.matches(&event));
        }
    }

    #[test]
    fn topic_matcher_agrees_with_each_filter_alone(
        filters in prop::collection::vec(subscription_filter(), 0..30),
        events in prop::collection::vec(topic_event(), 1..5),
    ) {
        let compiled: Vec<CompiledFilter> = filters.into_iter().map(compile).collect();
        let topic = TopicMatcher::new(compiled.iter().cloned().enumerate().collect());
        for event in &events {
            let expected: Vec<usize> = compiled
                .iter()
                .enumerate()
                .filter(|(_, f)| f.matches(event))
                .map(|(i, _)| i)
                .collect();
            prop_assert_eq!(topic.matching(event), expected, "event {}", event);
        }
    }
}
