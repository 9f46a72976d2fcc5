//! An HTTP client of the management API, with or without a bearer key, and [`Answer`]:
//! assertions on what a request answered.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

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
            key: Some(key.to_owned()),
            ..Self::anonymous(base)
        }
    }

    /// A client for the service at `base` without a key.
    pub fn anonymous(base: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base.to_owned(),
            key: None,
        }
    }

    /// As the operator: creates a principal owning `subscriptions`; a client with its key.
    pub async fn principal(&self, name: &str, subscriptions: &[&str]) -> Client {
        let body = self
            .post(
                "/admin/principals",
                json!({"name": name, "subscriptions": subscriptions}),
            )
            .await
            .expect_status(StatusCode::CREATED);
        Client::new(&self.base, body["key"].as_str().unwrap())
    }

    /// Sends `body` (JSON, raw text, or nothing) and returns the status and the JSON answer
    /// (`Value::Null` when empty, the text as a string when not JSON).
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
        answer(request).await
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

    /// GETs `path`.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, Body::None).await
    }

    /// PUTs `body` to `path`.
    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PUT, path, Body::Json(body)).await
    }

    /// PATCHes `path` with `body`.
    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PATCH, path, Body::Json(body)).await
    }

    /// POSTs `body` to `path`.
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, Body::Json(body)).await
    }

    /// DELETEs `path`.
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::DELETE, path, Body::None).await
    }

    /// GETs `path`; asserts 404.
    pub async fn assert_missing(&self, path: &str) {
        self.get(path).await.expect_status(StatusCode::NOT_FOUND);
    }

    /// DELETEs `path`; asserts 204.
    pub async fn remove(&self, path: &str) {
        self.delete(path)
            .await
            .expect_status(StatusCode::NO_CONTENT);
    }

    /// Posts `{}` to action `action` of `resource` (`activate`, `listKeys`, `getFullUrl`, ...).
    pub async fn action(&self, resource: &str, action: &str) -> (StatusCode, Value) {
        self.post(&format!("{resource}/{action}"), json!({})).await
    }
}

/// A request body.
pub enum Body {
    None,
    Json(Value),
    Raw(String),
}

/// Sends `request`: the status and the JSON answer (`Value::Null` when empty, the text as a
/// string when not JSON).
pub async fn answer(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
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

/// Assertions on what a request answered, `(status, body)`, that show the body when they fail.
pub trait Answer {
    /// Asserts the status; the body.
    fn expect_status(self, status: StatusCode) -> Value;
    /// Asserts an error answer's status and `error.code`; the body.
    fn expect_error(self, status: StatusCode, code: &str) -> Value;
}

impl Answer for (StatusCode, Value) {
    #[track_caller]
    fn expect_status(self, status: StatusCode) -> Value {
        assert_eq!(self.0, status, "{}", self.1);
        self.1
    }

    #[track_caller]
    fn expect_error(self, status: StatusCode, code: &str) -> Value {
        assert_eq!(
            (self.0, self.1["error"]["code"].as_str()),
            (status, Some(code)),
            "{}",
            self.1
        );
        self.1
    }
}
