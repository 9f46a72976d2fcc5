//! The HTTP client under [`super::HttpWebhooks`]: hyper's pooled client (HTTP/1.1, keep-alive,
//! no redirects, no proxy) over rustls with the platform's verifier, connecting only to the
//! addresses [`GuardedResolver`] lets through.

use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client as Pooled;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use shared::error::{Error, Result};

use super::guard::{AllowedNetworks, Refused};

pub type Client = Pooled<HttpsConnector<HttpConnector<GuardedResolver>>, Full<Bytes>>;

/// A client keeping `idle` idle connections per endpoint for `idle_for`.
pub fn build(allowed: Arc<AllowedNetworks>, idle: usize, idle_for: Duration) -> Result<Client> {
    let mut http = HttpConnector::new_with_resolver(GuardedResolver { allowed });
    http.enforce_http(false);
    http.set_nodelay(true);
    let https = HttpsConnectorBuilder::new()
        .try_with_platform_verifier()
        .map_err(|e| Error::internal(format!("webhook client TLS: {e}")))?
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Ok(Pooled::builder(TokioExecutor::new())
        .pool_max_idle_per_host(idle)
        .pool_idle_timeout(idle_for)
        .pool_timer(TokioTimer::new())
        .timer(TokioTimer::new())
        .build(https))
}

/// Resolves host names and drops every address the guard refuses; a name left with none fails.
#[derive(Clone)]
pub struct GuardedResolver {
    pub allowed: Arc<AllowedNetworks>,
}

type Resolving =
    std::pin::Pin<Box<dyn Future<Output = std::io::Result<std::vec::IntoIter<SocketAddr>>> + Send>>;

impl tower::Service<Name> for GuardedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Resolving;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let allowed = self.allowed.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = found.filter(|a| allowed.allows(a.ip())).collect();
            if allowed.is_empty() {
                return Err(std::io::Error::other(Refused(host)));
            }
            Ok(allowed.into_iter())
        })
    }
}
