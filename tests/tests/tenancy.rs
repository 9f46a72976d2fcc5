//! Who may call what: 401 without a valid key, 403 for non-operators on admin routes, and 404
//! for every resource under another principal's subscription.

use e2e::{Answer, Body, Server, eg, new_subscription};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_missing_or_wrong_key_gets_401_with_a_stable_code() {
    let server = Server::start().await;
    let sub = new_subscription();
    let path = format!("{}/partnerConfigurations/default", eg(&sub, "rg"));
    for client in [
        server.anonymous(),
        server.client("pek_not-a-real-key"),
        server.client(""),
    ] {
        for (method, path) in [
            (Method::GET, path.as_str()),
            (Method::POST, "/admin/principals"),
            (
                Method::GET,
                "/providers/Microsoft.EventGrid/verifiedPartners",
            ),
        ] {
            let (status, body) = client.send(method, path, Body::None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
            assert_eq!(body["error"]["code"], "AuthenticationFailed");
        }
    }
}

#[tokio::test]
async fn a_revoked_principal_key_stops_working_and_frees_its_subscriptions() {
    let server = Server::start().await;
    let (client, sub) = server.tenant("short-lived").await;
    let path = client.configuration(&sub, "rg").await;
    for _ in 0..2 {
        server
            .operator()
            .remove("/admin/principals/short-lived")
            .await;
    }
    client
        .get(&path)
        .await
        .expect_status(StatusCode::UNAUTHORIZED);
    let successor = server.principal("successor", &[&sub]).await;
    assert_eq!(
        successor.get(&path).await.0,
        StatusCode::OK,
        "resources stay with the subscription"
    );
}

#[tokio::test]
async fn a_non_operator_on_admin_routes_gets_403() {
    let server = Server::start().await;
    let (tenant, _) = server.tenant("tenant").await;
    let calls = [
        (
            Method::POST,
            "/admin/principals",
            Body::Json(json!({"name": "x", "subscriptions": [new_subscription()]})),
        ),
        (Method::DELETE, "/admin/principals/tenant", Body::None),
        (
            Method::PUT,
            "/admin/verifiedPartners/someone",
            Body::Json(json!({})),
        ),
        (
            Method::DELETE,
            "/admin/verifiedPartners/someone",
            Body::None,
        ),
    ];
    for (method, path, body) in calls {
        let (status, answer) = tenant.send(method.clone(), path, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {answer}");
        assert_eq!(answer["error"]["code"], "AuthorizationFailed");
    }
}

#[tokio::test]
async fn a_principal_cannot_read_or_change_another_principals_subscription() {
    let server = Server::start().await;
    let (me, _) = server.tenant("me").await;
    let (them, theirs) = server.tenant("them").await;
    let config = them.configuration(&theirs, "rg").await;
    let registration = them.registration(&theirs, "rg", "theirs").await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let attempts = [
        (Method::GET, config.clone(), Body::None),
        (Method::PUT, config.clone(), Body::Json(json!({}))),
        (
            Method::PATCH,
            config.clone(),
            Body::Json(json!({"tags": {"a": "b"}})),
        ),
        (Method::DELETE, config.clone(), Body::None),
        (
            Method::POST,
            format!("{config}/authorizePartner"),
            Body::Json(json!({"partnerName": "theirs"})),
        ),
        (
            Method::POST,
            format!("{config}/unauthorizePartner"),
            Body::Json(json!({"partnerName": "theirs"})),
        ),
        (
            Method::GET,
            format!("{}/partnerConfigurations", eg(&theirs, "rg")),
            Body::None,
        ),
        (
            Method::GET,
            format!("/subscriptions/{theirs}/providers/Microsoft.EventGrid/partnerConfigurations"),
            Body::None,
        ),
        (Method::GET, registration.clone(), Body::None),
        (Method::PUT, registration.clone(), Body::Json(json!({}))),
        (Method::DELETE, registration.clone(), Body::None),
        (
            Method::GET,
            format!("/subscriptions/{theirs}/providers/Microsoft.EventGrid/partnerRegistrations"),
            Body::None,
        ),
    ];
    for (method, path, body) in attempts {
        let (status, answer) = me.send(method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
    }
    assert_eq!(
        them.get(&config).await.0,
        StatusCode::OK,
        "nothing was changed or deleted"
    );
    them.get(&registration).await.expect_status(StatusCode::OK);
    let (_, verified) = server
        .operator()
        .get("/providers/Microsoft.EventGrid/verifiedPartners")
        .await;
    assert_eq!(verified["value"], json!([]));
}

#[tokio::test]
async fn names_that_must_be_unique_answer_409() {
    let server = Server::start().await;
    let (first, a) = server.tenant("first").await;
    let b = new_subscription();
    let principals = "/admin/principals";
    server
        .operator()
        .post(principals, json!({"name": "first", "subscriptions": [b]}))
        .await
        .expect_error(StatusCode::CONFLICT, "PrincipalAlreadyExists");
    server
        .operator()
        .post(
            principals,
            json!({"name": "second", "subscriptions": [b, a]}),
        )
        .await
        .expect_error(StatusCode::CONFLICT, "SubscriptionAlreadyOwned");
    let second = server.principal("second", &[&b]).await;
    first.registration(&a, "rg", "acme").await;
    second
        .put(
            &format!("{}/partnerRegistrations/ACME", eg(&b, "other")),
            json!({}),
        )
        .await
        .expect_error(StatusCode::CONFLICT, "ResourceNameNotAvailable");
}

#[tokio::test]
async fn keys_are_stored_only_as_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::builder().data_dir(dir.path()).start().await;
    let (client, _) = server.tenant("hashed-principal").await;
    let key = client.key().to_owned();
    let stored = std::fs::read(dir.path().join("store.redb")).unwrap();
    let contains = |needle: &[u8]| stored.windows(needle.len()).any(|w| w == needle);
    assert!(contains(b"hashed-principal"), "the principal is stored");
    assert!(!contains(key.as_bytes()), "its key is not");
    assert!(
        !contains(e2e::OPERATOR_KEY.as_bytes()),
        "nor the operator's"
    );
    drop(server);
}
