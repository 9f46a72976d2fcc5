//! S3 buckets: a dead letter written as an object and read back; checks of a bucket.

use shared::ports::{Fault, Targets};
use shared::subscriptions::aws::Service;

use super::{ACCOUNT, sdk, target, targets, unique};

async fn bucket() -> (aws_sdk_s3::Client, String) {
    let config = aws_sdk_s3::config::Builder::from(&sdk().await)
        .force_path_style(true)
        .build();
    let s3 = aws_sdk_s3::Client::from_conf(config);
    let name = unique("pe");
    s3.create_bucket().bucket(&name).send().await.unwrap();
    (s3, name)
}

#[tokio::test]
async fn a_dead_letter_is_read_back_from_its_object() {
    let (s3, name) = bucket().await;
    let mut to = target(Service::S3, &format!("arn:aws:s3:::{name}"));
    to.expected_owner = Some(ACCOUNT.into());
    let body = "{\"deadLetterReason\":\"MaxDeliveryAttemptsExceeded\",\"event\":{\"id\":\"é\"}}";
    let key = "dead-letters/2025/01/02/sub-1/e-1.json";
    targets()
        .await
        .put_object(&to, key, body.to_owned())
        .await
        .unwrap();

    let object = s3.get_object().bucket(&name).key(key).send().await.unwrap();
    assert_eq!(object.content_type.as_deref(), Some("application/json"));
    let read = object.body.collect().await.unwrap().into_bytes();
    assert_eq!(std::str::from_utf8(&read).unwrap(), body);
}

#[tokio::test]
async fn a_dead_letter_for_a_missing_bucket_is_refused_as_missing() {
    let to = target(Service::S3, &format!("arn:aws:s3:::{}", unique("gone")));
    let e = targets()
        .await
        .put_object(&to, "k.json", "{}".into())
        .await
        .unwrap_err();
    assert_eq!(
        (e.fault, e.code.as_str(), e.status),
        (Fault::Missing, "NoSuchBucket", 404),
        "{e:?}"
    );
}

#[tokio::test]
async fn check_accepts_an_existing_bucket_and_refuses_a_missing_one() {
    let (_, name) = bucket().await;
    let adapter = targets().await;
    let mut to = target(Service::S3, &format!("arn:aws:s3:::{name}"));
    to.expected_owner = Some(ACCOUNT.into());
    adapter.check(&to).await.unwrap();

    let missing = target(Service::S3, &format!("arn:aws:s3:::{}", unique("gone")));
    let said = adapter.check(&missing).await.unwrap_err();
    assert!(said.starts_with("NotFound"), "{said}");
}
