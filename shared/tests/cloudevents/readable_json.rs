//! Every accepted event reads as a `serde_json::Value` in the fan-out: deep nesting, huge
//! numbers and lone surrogates are refused, odd but readable JSON is accepted.

use serde_json::json;
use shared::error::ErrorKind;
use shared::ingest::cloudevents::{ContentMode, code, parse, validate};

use super::{event, with};

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
