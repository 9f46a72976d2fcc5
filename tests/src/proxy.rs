//! A proxy in front of moto that counts every AWS API request by operation, keeps the bodies
//! of the operations a test asks for, and answers for moto when a test injects a failure.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// A proxy in front of moto counting requests by operation (`DynamoDB.GetItem`,
/// `SQS.SendMessage`, `SNS.PublishBatch`, `Lambda.Invoke`, ...), from the `X-Amz-Target` header,
/// the query protocol's `Action` or the REST path, with the service from the signature's
/// credential scope; and SQS's billed requests (one per started 64 KB of request or response).
/// A test may also keep the bodies of an operation's requests, and make an operation answer
/// what it says ([`Injected`]) instead of moto, or after moto.
#[derive(Clone)]
pub struct CountingProxy {
    pub endpoint: String,
    state: Arc<ProxyState>,
}

struct ProxyState {
    upstream: String,
    client: reqwest::Client,
    counts: Mutex<BTreeMap<String, Count>>,
    injected: Mutex<BTreeMap<String, Injected>>,
    kept: Mutex<BTreeMap<String, Vec<Bytes>>>,
}

/// Requests of one operation, and the 64 KB chunks the larger of request and response took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub requests: usize,
    pub chunks: usize,
}

/// An answer an operation gets instead of moto's, until [`CountingProxy::clear`].
#[derive(Debug, Clone)]
pub struct Injected {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    /// Send the request on to moto first (its effect happens; its answer is lost).
    pub after_forwarding: bool,
}

impl Injected {
    /// An AWS JSON-protocol error (SQS, EventBridge, Kinesis, Lambda).
    pub fn error(status: u16, code: &str) -> Self {
        Self {
            status,
            headers: vec![
                ("content-type", "application/x-amz-json-1.0".into()),
                ("x-amzn-errortype", code.to_owned()),
                ("x-amzn-query-error", format!("{code};Sender")),
            ],
            body: format!("{{\"__type\":\"{code}\",\"message\":\"injected by the test\"}}"),
            after_forwarding: false,
        }
    }
}

impl CountingProxy {
    pub async fn start(upstream: String) -> Self {
        let state = Arc::new(ProxyState {
            upstream,
            client: reqwest::Client::new(),
            counts: Mutex::default(),
            injected: Mutex::default(),
            kept: Mutex::default(),
        });
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { endpoint, state }
    }

    /// The requests so far, by operation; and resets the counts.
    pub fn take(&self) -> BTreeMap<String, Count> {
        std::mem::take(&mut self.state.counts.lock().unwrap())
    }

    /// From now on `operation` answers `answer`.
    pub fn inject(&self, operation: &str, answer: Injected) {
        self.state
            .injected
            .lock()
            .unwrap()
            .insert(operation.to_owned(), answer);
    }

    /// `operation` goes to moto again.
    pub fn clear(&self, operation: &str) {
        self.state.injected.lock().unwrap().remove(operation);
    }

    /// From now on the bodies of `operation`'s requests are kept.
    pub fn keep(&self, operation: &str) {
        self.state
            .kept
            .lock()
            .unwrap()
            .entry(operation.to_owned())
            .or_default();
    }

    /// The kept bodies of `operation`'s requests so far.
    pub fn kept(&self, operation: &str) -> Vec<String> {
        self.state.kept.lock().unwrap()[operation]
            .iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect()
    }
}

/// The service a request is signed for: the credential scope of its `Authorization` header.
fn service_of(headers: &HeaderMap) -> String {
    let scope = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|a| a.to_str().ok())
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split('/').nth(3))
        .unwrap_or_default();
    match scope {
        "sqs" => "SQS",
        "sns" => "SNS",
        "sts" => "STS",
        "s3" => "S3",
        "lambda" => "Lambda",
        "kinesis" => "Kinesis",
        "events" => "EventBridge",
        "dynamodb" => "DynamoDB",
        "secretsmanager" => "SecretsManager",
        "iam" => "IAM",
        other => other,
    }
    .to_owned()
}

fn operation_of(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> String {
    let service = service_of(headers);
    if let Some(target) = headers.get("x-amz-target").and_then(|t| t.to_str().ok()) {
        let op = target.split_once('.').map_or(target, |(_, op)| op);
        let service = match service.as_str() {
            "" => "SQS".to_owned(),
            s => s.to_owned(),
        };
        return format!("{service}.{op}");
    }
    if let Some((_, action)) = url::form_urlencoded::parse(body).find(|(k, _)| k == "Action") {
        let service = match service.as_str() {
            "" => "SQS".to_owned(),
            s => s.to_owned(),
        };
        return format!("{service}.{action}");
    }
    match (service.as_str(), method.as_str()) {
        ("Lambda", "POST") if uri.path().ends_with("/invocations") => "Lambda.Invoke".into(),
        ("S3", "PUT") if uri.path().trim_matches('/').contains('/') => "S3.PutObject".into(),
        _ => format!("{method} {}", uri.path()),
    }
}

async fn forward(
    State(state): State<Arc<ProxyState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let operation = operation_of(&method, &uri, &headers, &body);
    if let Some(kept) = state.kept.lock().unwrap().get_mut(&operation) {
        kept.push(body.clone());
    }
    let injected = state.injected.lock().unwrap().get(&operation).cloned();
    let sent = body.len();
    let count = |received: usize| {
        let mut counts = state.counts.lock().unwrap();
        let count = counts.entry(operation.clone()).or_default();
        count.requests += 1;
        count.chunks += sent.max(received).div_ceil(64 * 1024).max(1);
    };
    if let Some(answer) = injected.as_ref().filter(|i| !i.after_forwarding) {
        count(answer.body.len());
        return injected_response(answer);
    }
    let mut request = state
        .client
        .request(method, format!("{}{uri}", state.upstream))
        .body(body);
    for (name, value) in &headers {
        if name != axum::http::header::HOST {
            request = request.header(name, value);
        }
    }
    let answer = match request.send().await {
        Ok(answer) => answer,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let status = answer.status();
    let mut out = HeaderMap::new();
    for (name, value) in answer.headers() {
        if name != axum::http::header::TRANSFER_ENCODING
            && name != axum::http::header::CONTENT_LENGTH
        {
            out.append(name, value.clone());
        }
    }
    let body = answer.bytes().await.unwrap_or_default();
    count(body.len());
    if let Some(answer) = &injected {
        return injected_response(answer);
    }
    (status, out, body).into_response()
}

fn injected_response(answer: &Injected) -> Response {
    let mut response = (
        StatusCode::from_u16(answer.status).unwrap(),
        answer.body.clone(),
    )
        .into_response();
    for (name, value) in &answer.headers {
        response.headers_mut().insert(*name, value.parse().unwrap());
    }
    response
}
