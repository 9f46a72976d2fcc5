//! The attribute rules of one event: required attributes, types, `time`, `data_base64`,
//! extensions and duplicates; a valid event keeps its exact text.

use serde_json::json;
use shared::error::ErrorKind;
use shared::ingest::cloudevents::{ContentMode, code, parse, validate};

use super::{event, with, without};

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
