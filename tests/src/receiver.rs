//! A recording webhook receiver on 127.0.0.1: each endpoint `/r/{name}` passes the CloudEvents
//! handshake (`WebHook-Allowed-Origin: *`) and answers deliveries by its [`Plan`], recording
//! every one (headers, body, the status it answered).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// How an endpoint answers deliveries.
#[derive(Debug, Clone)]
pub enum Plan {
    /// 200 to everything.
    Ok,
    /// `status` to the first `times` deliveries, then 200.
    FailFirst { times: u32, status: u16 },
    /// `status` to everything.
    Always(u16),
    /// `status` with `Retry-After: seconds` to the first `times` deliveries, then 200.
    RetryAfter {
        times: u32,
        status: u16,
        seconds: u64,
    },
    /// 200 after waiting this long.
    Slow(Duration),
    /// `status` to a random `fraction` of deliveries, 200 to the rest.
    Random { fraction: f64, status: u16 },
}

/// One POST the receiver got.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub headers: HashMap<String, String>,
    pub body: Value,
    /// The body as it came, byte for byte (what a signature signs).
    pub raw: String,
    pub answered: u16,
    /// When it arrived.
    pub at: std::time::SystemTime,
}

impl Delivery {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The events it carried: the array of a batch, or the one event.
    pub fn events(&self) -> Vec<Value> {
        match &self.body {
            Value::Array(items) => items.clone(),
            one => vec![one.clone()],
        }
    }
}

#[derive(Default)]
struct Endpoints {
    plans: HashMap<String, Plan>,
    deliveries: HashMap<String, Vec<Delivery>>,
}

#[derive(Clone)]
pub struct Receiver {
    pub base: String,
    state: Arc<Mutex<Endpoints>>,
}

impl Receiver {
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(Endpoints::default()));
        let app = axum::Router::new()
            .route("/r/{name}", axum::routing::any(answer))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { base, state }
    }

    /// The URL of endpoint `name`.
    pub fn url(&self, name: &str) -> String {
        format!("{}/r/{name}", self.base)
    }

    pub fn plan(&self, name: &str, plan: Plan) {
        self.state.lock().unwrap().plans.insert(name.into(), plan);
    }

    /// Every delivery `name` got, in order.
    pub fn deliveries(&self, name: &str) -> Vec<Delivery> {
        self.state
            .lock()
            .unwrap()
            .deliveries
            .get(name)
            .cloned()
            .unwrap_or_default()
    }

    /// The events `name` answered 2xx to.
    pub fn accepted_events(&self, name: &str) -> Vec<Value> {
        self.deliveries(name)
            .iter()
            .filter(|d| (200..300).contains(&d.answered))
            .flat_map(Delivery::events)
            .collect()
    }

    /// Waits (up to 20 s) until `name` has had at least `count` deliveries; returns them.
    pub async fn wait_for(&self, name: &str, count: usize) -> Vec<Delivery> {
        for _ in 0..400 {
            let got = self.deliveries(name);
            if got.len() >= count {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "endpoint {name} got {} deliveries, expected {count}",
            self.deliveries(name).len()
        );
    }
}

async fn answer(
    State(state): State<Arc<Mutex<Endpoints>>>,
    method: Method,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if method == Method::OPTIONS {
        return (StatusCode::OK, [("WebHook-Allowed-Origin", "*")]).into_response();
    }
    let (status, retry_after, pause) = {
        let mut endpoints = state.lock().unwrap();
        let seen = endpoints.deliveries.get(&name).map_or(0, Vec::len) as u32;
        let plan = endpoints.plans.get(&name).cloned().unwrap_or(Plan::Ok);
        let (status, retry_after, pause) = match plan {
            Plan::Ok => (200, None, None),
            Plan::FailFirst { times, status } if seen < times => (status, None, None),
            Plan::FailFirst { .. } => (200, None, None),
            Plan::Always(status) => (status, None, None),
            Plan::RetryAfter {
                times,
                status,
                seconds,
            } if seen < times => (status, Some(seconds), None),
            Plan::RetryAfter { .. } => (200, None, None),
            Plan::Slow(pause) => (200, None, Some(pause)),
            Plan::Random { fraction, status } => {
                let draw = (uuid::Uuid::new_v4().as_u128() % 10_000) as f64 / 10_000.0;
                (if draw < fraction { status } else { 200 }, None, None)
            }
        };
        let recorded = Delivery {
            headers: headers
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                .collect(),
            body: serde_json::from_str(&body).unwrap_or(Value::String(body.clone())),
            raw: body,
            answered: status,
            at: std::time::SystemTime::now(),
        };
        endpoints
            .deliveries
            .entry(name.clone())
            .or_default()
            .push(recorded);
        (status, retry_after, pause)
    };
    if let Some(pause) = pause {
        tokio::time::sleep(pause).await;
    }
    let status = StatusCode::from_u16(status).unwrap();
    match retry_after {
        Some(seconds) => (status, [("Retry-After", seconds.to_string())]).into_response(),
        None if status.is_success() => status.into_response(),
        None => (status, format!("{name} answered {}", status.as_u16())).into_response(),
    }
}
