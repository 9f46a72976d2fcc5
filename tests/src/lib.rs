//! Test harness for end-to-end tests: start the local server in-process on 127.0.0.1:0 over a
//! data directory, and talk to it over real HTTP as the operator or as a principal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod aws;
mod custom_topic;
pub mod docs;
pub mod gateway;
pub mod lambda;
pub mod receiver;
pub mod stack;
mod tenants;
mod topic;

pub use custom_topic::{CustomerTopic, contoso_event};
pub use tenants::Tenants;
pub use topic::{ActiveTopic, ids, order_event, webhook};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use local::Options;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::ports::{Clock, SystemClock};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const OPERATOR_KEY: &str = "pek_test-operator-key-0123456789abcdef0123456789abcdef";

/// A running local server.
pub struct Server {
    pub base: String,
    /// The wiring the server runs on, for tests that look behind the API (e.g. at the queue).
    pub app: infra::App,
    dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    /// A server on a fresh data directory and the system clock.
    pub async fn start() -> Self {
        let temp = tempfile::tempdir().unwrap();
        let mut server = Self::start_in(temp.path(), Arc::new(SystemClock)).await;
        server._temp = Some(temp);
        server
    }

    /// A server on a fresh data directory and `clock`.
    pub async fn start_with_clock(clock: Arc<dyn Clock>) -> Self {
        let temp = tempfile::tempdir().unwrap();
        let mut server = Self::start_in(temp.path(), clock).await;
        server._temp = Some(temp);
        server
    }

    /// A server on a fresh data directory that refuses webhooks on loopback and private
    /// networks, as a public deployment does.
    pub async fn start_strict() -> Self {
        let temp = tempfile::tempdir().unwrap();
        let mut server = Self::start_on(temp.path(), Arc::new(SystemClock), false).await;
        server._temp = Some(temp);
        server
    }

    /// A server whose fan-out and delivery workers do not run, so accepted events stay on the
    /// fan-out queue for the test to read.
    pub async fn start_paused() -> Self {
        Self::start_paused_with_clock(Arc::new(SystemClock)).await
    }

    pub async fn start_paused_with_clock(clock: Arc<dyn Clock>) -> Self {
        let temp = tempfile::tempdir().unwrap();
        let mut options = Self::options(temp.path(), clock, true);
        options.workers = false;
        let mut server = Self::launch(options).await;
        server._temp = Some(temp);
        server
    }

    /// A server on `dir` (kept by the caller) and `clock`, allowing loopback webhooks.
    pub async fn start_in(dir: &Path, clock: Arc<dyn Clock>) -> Self {
        Self::start_on(dir, clock, true).await
    }

    /// A server with these options (data directory kept by the caller).
    pub fn options(dir: &Path, clock: Arc<dyn Clock>, allow_private_webhooks: bool) -> Options {
        let mut options = Options::new(dir, String::new());
        options.operator_key = Some(OPERATOR_KEY.into());
        options.clock = clock;
        if allow_private_webhooks {
            options.webhook_networks = infra::webhook::AllowedNetworks::all();
        }
        options.visibility_timeout = std::time::Duration::from_secs(5);
        options
    }

    async fn start_on(dir: &Path, clock: Arc<dyn Clock>, allow_private_webhooks: bool) -> Self {
        Self::launch(Self::options(dir, clock, allow_private_webhooks)).await
    }

    /// Starts a server with `options` (its public URL is set to the listener's).
    pub async fn launch(mut options: Options) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        options.public_url = base.clone();
        let (key, _) = local::operator_key(&options).unwrap();
        let app = local::open(&options, &key).await.unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let dir = options.data_dir.clone();
        let task = tokio::spawn(local::serve(listener, app.clone(), options, async {
            let _ = stopped.await;
        }));
        Self {
            base,
            app,
            dir,
            _temp: None,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops gracefully and starts again on the same data directory (new port).
    pub async fn restart(mut self) -> Self {
        self.shutdown().await;
        let (dir, temp) = (self.dir.clone(), self._temp.take());
        drop(self);
        let mut next = Self::start_in(&dir, Arc::new(SystemClock)).await;
        next._temp = temp;
        next
    }

    async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }

    /// Takes every message off the fan-out queue (of a paused server) but the platform events
    /// (those for system topics); their bodies.
    pub async fn drain_published(&self) -> Vec<String> {
        let mut out = Vec::new();
        for message in self.take_fanout_messages().await {
            if !message
                .body
                .contains("/providers/Microsoft.EventGrid/systemTopics/")
            {
                out.push(message.body);
            }
        }
        out
    }

    /// Runs the fan-out (of a paused server) on every message waiting on the fan-out queue, as
    /// a worker does, and returns once each is settled: every first attempt made. Returns how
    /// many messages it handled.
    pub async fn fan_out(&self) -> usize {
        let messages = self.take_fanout_messages().await;
        for message in &messages {
            self.app
                .deliveries
                .handle(&message.body, message.receive_count, None)
                .await
                .unwrap();
        }
        messages.len()
    }

    /// Receives and acknowledges every message on the fan-out queue.
    async fn take_fanout_messages(&self) -> Vec<shared::ports::Received> {
        let mut out = Vec::new();
        loop {
            let got = self
                .app
                .fanout
                .receive(
                    10,
                    std::time::Duration::from_secs(60),
                    std::time::Duration::ZERO,
                )
                .await
                .unwrap();
            if got.is_empty() {
                return out;
            }
            let receipts: Vec<String> = got.iter().map(|m| m.receipt.clone()).collect();
            self.app.fanout.ack(&receipts).await.unwrap();
            out.extend(got);
        }
    }

    pub fn operator(&self) -> Client {
        self.client(OPERATOR_KEY)
    }

    pub fn client(&self, key: &str) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: self.base.clone(),
            key: Some(key.to_owned()),
        }
    }

    pub fn anonymous(&self) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: self.base.clone(),
            key: None,
        }
    }

    /// Creates a principal owning `subscriptions` and returns a client with its key.
    pub async fn principal(&self, name: &str, subscriptions: &[&str]) -> Client {
        self.operator().principal(name, subscriptions).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// An HTTP client for the server, with or without a bearer key.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    pub base: String,
    key: Option<String>,
}

impl Client {
    /// A client for the service at `base` with `key`.
    pub fn new(base: &str, key: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base.to_owned(),
            key: Some(key.to_owned()),
        }
    }

    /// As the operator: creates a principal owning `subscriptions`; a client with its key.
    pub async fn principal(&self, name: &str, subscriptions: &[&str]) -> Client {
        let (status, body) = self
            .post(
                "/admin/principals",
                json!({"name": name, "subscriptions": subscriptions}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        Client::new(&self.base, body["key"].as_str().unwrap())
    }

    /// Sends `body` (JSON, raw text, or nothing) and returns the status and the JSON answer
    /// (`Value::Null` when empty).
    pub async fn send(&self, method: Method, path: &str, body: Body) -> (StatusCode, Value) {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let mut request = self.http.request(method, url);
        if let Some(key) = &self.key {
            request = request.bearer_auth(key);
        }
        request = match body {
            Body::None => request,
            Body::Json(v) => request.json(&v),
            Body::Raw(s) => request.header("content-type", "application/json").body(s),
        };
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    /// The bearer key this client sends.
    pub fn key(&self) -> &str {
        self.key.as_deref().unwrap_or_default()
    }

    /// The same credentials against another base URL (after a restart).
    pub fn rebased(&self, base: &str) -> Client {
        Client {
            base: base.to_owned(),
            ..self.clone()
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, Body::None).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PUT, path, Body::Json(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PATCH, path, Body::Json(body)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, Body::Json(body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::DELETE, path, Body::None).await
    }
}

/// A request body.
pub enum Body {
    None,
    Json(Value),
    Raw(String),
}

/// `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.EventGrid`.
pub fn eg(subscription: &str, resource_group: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.EventGrid"
    )
}

/// A fresh subscription id.
pub fn new_subscription() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A webhook endpoint on 127.0.0.1 that answers the validation handshake according to the
/// last path segment: `ok` (echoes the origin), `star` (`*`), `refuse` (405), `nohdr` (200
/// without the header), `other` (another origin). Returns its base URL.
pub async fn webhook_receiver() -> String {
    use axum::http::{HeaderMap, Method, StatusCode};
    use axum::response::IntoResponse;
    async fn answer(
        method: Method,
        axum::extract::Path(mode): axum::extract::Path<String>,
        headers: HeaderMap,
    ) -> axum::response::Response {
        let origin = headers
            .get("webhook-request-origin")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if method != Method::OPTIONS {
            return StatusCode::OK.into_response();
        }
        match mode.as_str() {
            "ok" => (
                StatusCode::OK,
                [
                    ("WebHook-Allowed-Origin", origin),
                    ("WebHook-Allowed-Rate", "120".to_owned()),
                ],
            )
                .into_response(),
            "star" => (StatusCode::OK, [("WebHook-Allowed-Origin", "*")]).into_response(),
            "refuse" => StatusCode::METHOD_NOT_ALLOWED.into_response(),
            "other" => {
                (StatusCode::OK, [("WebHook-Allowed-Origin", "example.com")]).into_response()
            }
            _ => StatusCode::OK.into_response(),
        }
    }
    let app = axum::Router::new().route("/hook/{mode}", axum::routing::any(answer));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}
