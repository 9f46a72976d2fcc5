//! Rule tests for CloudEvents validation: content modes, every attribute rule, and limits.

use serde_json::json;
use shared::error::ErrorKind;
use shared::ingest::cloudevents::{
    ContentMode, MAX_EVENTS, code, content_mode, from_binary, parse, validate,
};

fn event() -> serde_json::Value {
    json!({"specversion": "1.0", "id": "e1", "source": "/orders", "type": "Order.Created", "data": {"n": 1}})
}

fn with(field: &str, value: serde_json::Value) -> String {
    let mut e = event();
    e[field] = value;
    e.to_string()
}

fn without(field: &str) -> String {
    let mut e = event();
    e.as_object_mut().unwrap().remove(field);
    e.to_string()
}

#[test]
fn content_types_choose_the_mode() {
    let table = [
        (
            Some("application/cloudevents-batch+json; charset=utf-8"),
            false,
            Ok(ContentMode::Batch),
        ),
        (
            Some("application/cloudevents-batch+json"),
            true,
            Ok(ContentMode::Batch),
        ),
        (
            Some("Application/CloudEvents+JSON"),
            false,
            Ok(ContentMode::Structured),
        ),
        (Some("application/json"), true, Ok(ContentMode::Binary)),
        (None, true, Ok(ContentMode::Binary)),
        (
            Some("application/json"),
            false,
            Err(code::UNSUPPORTED_CONTENT_TYPE),
        ),
        (
            Some("text/plain"),
            false,
            Err(code::UNSUPPORTED_CONTENT_TYPE),
        ),
        (None, false, Err(code::UNSUPPORTED_CONTENT_TYPE)),
    ];
    for (ct, ce, want) in table {
        assert_eq!(
            content_mode(ct, ce).map_err(|e| e.code),
            want,
            "{ct:?} {ce}"
        );
    }
}

#[test]
fn a_valid_event_keeps_its_exact_text() {
    let text = r#"{"specversion":"1.0","id":"a","source":"s","type":"t","subject":"x/y","data":{"z":  1.50}}"#;
    let e = validate(0, text).unwrap();
    assert_eq!(e.json, text);
    assert_eq!(
        (
            e.id.as_str(),
            e.source.as_str(),
            e.kind.as_str(),
            e.subject.as_deref()
        ),
        ("a", "s", "t", Some("x/y"))
    );
}

#[test]
fn every_attribute_rule_names_the_event_and_the_attribute() {
    let table: Vec<(String, &str, &str)> = vec![
        (
            without("specversion"),
            code::MISSING_ATTRIBUTE,
            "'specversion'",
        ),
        (
            with("specversion", json!("0.3")),
            code::INVALID_SPEC_VERSION,
            "'0.3'",
        ),
        (
            with("specversion", json!(1.0)),
            code::INVALID_ATTRIBUTE,
            "'specversion' must be a string",
        ),
        (without("id"), code::MISSING_ATTRIBUTE, "'id'"),
        (with("id", json!("")), code::MISSING_ATTRIBUTE, "'id'"),
        (
            with("id", json!(7)),
            code::INVALID_ATTRIBUTE,
            "'id' must be a string",
        ),
        (without("source"), code::MISSING_ATTRIBUTE, "'source'"),
        (
            with("source", json!("")),
            code::MISSING_ATTRIBUTE,
            "'source'",
        ),
        (without("type"), code::MISSING_ATTRIBUTE, "'type'"),
        (with("type", json!(null)), code::MISSING_ATTRIBUTE, "'type'"),
        (
            with("time", json!("yesterday")),
            code::INVALID_ATTRIBUTE,
            "'time'",
        ),
        (
            with("time", json!("2026-11-24 12:00:00")),
            code::INVALID_ATTRIBUTE,
            "RFC 3339",
        ),
        (
            with("subject", json!(["a"])),
            code::INVALID_ATTRIBUTE,
            "'subject' must be a string",
        ),
        (
            with("datacontenttype", json!("")),
            code::INVALID_ATTRIBUTE,
            "'datacontenttype'",
        ),
        (
            with("dataschema", json!(3)),
            code::INVALID_ATTRIBUTE,
            "'dataschema'",
        ),
        (
            with("data_base64", json!("aGVsbG8=")),
            code::DATA_AND_DATA_BASE64,
            "both",
        ),
        (
            with("Upper", json!("x")),
            code::INVALID_EXTENSION_NAME,
            "'Upper'",
        ),
        (
            with("with_underscore", json!("x")),
            code::INVALID_EXTENSION_NAME,
            "'with_underscore'",
        ),
        (
            with("abcdefghijklmnopqrstu", json!("x")),
            code::INVALID_EXTENSION_NAME,
            "1-20",
        ),
        (
            with("nested", json!({"a": 1})),
            code::INVALID_ATTRIBUTE,
            "'nested'",
        ),
        (with("list", json!([1])), code::INVALID_ATTRIBUTE, "'list'"),
        ("[]".into(), code::INVALID_JSON, "not a JSON object"),
        ("\"text\"".into(), code::INVALID_JSON, "not a JSON object"),
    ];
    for (text, want, says) in table {
        let e = validate(4, &text).unwrap_err();
        assert_eq!(
            (e.kind, e.code),
            (ErrorKind::Invalid, want),
            "{text}: {}",
            e.message
        );
        assert!(e.message.contains("event [4]"), "{}", e.message);
        assert!(
            e.message.contains(says),
            "'{}' should say {says}",
            e.message
        );
    }
}

#[test]
fn optional_attributes_and_extensions_that_follow_the_rules_pass() {
    let mut e = event();
    e.as_object_mut().unwrap().remove("data");
    e["data_base64"] = json!("aGVsbG8=");
    e["time"] = json!("2026-11-24T12:00:00.123+01:00");
    e["datacontenttype"] = json!("application/octet-stream");
    e["dataschema"] = json!("https://schemas.example/order");
    e["traceparent"] = json!("00-abc");
    e["partitionkey2"] = json!(42);
    e["flag"] = json!(true);
    e["abcdefghijklmnopqrst"] = json!("twenty");
    assert!(validate(0, &e.to_string()).is_ok());
    let mut no_data = event();
    no_data.as_object_mut().unwrap().remove("data");
    assert!(
        validate(0, &no_data.to_string()).is_ok(),
        "data is optional"
    );
    assert!(
        validate(0, &with("data_base64", json!(null))).is_ok(),
        "a null data_base64 is absent"
    );
}

#[test]
fn data_base64_must_be_base64() {
    let mut e = event();
    e.as_object_mut().unwrap().remove("data");
    e["data_base64"] = json!("not base64!");
    assert_eq!(
        validate(0, &e.to_string()).unwrap_err().code,
        code::INVALID_ATTRIBUTE
    );
}

#[test]
fn one_bad_event_fails_the_whole_batch_and_names_its_index() {
    let body =
        json!([event(), event(), {"specversion": "1.0", "id": "x", "source": "s"}]).to_string();
    let e = parse(ContentMode::Batch, body.as_bytes()).unwrap_err();
    assert_eq!(e.code, code::MISSING_ATTRIBUTE);
    assert!(
        e.message.contains("event [2]") && e.message.contains("'type'"),
        "{}",
        e.message
    );
}

#[test]
fn batches_and_single_events_parse_in_their_modes() {
    let batch = json!([event(), event()]).to_string();
    assert_eq!(
        parse(ContentMode::Batch, batch.as_bytes()).unwrap().len(),
        2
    );
    assert_eq!(
        parse(ContentMode::Structured, event().to_string().as_bytes())
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        parse(ContentMode::Structured, batch.as_bytes())
            .unwrap_err()
            .code,
        code::INVALID_JSON
    );
    assert_eq!(
        parse(ContentMode::Batch, event().to_string().as_bytes())
            .unwrap_err()
            .code,
        code::INVALID_JSON
    );
    assert_eq!(
        parse(ContentMode::Batch, b"[]").unwrap_err().code,
        code::EMPTY_BATCH
    );
    assert_eq!(
        parse(ContentMode::Batch, b"[{").unwrap_err().code,
        code::INVALID_JSON
    );
    assert_eq!(
        parse(ContentMode::Batch, &[0xff, 0xfe]).unwrap_err().code,
        code::INVALID_JSON
    );
}

#[test]
fn limits_are_too_large_not_invalid() {
    let small = json!({"specversion": "1.0", "id": "i", "source": "s", "type": "t"});
    let many = serde_json::Value::Array(vec![small; MAX_EVENTS + 1]).to_string();
    let e = parse(ContentMode::Batch, many.as_bytes()).unwrap_err();
    assert_eq!(
        (e.kind, e.code),
        (ErrorKind::TooLarge, code::TOO_MANY_EVENTS)
    );

    let big = with("data", json!("x".repeat(1024 * 1024)));
    let e = validate(0, &big).unwrap_err();
    assert_eq!(
        (e.kind, e.code),
        (ErrorKind::TooLarge, code::EVENT_TOO_LARGE)
    );
    let e = parse(ContentMode::Structured, big.as_bytes()).unwrap_err();
    assert_eq!(
        (e.kind, e.code),
        (ErrorKind::TooLarge, code::REQUEST_TOO_LARGE)
    );
}

#[test]
fn binary_mode_builds_the_structured_event() {
    let headers = vec![
        ("ce-specversion".to_owned(), "1.0".to_owned()),
        ("ce-id".to_owned(), "b1".to_owned()),
        ("ce-source".to_owned(), "/bin".to_owned()),
        ("ce-type".to_owned(), "Bin.Event".to_owned()),
        ("ce-traceparent".to_owned(), "00-1".to_owned()),
    ];
    let json_event = from_binary(&headers, Some("application/json"), br#"{"k": 1}"#).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json_event.json).unwrap();
    assert_eq!(v["data"], json!({"k": 1}));
    assert_eq!(v["datacontenttype"], "application/json");
    assert_eq!(v["traceparent"], "00-1");
    let bytes = from_binary(&headers, Some("application/octet-stream"), &[0, 1, 2]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&bytes.json).unwrap();
    assert_eq!(v["data_base64"], "AAEC");
    assert!(v.get("data").is_none());
    let e = from_binary(&headers[1..], None, b"").unwrap_err();
    assert_eq!(e.code, code::MISSING_ATTRIBUTE);
    let e = from_binary(&headers, Some("application/json"), b"{oops").unwrap_err();
    assert_eq!(e.code, code::INVALID_JSON);
}

/// An event whose `data` nests `levels` arrays.
fn nested(levels: usize) -> String {
    let mut e = event();
    e["data"] = json!("DATA");
    e.to_string().replace(
        "\"DATA\"",
        &format!("{}{}", "[".repeat(levels), "]".repeat(levels)),
    )
}

#[test]
fn an_event_the_fan_out_could_not_read_as_a_json_value_is_refused_naming_its_index() {
    let surrogate = with("data", json!("X")).replace("\"X\"", r#""\ud800""#);
    let key_surrogate = with("data", json!({"X": 1})).replace("\"X\"", r#""\udfff""#);
    let table = [
        (nested(127), "recursion limit"),
        (
            with("data", json!(1)).replace(":1", ":1e400"),
            "number out of range",
        ),
        (
            with("data", json!(1)).replace(":1", ":-1e400"),
            "number out of range",
        ),
        (
            with("data", json!(1)).replace(":1", &format!(":1{}", "0".repeat(400))),
            "number out of range",
        ),
        (surrogate, "surrogate"),
        (key_surrogate, "surrogate"),
        (
            with("ext", json!(1)).replace(":1", ":1e999"),
            "number out of range",
        ),
    ];
    for (text, says) in table {
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
        let e = validate(3, &text).unwrap_err();
        assert_eq!(
            (e.kind, e.code),
            (ErrorKind::Invalid, code::UNSUPPORTED_JSON),
            "{says}: {}",
            e.message
        );
        assert!(
            e.message.contains("event [3]") && e.message.contains(says),
            "{}",
            e.message
        );
        let batch = format!("[{},{text}]", event());
        let e = parse(ContentMode::Batch, batch.as_bytes()).unwrap_err();
        assert_eq!(e.code, code::UNSUPPORTED_JSON);
        assert!(e.message.contains("event [1]"), "{}", e.message);
        let e = parse(ContentMode::Structured, text.as_bytes()).unwrap_err();
        assert_eq!(e.code, code::UNSUPPORTED_JSON);
    }
}

#[test]
fn every_accepted_event_reads_as_a_json_value_and_odd_but_readable_json_is_accepted() {
    let surrogate_pair = with("data", json!("X")).replace("\"X\"", r#""\ud83d\ude00""#);
    let readable = [
        nested(126),
        with("data", json!(1)).replace(":1", ":1e308"),
        with("data", json!(1)).replace(":1", ":1e-400"),
        with("data", json!(1)).replace(":1", &format!(":1{}", "0".repeat(300))),
        surrogate_pair,
        with("data", json!("X")).replace("\"X\"", r#""\u0000\uFFFD""#),
        with("data", json!({"k": 1})).replace("}}", r#","k":2}}"#),
    ];
    for text in readable {
        assert!(
            serde_json::from_str::<serde_json::Value>(&text).is_ok(),
            "{text}"
        );
        assert!(validate(0, &text).is_ok(), "{text}");
    }
}

#[test]
fn an_attribute_given_twice_is_refused_naming_the_event_and_the_attribute() {
    let e = r#"{"specversion":"1.0","id":"a","id":"b","source":"/s","type":"t"}"#;
    let escaped = r#"{"specversion":"1.0","id":"a","source":"/s","type":"t","i\u0064":"b"}"#;
    let extension = r#"{"specversion":"1.0","id":"a","source":"/s","type":"t","ext":1,"ext":2}"#;
    for (text, name) in [(e, "'id'"), (escaped, "'id'"), (extension, "'ext'")] {
        let err = validate(2, text).unwrap_err();
        assert_eq!(
            (err.kind, err.code),
            (ErrorKind::Invalid, code::DUPLICATE_ATTRIBUTE)
        );
        assert!(
            err.message.contains("event [2]") && err.message.contains(name),
            "{}",
            err.message
        );
        let err = parse(ContentMode::Structured, text.as_bytes()).unwrap_err();
        assert_eq!(err.code, code::DUPLICATE_ATTRIBUTE);
        assert!(err.message.contains("event [0]"), "{}", err.message);
        let batch = format!("[{},{text}]", event());
        let err = parse(ContentMode::Batch, batch.as_bytes()).unwrap_err();
        assert_eq!(err.code, code::DUPLICATE_ATTRIBUTE);
        assert!(err.message.contains("event [1]"), "{}", err.message);
    }
}

#[test]
fn binary_mode_data_the_fan_out_could_not_read_is_refused() {
    let headers = vec![
        ("ce-specversion".to_owned(), "1.0".to_owned()),
        ("ce-id".to_owned(), "b1".to_owned()),
        ("ce-source".to_owned(), "/bin".to_owned()),
        ("ce-type".to_owned(), "Bin.Event".to_owned()),
    ];
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    for body in [deep(127), "1e400".to_owned(), r#""\ud800""#.to_owned()] {
        let e = from_binary(&headers, Some("application/json"), body.as_bytes()).unwrap_err();
        assert_eq!(e.code, code::UNSUPPORTED_JSON, "{body}: {}", e.message);
    }
    assert!(from_binary(&headers, Some("application/json"), deep(126).as_bytes()).is_ok());
}
