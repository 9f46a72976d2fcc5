//! Targets reached through a role: delivered with the role's credentials; a role STS will not
//! let us assume denies every message (a fake STS refuses on purpose: moto never does).

use axum::http::StatusCode;
use shared::ports::{Fault, TargetDelivery, Targets};
use shared::subscriptions::aws::Service;

use super::{assert_taken, message, queue, receive, refusal, sdk, sdk_at, target, targets};

#[tokio::test]
async fn a_queue_reached_through_a_role_gets_the_message() {
    let sqs = aws_sdk_sqs::Client::new(&sdk().await);
    let (url, arn) = queue(&sqs, false).await;
    let mut to = target(Service::Sqs, &arn);
    to.role_arn = Some(format!(
        "arn:aws:iam::{}:role/partner-events-delivery",
        super::ACCOUNT
    ));
    let adapter = targets().await;
    adapter.check(&to).await.unwrap();
    let delivery = TargetDelivery {
        target: to,
        messages: vec![message("{\"via\":\"role\"}")],
    };
    assert_taken(&adapter.deliver(&delivery).await, 1);
    assert_taken(&adapter.deliver(&delivery).await, 1);

    let bodies: Vec<_> = receive(&sqs, &url, 2)
        .await
        .into_iter()
        .map(|m| m.body.unwrap())
        .collect();
    assert_eq!(bodies, ["{\"via\":\"role\"}", "{\"via\":\"role\"}"]);
}

const REFUSAL: &str = r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type><Code>AccessDenied</Code>
    <Message>not authorized to perform: sts:AssumeRole</Message>
  </Error>
  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
</ErrorResponse>"#;

#[tokio::test]
async fn a_role_sts_refuses_to_let_us_assume_denies_every_message() {
    let app = axum::Router::new().fallback(|| async { (StatusCode::FORBIDDEN, REFUSAL) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let adapter = infra::aws_targets::AwsTargets::new(&sdk_at(&endpoint).await);
    let mut to = target(Service::Sqs, "arn:aws:sqs:us-east-1:123456789012:orders");
    to.role_arn = Some("arn:aws:iam::123456789012:role/not-trusting-us".into());
    let delivery = TargetDelivery {
        target: to.clone(),
        messages: vec![message("{}"), message("{}")],
    };
    let attempts = adapter.deliver(&delivery).await;
    assert_eq!(attempts.len(), 2);
    for attempt in &attempts {
        let e = refusal(attempt);
        assert_eq!(
            (e.fault, e.code.as_str()),
            (Fault::Denied, "AccessDenied"),
            "{e:?}"
        );
        assert!(e.message.contains("sts:AssumeRole"), "{e:?}");
    }
    let said = adapter.check(&to).await.unwrap_err();
    assert!(said.starts_with("AccessDenied: "), "{said}");
}
