//! The webhook client: one pooled hyper client (rustls, connection reuse, no redirects; a
//! delivery may take 30 s, a validation handshake 15 s) whose DNS resolver refuses loopback,
//! private, link-local and metadata addresses outside the networks the deployment allows, so
//! the guard applies to the address actually connected to, not only to the host name.

mod client;
mod guard;
mod slots;
mod urls;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderMap, HeaderName, HeaderValue};

use shared::delivery::log::{BODY_EXCERPT_BYTES, excerpt};
use shared::delivery::signing;
use shared::error::Result;
use shared::ports::{Attempt, DeliveryRequest, Handshake, Webhooks};

pub use client::GuardedResolver;
pub use guard::{AllowedNetworks, check_url, is_blocked};
pub use slots::{Slots, Taken};

/// The origin this service names in the validation handshake.
pub const ORIGIN: &str = "eventgrid.azure.net";
/// How long one delivery to an endpoint may take (Event Grid's 30 s).
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the validation handshake may take, connection included: it runs inside a
/// subscription's PUT, which API Gateway cuts off at 30 s and the provisioning function at its
/// timeout, so an endpoint that never answers fails the PUT with 400 rather than a 5xx.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(15);

/// Requests one client has in flight at most, unless the wiring says otherwise (Lambda allows
/// 1,024 open files).
pub const MAX_IN_FLIGHT: usize = 256;
/// Requests one endpoint may have in flight at most, unless the wiring says otherwise; fewer
/// while it fails (see [`Slots`]).
pub const MAX_PER_ENDPOINT: usize = 64;
/// Idle connections kept per endpoint, and for how long.
const IDLE_PER_ENDPOINT: usize = 32;
const IDLE_FOR: Duration = Duration::from_secs(30);

/// Webhook endpoints over HTTP.
#[derive(Clone)]
pub struct HttpWebhooks {
    client: client::Client,
    allowed: Arc<AllowedNetworks>,
    in_flight: Arc<tokio::sync::Semaphore>,
    slots: Arc<Slots>,
    urls: Arc<urls::Urls>,
    handshake_timeout: Duration,
    max_in_flight: usize,
    max_per_endpoint: usize,
}

impl HttpWebhooks {
    pub fn new(allowed: AllowedNetworks) -> Result<Self> {
        let allowed = Arc::new(allowed);
        let client = client::build(allowed.clone(), IDLE_PER_ENDPOINT, IDLE_FOR)?;
        Ok(Self {
            client,
            allowed,
            in_flight: Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT)),
            slots: Arc::new(Slots::new(MAX_PER_ENDPOINT, MAX_IN_FLIGHT)),
            urls: Arc::default(),
            handshake_timeout: HANDSHAKE_TIMEOUT,
            max_in_flight: MAX_IN_FLIGHT,
            max_per_endpoint: MAX_PER_ENDPOINT,
        })
    }

    /// The same client giving up a handshake after `timeout` instead of `HANDSHAKE_TIMEOUT`.
    pub fn with_handshake_timeout(self, timeout: Duration) -> Self {
        Self {
            handshake_timeout: timeout,
            ..self
        }
    }

    /// The same client holding at most `max` deliveries in flight at once.
    pub fn with_max_in_flight(self, max: usize) -> Self {
        Self {
            in_flight: Arc::new(tokio::sync::Semaphore::new(max.max(1))),
            slots: Arc::new(Slots::new(self.max_per_endpoint, max)),
            max_in_flight: max,
            ..self
        }
    }

    /// The same client holding at most `max` deliveries to one endpoint in flight at once.
    pub fn with_max_per_endpoint(self, max: usize) -> Self {
        Self {
            slots: Arc::new(Slots::new(max, self.max_in_flight)),
            max_per_endpoint: max,
            ..self
        }
    }
}

#[async_trait::async_trait]
impl Webhooks for HttpWebhooks {
    async fn handshake(&self, url: &str) -> Result<Handshake> {
        let target = self.urls.check(url, &self.allowed)?;
        let mut request = hyper::Request::new(Full::new(Bytes::new()));
        *request.method_mut() = hyper::Method::OPTIONS;
        *request.uri_mut() = target.uri;
        let headers = request.headers_mut();
        headers.insert("webhook-request-origin", HeaderValue::from_static(ORIGIN));
        if let Some(authorization) = target.authorization {
            headers.insert(hyper::header::AUTHORIZATION, authorization);
        }
        let answer =
            tokio::time::timeout(self.handshake_timeout, self.client.request(request)).await;
        let response = match answer {
            Ok(Ok(r)) => r,
            Err(_) => {
                return Ok(Handshake::Refused(format!(
                    "it did not answer within {:?}",
                    self.handshake_timeout
                )));
            }
            Ok(Err(e)) if root_cause(&e).contains(guard::TARGET_NOT_ALLOWED) => {
                return Err(guard::not_allowed(url));
            }
            Ok(Err(e)) => {
                return Ok(Handshake::Refused(format!(
                    "it could not be reached ({})",
                    root_cause(&e)
                )));
            }
        };
        let status = response.status();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let allowed = header("WebHook-Allowed-Origin");
        if status != hyper::StatusCode::OK {
            return Ok(Handshake::Refused(format!(
                "it answered {status} to OPTIONS; it must answer 200 with WebHook-Allowed-Origin: {ORIGIN} (or *)"
            )));
        }
        match allowed.as_deref() {
            Some(o) if o == "*" || o.eq_ignore_ascii_case(ORIGIN) => {
                let rate = header("WebHook-Allowed-Rate").and_then(|r| r.trim().parse().ok());
                Ok(Handshake::Allowed { rate })
            }
            Some(other) => Ok(Handshake::Refused(format!(
                "it answered WebHook-Allowed-Origin: {other}; it must be {ORIGIN} or *"
            ))),
            None => Ok(Handshake::Refused(format!(
                "it answered 200 without a WebHook-Allowed-Origin header; it must echo {ORIGIN} (or *)"
            ))),
        }
    }

    async fn deliver(&self, request: &DeliveryRequest) -> Attempt {
        let target = match self.urls.check(&request.url, &self.allowed) {
            Ok(target) => target,
            Err(e) => return Attempt::ResolutionError(e.message),
        };
        let budgeted = request.answer_within.is_some();
        let slot = match self
            .slots
            .take(&target.endpoint, request.start_by, budgeted)
            .await
        {
            Taken::Slot(slot) => slot,
            Taken::Busy => return Attempt::NotSent,
            Taken::Slow => return Attempt::OverBudget,
        };
        let permit = match request.start_by {
            Some(by) => tokio::time::timeout_at(by.into(), self.in_flight.acquire())
                .await
                .ok(),
            None => Some(self.in_flight.acquire().await),
        };
        if permit.is_none() {
            return Attempt::NotSent;
        }
        let started = std::time::Instant::now();
        let answer = self.post_delivery(target, request).await;
        slot.settle(&answer, started.elapsed());
        answer
    }
}

/// Reads at most this much of a delivery's answer (so the connection can be reused); a longer
/// answer closes the connection.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

impl HttpWebhooks {
    async fn post_delivery(&self, target: urls::Checked, request: &DeliveryRequest) -> Attempt {
        let mut post = hyper::Request::new(Full::new(Bytes::from(request.body.clone())));
        *post.method_mut() = hyper::Method::POST;
        *post.uri_mut() = target.uri;
        *post.headers_mut() = headers(request, target.authorization);
        let mut answer = None;
        let exchange = self.exchange(post, &mut answer);
        let timeout = tokio::time::Instant::now() + DELIVERY_TIMEOUT;
        let budget = request
            .answer_within
            .map(|within| tokio::time::Instant::now() + within);
        let until = budget.map_or(timeout, |budget| budget.min(timeout));
        match tokio::time::timeout_at(until, exchange).await {
            Ok(attempt) => attempt,
            Err(_) if until < timeout => answer.take().unwrap_or(Attempt::OverBudget),
            Err(_) => answer.take().unwrap_or(Attempt::TimedOut),
        }
    }

    /// Sends `post` and reads its answer; `answer` holds it once the head arrived, so an answer
    /// whose body is cut off by the timeout still counts as answered.
    async fn exchange(
        &self,
        post: hyper::Request<Full<Bytes>>,
        answer: &mut Option<Attempt>,
    ) -> Attempt {
        let mut response = match self.client.request(post).await {
            Ok(r) => r,
            Err(e) => return failure(&e),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(hyper::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let failed = !(200..300).contains(&status);
        let answered = |kept: &[u8]| Attempt::Answered {
            status,
            retry_after,
            body: excerpt(kept),
        };
        *answer = Some(answered(&[]));
        let mut kept = Vec::new();
        let mut read = 0;
        let body = response.body_mut();
        while let Some(Ok(frame)) = body.frame().await {
            let Ok(chunk) = frame.into_data() else {
                continue;
            };
            read += chunk.len();
            if failed && kept.len() < BODY_EXCERPT_BYTES {
                let room = BODY_EXCERPT_BYTES - kept.len();
                kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
                *answer = Some(answered(&kept));
            }
            if read > MAX_ANSWER_BYTES {
                break;
            }
        }
        answered(&kept)
    }
}

/// The request's headers, and the URL's credentials as `Authorization` unless the request
/// sets one; with room for what hyper adds (`Host`, `Content-Length`) without growing.
fn headers(request: &DeliveryRequest, authorization: Option<HeaderValue>) -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(request.headers.len() + 3);
    for (name, value) in &request.headers {
        match (header_name(name), HeaderValue::from_str(value)) {
            (Ok(name), Ok(value)) => {
                headers.append(name, value);
            }
            _ => tracing::debug!(header = %name, "skipped a header that is not valid HTTP"),
        }
    }
    if let Some(authorization) = authorization {
        headers
            .entry(hyper::header::AUTHORIZATION)
            .or_insert(authorization);
    }
    headers
}

/// The names every delivery sends, made without an allocation each time.
const KNOWN_NAMES: [&str; 8] = [
    "aeg-subscription-name",
    "aeg-delivery-count",
    "aeg-event-type",
    "aeg-metadata-version",
    "aeg-data-version",
    signing::ID_HEADER,
    signing::TIMESTAMP_HEADER,
    signing::SIGNATURE_HEADER,
];

fn header_name(name: &str) -> Result<HeaderName, hyper::header::InvalidHeaderName> {
    match KNOWN_NAMES.iter().find(|k| k.eq_ignore_ascii_case(name)) {
        Some(known) => Ok(HeaderName::from_static(known)),
        None => HeaderName::from_bytes(name.as_bytes()),
    }
}

fn failure(e: &hyper_util::client::legacy::Error) -> Attempt {
    let cause = root_cause(e);
    if cause.contains(guard::TARGET_NOT_ALLOWED) || is_dns(&cause) {
        Attempt::ResolutionError(cause)
    } else {
        Attempt::SocketError(cause)
    }
}

fn is_dns(cause: &str) -> bool {
    let cause = cause.to_ascii_lowercase();
    cause.contains("dns") || cause.contains("resolve") || cause.contains("lookup")
}

/// `Retry-After` as delay-seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let format = time::format_description::well_known::Rfc2822;
    let at = time::OffsetDateTime::parse(value, &format).ok()?;
    let left = at - time::OffsetDateTime::now_utc();
    Some(Duration::try_from(left).unwrap_or(Duration::ZERO))
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
