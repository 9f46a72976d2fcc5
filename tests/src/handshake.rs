//! A webhook endpoint that answers the validation handshake in each way a test needs, right or
//! wrong.

/// A webhook endpoint on 127.0.0.1 that answers the validation handshake according to the
/// last path segment: `ok` (echoes the origin), `star` (`*`), `refuse` (405), `nohdr` (200
/// without the header), `other` (another origin). Returns its base URL.
pub async fn webhook_receiver() -> String {
    use axum::http::{HeaderMap, Method, StatusCode};
    use axum::response::IntoResponse;
    async fn answer(
        method: Method,
        axum::extract::Path(mode): axum::extract::Path<String>,
        headers: HeaderMap,
    ) -> axum::response::Response {
        let origin = headers
            .get("webhook-request-origin")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if method != Method::OPTIONS {
            return StatusCode::OK.into_response();
        }
        match mode.as_str() {
            "ok" => (
                StatusCode::OK,
                [
                    ("WebHook-Allowed-Origin", origin),
                    ("WebHook-Allowed-Rate", "120".to_owned()),
                ],
            )
                .into_response(),
            "star" => (StatusCode::OK, [("WebHook-Allowed-Origin", "*")]).into_response(),
            "refuse" => StatusCode::METHOD_NOT_ALLOWED.into_response(),
            "other" => {
                (StatusCode::OK, [("WebHook-Allowed-Origin", "example.com")]).into_response()
            }
            _ => StatusCode::OK.into_response(),
        }
    }
    let app = axum::Router::new().route("/hook/{mode}", axum::routing::any(answer));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}
