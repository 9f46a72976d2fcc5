//! The HTTP edge every router shares: the one mapping of domain errors to responses, request
//! extractors that turn bad input into clear errors, and response helpers.

mod error;
mod extract;

pub use error::{ApiError, fallback, method_not_allowed};
pub use extract::{Authenticated, JsonBody, PageQuery};

use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The answer to a PUT: 201 when it created the resource, 200 when it replaced one.
pub fn put_response<T: Serialize>(created: bool, body: T) -> Response {
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, axum::Json(body)).into_response()
}

/// The answer to a DELETE: always 204, whether or not the resource existed.
pub fn deleted() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// The `nextLink` for a listing page: this request's URL with `$skipToken` set.
pub fn next_link(public_url: &str, uri: &Uri, skip_token: Option<String>) -> Option<String> {
    let token = skip_token?;
    let mut query: Vec<String> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| {
            !p.is_empty() && !p.starts_with("$skipToken=") && !p.starts_with("%24skipToken=")
        })
        .map(str::to_owned)
        .collect();
    query.push(format!("$skipToken={token}"));
    Some(format!(
        "{}{}?{}",
        public_url.trim_end_matches('/'),
        uri.path(),
        query.join("&")
    ))
}
