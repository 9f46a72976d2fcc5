//! The HTTP edge every router shares: the one mapping of domain errors to responses, request
//! extractors that turn bad input into clear errors (typed resource paths among them), typed
//! responses, a declared-length limit, and the routes of a resource collection.

mod collection;
mod error;
mod extract;
mod limit;
mod resource;
mod respond;

pub use collection::Collection;
pub use error::{ApiError, fallback, method_not_allowed, request_timeout};
pub use extract::{Authenticated, JsonBody, Listing, PageQuery, PathParams, ScopePath};
pub use limit::{DeclaredLength, DeclaredLengthLimit};
pub use resource::{Child, Kind, Resource};
pub use respond::{Created, Deleted, Links, Page, Show, Shown, Upsert};

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::{Request, Uri};

/// A function's router made ready to serve on its own: unknown paths answer the ARM error
/// body. (Routers are merged without this, then the merged one gets it once.)
pub fn standalone(router: axum::Router) -> axum::Router {
    router.fallback(fallback)
}

/// A function's router as API Gateway reaches it: [`standalone`], after the stage (`/prod`;
/// empty for the `$default` stage) is taken off the request's path.
///
/// Taken off here because `lambda_http` keeps it on: on a named stage an HTTP API's payload
/// 2.0 `rawPath` already starts with `/prod`, and `lambda_http` uses it as the path (it only
/// adds the stage to a path without it). Its `AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH` turns that
/// adding off and passes `rawPath` through as it is, so the stage would still reach the
/// router. Only a whole leading segment equal to the stage is taken off, so a function URL's
/// requests (stage `$default`, no prefix) reach the same router unchanged.
pub fn behind_stage<B>(
    stage: &str,
    router: axum::Router,
) -> tower::util::MapRequest<axum::Router, impl FnMut(Request<B>) -> Request<B> + Clone>
where
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    let stage: Arc<str> = stage.trim_end_matches('/').into();
    tower::ServiceExt::map_request(standalone(router), move |request: Request<B>| {
        strip_stage(&stage, request)
    })
}

fn strip_stage<B>(stage: &str, mut request: Request<B>) -> Request<B> {
    if stage.is_empty() {
        return request;
    }
    let uri = request.uri();
    let rest = match uri.path().strip_prefix(stage) {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => return request,
    };
    let path_and_query = match uri.query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_owned(),
    };
    let mut parts = uri.clone().into_parts();
    if let Ok(pq) = path_and_query.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(stripped) = Uri::from_parts(parts) {
            *request.uri_mut() = stripped;
        }
    }
    request
}

/// The base URL clients reach this service at: the configured public URL, or, when none is
/// configured, `https://`, the request's `Host` and the stage.
#[derive(Debug, Clone)]
pub struct PublicBase(pub String);

impl FromRequestParts<crate::App> for PublicBase {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        app: &crate::App,
    ) -> Result<Self, Self::Rejection> {
        if !app.public_url.is_empty() {
            return Ok(Self(app.public_url.to_string()));
        }
        let host = parts
            .headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        Ok(Self(format!("https://{host}{}", app.stage)))
    }
}

/// The address a request came from: API Gateway's `requestContext.http.sourceIp` on Lambda,
/// the peer's socket address on the local server, `None` where the host tells neither.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        use lambda_http::request::RequestContext;
        let gateway = match parts.extensions.get::<RequestContext>() {
            Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.as_deref(),
            _ => None,
        };
        let peer = || {
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip())
        };
        Ok(Self(match gateway {
            Some(ip) => ip.parse().ok(),
            None => peer(),
        }))
    }
}

/// Route prefixes of the management plane, in Azure's casing.
pub mod paths {
    /// `{rg}/providers/Microsoft.EventGrid` with route parameters `subscription`, `resource_group`.
    pub const EG: &str = "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.EventGrid";
    /// `/subscriptions/{subscription}/providers/Microsoft.EventGrid`.
    pub const SUB_EG: &str = "/subscriptions/{subscription}/providers/Microsoft.EventGrid";
}
