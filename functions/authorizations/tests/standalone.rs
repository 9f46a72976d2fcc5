//! The router as Lambda serves it (`standalone`): unknown paths and methods still answer with
//! the ARM error body.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use shared::auth::ApiKey;
use shared::ports::SystemClock;
use tower::ServiceExt;

async fn call(method: &str, path: &str) -> (StatusCode, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let config = infra::Config {
        operator: Some(ApiKey::from_secret("op").hash()),
        ..infra::Config::default()
    };
    let app = infra::App::embedded(dir.path(), &config, Arc::new(SystemClock), None).unwrap();
    let router = infra::http::standalone(authorizations::router(app));
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", "Bearer op")
        .body(Body::empty())
        .unwrap();
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn an_unknown_path_answers_404_with_the_arm_error_body() {
    let (status, body) = call("GET", "/subscriptions/x/unknown").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "NotFound");
}

#[tokio::test]
async fn an_unsupported_method_answers_405_with_the_arm_error_body() {
    let (status, body) = call("PATCH", "/admin/principals").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["code"], "MethodNotAllowed");
}
