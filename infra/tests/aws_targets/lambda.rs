//! Lambda functions: an invocation the function answers is taken. (moto answers 200 to an
//! Invoke of a missing function, so only the check can show a missing one; and it fails with
//! a 500 on a payload that is a JSON array, so a batching function's payload is not tried.)

use shared::ports::{TargetDelivery, Targets};
use shared::subscriptions::aws::Service;

use super::{ACCOUNT, REGION, assert_taken, message, sdk, target, targets, unique};

/// The smallest zip archive: an end of central directory and nothing else.
const EMPTY_ZIP: [u8; 22] = [
    0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

/// A fresh role on the emulator (moto's Lambda wants the function's role to exist; the SDK
/// has no IAM client here, so the query is sent by hand, signed with nothing moto checks).
async fn role(http: &reqwest::Client, endpoint: &str) -> String {
    let name = unique("pe");
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("Action", "CreateRole")
        .append_pair("Version", "2010-05-08")
        .append_pair("RoleName", &name)
        .append_pair(
            "AssumeRolePolicyDocument",
            r#"{"Version":"2012-10-17","Statement":[]}"#,
        )
        .finish();
    let scope = "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/iam/aws4_request, \
        SignedHeaders=host, Signature=0";
    http.post(format!("{endpoint}/"))
        .header("Authorization", scope)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

/// A fresh function on the emulator (which echoes payloads instead of running code): its ARN.
async fn function() -> String {
    let endpoint = std::env::var("PARTNER_EVENTS_TEST_AWS_ENDPOINT").unwrap();
    let http = reqwest::Client::new();
    http.post(format!("{endpoint}/moto-api/config"))
        .json(&serde_json::json!({"lambda": {"use_docker": false}}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let role = role(&http, &endpoint).await;
    let lambda = aws_sdk_lambda::Client::new(&sdk().await);
    let name = unique("pe");
    let code = aws_sdk_lambda::types::FunctionCode::builder()
        .zip_file(aws_sdk_lambda::primitives::Blob::new(EMPTY_ZIP.to_vec()))
        .build();
    lambda
        .create_function()
        .function_name(&name)
        .runtime(aws_sdk_lambda::types::Runtime::Python312)
        .role(role)
        .handler("index.handler")
        .code(code)
        .send()
        .await
        .unwrap();
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
}

#[tokio::test]
async fn each_message_is_one_invocation_the_function_answers() {
    let arn = function().await;
    let delivery = TargetDelivery {
        target: target(Service::Lambda, &arn),
        messages: (0..3).map(|i| message(&format!("{{\"n\":{i}}}"))).collect(),
    };
    assert_taken(&targets().await.deliver(&delivery).await, 3);
}

#[tokio::test]
async fn check_accepts_an_existing_function_and_refuses_a_missing_one() {
    let arn = function().await;
    let adapter = targets().await;
    adapter.check(&target(Service::Lambda, &arn)).await.unwrap();

    let missing = format!(
        "arn:aws:lambda:{REGION}:{ACCOUNT}:function:{}",
        unique("gone")
    );
    let said = adapter
        .check(&target(Service::Lambda, &missing))
        .await
        .unwrap_err();
    assert!(said.starts_with("ResourceNotFoundException"), "{said}");
}
