//! The serverless deployment on one machine: every function binary under its own Runtime API,
//! the HTTP API in front of the HTTP functions, SQS polled as Lambda's event source mapping
//! does, and DynamoDB, SQS and Secrets Manager on moto behind a request-counting proxy.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde_json::{Value, json};

use crate::aws::{Count, CountingProxy, Deployment, moto};
use crate::gateway::Gateway;
use crate::lambda::{FUNCTIONS, Function, binaries};
use crate::{ActiveTopic, Client, OPERATOR_KEY, Publisher};

pub struct Stack {
    pub deployment: Deployment,
    pub proxy: CountingProxy,
    pub gateway: Gateway,
    /// The ingest function's function URL (the template's `IngestFunctionUrl`).
    pub function_url: Gateway,
    pub functions: HashMap<&'static str, Function>,
    pub operator: Client,
    /// The functions' environment and where their binaries are, to start more instances.
    pub env: Vec<(&'static str, String)>,
    pub binaries: std::path::PathBuf,
}

/// What one SQS poll did: the event the function got and its answer.
pub struct Poll {
    pub event: Value,
    pub answer: Value,
    pub took: Duration,
}

impl Stack {
    /// Starts the functions built in `profile` on a fresh deployment, the API on `stage`.
    pub async fn start(profile: &str, stage: &str) -> Self {
        let proxy = CountingProxy::start(moto()).await;
        let deployment = Deployment::create(&proxy.endpoint, OPERATOR_KEY, 3).await;
        let env = deployment.environment(&proxy.endpoint, stage);
        let dir = binaries(profile);
        let mut functions = HashMap::new();
        for (name, memory) in FUNCTIONS {
            functions.insert(name, Function::start(&dir.join(name), memory, &env).await);
        }
        let http = ["authorizations", "provisioning", "ingest", "console"]
            .into_iter()
            .map(|name| (name, functions[name].runtime.clone()))
            .collect();
        let gateway = Gateway::start(http, stage).await;
        let function_url = Gateway::function_url(functions["ingest"].runtime.clone()).await;
        let operator = Client::new(&gateway.base, OPERATOR_KEY);
        Self {
            deployment,
            proxy,
            gateway,
            function_url,
            functions,
            operator,
            env,
            binaries: dir,
        }
    }

    /// One poll of `queue` as Lambda's event source mapping does it: receive up to 10
    /// messages (waiting up to `wait_seconds`), invoke the fan-out function with them, delete
    /// all but the batch item failures. `None` when nothing was received.
    pub async fn poll(&self, queue: &str, wait_seconds: i32, extra: &[Value]) -> Option<Poll> {
        self.poll_with(&self.functions["fanout"], queue, wait_seconds, extra)
            .await
    }

    /// [`Stack::poll`] invoking `fanout`, one instance of the fan-out function.
    pub async fn poll_with(
        &self,
        fanout: &Function,
        queue: &str,
        wait_seconds: i32,
        extra: &[Value],
    ) -> Option<Poll> {
        let mut event = self.deployment.receive_event(queue, wait_seconds).await;
        let records = event["Records"].as_array_mut().unwrap();
        if records.is_empty() && extra.is_empty() {
            return None;
        }
        records.extend(extra.iter().cloned());
        let (answer, took) = fanout.runtime.invoke_timed(event.clone()).await;
        let answer = answer.unwrap_or_else(|e| panic!("the fan-out function failed: {e}"));
        self.deployment.settle(queue, &event, &answer).await;
        Some(Poll {
            event,
            answer,
            took,
        })
    }

    /// Polls `queue` until a receive comes back empty; the polls made.
    pub async fn drain(&self, queue: &str) -> Vec<Poll> {
        self.drain_by(queue, 10).await
    }

    /// [`Stack::drain`] handing the function at most `records` records per invocation.
    pub async fn drain_by(&self, queue: &str, records: usize) -> Vec<Poll> {
        let mut polls = Vec::new();
        loop {
            let event = self.deployment.receive_event_of(queue, 0, records).await;
            if event["Records"].as_array().is_none_or(Vec::is_empty) {
                return polls;
            }
            let (answer, took) = self.functions["fanout"]
                .runtime
                .invoke_timed(event.clone())
                .await;
            let answer = answer.unwrap_or_else(|e| panic!("the fan-out function failed: {e}"));
            self.deployment.settle(queue, &event, &answer).await;
            polls.push(Poll {
                event,
                answer,
                took,
            });
        }
    }

    /// The publish URL of `namespace` through this stack's API.
    pub fn publish_url(&self, namespace_endpoint: &str) -> String {
        self.publish_url_via(Ingress::HttpApi, namespace_endpoint)
    }

    /// The publish URL of `namespace` through `ingress`.
    pub fn publish_url_via(&self, ingress: Ingress, namespace_endpoint: &str) -> String {
        let path = &namespace_endpoint[namespace_endpoint.find("/partnerNamespaces/").unwrap()..];
        let base = match ingress {
            Ingress::HttpApi => &self.gateway.base,
            Ingress::FunctionUrl => &self.function_url.base,
        };
        format!("{base}{path}")
    }

    /// An [`ActiveTopic`] set up through this stack's API and published to through it.
    pub async fn active_topic(&self) -> ActiveTopic {
        self.active_topic_via(Ingress::HttpApi).await
    }

    /// An [`ActiveTopic`] set up through this stack's API and published to through `ingress`.
    pub async fn active_topic_via(&self, ingress: Ingress) -> ActiveTopic {
        let mut topic = ActiveTopic::with_operator(&self.operator).await;
        topic.publisher = Publisher::new(&self.publish_url_via(ingress, &topic.publisher.url));
        topic
    }

    /// A new instance of function `name` (a cold start).
    pub async fn cold_start(&self, name: &str) -> Function {
        let memory = FUNCTIONS.iter().find(|(n, _)| *n == name).unwrap().1;
        Function::start(&self.binaries.join(name), memory, &self.env).await
    }

    /// A sorted count of AWS API requests since the last call.
    pub fn requests(&self) -> BTreeMap<String, Count> {
        self.proxy.take()
    }
}

/// The ids of the records a fan-out answer reports as batch item failures.
pub fn batch_item_failures(answer: &Value) -> Vec<String> {
    answer["batchItemFailures"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["itemIdentifier"].as_str().map(str::to_owned))
        .collect()
}

/// An SQS record (the fixture's shape) with this body that no queue holds.
pub fn record(id: &str, body: &str) -> Value {
    let fixture: Value = serde_json::from_str(include_str!("../fixtures/sqs-event.json")).unwrap();
    let mut record = fixture["Records"][0].clone();
    record["messageId"] = json!(id);
    record["body"] = json!(body);
    record
}

/// What delivering a load through the stack cost in AWS requests and Lambda time.
pub struct Measurement {
    pub events: usize,
    pub deliveries: usize,
    /// HTTP API requests (the publishes).
    pub api_requests: usize,
    /// AWS API requests by operation: the functions' SDK calls and the SQS poller's.
    pub requests: BTreeMap<String, Count>,
    /// Each invocation's duration, by function.
    pub invocations: BTreeMap<&'static str, Vec<Duration>>,
}

impl Measurement {
    pub fn aws_requests(&self) -> usize {
        self.requests.values().map(|c| c.requests).sum()
    }

    pub fn requests_per_delivery(&self) -> f64 {
        self.aws_requests() as f64 / self.deliveries as f64
    }
}

/// Where publishers send their requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingress {
    /// The HTTP API (billed per request).
    HttpApi,
    /// The ingest function's URL (no charge beyond the invocation).
    FunctionUrl,
}

/// How a load reaches the functions.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Events per publish request.
    pub events_per_publish: usize,
    /// Records the event source mapping hands one fan-out invocation at most: 10 when messages
    /// wait on the queue (or a batching window gathers them), 1 when each is polled as it
    /// arrives.
    pub records_per_invocation: usize,
    pub ingress: Ingress,
}

impl Shape {
    /// Batches of 100 events through the HTTP API, fanned out in invocations of 10 records.
    pub const PREFILLED: Shape = Shape {
        events_per_publish: 100,
        records_per_invocation: 10,
        ingress: Ingress::HttpApi,
    };
}

/// Publishes `publishes` batches of 1 KB events to a topic with `subscriptions` webhooks
/// answering by `plan`, and delivers them all (debug binaries), as [`Shape::PREFILLED`].
pub async fn measure(
    subscriptions: usize,
    publishes: usize,
    plan: crate::receiver::Plan,
) -> Measurement {
    measure_on(
        &Stack::start("debug", "$default").await,
        subscriptions,
        publishes,
        plan,
        Shape::PREFILLED,
    )
    .await
}

/// [`measure`] on a running stack, in `shape`.
pub async fn measure_on(
    stack: &Stack,
    subscriptions: usize,
    publishes: usize,
    plan: crate::receiver::Plan,
    shape: Shape,
) -> Measurement {
    let receiver = crate::receiver::Receiver::start().await;
    let topic = stack.active_topic_via(shape.ingress).await;
    for i in 0..subscriptions {
        let name = format!("sub-{i}");
        receiver.plan(&name, plan.clone());
        topic.subscribe_receiver(&receiver, &name).await;
    }
    stack.drain(&stack.deployment.fanout_queue).await;
    stack.requests();
    for function in stack.functions.values() {
        function.runtime.take_durations();
    }
    let padding = "x".repeat(900);
    for b in 0..publishes {
        let events: Vec<Value> = (0..shape.events_per_publish)
            .map(|i| {
                crate::order_event(
                    &format!("e{b}-{i}"),
                    "Orders.Created",
                    json!({"pad": padding}),
                )
            })
            .collect();
        topic.publish(&json!(events)).await;
    }
    stack
        .drain_by(&stack.deployment.fanout_queue, shape.records_per_invocation)
        .await;
    let requests = stack.requests();
    let deliveries = (0..subscriptions)
        .map(|i| {
            receiver
                .deliveries(&format!("sub-{i}"))
                .iter()
                .filter(|d| d.answered == 200)
                .map(|d| d.events().len())
                .sum::<usize>()
        })
        .sum();
    let invocations = stack
        .functions
        .iter()
        .map(|(name, f)| (*name, f.runtime.take_durations()))
        .filter(|(_, d)| !d.is_empty())
        .collect();
    Measurement {
        events: publishes * shape.events_per_publish,
        deliveries,
        api_requests: if shape.ingress == Ingress::HttpApi {
            publishes
        } else {
            0
        },
        requests,
        invocations,
    }
}
