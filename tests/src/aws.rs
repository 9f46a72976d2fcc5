//! The AWS side of the serverless tests: the deployment's resources on the moto server the test
//! command starts, and (from `proxy`) a proxy in front of moto that counts every AWS API request
//! by operation.

pub use crate::proxy::{Count, CountingProxy, Injected};

/// The moto server's URL (set by the README's test command).
pub fn moto() -> String {
    std::env::var("PARTNER_EVENTS_TEST_AWS_ENDPOINT").unwrap_or_else(|_| {
        panic!("set PARTNER_EVENTS_TEST_AWS_ENDPOINT or run the README's test command, which starts moto")
    })
}

/// The SDK configuration for `endpoint`: static test credentials, us-east-1.
pub fn sdk(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sqs::config::SharedCredentialsProvider::new(
            aws_sdk_sqs::config::Credentials::new("test", "test", None, None, "test"),
        ))
        .build()
}

/// [`sdk`] as the AWS environment loads it (with a time source, which assumed roles need).
pub async fn loaded_sdk(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sqs::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await
}

/// The resources template.yaml creates, made on moto under fresh names.
pub struct Deployment {
    pub table: String,
    pub fanout_queue: String,
    pub delivery_queue: String,
    pub operator_secret: String,
    pub sqs: aws_sdk_sqs::Client,
}

impl Deployment {
    /// Creates the table, both queues (with DLQs after `max_receives`) and the operator key
    /// secret holding `operator_key`.
    pub async fn create(endpoint: &str, operator_key: &str, max_receives: u32) -> Self {
        let sdk = sdk(endpoint);
        let run = uuid::Uuid::new_v4().simple().to_string();
        let table = format!("partner-events-{run}");
        infra::dynamo::DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table.clone())
            .create_table_if_missing()
            .await
            .unwrap();
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let mut urls = Vec::new();
        for name in ["fanout", "delivery"] {
            infra::sqs::SqsQueue::create_if_missing(
                sqs.clone(),
                &format!("{name}-{run}"),
                max_receives,
            )
            .await
            .unwrap();
            let url = sqs
                .get_queue_url()
                .queue_name(format!("{name}-{run}"))
                .send()
                .await
                .unwrap()
                .queue_url()
                .unwrap()
                .to_owned();
            urls.push(url);
        }
        let secret = aws_sdk_secretsmanager::Client::new(&sdk)
            .create_secret()
            .name(format!("operator-key-{run}"))
            .secret_string(operator_key)
            .send()
            .await
            .unwrap()
            .arn()
            .unwrap()
            .to_owned();
        let delivery_queue = urls.pop().unwrap();
        Self {
            table,
            fanout_queue: urls.pop().unwrap(),
            delivery_queue,
            operator_secret: secret,
            sqs,
        }
    }

    /// The environment template.yaml gives the functions, pointed at `endpoint`.
    pub fn environment(&self, endpoint: &str, stage: &str) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", endpoint.to_owned()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
            (infra::config::TABLE, self.table.clone()),
            (infra::config::FANOUT_QUEUE_URL, self.fanout_queue.clone()),
            (
                infra::config::DELIVERY_QUEUE_URL,
                self.delivery_queue.clone(),
            ),
            (
                infra::config::OPERATOR_KEY_SECRET,
                self.operator_secret.clone(),
            ),
            (infra::config::PUBLIC_URL, String::new()),
            (infra::config::STAGE, stage.to_owned()),
            (
                infra::config::ALLOWED_WEBHOOK_NETWORKS,
                "127.0.0.0/8".into(),
            ),
            (infra::config::AWS_TARGETS, "1".into()),
            (infra::config::RESERVED_ARNS, self.reserved_arns()),
            (
                infra::config::METRICS_NAMESPACE,
                "PartnerEvents/test".into(),
            ),
        ]
    }

    /// The deployment's own queues' ARNs, as template.yaml reserves them.
    pub fn reserved_arns(&self) -> String {
        [&self.fanout_queue, &self.delivery_queue]
            .iter()
            .map(|url| {
                let name = url.rsplit('/').next().unwrap();
                format!("arn:aws:sqs:us-east-1:123456789012:{name}")
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Receives up to 10 messages from `queue` as Lambda's SQS poller does and turns them into
    /// the SQS event (the fixture's record shape) the function is invoked with.
    pub async fn receive_event(&self, queue: &str, wait_seconds: i32) -> serde_json::Value {
        self.receive_event_of(queue, wait_seconds, 10).await
    }

    /// [`Deployment::receive_event`] of at most `max` records.
    pub async fn receive_event_of(
        &self,
        queue: &str,
        wait_seconds: i32,
        max: usize,
    ) -> serde_json::Value {
        let got = self
            .sqs
            .receive_message()
            .queue_url(queue)
            .max_number_of_messages(max as i32)
            .wait_time_seconds(wait_seconds)
            .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
            .send()
            .await
            .unwrap();
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../fixtures/sqs-event.json")).unwrap();
        let template = &fixture["Records"][0];
        let records: Vec<serde_json::Value> = got
            .messages()
            .iter()
            .map(|m| {
                let mut record = template.clone();
                record["messageId"] = m.message_id().into();
                record["receiptHandle"] = m.receipt_handle().into();
                record["body"] = m.body().into();
                record["md5OfBody"] = m.md5_of_body().into();
                if let Some(count) = m.attributes().and_then(|a| {
                    a.get(&aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount)
                }) {
                    record["attributes"]["ApproximateReceiveCount"] = count.as_str().into();
                }
                record
            })
            .collect();
        serde_json::json!({ "Records": records })
    }

    /// Deletes the records of `event` but those the function reported as batch item
    /// failures, as Lambda's SQS poller does (one DeleteMessageBatch).
    pub async fn settle(&self, queue: &str, event: &serde_json::Value, answer: &serde_json::Value) {
        let failed: Vec<&str> = answer["batchItemFailures"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["itemIdentifier"].as_str())
            .collect();
        let entries: Vec<_> = event["Records"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| !failed.contains(&r["messageId"].as_str().unwrap()))
            .enumerate()
            .map(|(i, r)| {
                aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(r["receiptHandle"].as_str().unwrap())
                    .build()
                    .unwrap()
            })
            .collect();
        if !entries.is_empty() {
            self.sqs
                .delete_message_batch()
                .queue_url(queue)
                .set_entries(Some(entries))
                .send()
                .await
                .unwrap();
        }
    }
}
