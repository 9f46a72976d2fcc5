//! What the Lambda functions do before the routers: take the API Gateway stage off request
//! paths, and read the operator key out of its secret.

use axum::body::Body;
use axum::http::{Request, StatusCode, Uri};
use tower::ServiceExt;

async fn path_seen(stage: &str, uri: &str) -> (StatusCode, String) {
    let router = axum::Router::new()
        .route(
            "/",
            axum::routing::get(|uri: Uri| async move { uri.to_string() }),
        )
        .route(
            "/x",
            axum::routing::get(|uri: Uri| async move { uri.to_string() }),
        );
    let service = infra::http::behind_stage(stage, router);
    let response = service
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn the_stage_is_taken_off_the_path_and_only_a_whole_segment_of_it() {
    assert_eq!(
        path_seen("/prod", "/prod/x?a=1&b=2").await,
        (StatusCode::OK, "/x?a=1&b=2".into())
    );
    assert_eq!(
        path_seen("/prod", "/prod").await,
        (StatusCode::OK, "/".into())
    );
    assert_eq!(
        path_seen("/prod", "/prod/").await,
        (StatusCode::OK, "/".into())
    );
    assert_eq!(
        path_seen("/prod", "/production/x").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(path_seen("", "/x").await, (StatusCode::OK, "/x".into()));
    assert_eq!(
        path_seen("/prod", "/x").await,
        (StatusCode::OK, "/x".into())
    );
}

#[test]
fn the_operator_key_is_the_secret_text_or_its_json_key() {
    assert_eq!(infra::app::operator_key_of(" k3y \n", "s").unwrap(), "k3y");
    assert_eq!(
        infra::app::operator_key_of(r#"{"key": "k3y", "note": "x"}"#, "s").unwrap(),
        "k3y"
    );
    let e = infra::app::operator_key_of(r#"{"password": "k3y"}"#, "op-secret").unwrap_err();
    assert!(
        e.message.contains("'key'") && e.message.contains("op-secret"),
        "{}",
        e.message
    );
    assert!(infra::app::operator_key_of("  ", "s").is_err());
}
