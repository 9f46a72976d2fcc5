//! AWS targets made on moto for a test, under fresh names in the default account: queues (read
//! back), SNS topics and EventBridge buses that forward to a queue, Kinesis streams, Lambda
//! functions (moto's Docker-free echo), S3 buckets; and the JSON of their destinations.

use std::time::Duration;

use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{Value, json};

use crate::aws::sdk;

/// moto's default account, where every resource here is made.
pub const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";

/// Clients for each service, straight to moto.
pub struct Aws {
    pub endpoint: String,
    pub sqs: aws_sdk_sqs::Client,
    pub sns: aws_sdk_sns::Client,
    pub events: aws_sdk_eventbridge::Client,
    pub kinesis: aws_sdk_kinesis::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub s3: aws_sdk_s3::Client,
}

/// A queue: its URL and ARN.
pub struct Queue {
    pub url: String,
    pub arn: String,
}

fn fresh(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// The JSON of a destination of `endpoint_type` with `properties` (`resourceId` included).
pub fn destination(endpoint_type: &str, properties: Value) -> Value {
    json!({"endpointType": endpoint_type, "properties": properties})
}

impl Aws {
    pub fn new(endpoint: &str) -> Self {
        let config = sdk(endpoint);
        let s3 = aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build();
        Self {
            endpoint: endpoint.to_owned(),
            sqs: aws_sdk_sqs::Client::new(&config),
            sns: aws_sdk_sns::Client::new(&config),
            events: aws_sdk_eventbridge::Client::new(&config),
            kinesis: aws_sdk_kinesis::Client::new(&config),
            lambda: aws_sdk_lambda::Client::new(&config),
            s3: aws_sdk_s3::Client::from_conf(s3),
        }
    }

    /// A standard queue, or a FIFO one (without content-based deduplication).
    pub async fn queue(&self, fifo: bool) -> Queue {
        let name = match fifo {
            true => format!("{}.fifo", fresh("target")),
            false => fresh("target"),
        };
        let mut create = self.sqs.create_queue().queue_name(&name);
        if fifo {
            create = create.attributes(QueueAttributeName::FifoQueue, "true");
        }
        let url = create.send().await.unwrap().queue_url().unwrap().to_owned();
        Queue {
            url,
            arn: format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"),
        }
    }

    /// Waits up to `seconds` for `count` messages on `queue` (fewer if no more come); returns
    /// them, deleted.
    pub async fn receive(
        &self,
        queue: &Queue,
        count: usize,
        seconds: u64,
    ) -> Vec<aws_sdk_sqs::types::Message> {
        let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
        let mut got = Vec::new();
        while got.len() < count && std::time::Instant::now() < deadline {
            let answer = self
                .sqs
                .receive_message()
                .queue_url(&queue.url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .message_attribute_names("All")
                .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
                .send()
                .await
                .unwrap();
            for m in answer.messages() {
                self.sqs
                    .delete_message()
                    .queue_url(&queue.url)
                    .receipt_handle(m.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
                got.push(m.clone());
            }
        }
        got
    }

    /// How many messages `queue` holds (moto counts them exactly).
    pub async fn queued(&self, queue: &Queue) -> usize {
        let answer = self
            .sqs
            .get_queue_attributes()
            .queue_url(&queue.url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .unwrap();
        answer.attributes().unwrap()[&QueueAttributeName::ApproximateNumberOfMessages]
            .parse()
            .unwrap()
    }

    /// An SNS topic whose messages reach `queue` unwrapped (raw message delivery): its ARN.
    pub async fn topic_into(&self, queue: &Queue) -> String {
        let arn = self
            .sns
            .create_topic()
            .name(fresh("topic"))
            .send()
            .await
            .unwrap()
            .topic_arn()
            .unwrap()
            .to_owned();
        self.sns
            .subscribe()
            .topic_arn(&arn)
            .protocol("sqs")
            .endpoint(&queue.arn)
            .attributes("RawMessageDelivery", "true")
            .return_subscription_arn(true)
            .send()
            .await
            .unwrap();
        arn
    }

    /// An event bus with a rule sending every event from `source` to `queue`: the bus's ARN.
    pub async fn bus_into(&self, queue: &Queue, source: &str) -> String {
        let name = fresh("bus");
        let arn = self
            .events
            .create_event_bus()
            .name(&name)
            .send()
            .await
            .unwrap()
            .event_bus_arn()
            .unwrap()
            .to_owned();
        let rule = fresh("rule");
        self.events
            .put_rule()
            .name(&rule)
            .event_bus_name(&name)
            .event_pattern(json!({"source": [source]}).to_string())
            .send()
            .await
            .unwrap();
        self.events
            .put_targets()
            .rule(&rule)
            .event_bus_name(&name)
            .targets(
                aws_sdk_eventbridge::types::Target::builder()
                    .id("queue")
                    .arn(&queue.arn)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        arn
    }

    /// A one-shard stream: its ARN.
    pub async fn stream(&self) -> String {
        let name = fresh("stream");
        self.kinesis
            .create_stream()
            .stream_name(&name)
            .shard_count(1)
            .send()
            .await
            .unwrap();
        format!("arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{name}")
    }

    /// Every record on `stream`'s shards so far: (partition key, data).
    pub async fn records(&self, stream: &str) -> Vec<(String, String)> {
        let shards = self
            .kinesis
            .list_shards()
            .stream_arn(stream)
            .send()
            .await
            .unwrap();
        let mut out = Vec::new();
        for shard in shards.shards() {
            let iterator = self
                .kinesis
                .get_shard_iterator()
                .stream_arn(stream)
                .shard_id(shard.shard_id())
                .shard_iterator_type(aws_sdk_kinesis::types::ShardIteratorType::TrimHorizon)
                .send()
                .await
                .unwrap();
            let records = self
                .kinesis
                .get_records()
                .stream_arn(stream)
                .shard_iterator(iterator.shard_iterator().unwrap())
                .send()
                .await
                .unwrap();
            for r in records.records() {
                out.push((
                    r.partition_key().unwrap_or_default().to_owned(),
                    String::from_utf8(r.data().as_ref().to_vec()).unwrap(),
                ));
            }
        }
        out
    }

    /// A function in moto's Docker-free backend, which answers each invocation with its
    /// payload: its ARN.
    pub async fn echo_function(&self) -> String {
        let http = reqwest::Client::new();
        http.post(format!("{}/moto-api/config", self.endpoint))
            .json(&json!({"lambda": {"use_docker": false}}))
            .send()
            .await
            .unwrap();
        let role = fresh("lambda-role");
        http.post(&self.endpoint)
            .header(
                "authorization",
                format!("AWS4-HMAC-SHA256 Credential=test/20260101/{REGION}/iam/aws4_request, SignedHeaders=host, Signature=0"),
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs([
                        ("Action", "CreateRole"),
                        ("Version", "2010-05-08"),
                        ("RoleName", role.as_str()),
                        (
                            "AssumeRolePolicyDocument",
                            "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
                        ),
                    ])
                    .finish(),
            )
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
        let name = fresh("echo");
        self.lambda
            .create_function()
            .function_name(&name)
            .runtime(aws_sdk_lambda::types::Runtime::Python312)
            .role(format!("arn:aws:iam::{ACCOUNT}:role/{role}"))
            .handler("echo.handler")
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(aws_sdk_lambda::primitives::Blob::new(zip_of_nothing()))
                    .build(),
            )
            .send()
            .await
            .unwrap()
            .function_arn()
            .unwrap()
            .to_owned()
    }

    /// A bucket: its ARN.
    pub async fn bucket(&self) -> String {
        let name = fresh("letters");
        self.s3.create_bucket().bucket(&name).send().await.unwrap();
        format!("arn:aws:s3:::{name}")
    }

    /// The objects of `bucket` (by ARN): key and body.
    pub async fn objects(&self, bucket: &str) -> Vec<(String, Value)> {
        let name = bucket.rsplit(':').next().unwrap();
        let listed = self.s3.list_objects_v2().bucket(name).send().await.unwrap();
        let mut out = Vec::new();
        for object in listed.contents() {
            let key = object.key().unwrap().to_owned();
            let got = self
                .s3
                .get_object()
                .bucket(name)
                .key(&key)
                .send()
                .await
                .unwrap();
            let bytes = got.body.collect().await.unwrap().into_bytes();
            out.push((key, serde_json::from_slice(&bytes).unwrap()));
        }
        out
    }
}

/// An empty zip archive (moto's Docker-free Lambda never runs the code).
fn zip_of_nothing() -> Vec<u8> {
    let mut zip = vec![0x50, 0x4b, 0x05, 0x06];
    zip.extend([0u8; 18]);
    zip
}
