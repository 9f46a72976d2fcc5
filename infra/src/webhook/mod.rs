//! The webhook client: one reqwest client (rustls, connection reuse, 30 s timeout, no
//! redirects) whose DNS resolver refuses loopback, private, link-local and metadata addresses
//! unless the deployment allows private targets, so the guard applies to the address actually
//! connected to, not only to the host name.

mod guard;

use std::sync::Arc;
use std::time::Duration;

use shared::error::{Error, Result};
use shared::ports::{Handshake, Webhooks};

pub use guard::{GuardedResolver, check_url, is_blocked};

/// The origin this service names in the validation handshake.
pub const ORIGIN: &str = "eventgrid.azure.net";
/// How long one request to an endpoint may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Webhook endpoints over HTTP.
#[derive(Clone)]
pub struct HttpWebhooks {
    client: reqwest::Client,
    allow_private: bool,
}

impl HttpWebhooks {
    pub fn new(allow_private: bool) -> Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver { allow_private }))
            .build()
            .map_err(|e| Error::internal(format!("webhook client: {e}")))?;
        Ok(Self {
            client,
            allow_private,
        })
    }
}

#[async_trait::async_trait]
impl Webhooks for HttpWebhooks {
    async fn handshake(&self, url: &str) -> Result<Handshake> {
        let parsed = check_url(url, self.allow_private)?;
        let answer = self
            .client
            .request(reqwest::Method::OPTIONS, parsed)
            .header("WebHook-Request-Origin", ORIGIN)
            .send()
            .await;
        let response = match answer {
            Ok(r) => r,
            Err(e) if e.is_timeout() => {
                return Ok(Handshake::Refused(format!(
                    "it did not answer within {} s",
                    TIMEOUT.as_secs()
                )));
            }
            Err(e) if root_cause(&e).contains(guard::TARGET_NOT_ALLOWED) => {
                return Err(guard::not_allowed(url));
            }
            Err(e) => {
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
        if status != reqwest::StatusCode::OK {
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
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
