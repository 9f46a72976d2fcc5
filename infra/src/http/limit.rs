//! Refusing a request whose `Content-Length` is over a route's limit before any of its body is
//! read, so that a client cannot make the server wait for a body it will refuse anyway.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::http::{Request, header};
use axum::response::{IntoResponse, Response};
use shared::error::Error;

use super::ApiError;

/// A layer answering `too_large(declared length)` to a request that declares a body over
/// `limit` bytes, without reading it.
#[derive(Clone, Copy)]
pub struct DeclaredLengthLimit {
    limit: usize,
    too_large: fn(usize) -> Error,
}

impl DeclaredLengthLimit {
    pub fn new(limit: usize, too_large: fn(usize) -> Error) -> Self {
        Self { limit, too_large }
    }

    fn refused<B>(&self, request: &Request<B>) -> Option<Response> {
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)?
            .to_str()
            .ok()?
            .trim()
            .parse::<u64>()
            .ok()?;
        let declared = usize::try_from(declared).unwrap_or(usize::MAX);
        (declared > self.limit).then(|| ApiError((self.too_large)(declared)).into_response())
    }
}

impl<S> tower::Layer<S> for DeclaredLengthLimit {
    type Service = DeclaredLength<S>;

    fn layer(&self, inner: S) -> Self::Service {
        DeclaredLength {
            inner,
            limit: *self,
        }
    }
}

/// The service [`DeclaredLengthLimit`] makes.
#[derive(Clone)]
pub struct DeclaredLength<S> {
    inner: S,
    limit: DeclaredLengthLimit,
}

impl<S, B> tower::Service<Request<B>> for DeclaredLength<S>
where
    S: tower::Service<Request<B>, Response = Response>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        match self.limit.refused(&request) {
            Some(response) => Box::pin(std::future::ready(Ok(response))),
            None => Box::pin(self.inner.call(request)),
        }
    }
}
