//! Every adapter suite in one test binary (one link, one file on disk); each module is a suite.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

mod authorizations;
mod aws_targets;
mod delivery_latency;
mod delivery_log;
mod event_subscriptions;
mod held_events;
mod lambda_edge;
mod outbox;
mod provisioning;
mod queue_contract;
mod retry_after;
mod sqs_partial_failure;
mod ssrf_guard;
mod store_contract;
mod telemetry;
mod webhook_delivery;
mod webhook_handshake;
