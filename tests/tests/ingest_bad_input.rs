//! Malformed publish requests: each is answered 4xx with a stable code, none 500, and none
//! stores anything.

use e2e::{BATCH, Publisher, Server, Tenants, answer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

fn event() -> Value {
    json!({"specversion": "1.0", "id": "1", "source": "fabrikam/orders", "type": "Order.Created", "data": {}})
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

struct Case {
    what: &'static str,
    method: Method,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    status: StatusCode,
    code: &'static str,
}

/// The malformed requests to a namespace's `endpoint` whose key is `key`.
#[rustfmt::skip]
fn cases(endpoint: &str, key: &str) -> Vec<Case> {
    let sas = |resource: &str, expiry: OffsetDateTime, key: &str| {
        shared::ingest::sas::generate_token(resource, expiry, key).unwrap()
    };
    let later = OffsetDateTime::now_utc() + Duration::hours(1);
    let other_key = "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=";
    let ok_batch = || json!([event()]).to_string().into_bytes();
    let batch = |events: Value| events.to_string().into_bytes();
    let replaced = |event: Value, with: &str| event.to_string().replace("{}", with).into_bytes();
    let credential = |name: &'static str, value: String| vec![(name, value), ("content-type", BATCH.into())];
    let keyed = |ct: &str| vec![("aeg-sas-key", key.to_owned()), ("content-type", ct.to_owned())];
    let binary = |extra: Vec<(&'static str, String)>| {
        let mut h = vec![
            ("aeg-sas-key", key.to_owned()),
            ("ce-specversion", "1.0".to_owned()),
            ("ce-source", "fabrikam/orders".to_owned()),
            ("ce-type", "t".to_owned()),
        ];
        h.extend(extra);
        h
    };
    let case = |what, headers, body, status, code| Case { what, method: Method::POST, headers, body, status, code };
    let (bad, unauthorized, too_large) = (StatusCode::BAD_REQUEST, StatusCode::UNAUTHORIZED, StatusCode::PAYLOAD_TOO_LARGE);
    let many = Value::Array(vec![json!({"specversion": "1.0", "id": "i", "source": "fabrikam/orders", "type": "t"}); 5001]);
    let deep = format!("{}{}", "[".repeat(128), "]".repeat(128));
    let structured = "application/cloudevents+json";
    vec![
        case("no credential", vec![("content-type", BATCH.into())], ok_batch(), unauthorized, "MissingCredential"),
        case("a wrong key", credential("aeg-sas-key", "d3Jvbmc=".into()), ok_batch(), unauthorized, "InvalidSasKey"),
        case("a bearer token", credential("authorization", "Bearer eyJ0".into()), ok_batch(), unauthorized, "UnsupportedAuthorizationScheme"),
        case("a token of garbage", credential("aeg-sas-token", "garbage".into()), ok_batch(), unauthorized, "MalformedSasToken"),
        case("a token without a signature", credential("aeg-sas-token", "r=a&e=b".into()), ok_batch(), unauthorized, "MalformedSasToken"),
        case("a token with an unreadable expiry", credential("aeg-sas-token", "r=a&e=whenever&s=AAAA".into()), ok_batch(), unauthorized, "InvalidSasExpiry"),
        case("a token whose signature is not base64", credential("aeg-sas-token", "r=a&e=2099-01-01T00%3A00%3A00Z&s=%21%21".into()), ok_batch(), unauthorized, "MalformedSasToken"),
        case("an expired token", credential("aeg-sas-token", sas(endpoint, OffsetDateTime::now_utc() - Duration::seconds(5), key)), ok_batch(), unauthorized, "SasTokenExpired"),
        case("a token for another endpoint", credential("aeg-sas-token", sas("http://elsewhere/partnerNamespaces/x/api/events", later, key)), ok_batch(), unauthorized, "SasTokenResourceMismatch"),
        case("a token signed with another key", credential("aeg-sas-token", sas(endpoint, later, other_key)), ok_batch(), unauthorized, "InvalidSasSignature"),
        case("a Content-Type of text/plain", keyed("text/plain"), ok_batch(), bad, "UnsupportedContentType"),
        case("no Content-Type", vec![("aeg-sas-key", key.to_owned())], ok_batch(), bad, "UnsupportedContentType"),
        case("application/json without ce- headers", keyed("application/json"), ok_batch(), bad, "UnsupportedContentType"),
        case("invalid JSON", keyed(BATCH), b"[{\"id\":".to_vec(), bad, "InvalidJson"),
        case("a body that is not UTF-8", keyed(BATCH), vec![0xff, 0xfe, 0x00], bad, "InvalidJson"),
        case("an object where a batch is declared", keyed(BATCH), event().to_string().into_bytes(), bad, "InvalidJson"),
        case("an array where one event is declared", keyed(structured), ok_batch(), bad, "InvalidJson"),
        case("an empty batch", keyed(BATCH), b"[]".to_vec(), bad, "EmptyBatch"),
        case("a batch of numbers", keyed(BATCH), b"[1,2]".to_vec(), bad, "InvalidJson"),
        case("an event without an id", keyed(BATCH), batch(json!([without("id")])), bad, "MissingRequiredAttribute"),
        case("an event without a source", keyed(BATCH), batch(json!([without("source")])), bad, "MissingRequiredAttribute"),
        case("an event with an empty source", keyed(BATCH), batch(json!([with("source", json!(""))])), bad, "MissingRequiredAttribute"),
        case("an event without a type", keyed(BATCH), batch(json!([without("type")])), bad, "MissingRequiredAttribute"),
        case("an event without specversion", keyed(BATCH), batch(json!([without("specversion")])), bad, "MissingRequiredAttribute"),
        case("specversion 0.3", keyed(BATCH), batch(json!([with("specversion", json!("0.3"))])), bad, "InvalidSpecVersion"),
        case("a numeric id", keyed(BATCH), batch(json!([with("id", json!(5))])), bad, "InvalidAttributeValue"),
        case("a time that is not RFC 3339", keyed(BATCH), batch(json!([with("time", json!("Tuesday"))])), bad, "InvalidAttributeValue"),
        case("data and data_base64 together", keyed(BATCH), batch(json!([with("data_base64", json!("AA=="))])), bad, "DataAndDataBase64"),
        case("an upper-case extension name", keyed(BATCH), batch(json!([with("MyExt", json!("v"))])), bad, "InvalidExtensionAttributeName"),
        case("an extension name of 21 characters", keyed(BATCH), batch(json!([with("abcdefghijklmnopqrstu", json!("v"))])), bad, "InvalidExtensionAttributeName"),
        case("an object extension value", keyed(BATCH), batch(json!([with("ext", json!({"a": 1}))])), bad, "InvalidAttributeValue"),
        case("data nested 128 levels deep", keyed(BATCH), replaced(json!([event()]), &deep), bad, "UnsupportedJson"),
        case("a number outside a double's range", keyed(BATCH), replaced(json!([event()]), "1e400"), bad, "UnsupportedJson"),
        case("a lone surrogate escape", keyed(structured), replaced(event(), r#""\ud800""#), bad, "UnsupportedJson"),
        case("an attribute given twice in a batch", keyed(BATCH), br#"[{"specversion":"1.0","id":"a","id":"b","source":"fabrikam/orders","type":"t"}]"#.to_vec(), bad, "DuplicateAttribute"),
        case("an attribute given twice in a structured event", keyed(structured), br#"{"specversion":"1.0","id":"a","source":"fabrikam/orders","source":"x","type":"t"}"#.to_vec(), bad, "DuplicateAttribute"),
        case("one bad event after good ones", keyed(BATCH), batch(json!([event(), event(), without("type")])), bad, "MissingRequiredAttribute"),
        case("a source no channel routes", keyed(BATCH), batch(json!([with("source", json!("nobody/knows"))])), bad, "NoChannelForSource"),
        case("a body over 1 MB", keyed(BATCH), batch(json!([with("data", json!("x".repeat(1024 * 1024)))])), too_large, "RequestTooLarge"),
        case("5,001 events", keyed(BATCH), batch(many), too_large, "TooManyEvents"),
        case("binary mode without ce-id", binary(vec![("content-type", "application/json".into())]), b"{}".to_vec(), bad, "MissingRequiredAttribute"),
        case("binary mode with JSON that does not parse", binary(vec![("ce-id", "1".into()), ("content-type", "application/json".into())]), b"{nope".to_vec(), bad, "InvalidJson"),
        case("binary mode with a bad ce-time", binary(vec![("ce-id", "1".into()), ("ce-time", "noon".into())]), b"x".to_vec(), bad, "InvalidAttributeValue"),
        Case { method: Method::GET, ..case("a GET", keyed(BATCH), Vec::new(), StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed") },
    ]
}

#[tokio::test]
async fn malformed_publish_requests_get_a_stable_4xx_and_store_nothing() {
    let server = Server::builder().paused().start().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    t.activate(&t.orders_topic().await).await;
    let endpoint = t.publisher().await.url;
    let key = t.keys().await["key1"].as_str().unwrap().to_owned();
    let cases = cases(&endpoint, &key);
    assert!(cases.len() >= 30);
    let http = reqwest::Client::new();
    for c in cases {
        let mut request = http
            .request(c.method, format!("{endpoint}?api-version=2018-01-01"))
            .body(c.body);
        for (name, value) in &c.headers {
            request = request.header(*name, value);
        }
        let (status, body) = answer(request).await;
        assert_eq!(status, c.status, "{}: {body}", c.what);
        assert_eq!(body["error"]["code"], c.code, "{}: {body}", c.what);
        assert_eq!(
            e2e::docs::publisher_error_status(c.code),
            Some(status.as_u16()),
            "{}: the publisher errors table in docs/api.md",
            c.what
        );
        assert!(
            !e2e::message(&body).is_empty(),
            "{}: a message says what to fix",
            c.what
        );
    }
    let namespace = t.namespace.rsplit('/').next().unwrap();
    for name in ["no-such-namespace", &"n".repeat(3000)] {
        let unknown = Publisher::new(&endpoint.replace(namespace, name));
        let (status, _) = unknown.send(("aeg-sas-key", &key), &json!([event()])).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let stored = server.drain_published().await;
    assert!(stored.is_empty(), "no malformed request stored anything");
}
