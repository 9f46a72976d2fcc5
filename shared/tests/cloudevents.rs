//! Rule tests for CloudEvents validation: content modes, every attribute rule, limits, and
//! JSON that the fan-out can read.

mod attributes;
mod modes;
mod readable_json;

use serde_json::json;

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
