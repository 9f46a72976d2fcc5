//! The console as the server serves it (the browser suites drive it): every compiled-in file
//! under a strict Content-Security-Policy, no inline script or style, nothing outside its
//! folder; and the two reads it signs in with, `GET /subscriptions` and `GET /admin/principals`.

use e2e::{Answer, Server, new_subscription};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn every_console_file_is_served_with_its_type_and_a_policy_forbidding_inline_script() {
    let server = Server::start().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let moved = http
        .get(format!("{}/console", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(moved.headers()["location"], "console/index.html");
    let policy = &moved.headers()["content-security-policy"];
    assert_eq!(policy, console::CONTENT_SECURITY_POLICY);
    let files: Vec<&str> = console::files().collect();
    assert!(
        files.contains(&"index.html") && files.len() > 3,
        "{files:?}"
    );
    for file in files.iter().copied().chain([""]) {
        let answer = http
            .get(format!("{}/console/{file}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::OK, "{file}");
        let headers = answer.headers().clone();
        assert_eq!(
            headers["content-security-policy"],
            console::CONTENT_SECURITY_POLICY
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["cross-origin-opener-policy"], "same-origin");
        let name = if file.is_empty() { "index.html" } else { file };
        assert_eq!(
            headers["content-type"],
            console::content_type(name),
            "{file}"
        );
        if name.ends_with(".html") {
            let page = answer.text().await.unwrap().to_lowercase();
            for tag in page.match_indices("<script").map(|(at, _)| &page[at..]) {
                let tag = &tag[..tag.find('>').unwrap()];
                assert!(tag.contains(" src="), "an inline script in {name}: {tag}");
            }
            for inline in ["<style", " style=", " onclick=", " onload=", "javascript:"] {
                assert!(!page.contains(inline), "{inline} in {name}");
            }
        }
    }
    let missing = http
        .get(format!("{}/console/no-such-file.js", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_console_folder_serves_its_files_and_nothing_outside_it() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("assets");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<p>edited</p>").unwrap();
    std::fs::write(root.path().join("secret.txt"), "key").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, console::router_from(Some(dir)))
            .await
            .unwrap();
    });
    let page = reqwest::get(format!("{base}/console/")).await.unwrap();
    assert_eq!(page.text().await.unwrap(), "<p>edited</p>");
    for path in ["..%2Fsecret.txt", "%2E%2E/secret.txt", "%2Fetc%2Fpasswd"] {
        let answer = reqwest::get(format!("{base}/console/{path}"))
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn a_key_lists_its_own_subscriptions_as_azure_does_and_the_operator_none() {
    let server = Server::start().await;
    let (first, second) = (new_subscription(), new_subscription());
    let contoso = server.principal("contoso", &[&first, &second]).await;
    let listed = contoso
        .get("/subscriptions")
        .await
        .expect_status(StatusCode::OK);
    let mut expected = vec![first.clone(), second.clone()];
    expected.sort();
    let ids: Vec<&str> = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["subscriptionId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, expected);
    assert_eq!(
        listed["value"][0],
        json!({"id": format!("/subscriptions/{}", expected[0]), "subscriptionId": expected[0],
               "displayName": "contoso", "state": "Enabled"})
    );
    let operator = server.operator().get("/subscriptions").await;
    assert_eq!(operator.expect_status(StatusCode::OK), json!({"value": []}));
    let (status, body) = server.client("pek_wrong").get("/subscriptions").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "AuthenticationFailed");
}

#[tokio::test]
async fn the_operator_lists_principals_a_page_at_a_time_without_their_keys() {
    let server = Server::start().await;
    let mut names = Vec::new();
    for i in 0..3 {
        let name = format!("tenant-{i}");
        server.principal(&name, &[&new_subscription()]).await;
        names.push(name);
    }
    let operator = server.operator();
    let first = operator
        .get("/admin/principals?$top=2")
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(first["value"].as_array().unwrap().len(), 2);
    let next = first["nextLink"].as_str().unwrap();
    let rest = operator
        .get(next.strip_prefix(&server.base).unwrap())
        .await
        .expect_status(StatusCode::OK);
    let mut listed: Vec<String> = first["value"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["value"].as_array().unwrap())
        .map(|p| {
            assert_eq!(
                p.as_object().unwrap().len(),
                3,
                "name, subscriptions, awsAccounts: {p}"
            );
            assert!(p["subscriptions"].as_array().unwrap().len() == 1);
            p["name"].as_str().unwrap().to_owned()
        })
        .collect();
    listed.sort();
    assert_eq!(listed, names);
    assert!(rest.get("nextLink").is_none(), "{rest}");
    let tenant = server
        .principal("not-operator", &[&new_subscription()])
        .await;
    let (status, body) = tenant.get("/admin/principals").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "AuthorizationFailed");
}
