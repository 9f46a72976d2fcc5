//! The AWS side of the serverless tests: the deployment's resources on the moto server the test
//! command starts, and a proxy in front of moto that counts every AWS API request by operation.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

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

/// A proxy in front of moto counting requests by operation (`DynamoDB.GetItem`,
/// `SQS.SendMessage`, `SNS.PublishBatch`, `Lambda.Invoke`, ...), from the `X-Amz-Target` header,
/// the query protocol's `Action` or the REST path, with the service from the signature's
/// credential scope; and SQS's billed requests (one per started 64 KB of request or response).
/// A test may also keep the bodies of an operation's requests, and make an operation answer
/// what it says ([`Injected`]) instead of moto, or after moto.
#[derive(Clone)]
pub struct CountingProxy {
    pub endpoint: String,
    state: Arc<ProxyState>,
}

struct ProxyState {
    upstream: String,
    client: reqwest::Client,
    counts: Mutex<BTreeMap<String, Count>>,
    injected: Mutex<BTreeMap<String, Injected>>,
    kept: Mutex<BTreeMap<String, Vec<Bytes>>>,
}

/// Requests of one operation, and the 64 KB chunks the larger of request and response took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub requests: usize,
    pub chunks: usize,
}

/// An answer an operation gets instead of moto's, until [`CountingProxy::clear`].
#[derive(Debug, Clone)]
pub struct Injected {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    /// Send the request on to moto first (its effect happens; its answer is lost).
    pub after_forwarding: bool,
}

impl Injected {
    /// An AWS JSON-protocol error (SQS, EventBridge, Kinesis, Lambda).
    pub fn error(status: u16, code: &str) -> Self {
        Self {
            status,
            headers: vec![
                ("content-type", "application/x-amz-json-1.0".into()),
                ("x-amzn-errortype", code.to_owned()),
                ("x-amzn-query-error", format!("{code};Sender")),
            ],
            body: format!("{{\"__type\":\"{code}\",\"message\":\"injected by the test\"}}"),
            after_forwarding: false,
        }
    }
}

impl CountingProxy {
    pub async fn start(upstream: String) -> Self {
        let state = Arc::new(ProxyState {
            upstream,
            client: reqwest::Client::new(),
            counts: Mutex::default(),
            injected: Mutex::default(),
            kept: Mutex::default(),
        });
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { endpoint, state }
    }

    /// The requests so far, by operation; and resets the counts.
    pub fn take(&self) -> BTreeMap<String, Count> {
        std::mem::take(&mut self.state.counts.lock().unwrap())
    }

    /// From now on `operation` answers `answer`.
    pub fn inject(&self, operation: &str, answer: Injected) {
        self.state
            .injected
            .lock()
            .unwrap()
            .insert(operation.to_owned(), answer);
    }

    /// `operation` goes to moto again.
    pub fn clear(&self, operation: &str) {
        self.state.injected.lock().unwrap().remove(operation);
    }

    /// From now on the bodies of `operation`'s requests are kept.
    pub fn keep(&self, operation: &str) {
        self.state
            .kept
            .lock()
            .unwrap()
            .entry(operation.to_owned())
            .or_default();
    }

    /// The kept bodies of `operation`'s requests so far.
    pub fn kept(&self, operation: &str) -> Vec<String> {
        self.state.kept.lock().unwrap()[operation]
            .iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect()
    }
}

/// The service a request is signed for: the credential scope of its `Authorization` header.
fn service_of(headers: &HeaderMap) -> String {
    let scope = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|a| a.to_str().ok())
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split('/').nth(3))
        .unwrap_or_default();
    match scope {
        "sqs" => "SQS",
        "sns" => "SNS",
        "sts" => "STS",
        "s3" => "S3",
        "lambda" => "Lambda",
        "kinesis" => "Kinesis",
        "events" => "EventBridge",
        "dynamodb" => "DynamoDB",
        "secretsmanager" => "SecretsManager",
        "iam" => "IAM",
        other => other,
    }
    .to_owned()
}

fn operation_of(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> String {
    let service = service_of(headers);
    if let Some(target) = headers.get("x-amz-target").and_then(|t| t.to_str().ok()) {
        let op = target.split_once('.').map_or(target, |(_, op)| op);
        let service = match service.as_str() {
            "" => "SQS".to_owned(),
            s => s.to_owned(),
        };
        return format!("{service}.{op}");
    }
    if let Some((_, action)) = url::form_urlencoded::parse(body).find(|(k, _)| k == "Action") {
        let service = match service.as_str() {
            "" => "SQS".to_owned(),
            s => s.to_owned(),
        };
        return format!("{service}.{action}");
    }
    match (service.as_str(), method.as_str()) {
        ("Lambda", "POST") if uri.path().ends_with("/invocations") => "Lambda.Invoke".into(),
        ("S3", "PUT") if uri.path().trim_matches('/').contains('/') => "S3.PutObject".into(),
        _ => format!("{method} {}", uri.path()),
    }
}

async fn forward(
    State(state): State<Arc<ProxyState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let operation = operation_of(&method, &uri, &headers, &body);
    if let Some(kept) = state.kept.lock().unwrap().get_mut(&operation) {
        kept.push(body.clone());
    }
    let injected = state.injected.lock().unwrap().get(&operation).cloned();
    let sent = body.len();
    let count = |received: usize| {
        let mut counts = state.counts.lock().unwrap();
        let count = counts.entry(operation.clone()).or_default();
        count.requests += 1;
        count.chunks += sent.max(received).div_ceil(64 * 1024).max(1);
    };
    if let Some(answer) = injected.as_ref().filter(|i| !i.after_forwarding) {
        count(answer.body.len());
        return injected_response(answer);
    }
    let mut request = state
        .client
        .request(method, format!("{}{uri}", state.upstream))
        .body(body);
    for (name, value) in &headers {
        if name != axum::http::header::HOST {
            request = request.header(name, value);
        }
    }
    let answer = match request.send().await {
        Ok(answer) => answer,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let status = answer.status();
    let mut out = HeaderMap::new();
    for (name, value) in answer.headers() {
        if name != axum::http::header::TRANSFER_ENCODING
            && name != axum::http::header::CONTENT_LENGTH
        {
            out.append(name, value.clone());
        }
    }
    let body = answer.bytes().await.unwrap_or_default();
    count(body.len());
    if let Some(answer) = &injected {
        return injected_response(answer);
    }
    (status, out, body).into_response()
}

fn injected_response(answer: &Injected) -> Response {
    let mut response = (
        StatusCode::from_u16(answer.status).unwrap(),
        answer.body.clone(),
    )
        .into_response();
    for (name, value) in &answer.headers {
        response.headers_mut().insert(*name, value.parse().unwrap());
    }
    response
}
