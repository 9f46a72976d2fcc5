//! `partner-events listen`: a webhook receiver for trying the service from a terminal. It
//! passes the validation handshake, prints each delivery (its `aeg-*`, `webhook-*` and trace
//! headers and the events, pretty-printed), checks Standard Webhooks signatures when given the
//! secret, and can be told to fail a share of deliveries to show retries.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use shared::delivery::signing;

/// How the receiver answers.
#[derive(Debug, Clone, clap::Args)]
pub struct ListenOptions {
    #[arg(long, default_value = "127.0.0.1:9000")]
    pub listen: SocketAddr,
    /// The subscription's signing secret (`whsec_...`, from getSigningSecrets): deliveries
    /// without a valid signature are answered 401.
    #[arg(long)]
    pub signing_secret: Option<String>,
    /// The share of deliveries (0 to 1) answered with `--status` instead of 200.
    #[arg(long, default_value_t = 0.0, value_parser = share)]
    pub fail_rate: f64,
    /// The status failed deliveries get (default 503); given without `--fail-rate`, every
    /// delivery gets it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(100..=599))]
    pub status: Option<u16>,
}

fn share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(share) if (0.0..=1.0).contains(&share) => Ok(share),
        _ => Err(format!("'{text}' is not a share from 0 to 1 (e.g. 0.3)")),
    }
}

impl ListenOptions {
    /// The status a delivery gets, given a uniform draw in `[0, 1)`.
    fn answer(&self, draw: f64) -> StatusCode {
        let failing = match self.status {
            Some(_) if self.fail_rate == 0.0 => true,
            _ => draw < self.fail_rate,
        };
        match failing {
            true => StatusCode::from_u16(self.status.unwrap_or(503))
                .unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
            false => StatusCode::OK,
        }
    }
}

/// Where the receiver prints.
pub type Output = Arc<Mutex<dyn Write + Send>>;

#[derive(Clone)]
struct Listener {
    options: Arc<ListenOptions>,
    out: Output,
}

/// The receiver's routes: every path and method.
pub fn router(options: ListenOptions, out: Output) -> Router {
    Router::new().fallback(receive).with_state(Listener {
        options: Arc::new(options),
        out,
    })
}

async fn receive(
    State(listener): State<Listener>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut text = String::new();
    let response = match method {
        Method::OPTIONS => handshake(&headers, &mut text),
        Method::POST => delivery(&listener.options, &uri, &headers, &body, &mut text),
        _ => {
            text.push_str(&format!("{method} {uri}: not a delivery; answered 405\n"));
            StatusCode::METHOD_NOT_ALLOWED.into_response()
        }
    };
    if let Ok(mut out) = listener.out.lock() {
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }
    response
}

fn handshake(headers: &HeaderMap, text: &mut String) -> Response {
    let Some(origin) = headers.get("webhook-request-origin").cloned() else {
        text.push_str("OPTIONS without WebHook-Request-Origin: answered 400\n");
        return StatusCode::BAD_REQUEST.into_response();
    };
    text.push_str(&format!(
        "handshake from {}: allowed\n",
        origin.to_str().unwrap_or("?")
    ));
    (
        StatusCode::OK,
        [
            ("webhook-allowed-origin", origin),
            ("webhook-allowed-rate", HeaderValue::from_static("*")),
        ],
    )
        .into_response()
}

fn delivery(
    options: &ListenOptions,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    text: &mut String,
) -> Response {
    let body = String::from_utf8_lossy(body);
    let count = header(headers, "aeg-delivery-count").unwrap_or("?");
    text.push_str(&format!("--> POST {uri} (delivery count {count})\n"));
    let mut shown: Vec<(&str, &str)> = headers
        .iter()
        .filter(|(name, _)| {
            let name = name.as_str();
            name.starts_with("aeg-")
                || name.starts_with("webhook-")
                || matches!(name, "traceparent" | "tracestate" | "content-type")
        })
        .map(|(name, value)| (name.as_str(), value.to_str().unwrap_or("(not text)")))
        .collect();
    shown.sort();
    for (name, value) in shown {
        text.push_str(&format!("    {name}: {value}\n"));
    }
    let verdict = options
        .signing_secret
        .as_deref()
        .map(|secret| verify(secret, headers, &body));
    text.push_str(&pretty(&body));
    text.push('\n');
    let status = match verdict {
        Some(Err(why)) => {
            text.push_str(&format!("    signature: NOT VALID ({why})\n"));
            StatusCode::UNAUTHORIZED
        }
        Some(Ok(())) => {
            text.push_str("    signature: valid\n");
            options.answer(draw())
        }
        None => options.answer(draw()),
    };
    text.push_str(&format!("<-- {status}\n\n"));
    status.into_response()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn verify(secret: &str, headers: &HeaderMap, body: &str) -> Result<(), String> {
    let (Some(id), Some(timestamp), Some(signatures)) = (
        header(headers, signing::ID_HEADER),
        header(headers, signing::TIMESTAMP_HEADER),
        header(headers, signing::SIGNATURE_HEADER),
    ) else {
        return Err("no webhook-id, webhook-timestamp and webhook-signature headers".into());
    };
    signing::verify(
        secret,
        id,
        timestamp,
        signatures,
        body,
        time::OffsetDateTime::now_utc(),
    )
}

fn pretty(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(json) => serde_json::to_string_pretty(&json).unwrap_or_else(|_| body.to_owned()),
        Err(_) => body.to_owned(),
    }
}

/// A uniform draw in `[0, 1)`.
fn draw() -> f64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64,
        Err(_) => 0.0,
    }
}

/// Serves the receiver on `listener` until `shutdown` resolves, printing to `out`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    options: ListenOptions,
    out: Output,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(options, out))
        .with_graceful_shutdown(shutdown)
        .await
}
