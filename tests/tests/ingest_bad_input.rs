//! Malformed publish requests: each is answered 4xx with a stable code, none 500, and none
//! stores anything.

use e2e::{Server, Tenants};
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

const BATCH: &str = "application/cloudevents-batch+json; charset=utf-8";

#[tokio::test]
async fn malformed_publish_requests_get_a_stable_4xx_and_store_nothing() {
    let server = Server::start_paused().await;
    let t = Tenants::new(&server, "SourceEventAttribute").await;
    assert_eq!(
        t.partner
            .put(
                &t.channel("orders"),
                t.channel_body("orders-topic", "fabrikam/orders")
            )
            .await
            .0,
        StatusCode::CREATED
    );
    assert_eq!(
        t.customer
            .post(&format!("{}/activate", t.topic("orders-topic")), json!({}))
            .await
            .0,
        StatusCode::OK
    );
    let (_, ns) = t.partner.get(&t.namespace).await;
    let endpoint = ns["properties"]["endpoint"].as_str().unwrap().to_owned();
    let (_, keys) = t
        .partner
        .post(&format!("{}/listKeys", t.namespace), json!({}))
        .await;
    let key = keys["key1"].as_str().unwrap().to_owned();
    let sas = |resource: &str, expiry: OffsetDateTime, key: &str| {
        shared::ingest::sas::generate_token(resource, expiry, key).unwrap()
    };
    let later = OffsetDateTime::now_utc() + Duration::hours(1);
    let other_key = "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=";

    let ok_batch = || json!([event()]).to_string().into_bytes();
    let batch = |events: Value| events.to_string().into_bytes();
    let keyed = |ct: &str| {
        vec![
            ("aeg-sas-key", key.clone()),
            ("content-type", ct.to_owned()),
        ]
    };
    let case = |what, headers, body, status, code| Case {
        what,
        method: Method::POST,
        headers,
        body,
        status,
        code,
    };
    let bad = StatusCode::BAD_REQUEST;
    let unauthorized = StatusCode::UNAUTHORIZED;
    let binary = |extra: Vec<(&'static str, String)>| {
        let mut h = vec![
            ("aeg-sas-key", key.clone()),
            ("ce-specversion", "1.0".to_owned()),
            ("ce-source", "fabrikam/orders".to_owned()),
            ("ce-type", "t".to_owned()),
        ];
        h.extend(extra);
        h
    };
    let many = serde_json::Value::Array(vec![
        json!({"specversion": "1.0", "id": "i", "source": "fabrikam/orders", "type": "t"});
        5001
    ]);
    let cases = vec![
        case(
            "no credential",
            vec![("content-type", BATCH.into())],
            ok_batch(),
            unauthorized,
            "MissingCredential",
        ),
        case(
            "a wrong key",
            vec![
                ("aeg-sas-key", "d3Jvbmc=".into()),
                ("content-type", BATCH.into()),
            ],
            ok_batch(),
            unauthorized,
            "InvalidSasKey",
        ),
        case(
            "a bearer token",
            vec![
                ("authorization", "Bearer eyJ0".into()),
                ("content-type", BATCH.into()),
            ],
            ok_batch(),
            unauthorized,
            "UnsupportedAuthorizationScheme",
        ),
        case(
            "a token of garbage",
            vec![
                ("aeg-sas-token", "garbage".into()),
                ("content-type", BATCH.into()),
            ],
            ok_batch(),
            unauthorized,
            "MalformedSasToken",
        ),
        case(
            "a token without a signature",
            vec![
                ("aeg-sas-token", "r=a&e=b".into()),
                ("content-type", BATCH.into()),
            ],
            ok_batch(),
            unauthorized,
            "MalformedSasToken",
        ),
        case(
            "a token with an unreadable expiry",
            vec![
                ("aeg-sas-token", "r=a&e=whenever&s=AAAA".into()),
                ("content-type", BATCH.into()),
            ],
            ok_batch(),
            unauthorized,
            "InvalidSasExpiry",
        ),
        case(
            "a token whose signature is not base64",
            vec![
                (
                    "aeg-sas-token",
                    "r=a&e=2099-01-01T00%3A00%3A00Z&s=%21%21".into(),
                ),
                ("content-type", BATCH.into()),
            ],
            ok_batch(),
            unauthorized,
            "MalformedSasToken",
        ),
        case(
            "an expired token",
            vec![
                (
                    "aeg-sas-token",
                    sas(
                        &endpoint,
                        OffsetDateTime::now_utc() - Duration::seconds(5),
                        &key,
                    ),
                ),
                ("content-type", BATCH.into()),
            ],
            ok_batch(),
            unauthorized,
            "SasTokenExpired",
        ),
        case(
            "a token for another endpoint",
            vec![
                (
                    "aeg-sas-token",
                    sas(
                        "http://elsewhere/partnerNamespaces/x/api/events",
                        later,
                        &key,
                    ),
                ),
                ("content-type", BATCH.into()),
            ],
            ok_batch(),
            unauthorized,
            "SasTokenResourceMismatch",
        ),
        case(
            "a token signed with another key",
            vec![
                ("aeg-sas-token", sas(&endpoint, later, other_key)),
                ("content-type", BATCH.into()),
            ],
            ok_batch(),
            unauthorized,
            "InvalidSasSignature",
        ),
        case(
            "a Content-Type of text/plain",
            keyed("text/plain"),
            ok_batch(),
            bad,
            "UnsupportedContentType",
        ),
        case(
            "no Content-Type",
            vec![("aeg-sas-key", key.clone())],
            ok_batch(),
            bad,
            "UnsupportedContentType",
        ),
        case(
            "application/json without ce- headers",
            keyed("application/json"),
            ok_batch(),
            bad,
            "UnsupportedContentType",
        ),
        case(
            "invalid JSON",
            keyed(BATCH),
            b"[{\"id\":".to_vec(),
            bad,
            "InvalidJson",
        ),
        case(
            "a body that is not UTF-8",
            keyed(BATCH),
            vec![0xff, 0xfe, 0x00],
            bad,
            "InvalidJson",
        ),
        case(
            "an object where a batch is declared",
            keyed(BATCH),
            event().to_string().into_bytes(),
            bad,
            "InvalidJson",
        ),
        case(
            "an array where one event is declared",
            keyed("application/cloudevents+json"),
            ok_batch(),
            bad,
            "InvalidJson",
        ),
        case(
            "an empty batch",
            keyed(BATCH),
            b"[]".to_vec(),
            bad,
            "EmptyBatch",
        ),
        case(
            "a batch of numbers",
            keyed(BATCH),
            b"[1,2]".to_vec(),
            bad,
            "InvalidJson",
        ),
        case(
            "an event without an id",
            keyed(BATCH),
            batch(json!([without("id")])),
            bad,
            "MissingRequiredAttribute",
        ),
        case(
            "an event without a source",
            keyed(BATCH),
            batch(json!([without("source")])),
            bad,
            "MissingRequiredAttribute",
        ),
        case(
            "an event with an empty source",
            keyed(BATCH),
            batch(json!([with("source", json!(""))])),
            bad,
            "MissingRequiredAttribute",
        ),
        case(
            "an event without a type",
            keyed(BATCH),
            batch(json!([without("type")])),
            bad,
            "MissingRequiredAttribute",
        ),
        case(
            "an event without specversion",
            keyed(BATCH),
            batch(json!([without("specversion")])),
            bad,
            "MissingRequiredAttribute",
        ),
        case(
            "specversion 0.3",
            keyed(BATCH),
            batch(json!([with("specversion", json!("0.3"))])),
            bad,
            "InvalidSpecVersion",
        ),
        case(
            "a numeric id",
            keyed(BATCH),
            batch(json!([with("id", json!(5))])),
            bad,
            "InvalidAttributeValue",
        ),
        case(
            "a time that is not RFC 3339",
            keyed(BATCH),
            batch(json!([with("time", json!("Tuesday"))])),
            bad,
            "InvalidAttributeValue",
        ),
        case(
            "data and data_base64 together",
            keyed(BATCH),
            batch(json!([with("data_base64", json!("AA=="))])),
            bad,
            "DataAndDataBase64",
        ),
        case(
            "an upper-case extension name",
            keyed(BATCH),
            batch(json!([with("MyExt", json!("v"))])),
            bad,
            "InvalidExtensionAttributeName",
        ),
        case(
            "an extension name of 21 characters",
            keyed(BATCH),
            batch(json!([with("abcdefghijklmnopqrstu", json!("v"))])),
            bad,
            "InvalidExtensionAttributeName",
        ),
        case(
            "an object extension value",
            keyed(BATCH),
            batch(json!([with("ext", json!({"a": 1}))])),
            bad,
            "InvalidAttributeValue",
        ),
        case(
            "data nested 128 levels deep",
            keyed(BATCH),
            json!([event()])
                .to_string()
                .replace("{}", &format!("{}{}", "[".repeat(128), "]".repeat(128)))
                .into_bytes(),
            bad,
            "UnsupportedJson",
        ),
        case(
            "a number outside a double's range",
            keyed(BATCH),
            json!([event()])
                .to_string()
                .replace("{}", "1e400")
                .into_bytes(),
            bad,
            "UnsupportedJson",
        ),
        case(
            "a lone surrogate escape",
            keyed("application/cloudevents+json"),
            event()
                .to_string()
                .replace("{}", r#""\ud800""#)
                .into_bytes(),
            bad,
            "UnsupportedJson",
        ),
        case(
            "an attribute given twice in a batch",
            keyed(BATCH),
            br#"[{"specversion":"1.0","id":"a","id":"b","source":"fabrikam/orders","type":"t"}]"#
                .to_vec(),
            bad,
            "DuplicateAttribute",
        ),
        case(
            "an attribute given twice in a structured event",
            keyed("application/cloudevents+json"),
            br#"{"specversion":"1.0","id":"a","source":"fabrikam/orders","source":"x","type":"t"}"#
                .to_vec(),
            bad,
            "DuplicateAttribute",
        ),
        case(
            "one bad event after good ones",
            keyed(BATCH),
            batch(json!([event(), event(), without("type")])),
            bad,
            "MissingRequiredAttribute",
        ),
        case(
            "a source no channel routes",
            keyed(BATCH),
            batch(json!([with("source", json!("nobody/knows"))])),
            bad,
            "NoChannelForSource",
        ),
        case(
            "a body over 1 MB",
            keyed(BATCH),
            batch(json!([with("data", json!("x".repeat(1024 * 1024)))])),
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestTooLarge",
        ),
        case(
            "5,001 events",
            keyed(BATCH),
            batch(many),
            StatusCode::PAYLOAD_TOO_LARGE,
            "TooManyEvents",
        ),
        case(
            "binary mode without ce-id",
            binary(vec![("content-type", "application/json".into())]),
            b"{}".to_vec(),
            bad,
            "MissingRequiredAttribute",
        ),
        case(
            "binary mode with JSON that does not parse",
            binary(vec![
                ("ce-id", "1".into()),
                ("content-type", "application/json".into()),
            ]),
            b"{nope".to_vec(),
            bad,
            "InvalidJson",
        ),
        case(
            "binary mode with a bad ce-time",
            binary(vec![("ce-id", "1".into()), ("ce-time", "noon".into())]),
            b"x".to_vec(),
            bad,
            "InvalidAttributeValue",
        ),
        Case {
            method: Method::GET,
            ..case(
                "a GET",
                keyed(BATCH),
                Vec::new(),
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
            )
        },
    ];
    assert!(cases.len() >= 30);
    let http = reqwest::Client::new();
    for c in cases {
        let mut request = http
            .request(c.method, format!("{endpoint}?api-version=2018-01-01"))
            .body(c.body);
        for (name, value) in &c.headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let body: Value =
            serde_json::from_str(&response.text().await.unwrap()).unwrap_or(Value::Null);
        assert_eq!(status, c.status, "{}: {body}", c.what);
        assert_eq!(body["error"]["code"], c.code, "{}: {body}", c.what);
        assert_eq!(
            e2e::docs::publisher_error_status(c.code),
            Some(status.as_u16()),
            "{}: the README's publisher errors table",
            c.what
        );
        assert!(
            !body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .is_empty(),
            "{}: a message says what to fix",
            c.what
        );
    }
    for name in ["no-such-namespace", &"n".repeat(3000)] {
        let unknown = endpoint.replace(ns["name"].as_str().unwrap(), name);
        let response = http
            .post(unknown)
            .header("aeg-sas-key", &key)
            .header("content-type", BATCH)
            .body(ok_batch())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    let unknown = endpoint.replace(ns["name"].as_str().unwrap(), "no-such-namespace");
    let response = http
        .post(unknown)
        .header("aeg-sas-key", &key)
        .header("content-type", BATCH)
        .body(ok_batch())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let stored = server.drain_published().await;
    assert!(stored.is_empty(), "no malformed request stored anything");
}
