//! Kinesis streams: records put, read back with their data and partition keys.

use aws_sdk_kinesis::types::ShardIteratorType;
use shared::ports::{TargetDelivery, TargetMessage, Targets};
use shared::subscriptions::aws::Service;

use super::{ACCOUNT, REGION, assert_taken, message, sdk, target, targets, unique};

async fn stream(kinesis: &aws_sdk_kinesis::Client) -> String {
    let name = unique("pe");
    kinesis
        .create_stream()
        .stream_name(&name)
        .shard_count(1)
        .send()
        .await
        .unwrap();
    format!("arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{name}")
}

#[tokio::test]
async fn records_are_read_back_with_their_data_and_partition_keys() {
    let kinesis = aws_sdk_kinesis::Client::new(&sdk().await);
    let arn = stream(&kinesis).await;
    let records: Vec<(String, String)> = (0..3)
        .map(|i| {
            (
                format!("{{\"n\":{i},\"data\":\"ü\"}}"),
                format!("orders/{i}"),
            )
        })
        .collect();
    let delivery = TargetDelivery {
        target: target(Service::Kinesis, &arn),
        messages: records
            .iter()
            .map(|(body, key)| TargetMessage {
                partition_key: Some(key.clone()),
                ..message(body)
            })
            .collect(),
    };
    assert_taken(&targets().await.deliver(&delivery).await, 3);

    let shards = kinesis.list_shards().stream_arn(&arn).send().await.unwrap();
    let shard = shards.shards.unwrap()[0].shard_id.clone();
    let iterator = kinesis
        .get_shard_iterator()
        .stream_arn(&arn)
        .shard_id(shard)
        .shard_iterator_type(ShardIteratorType::TrimHorizon)
        .send()
        .await
        .unwrap()
        .shard_iterator
        .unwrap();
    let read = kinesis
        .get_records()
        .stream_arn(&arn)
        .shard_iterator(iterator)
        .send()
        .await
        .unwrap();
    let got: Vec<(String, String)> = read
        .records
        .into_iter()
        .map(|r| {
            (
                String::from_utf8(r.data.into_inner()).unwrap(),
                r.partition_key.unwrap(),
            )
        })
        .collect();
    assert_eq!(got, records);
}

#[tokio::test]
async fn check_accepts_an_existing_stream_and_refuses_a_missing_one() {
    let kinesis = aws_sdk_kinesis::Client::new(&sdk().await);
    let arn = stream(&kinesis).await;
    let adapter = targets().await;
    adapter
        .check(&target(Service::Kinesis, &arn))
        .await
        .unwrap();

    let missing = format!(
        "arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{}",
        unique("gone")
    );
    let said = adapter
        .check(&target(Service::Kinesis, &missing))
        .await
        .unwrap_err();
    assert!(said.starts_with("ResourceNotFoundException"), "{said}");
}
