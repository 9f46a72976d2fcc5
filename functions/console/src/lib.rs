//! The console function: the web console's assets at `/console/`, compiled into the binary
//! (or read from `PARTNER_EVENTS_CONSOLE_DIR` when set, to work on them without rebuilding).
//! The console is a static page calling the public API with the signed-in key; this serves
//! files only, under a Content-Security-Policy that allows no inline script or style.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

/// The compiled-in files' paths under `/console/`.
pub fn files() -> impl Iterator<Item = &'static str> {
    embedded::ASSETS.iter().map(|(path, _)| *path)
}

/// A folder to serve the console from instead of the compiled-in assets.
pub const CONSOLE_DIR: &str = "PARTNER_EVENTS_CONSOLE_DIR";

/// What every console response carries: scripts, styles and API calls from this origin only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
    form-action 'none'; frame-ancestors 'none'";

#[derive(Clone)]
enum Assets {
    Embedded,
    Dir(Arc<PathBuf>),
}

/// The console's routes, its assets read from `PARTNER_EVENTS_CONSOLE_DIR` when set, else
/// the compiled-in ones.
pub fn router() -> Router {
    router_from(
        std::env::var_os(CONSOLE_DIR)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from),
    )
}

/// `/console` (redirected to `/console/index.html`, a path API Gateway's `/console/{proxy+}`
/// route surely matches), `/console/` and every asset under it: from `dir`, or compiled in.
pub fn router_from(dir: Option<PathBuf>) -> Router {
    let assets = match dir {
        Some(dir) => Assets::Dir(Arc::new(dir)),
        None => Assets::Embedded,
    };
    Router::new()
        .route("/console", get(redirect))
        .route("/console/", get(index))
        .route("/console/{*path}", get(asset))
        .with_state(assets)
}

async fn redirect() -> Response {
    let moved = (
        StatusCode::PERMANENT_REDIRECT,
        [(header::LOCATION, "console/index.html")],
    );
    with_policy(moved.into_response(), "text/plain; charset=utf-8")
}

async fn index(State(assets): State<Assets>) -> Response {
    serve(&assets, "index.html").await
}

async fn asset(State(assets): State<Assets>, UrlPath(path): UrlPath<String>) -> Response {
    serve(&assets, &path).await
}

async fn serve(assets: &Assets, path: &str) -> Response {
    let found = match assets {
        Assets::Embedded => embedded::ASSETS
            .iter()
            .find(|(name, _)| *name == path)
            .map(|(_, bytes)| bytes.to_vec()),
        Assets::Dir(dir) => match safe_relative(path) {
            Some(relative) => tokio::fs::read(dir.join(relative)).await.ok(),
            None => None,
        },
    };
    let Some(body) = found else {
        return with_policy(
            (StatusCode::NOT_FOUND, "no such console file").into_response(),
            "text/plain; charset=utf-8",
        );
    };
    with_policy(body.into_response(), content_type(path))
}

/// `path` as a relative path of plain names only (no `..`, no root), or `None`.
fn safe_relative(path: &str) -> Option<&Path> {
    let path = Path::new(path);
    path.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then_some(path)
}

fn with_policy(mut response: Response, content_type: &'static str) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The media type of a console file, by its extension.
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        _ => "text/plain; charset=utf-8",
    }
}
