//! Filter validation (every limit and shape rule, each a 400 with a stable code) and the JSON
//! shape of filters: every operator round-trips exactly as azure-mgmt-eventgrid sends it.

use serde_json::{Value, json};
use shared::error::ErrorKind;
use shared::filter::{
    AdvancedFilter, CompiledFilter, EventSubscriptionFilter, MAX_ADVANCED_FILTERS,
    MAX_FILTER_VALUES, MAX_STRING_VALUE_CHARS, code, validate,
};

fn parse(filter: Value) -> EventSubscriptionFilter {
    serde_json::from_value(filter).unwrap()
}

fn advanced(filters: Vec<Value>) -> EventSubscriptionFilter {
    parse(json!({"advancedFilters": filters}))
}

/// Validates, expects a 400 with `code`, checks compile agrees, and returns the message.
fn rejected(filter: &EventSubscriptionFilter, code: &str) -> String {
    let error = validate(filter).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Invalid);
    assert_eq!(error.code, code, "{}", error.message);
    assert_eq!(CompiledFilter::compile(filter).unwrap_err(), error);
    error.message
}

fn accepted(filter: &EventSubscriptionFilter) {
    validate(filter).unwrap();
    CompiledFilter::compile(filter).unwrap();
}

fn is_not_null(i: usize) -> Value {
    json!({"operatorType": "IsNotNull", "key": format!("data.k{i}")})
}

#[test]
fn twenty_five_advanced_filters_are_allowed() {
    accepted(&advanced(
        (0..MAX_ADVANCED_FILTERS).map(is_not_null).collect(),
    ));
}

#[test]
fn twenty_six_advanced_filters_are_too_many() {
    let message = rejected(
        &advanced((0..=MAX_ADVANCED_FILTERS).map(is_not_null).collect()),
        code::TOO_MANY_ADVANCED_FILTERS,
    );
    assert!(message.contains("26"), "{message}");
}

#[test]
fn twenty_five_values_across_filters_are_allowed() {
    let filter = advanced(vec![
        json!({"operatorType": "StringIn", "key": "data.a", "values": (0..20).map(|i| i.to_string()).collect::<Vec<_>>()}),
        json!({"operatorType": "NumberIn", "key": "data.b", "values": [1, 2, 3]}),
        json!({"operatorType": "NumberLessThan", "key": "data.c", "value": 1}),
        json!({"operatorType": "NumberInRange", "key": "data.d", "values": [[1, 2]]}),
        json!({"operatorType": "IsNullOrUndefined", "key": "data.e"}),
    ]);
    let values: usize = filter
        .advanced_filters
        .iter()
        .flatten()
        .map(AdvancedFilter::value_count)
        .sum();
    assert_eq!(values, MAX_FILTER_VALUES);
    accepted(&filter);
}

#[test]
fn twenty_six_values_across_filters_are_too_many() {
    let message = rejected(
        &advanced(vec![
            json!({"operatorType": "StringIn", "key": "data.a", "values": (0..20).map(|i| i.to_string()).collect::<Vec<_>>()}),
            json!({"operatorType": "NumberIn", "key": "data.b", "values": [1, 2, 3]}),
            json!({"operatorType": "BoolEquals", "key": "data.c", "value": true}),
            json!({"operatorType": "NumberNotInRange", "key": "data.d", "values": [[1, 2], [3, 4]]}),
        ]),
        code::TOO_MANY_FILTER_VALUES,
    );
    assert!(message.contains("26"), "{message}");
}

#[test]
fn single_value_operators_count_one_value_each() {
    let filters = (0..13)
        .map(|i| json!({"operatorType": "NumberGreaterThan", "key": format!("data.k{i}"), "value": i}))
        .chain((0..13).map(|i| json!({"operatorType": "BoolEquals", "key": format!("data.b{i}"), "value": true})))
        .take(MAX_ADVANCED_FILTERS)
        .collect::<Vec<_>>();
    accepted(&advanced(filters.clone()));
    let mut over = filters;
    over.pop();
    over.push(json!({"operatorType": "NumberIn", "key": "data.z", "values": [1, 2]}));
    rejected(&advanced(over), code::TOO_MANY_FILTER_VALUES);
}

#[test]
fn string_values_of_512_characters_are_allowed() {
    accepted(&advanced(vec![json!({
        "operatorType": "StringContains", "key": "data.s",
        "values": ["a".repeat(MAX_STRING_VALUE_CHARS), "é".repeat(MAX_STRING_VALUE_CHARS)]
    })]));
}

#[test]
fn string_value_of_513_characters_is_too_long() {
    let message = rejected(
        &advanced(vec![
            is_not_null(0),
            json!({"operatorType": "StringNotIn", "key": "data.s", "values": ["ok", "x".repeat(MAX_STRING_VALUE_CHARS + 1)]}),
        ]),
        code::FILTER_VALUE_TOO_LONG,
    );
    assert!(message.contains("advancedFilters[1]"), "{message}");
    assert!(message.contains("data.s"), "{message}");
    assert!(message.contains("value [1]"), "{message}");
    assert!(message.contains("513"), "{message}");
}

#[test]
fn empty_key_is_invalid() {
    let message = rejected(
        &advanced(vec![
            json!({"operatorType": "NumberIn", "key": "", "values": [1]}),
        ]),
        code::INVALID_ADVANCED_FILTER,
    );
    assert!(message.contains("advancedFilters[0]"), "{message}");
    assert!(message.contains("key is empty"), "{message}");
}

#[test]
fn missing_key_is_invalid() {
    rejected(
        &advanced(vec![json!({"operatorType": "IsNotNull"})]),
        code::INVALID_ADVANCED_FILTER,
    );
}

#[test]
fn key_with_an_empty_segment_is_invalid() {
    for key in ["data..a", "data.", ".data", "."] {
        let message = rejected(
            &advanced(vec![json!({"operatorType": "IsNotNull", "key": key})]),
            code::INVALID_ADVANCED_FILTER,
        );
        assert!(message.contains(key), "{message}");
    }
}

#[test]
fn empty_or_absent_values_are_invalid() {
    for filter in [
        json!({"operatorType": "StringIn", "key": "data.s", "values": []}),
        json!({"operatorType": "StringNotIn", "key": "data.s"}),
        json!({"operatorType": "NumberIn", "key": "data.n", "values": null}),
        json!({"operatorType": "NumberInRange", "key": "data.n", "values": []}),
    ] {
        let message = rejected(&advanced(vec![filter]), code::INVALID_ADVANCED_FILTER);
        assert!(message.contains("values is empty"), "{message}");
    }
}

#[test]
fn reversed_range_is_invalid() {
    let message = rejected(
        &advanced(vec![
            json!({"operatorType": "NumberNotInRange", "key": "data.n", "values": [[1, 2], [9, 3]]}),
        ]),
        code::INVALID_ADVANCED_FILTER,
    );
    assert!(message.contains("range [1]"), "{message}");
    assert!(message.contains("[3, 9]"), "{message}");
}

#[test]
fn single_point_range_is_allowed() {
    accepted(&advanced(vec![
        json!({"operatorType": "NumberInRange", "key": "data.n", "values": [[4, 4]]}),
    ]));
}

#[test]
fn non_finite_numbers_are_invalid() {
    let filters = [
        AdvancedFilter::NumberIn {
            key: "data.n".into(),
            values: vec![1.0, f64::NAN],
        },
        AdvancedFilter::NumberLessThan {
            key: "data.n".into(),
            value: f64::INFINITY,
        },
        AdvancedFilter::NumberInRange {
            key: "data.n".into(),
            values: vec![[f64::NEG_INFINITY, 0.0]],
        },
    ];
    for filter in filters {
        rejected(
            &EventSubscriptionFilter {
                advanced_filters: Some(vec![filter]),
                ..Default::default()
            },
            code::INVALID_ADVANCED_FILTER,
        );
    }
}

#[test]
fn empty_included_event_type_is_invalid() {
    let message = rejected(
        &parse(json!({"includedEventTypes": ["A", " "]})),
        code::INVALID_INCLUDED_EVENT_TYPE,
    );
    assert!(message.contains("includedEventTypes[1]"), "{message}");
}

#[test]
fn default_filter_is_valid() {
    accepted(&EventSubscriptionFilter::default());
}

#[test]
fn every_operator_round_trips_in_azure_shape() {
    let filters = [
        json!({"operatorType": "NumberIn", "key": "data.n", "values": [1, 2.5, -3]}),
        json!({"operatorType": "NumberNotIn", "key": "data.n", "values": [0]}),
        json!({"operatorType": "NumberLessThan", "key": "data.n", "value": 10}),
        json!({"operatorType": "NumberGreaterThan", "key": "data.n", "value": 0.5}),
        json!({"operatorType": "NumberLessThanOrEquals", "key": "data.n", "value": -1}),
        json!({"operatorType": "NumberGreaterThanOrEquals", "key": "data.n", "value": 1e20}),
        json!({"operatorType": "NumberInRange", "key": "data.n", "values": [[1, 5]]}),
        json!({"operatorType": "NumberNotInRange", "key": "data.n", "values": [[1, 5], [7.5, 9]]}),
        json!({"operatorType": "BoolEquals", "key": "data.b", "value": true}),
        json!({"operatorType": "StringIn", "key": "subject", "values": ["a", "B"]}),
        json!({"operatorType": "StringNotIn", "key": "data.s", "values": ["a"]}),
        json!({"operatorType": "StringBeginsWith", "key": "data.s", "values": ["a"]}),
        json!({"operatorType": "StringEndsWith", "key": "data.s", "values": ["a"]}),
        json!({"operatorType": "StringContains", "key": "data.s", "values": ["a"]}),
        json!({"operatorType": "StringNotBeginsWith", "key": "data.s", "values": ["a"]}),
        json!({"operatorType": "StringNotEndsWith", "key": "data.s", "values": ["a"]}),
        json!({"operatorType": "StringNotContains", "key": "data.s", "values": ["a"]}),
        json!({"operatorType": "IsNullOrUndefined", "key": "data.x"}),
        json!({"operatorType": "IsNotNull", "key": "data.x"}),
    ];
    let mut operators = std::collections::BTreeSet::new();
    for filter in &filters {
        let parsed: AdvancedFilter = serde_json::from_value(filter.clone()).unwrap();
        assert_eq!(parsed.operator_type(), filter["operatorType"]);
        assert_eq!(parsed.key(), filter["key"]);
        assert_eq!(&serde_json::to_value(&parsed).unwrap(), filter);
        operators.insert(parsed.operator_type());
    }
    assert_eq!(operators.len(), 19);
}

#[test]
fn range_serializes_exactly_as_azure_writes_it() {
    let filter = AdvancedFilter::NumberInRange {
        key: "data.n".into(),
        values: vec![[1.0, 5.0]],
    };
    assert_eq!(
        serde_json::to_string(&filter).unwrap(),
        r#"{"operatorType":"NumberInRange","key":"data.n","values":[[1,5]]}"#
    );
}

#[test]
fn whole_filter_round_trips_in_azure_shape() {
    let filter = json!({
        "includedEventTypes": ["Contoso.Order.Created"],
        "subjectBeginsWith": "/orders/",
        "subjectEndsWith": ".json",
        "isSubjectCaseSensitive": false,
        "enableAdvancedFilteringOnArrays": true,
        "advancedFilters": [
            {"operatorType": "NumberInRange", "key": "data.n", "values": [[1, 5]]},
            {"operatorType": "StringContains", "key": "data.s", "values": ["x"]}
        ]
    });
    let parsed = parse(filter.clone());
    assert_eq!(parsed.is_subject_case_sensitive, Some(false));
    assert_eq!(serde_json::to_value(&parsed).unwrap(), filter);
    assert_eq!(
        serde_json::to_value(EventSubscriptionFilter::default()).unwrap(),
        json!({})
    );
}

#[test]
fn unknown_operator_type_is_rejected_when_parsing() {
    let error = serde_json::from_value::<AdvancedFilter>(
        json!({"operatorType": "StringMatches", "key": "data.s", "values": ["x"]}),
    )
    .unwrap_err();
    assert!(error.to_string().contains("StringMatches"), "{error}");
}

#[test]
fn numeric_string_is_rejected_as_a_number_value() {
    assert!(
        serde_json::from_value::<AdvancedFilter>(
            json!({"operatorType": "NumberLessThan", "key": "data.n", "value": "5"}),
        )
        .is_err()
    );
}
