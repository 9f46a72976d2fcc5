//! An API Gateway HTTP API stand-in on 127.0.0.1: real HTTP requests in front of the HTTP
//! functions, turned into payload 2.0 events (from the fixture) and routed as template.yaml
//! routes them; the functions' answers turned back into HTTP responses.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use crate::lambda::RuntimeApi;

/// The parts of a request an API Gateway HTTP API event carries.
pub struct Incoming<'a> {
    pub method: &'a Method,
    pub uri: &'a Uri,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub peer: SocketAddr,
}

/// An API Gateway HTTP API event (payload format 2.0) for this request, from the fixture.
pub fn http_api_event(request: Incoming<'_>, stage: &str) -> Value {
    let Incoming {
        method,
        uri,
        headers,
        body,
        peer,
    } = request;
    let mut event: Value =
        serde_json::from_str(include_str!("../fixtures/apigw-v2-request.json")).unwrap();
    let path = if stage == "$default" {
        uri.path().to_owned()
    } else {
        format!("/{stage}{}", uri.path())
    };
    let mut joined: HashMap<String, String> = HashMap::new();
    for (name, value) in headers {
        let value = value.to_str().unwrap_or_default();
        joined
            .entry(name.as_str().to_owned())
            .and_modify(|v| {
                v.push(',');
                v.push_str(value);
            })
            .or_insert_with(|| value.to_owned());
    }
    joined.insert("host".into(), "api.example.com".into());
    event["rawPath"] = json!(path);
    event["rawQueryString"] = json!(uri.query().unwrap_or_default());
    event["headers"] = json!(joined);
    event["requestContext"]["http"]["method"] = json!(method.as_str());
    event["requestContext"]["http"]["path"] = json!(path);
    event["requestContext"]["http"]["sourceIp"] = json!(peer.ip().to_string());
    event["requestContext"]["stage"] = json!(stage);
    event["requestContext"]["requestId"] = json!(uuid::Uuid::new_v4().to_string());
    match std::str::from_utf8(body) {
        _ if body.is_empty() => {
            event.as_object_mut().unwrap().remove("body");
            event["isBase64Encoded"] = json!(false);
        }
        Ok(text) => {
            event["body"] = json!(text);
            event["isBase64Encoded"] = json!(false);
        }
        Err(_) => {
            event["body"] = json!(base64::engine::general_purpose::STANDARD.encode(body));
            event["isBase64Encoded"] = json!(true);
        }
    }
    event
}

/// The HTTP response an API Gateway payload 2.0 answer stands for.
pub fn http_response(answer: &Value) -> Response {
    let status = StatusCode::from_u16(answer["statusCode"].as_u64().unwrap_or(500) as u16).unwrap();
    let body = answer["body"].as_str().unwrap_or_default();
    let body = if answer["isBase64Encoded"].as_bool().unwrap_or(false) {
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap()
    } else {
        body.as_bytes().to_vec()
    };
    let mut response = (status, body).into_response();
    if let Some(headers) = answer["headers"].as_object() {
        for (name, value) in headers {
            if let (Ok(name), Some(Ok(value))) = (
                axum::http::HeaderName::from_bytes(name.as_bytes()),
                value.as_str().map(HeaderValue::from_str),
            ) {
                response.headers_mut().insert(name, value);
            }
        }
    }
    response
}

/// Which function an HTTP API route goes to, as template.yaml maps them.
pub fn route(path: &str) -> &'static str {
    let publish = path.starts_with("/partnerNamespaces/") || path.starts_with("/topics/");
    let console = path.strip_prefix("/console");
    if publish && path.ends_with("/api/events") {
        "ingest"
    } else if console.is_some_and(|rest| rest.is_empty() || rest.len() > 1 && rest.starts_with('/'))
    {
        "console"
    } else if path == "/subscriptions"
        || path.starts_with("/admin/")
        || [
            "verifiedPartners",
            "partnerRegistrations",
            "partnerConfigurations",
        ]
        .iter()
        .any(|r| path.contains(&format!("/Microsoft.EventGrid/{r}")))
    {
        "authorizations"
    } else {
        "provisioning"
    }
}

/// An HTTP API on 127.0.0.1 in front of the HTTP functions, on stage `stage`; or a Lambda
/// function URL in front of one function (the same payload 2.0 events, every path, no stage).
pub struct Gateway {
    pub base: String,
}

type Routes = (
    HashMap<&'static str, RuntimeApi>,
    String,
    fn(&str) -> &'static str,
);

impl Gateway {
    pub async fn start(functions: HashMap<&'static str, RuntimeApi>, stage: &str) -> Self {
        Self::start_routed(functions, stage, route).await
    }

    /// A function URL of `function`: every request goes to it.
    pub async fn function_url(function: RuntimeApi) -> Self {
        let functions = HashMap::from([("function", function)]);
        Self::start_routed(functions, "$default", |_| "function").await
    }

    async fn start_routed(
        functions: HashMap<&'static str, RuntimeApi>,
        stage: &str,
        route: fn(&str) -> &'static str,
    ) -> Self {
        let state: Arc<Routes> = Arc::new((functions, stage.to_owned(), route));
        let app = axum::Router::new().fallback(
            |State(state): State<Arc<Routes>>,
             ConnectInfo(peer): ConnectInfo<SocketAddr>,
             method: Method,
             uri: Uri,
             headers: HeaderMap,
             body: Bytes| async move {
                let (functions, stage, route) = state.as_ref();
                let path = match stage.as_str() {
                    "$default" => Some(uri.path()),
                    stage => uri.path().strip_prefix(&format!("/{stage}")),
                };
                let Some(runtime) = path.and_then(|p| functions.get(route(p))) else {
                    return (StatusCode::NOT_FOUND, "{\"message\":\"Not Found\"}").into_response();
                };
                let stripped: Uri = path.unwrap_or("/").parse().unwrap();
                let uri = match uri.query() {
                    Some(q) => format!("{}?{q}", stripped.path()).parse().unwrap(),
                    None => stripped,
                };
                match runtime
                    .invoke(http_api_event(
                        Incoming {
                            method: &method,
                            uri: &uri,
                            headers: &headers,
                            body: &body,
                            peer,
                        },
                        stage,
                    ))
                    .await
                {
                    Ok(answer) => http_response(&answer),
                    Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = app
            .with_state(state)
            .into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let base = match stage {
            "$default" => format!("http://{address}"),
            stage => format!("http://{address}/{stage}"),
        };
        Self { base }
    }
}
