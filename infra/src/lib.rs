//! Adapters for the Partner Events ports, and the wiring that chooses them.
//!
//! # Layout
//! - `embedded`: the data-directory adapters (redb) for local runs.
//! - `dynamo`: the DynamoDB single-table store.
//! - `sqs`: the SQS task queues.
//! - `aws_targets`: AWS services (SQS, SNS, EventBridge, Kinesis, Lambda, S3) as event handlers.
//! - `webhook`: subscribers' HTTP endpoints.
//! - `http`: the HTTP edge shared by every router: error mapping, JSON and caller extraction.
//! - `config` and `app`: configuration from the environment and the wiring of adapters.
//! - `lambda`: what the Lambda mains share (start-up, serving a router behind the stage).
//! - `telemetry`: tracing set-up (JSON on Lambda).
//! - `metrics`: the metrics recorders (Prometheus locally, CloudWatch EMF on Lambda).

pub mod aws_targets;
pub mod dynamo;
#[cfg(feature = "embedded")]
pub mod embedded;
pub mod http;
pub mod lambda;
pub mod metrics;
pub mod sqs;
pub mod telemetry;
pub mod webhook;

pub mod app;
pub mod config;

pub use app::App;
pub use config::Config;
