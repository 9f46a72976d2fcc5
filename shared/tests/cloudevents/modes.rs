//! The three content modes and the request limits: choosing the mode, batches and single
//! events, binary mode, and what is too large.

use serde_json::json;
use shared::error::ErrorKind;
use shared::ingest::cloudevents::{
    ContentMode, MAX_EVENTS, code, content_mode, from_binary, parse, validate,
};

use super::{event, with};

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
