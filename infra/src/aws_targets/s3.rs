//! S3: dead letters written as objects of the bucket its ARN names (`arn:aws:s3:::NAME`), in
//! the deployment's region, checked against the expected bucket owner; HeadBucket is the check.

use aws_sdk_s3::primitives::ByteStream;
use shared::ports::ServiceError;

use super::Call;

fn bucket<'a>(call: &'a Call<'_>) -> &'a str {
    call.arn.resource.as_str()
}

pub(super) async fn check(call: &Call<'_>) -> Result<(), ServiceError> {
    call.clients
        .s3
        .head_bucket()
        .bucket(bucket(call))
        .set_expected_bucket_owner(call.target.expected_owner.clone())
        .send()
        .await
        .map(drop)
        .map_err(|e| call.failed(&e))
}

pub(super) async fn put_object(
    call: &Call<'_>,
    key: &str,
    body: String,
) -> Result<(), ServiceError> {
    call.clients
        .s3
        .put_object()
        .bucket(bucket(call))
        .key(key)
        .content_type("application/json")
        .body(ByteStream::from(body.into_bytes()))
        .set_expected_bucket_owner(call.target.expected_owner.clone())
        .send()
        .await
        .map(drop)
        .map_err(|e| call.failed(&e))
}
