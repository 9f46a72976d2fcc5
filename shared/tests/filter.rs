//! The filter engine's matching rules as a table written from Event Grid's documented semantics:
//! every operator, arrays on and off, missing keys, nulls, type mismatches, nested data, case
//! rules, event types and subjects. Each case is checked through `CompiledFilter::matches` and
//! through a one-subscription `TopicMatcher`.

use serde_json::{Value, json};
use shared::filter::{CompiledFilter, EventSubscriptionFilter, TopicMatcher};

fn event() -> Value {
    json!({
        "specversion": "1.0",
        "id": "e1",
        "source": "/contoso/orders",
        "type": "Contoso.Order.Created",
        "subject": "/orders/EU/42",
        "time": "2025-01-01T00:00:00Z",
        "tenant": "Acme",
        "data": {
            "n": 5,
            "x": 2.5,
            "neg": -3,
            "s": "Hello World",
            "b": true,
            "f": false,
            "nil": null,
            "numstr": "5",
            "boolstr": "true",
            "obj": {"inner": {"deep": "Value", "num": 10}},
            "nums": [1, 5, 9],
            "strs": ["Alpha", "Beta"],
            "mixed": [1, "two", true, null],
            "empty": []
        }
    })
}

fn with(field: &str, value: Value) -> Value {
    let mut e = event();
    e[field] = value;
    e
}

fn without(field: &str) -> Value {
    let mut e = event();
    e.as_object_mut().unwrap().remove(field);
    e
}

/// A filter with one advanced filter, array filtering off.
fn one(advanced: Value) -> Value {
    json!({"advancedFilters": [advanced]})
}

/// A filter with one advanced filter, array filtering on.
fn arrays(advanced: Value) -> Value {
    json!({"enableAdvancedFilteringOnArrays": true, "advancedFilters": [advanced]})
}

fn compile(filter: &Value) -> CompiledFilter {
    let parsed: EventSubscriptionFilter = serde_json::from_value(filter.clone()).unwrap();
    CompiledFilter::compile(&parsed).unwrap()
}

#[rustfmt::skip]
fn cases() -> Vec<(&'static str, Value, Value, bool)> {
    vec![
        // NumberIn / NumberNotIn
        ("NumberIn equal", one(json!({"operatorType": "NumberIn", "key": "data.n", "values": [5]})), event(), true),
        ("NumberIn values are OR'd", one(json!({"operatorType": "NumberIn", "key": "data.n", "values": [1, 2, 5]})), event(), true),
        ("NumberIn other value", one(json!({"operatorType": "NumberIn", "key": "data.n", "values": [6]})), event(), false),
        ("NumberIn fraction", one(json!({"operatorType": "NumberIn", "key": "data.x", "values": [2.5]})), event(), true),
        ("NumberIn numeric string is not a number", one(json!({"operatorType": "NumberIn", "key": "data.numstr", "values": [5]})), event(), false),
        ("NumberIn missing key", one(json!({"operatorType": "NumberIn", "key": "data.missing", "values": [5]})), event(), false),
        ("NumberNotIn other values", one(json!({"operatorType": "NumberNotIn", "key": "data.n", "values": [1, 2]})), event(), true),
        ("NumberNotIn equal", one(json!({"operatorType": "NumberNotIn", "key": "data.n", "values": [1, 5]})), event(), false),
        ("NumberNotIn missing key matches", one(json!({"operatorType": "NumberNotIn", "key": "data.missing", "values": [5]})), event(), true),
        ("NumberNotIn string is a type mismatch", one(json!({"operatorType": "NumberNotIn", "key": "data.numstr", "values": [1]})), event(), false),
        ("NumberNotIn null is a type mismatch", one(json!({"operatorType": "NumberNotIn", "key": "data.nil", "values": [1]})), event(), false),
        // Comparisons
        ("NumberLessThan below", one(json!({"operatorType": "NumberLessThan", "key": "data.n", "value": 6})), event(), true),
        ("NumberLessThan equal", one(json!({"operatorType": "NumberLessThan", "key": "data.n", "value": 5})), event(), false),
        ("NumberLessThan negative", one(json!({"operatorType": "NumberLessThan", "key": "data.neg", "value": 0})), event(), true),
        ("NumberLessThan missing key", one(json!({"operatorType": "NumberLessThan", "key": "data.missing", "value": 100})), event(), false),
        ("NumberGreaterThan above", one(json!({"operatorType": "NumberGreaterThan", "key": "data.n", "value": 4})), event(), true),
        ("NumberGreaterThan equal", one(json!({"operatorType": "NumberGreaterThan", "key": "data.n", "value": 5})), event(), false),
        ("NumberGreaterThan numeric string", one(json!({"operatorType": "NumberGreaterThan", "key": "data.numstr", "value": 1})), event(), false),
        ("NumberLessThanOrEquals equal", one(json!({"operatorType": "NumberLessThanOrEquals", "key": "data.n", "value": 5})), event(), true),
        ("NumberLessThanOrEquals below value", one(json!({"operatorType": "NumberLessThanOrEquals", "key": "data.n", "value": 4.99})), event(), false),
        ("NumberGreaterThanOrEquals equal", one(json!({"operatorType": "NumberGreaterThanOrEquals", "key": "data.n", "value": 5})), event(), true),
        ("NumberGreaterThanOrEquals above value", one(json!({"operatorType": "NumberGreaterThanOrEquals", "key": "data.n", "value": 5.01})), event(), false),
        ("NumberGreaterThanOrEquals bool", one(json!({"operatorType": "NumberGreaterThanOrEquals", "key": "data.b", "value": 0})), event(), false),
        // Ranges
        ("NumberInRange upper bound inclusive", one(json!({"operatorType": "NumberInRange", "key": "data.n", "values": [[1, 5]]})), event(), true),
        ("NumberInRange lower bound inclusive", one(json!({"operatorType": "NumberInRange", "key": "data.n", "values": [[5, 9]]})), event(), true),
        ("NumberInRange outside", one(json!({"operatorType": "NumberInRange", "key": "data.n", "values": [[6, 9]]})), event(), false),
        ("NumberInRange ranges are OR'd", one(json!({"operatorType": "NumberInRange", "key": "data.n", "values": [[0, 1], [4, 6]]})), event(), true),
        ("NumberInRange missing key", one(json!({"operatorType": "NumberInRange", "key": "data.missing", "values": [[0, 9]]})), event(), false),
        ("NumberInRange numeric string", one(json!({"operatorType": "NumberInRange", "key": "data.numstr", "values": [[0, 9]]})), event(), false),
        ("NumberNotInRange outside", one(json!({"operatorType": "NumberNotInRange", "key": "data.n", "values": [[6, 9]]})), event(), true),
        ("NumberNotInRange inside", one(json!({"operatorType": "NumberNotInRange", "key": "data.n", "values": [[6, 9], [1, 5]]})), event(), false),
        ("NumberNotInRange missing key", one(json!({"operatorType": "NumberNotInRange", "key": "data.missing", "values": [[6, 9]]})), event(), false),
        // BoolEquals
        ("BoolEquals true", one(json!({"operatorType": "BoolEquals", "key": "data.b", "value": true})), event(), true),
        ("BoolEquals false against true", one(json!({"operatorType": "BoolEquals", "key": "data.f", "value": true})), event(), false),
        ("BoolEquals false", one(json!({"operatorType": "BoolEquals", "key": "data.f", "value": false})), event(), true),
        ("BoolEquals string true is not a bool", one(json!({"operatorType": "BoolEquals", "key": "data.boolstr", "value": true})), event(), false),
        ("BoolEquals number is not a bool", one(json!({"operatorType": "BoolEquals", "key": "data.n", "value": true})), event(), false),
        ("BoolEquals missing key", one(json!({"operatorType": "BoolEquals", "key": "data.missing", "value": false})), event(), false),
        // StringIn / StringNotIn
        ("StringIn case-insensitive", one(json!({"operatorType": "StringIn", "key": "data.s", "values": ["hello world"]})), event(), true),
        ("StringIn whole value only", one(json!({"operatorType": "StringIn", "key": "data.s", "values": ["Hello"]})), event(), false),
        ("StringIn values are OR'd", one(json!({"operatorType": "StringIn", "key": "data.s", "values": ["x", "HELLO WORLD"]})), event(), true),
        ("StringIn number is not a string", one(json!({"operatorType": "StringIn", "key": "data.n", "values": ["5"]})), event(), false),
        ("StringIn missing key", one(json!({"operatorType": "StringIn", "key": "data.missing", "values": ["x"]})), event(), false),
        ("StringNotIn other values", one(json!({"operatorType": "StringNotIn", "key": "data.s", "values": ["other"]})), event(), true),
        ("StringNotIn equal ignoring case", one(json!({"operatorType": "StringNotIn", "key": "data.s", "values": ["HELLO world"]})), event(), false),
        ("StringNotIn missing key matches", one(json!({"operatorType": "StringNotIn", "key": "data.missing", "values": ["x"]})), event(), true),
        ("StringNotIn number is a type mismatch", one(json!({"operatorType": "StringNotIn", "key": "data.n", "values": ["6"]})), event(), false),
        ("StringNotIn null is a type mismatch", one(json!({"operatorType": "StringNotIn", "key": "data.nil", "values": ["x"]})), event(), false),
        // Prefix, suffix, substring
        ("StringBeginsWith prefix", one(json!({"operatorType": "StringBeginsWith", "key": "data.s", "values": ["hEL"]})), event(), true),
        ("StringBeginsWith not a prefix", one(json!({"operatorType": "StringBeginsWith", "key": "data.s", "values": ["world"]})), event(), false),
        ("StringBeginsWith missing key", one(json!({"operatorType": "StringBeginsWith", "key": "data.missing", "values": [""]})), event(), false),
        ("StringEndsWith suffix", one(json!({"operatorType": "StringEndsWith", "key": "data.s", "values": ["WORLD"]})), event(), true),
        ("StringEndsWith not a suffix", one(json!({"operatorType": "StringEndsWith", "key": "data.s", "values": ["hello"]})), event(), false),
        ("StringContains substring", one(json!({"operatorType": "StringContains", "key": "data.s", "values": ["O W"]})), event(), true),
        ("StringContains values are OR'd", one(json!({"operatorType": "StringContains", "key": "data.s", "values": ["xyz", "lo wo"]})), event(), true),
        ("StringContains absent substring", one(json!({"operatorType": "StringContains", "key": "data.s", "values": ["xyz"]})), event(), false),
        ("StringContains number is not a string", one(json!({"operatorType": "StringContains", "key": "data.n", "values": ["5"]})), event(), false),
        ("StringNotBeginsWith other prefix", one(json!({"operatorType": "StringNotBeginsWith", "key": "data.s", "values": ["world"]})), event(), true),
        ("StringNotBeginsWith prefix", one(json!({"operatorType": "StringNotBeginsWith", "key": "data.s", "values": ["x", "HELLO"]})), event(), false),
        ("StringNotBeginsWith missing key", one(json!({"operatorType": "StringNotBeginsWith", "key": "data.missing", "values": ["x"]})), event(), false),
        ("StringNotEndsWith other suffix", one(json!({"operatorType": "StringNotEndsWith", "key": "data.s", "values": ["hello"]})), event(), true),
        ("StringNotEndsWith suffix", one(json!({"operatorType": "StringNotEndsWith", "key": "data.s", "values": ["world"]})), event(), false),
        ("StringNotEndsWith missing key", one(json!({"operatorType": "StringNotEndsWith", "key": "data.missing", "values": ["x"]})), event(), false),
        ("StringNotContains absent substring", one(json!({"operatorType": "StringNotContains", "key": "data.s", "values": ["xyz"]})), event(), true),
        ("StringNotContains substring", one(json!({"operatorType": "StringNotContains", "key": "data.s", "values": ["LLO"]})), event(), false),
        ("StringNotContains missing key", one(json!({"operatorType": "StringNotContains", "key": "data.missing", "values": ["x"]})), event(), false),
        ("StringNotContains bool is a type mismatch", one(json!({"operatorType": "StringNotContains", "key": "data.b", "values": ["x"]})), event(), false),
        // Null checks
        ("IsNullOrUndefined null", one(json!({"operatorType": "IsNullOrUndefined", "key": "data.nil"})), event(), true),
        ("IsNullOrUndefined missing", one(json!({"operatorType": "IsNullOrUndefined", "key": "data.missing"})), event(), true),
        ("IsNullOrUndefined number", one(json!({"operatorType": "IsNullOrUndefined", "key": "data.n"})), event(), false),
        ("IsNullOrUndefined empty array is a value", one(json!({"operatorType": "IsNullOrUndefined", "key": "data.empty"})), event(), false),
        ("IsNullOrUndefined under null", one(json!({"operatorType": "IsNullOrUndefined", "key": "data.nil.x"})), event(), true),
        ("IsNotNull number", one(json!({"operatorType": "IsNotNull", "key": "data.n"})), event(), true),
        ("IsNotNull null", one(json!({"operatorType": "IsNotNull", "key": "data.nil"})), event(), false),
        ("IsNotNull missing", one(json!({"operatorType": "IsNotNull", "key": "data.missing"})), event(), false),
        ("IsNotNull object", one(json!({"operatorType": "IsNotNull", "key": "data.obj"})), event(), true),
        ("IsNotNull false is not null", one(json!({"operatorType": "IsNotNull", "key": "data.f"})), event(), true),
        // Arrays, filtering off
        ("arrays off: NumberIn never matches an array", one(json!({"operatorType": "NumberIn", "key": "data.nums", "values": [5]})), event(), false),
        ("arrays off: StringIn never matches an array", one(json!({"operatorType": "StringIn", "key": "data.strs", "values": ["alpha"]})), event(), false),
        ("arrays off: NumberNotIn does not match an array", one(json!({"operatorType": "NumberNotIn", "key": "data.nums", "values": [7]})), event(), false),
        ("arrays off: StringNotContains does not match an array", one(json!({"operatorType": "StringNotContains", "key": "data.strs", "values": ["z"]})), event(), false),
        ("arrays off: IsNotNull sees the array", one(json!({"operatorType": "IsNotNull", "key": "data.nums"})), event(), true),
        ("arrays off explicitly", json!({"enableAdvancedFilteringOnArrays": false, "advancedFilters": [{"operatorType": "NumberIn", "key": "data.nums", "values": [5]}]}), event(), false),
        // Arrays, filtering on
        ("arrays on: NumberIn any element", arrays(json!({"operatorType": "NumberIn", "key": "data.nums", "values": [5]})), event(), true),
        ("arrays on: NumberIn no element", arrays(json!({"operatorType": "NumberIn", "key": "data.nums", "values": [7]})), event(), false),
        ("arrays on: StringIn any element ignoring case", arrays(json!({"operatorType": "StringIn", "key": "data.strs", "values": ["ALPHA"]})), event(), true),
        ("arrays on: NumberNotIn no element", arrays(json!({"operatorType": "NumberNotIn", "key": "data.nums", "values": [7]})), event(), true),
        ("arrays on: NumberNotIn one element", arrays(json!({"operatorType": "NumberNotIn", "key": "data.nums", "values": [9]})), event(), false),
        ("arrays on: StringNotIn no element", arrays(json!({"operatorType": "StringNotIn", "key": "data.strs", "values": ["gamma"]})), event(), true),
        ("arrays on: StringNotIn one element", arrays(json!({"operatorType": "StringNotIn", "key": "data.strs", "values": ["beta"]})), event(), false),
        ("arrays on: StringContains ignores other types", arrays(json!({"operatorType": "StringContains", "key": "data.mixed", "values": ["tw"]})), event(), true),
        ("arrays on: NumberIn ignores other types", arrays(json!({"operatorType": "NumberIn", "key": "data.mixed", "values": [1]})), event(), true),
        ("arrays on: BoolEquals ignores other types", arrays(json!({"operatorType": "BoolEquals", "key": "data.mixed", "value": true})), event(), true),
        ("arrays on: no element of the type", arrays(json!({"operatorType": "NumberGreaterThan", "key": "data.strs", "value": 0})), event(), false),
        ("arrays on: NumberNotInRange no element", arrays(json!({"operatorType": "NumberNotInRange", "key": "data.nums", "values": [[2, 4]]})), event(), true),
        ("arrays on: NumberNotInRange one element", arrays(json!({"operatorType": "NumberNotInRange", "key": "data.nums", "values": [[4, 6]]})), event(), false),
        ("arrays on: NumberInRange no element", arrays(json!({"operatorType": "NumberInRange", "key": "data.nums", "values": [[6, 8]]})), event(), false),
        ("arrays on: Not operator on an empty array", arrays(json!({"operatorType": "NumberNotIn", "key": "data.empty", "values": [1]})), event(), true),
        ("arrays on: positive operator on an empty array", arrays(json!({"operatorType": "NumberIn", "key": "data.empty", "values": [1]})), event(), false),
        ("arrays on: StringNotBeginsWith one element", arrays(json!({"operatorType": "StringNotBeginsWith", "key": "data.strs", "values": ["al"]})), event(), false),
        ("arrays on: StringNotIn in a mixed array", arrays(json!({"operatorType": "StringNotIn", "key": "data.mixed", "values": ["TWO"]})), event(), false),
        ("arrays on: scalars unaffected", arrays(json!({"operatorType": "StringIn", "key": "data.s", "values": ["hello world"]})), event(), true),
        ("arrays on: null element is not null", arrays(json!({"operatorType": "IsNullOrUndefined", "key": "data.mixed"})), event(), false),
        // Nested data and keys
        ("nested string", one(json!({"operatorType": "StringIn", "key": "data.obj.inner.deep", "values": ["value"]})), event(), true),
        ("nested number", one(json!({"operatorType": "NumberGreaterThan", "key": "data.obj.inner.num", "value": 9})), event(), true),
        ("nested missing", one(json!({"operatorType": "StringIn", "key": "data.obj.inner.missing", "values": ["x"]})), event(), false),
        ("nested missing matches StringNotIn", one(json!({"operatorType": "StringNotIn", "key": "data.obj.inner.missing", "values": ["x"]})), event(), true),
        ("path through a string is missing", one(json!({"operatorType": "NumberIn", "key": "data.s.length", "values": [11]})), event(), false),
        ("path into an array is missing", one(json!({"operatorType": "IsNullOrUndefined", "key": "data.nums.0"})), event(), true),
        ("nested object is not a string", one(json!({"operatorType": "StringNotIn", "key": "data.obj", "values": ["x"]})), event(), false),
        ("keys are case-insensitive", one(json!({"operatorType": "StringIn", "key": "Data.Obj.Inner.Deep", "values": ["value"]})), event(), true),
        ("exact-case property wins", one(json!({"operatorType": "NumberIn", "key": "data.k", "values": [2]})), with("data", json!({"K": 1, "k": 2})), true),
        // CloudEvents attributes and extensions
        ("type attribute", one(json!({"operatorType": "StringIn", "key": "type", "values": ["contoso.order.created"]})), event(), true),
        ("source attribute", one(json!({"operatorType": "StringBeginsWith", "key": "source", "values": ["/CONTOSO"]})), event(), true),
        ("id attribute", one(json!({"operatorType": "StringIn", "key": "id", "values": ["E1"]})), event(), true),
        ("specversion attribute", one(json!({"operatorType": "StringIn", "key": "specversion", "values": ["1.0"]})), event(), true),
        ("time attribute", one(json!({"operatorType": "StringBeginsWith", "key": "time", "values": ["2025-"]})), event(), true),
        ("subject attribute", one(json!({"operatorType": "StringIn", "key": "subject", "values": ["/orders/eu/42"]})), event(), true),
        ("capitalised attribute key", one(json!({"operatorType": "StringIn", "key": "Subject", "values": ["/orders/eu/42"]})), event(), true),
        ("extension attribute", one(json!({"operatorType": "StringIn", "key": "tenant", "values": ["acme"]})), event(), true),
        ("absent dataschema", one(json!({"operatorType": "IsNullOrUndefined", "key": "dataschema"})), event(), true),
        ("dataschema attribute", one(json!({"operatorType": "StringEndsWith", "key": "dataschema", "values": ["v2.json"]})), with("dataschema", json!("https://x/v2.json")), true),
        ("datacontenttype attribute", one(json!({"operatorType": "StringIn", "key": "datacontenttype", "values": ["application/json"]})), with("datacontenttype", json!("application/json")), true),
        ("numeric extension", one(json!({"operatorType": "NumberGreaterThan", "key": "priority", "value": 2})), with("priority", json!(3)), true),
        // Data that is not JSON
        ("data_base64 has no data keys", one(json!({"operatorType": "StringIn", "key": "data.s", "values": ["hello world"]})), {let mut e = without("data"); e["data_base64"] = json!("aGk="); e}, false),
        ("data_base64: data keys are undefined", one(json!({"operatorType": "IsNullOrUndefined", "key": "data.s"})), {let mut e = without("data"); e["data_base64"] = json!("aGk="); e}, true),
        ("text data is not addressable", one(json!({"operatorType": "StringIn", "key": "data", "values": ["hello"]})), {let mut e = with("data", json!("hello")); e["datacontenttype"] = json!("text/plain"); e}, false),
        ("structured JSON content type", one(json!({"operatorType": "StringIn", "key": "data.s", "values": ["hello world"]})), with("datacontenttype", json!("application/vnd.contoso+json; charset=utf-8")), true),
        ("whole data value", one(json!({"operatorType": "StringIn", "key": "data", "values": ["hello"]})), with("data", json!("Hello")), true),
        // includedEventTypes
        ("included type", json!({"includedEventTypes": ["Contoso.Order.Created"]}), event(), true),
        ("included type ignores case", json!({"includedEventTypes": ["contoso.order.CREATED"]}), event(), true),
        ("other type", json!({"includedEventTypes": ["Contoso.Order.Deleted"]}), event(), false),
        ("empty type list includes all", json!({"includedEventTypes": []}), event(), true),
        ("one of several types", json!({"includedEventTypes": ["Other", "CONTOSO.ORDER.CREATED"]}), event(), true),
        ("type list and no type", json!({"includedEventTypes": ["Contoso.Order.Created"]}), without("type"), false),
        ("null type list includes all", json!({"includedEventTypes": null}), event(), true),
        // Subject
        ("subject prefix", json!({"subjectBeginsWith": "/orders/"}), event(), true),
        ("subject prefix ignores case", json!({"subjectBeginsWith": "/ORDERS/eu"}), event(), true),
        ("subject prefix case-sensitive", json!({"subjectBeginsWith": "/ORDERS/", "isSubjectCaseSensitive": true}), event(), false),
        ("subject prefix case-sensitive exact", json!({"subjectBeginsWith": "/orders/EU", "isSubjectCaseSensitive": true}), event(), true),
        ("subject suffix", json!({"subjectEndsWith": "/42"}), event(), true),
        ("subject suffix case-sensitive", json!({"subjectEndsWith": "/eu/42", "isSubjectCaseSensitive": true}), event(), false),
        ("subject prefix and suffix", json!({"subjectBeginsWith": "/orders", "subjectEndsWith": "EU/42"}), event(), true),
        ("subject suffix fails", json!({"subjectBeginsWith": "/orders", "subjectEndsWith": "/43"}), event(), false),
        ("no subject fails a prefix", json!({"subjectBeginsWith": "/x"}), without("subject"), false),
        ("no subject fails a suffix", json!({"subjectEndsWith": "x"}), without("subject"), false),
        ("empty prefix and no subject", json!({"subjectBeginsWith": "", "subjectEndsWith": ""}), without("subject"), true),
        ("empty filter", json!({}), event(), true),
        // Several filters
        ("filters are AND'd", json!({"advancedFilters": [
            {"operatorType": "NumberGreaterThan", "key": "data.n", "value": 1},
            {"operatorType": "StringContains", "key": "data.s", "values": ["world"]},
            {"operatorType": "BoolEquals", "key": "data.b", "value": true}]}), event(), true),
        ("one failing filter fails all", json!({"advancedFilters": [
            {"operatorType": "NumberGreaterThan", "key": "data.n", "value": 1},
            {"operatorType": "StringContains", "key": "data.s", "values": ["mars"]},
            {"operatorType": "BoolEquals", "key": "data.b", "value": true}]}), event(), false),
        ("type, subject and advanced together", json!({
            "includedEventTypes": ["Contoso.Order.Created"], "subjectBeginsWith": "/orders/",
            "advancedFilters": [{"operatorType": "StringIn", "key": "tenant", "values": ["ACME"]}]}), event(), true),
        ("type matches, advanced fails", json!({
            "includedEventTypes": ["Contoso.Order.Created"],
            "advancedFilters": [{"operatorType": "NumberLessThan", "key": "data.n", "value": 0}]}), event(), false),
        ("same key twice", json!({"advancedFilters": [
            {"operatorType": "NumberGreaterThanOrEquals", "key": "data.n", "value": 5},
            {"operatorType": "NumberLessThanOrEquals", "key": "data.n", "value": 5}]}), event(), true),
        ("same key, string and number operators", json!({"advancedFilters": [
            {"operatorType": "StringIn", "key": "data.s", "values": ["HELLO WORLD"]},
            {"operatorType": "IsNotNull", "key": "data.s"}]}), event(), true),
    ]
}

#[test]
fn filter_table_matches_event_grid_semantics() {
    let cases = cases();
    assert!(cases.len() >= 80, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for (name, filter, event, expected) in &cases {
        let compiled = compile(filter);
        if compiled.matches(event) != *expected {
            failures.push(format!("{name}: matches gave {}", !expected));
        }
        let topic = TopicMatcher::new(vec![(*name, compiled)]);
        if topic.matching(event).is_empty() == *expected {
            failures.push(format!("{name}: TopicMatcher gave {}", !expected));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn topic_matcher_returns_matching_subscriptions_in_given_order() {
    let subscriptions = [
        (
            "created",
            json!({"includedEventTypes": ["Contoso.Order.Created"]}),
        ),
        (
            "deleted",
            json!({"includedEventTypes": ["Contoso.Order.Deleted"]}),
        ),
        ("all", json!({})),
        ("eu", json!({"subjectBeginsWith": "/orders/eu/"})),
        (
            "both",
            json!({"includedEventTypes": ["contoso.order.deleted", "CONTOSO.ORDER.CREATED"]}),
        ),
        (
            "big",
            json!({"advancedFilters": [{"operatorType": "NumberGreaterThan", "key": "data.n", "value": 100}]}),
        ),
    ];
    let topic = TopicMatcher::new(
        subscriptions
            .iter()
            .map(|(name, filter)| (*name, compile(filter)))
            .collect(),
    );
    assert_eq!(topic.len(), 6);
    assert!(!topic.is_empty());
    assert_eq!(topic.matching(&event()), ["created", "all", "eu", "both"]);
    assert_eq!(
        topic.matching(&with("type", json!("Contoso.Order.Deleted"))),
        ["deleted", "all", "eu", "both"]
    );
    assert_eq!(topic.matching(&without("type")), ["all", "eu"]);
    assert_eq!(
        topic.matching_refs(&with("type", json!("Other"))),
        [&"all", &"eu"]
    );
}

#[test]
fn empty_topic_matches_nothing() {
    let topic: TopicMatcher<u32> = TopicMatcher::new(Vec::new());
    assert!(topic.is_empty());
    assert!(topic.matching(&event()).is_empty());
}

#[test]
fn non_object_event_has_every_key_missing() {
    let unconditional = compile(&json!({}));
    let conditional = compile(&one(
        json!({"operatorType": "StringNotIn", "key": "data.s", "values": ["x"]}),
    ));
    assert!(unconditional.matches(&json!([1, 2])));
    assert!(conditional.matches(&json!("text")));
    assert!(!compile(&json!({"subjectBeginsWith": "/"})).matches(&json!(null)));
}

#[test]
fn compiled_filter_reports_whether_it_accepts_all_types() {
    assert!(compile(&json!({})).accepts_all_types());
    assert!(compile(&json!({"includedEventTypes": []})).accepts_all_types());
    assert!(!compile(&json!({"includedEventTypes": ["A"]})).accepts_all_types());
}
