//! The one mapping from `shared::Error` to an HTTP response with Azure's error body
//! `{"error": {"code", "message", "details"}}`. 5xx bodies are opaque; the cause is logged.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use shared::error::{Error, ErrorKind, code};

/// A domain error on its way out as an HTTP response.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        Self(e)
    }
}

fn status(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid => StatusCode::BAD_REQUEST,
        ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::Throttled => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Transient => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = status(e.kind);
        let (code, message) = match e.kind {
            ErrorKind::Internal => {
                tracing::error!(code = e.code, cause = %e.message, "internal error");
                (
                    code::INTERNAL,
                    "an internal error occurred; it has been logged. Retry later".to_owned(),
                )
            }
            ErrorKind::Transient => {
                tracing::warn!(code = e.code, cause = %e.message, "dependency unavailable");
                (
                    code::SERVICE_UNAVAILABLE,
                    "the service is briefly unavailable; retry with backoff".to_owned(),
                )
            }
            _ => (e.code, e.message),
        };
        let details: Vec<_> = e
            .details
            .iter()
            .map(|d| json!({"code": d.code, "message": d.message}))
            .collect();
        let body = json!({"error": {"code": code, "message": message, "details": details}});
        (status, axum::Json(body)).into_response()
    }
}

/// The answer for a path no route serves.
pub async fn fallback(uri: axum::http::Uri) -> ApiError {
    ApiError(Error::not_found(
        code::NOT_FOUND_ROUTE,
        format!("no route serves '{}'; see API.md for the paths", uri.path()),
    ))
}

/// The answer for a known path with an unsupported method.
pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    let e = Error::invalid(
        code::METHOD_NOT_ALLOWED,
        format!("{method} is not supported on '{}'", uri.path()),
    );
    let mut response = ApiError(e).into_response();
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
}

/// The answer to a request whose body did not arrive within `limit`: 408, and the connection
/// is closed.
pub fn request_timeout(limit: std::time::Duration) -> Response {
    let e = Error::invalid(
        code::REQUEST_TIMEOUT,
        format!(
            "the request body did not arrive within {} s of its headers; send it at once",
            limit.as_secs_f64()
        ),
    );
    let mut response = ApiError(e).into_response();
    *response.status_mut() = StatusCode::REQUEST_TIMEOUT;
    response.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response
}
