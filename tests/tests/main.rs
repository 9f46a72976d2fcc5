//! Every end-to-end suite in one test binary (one link, one file on disk); each module is a suite.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod authorization_flow;
mod aws_targets;
mod azure_sdk;
mod bad_input;
mod console;
mod console_browser;
mod custom_topics;
mod delivery;
mod delivery_control;
mod docs_links;
mod expiry;
mod ingest;
mod ingest_bad_input;
mod isolation;
mod listen;
mod metrics;
mod network_access;
mod partner_destinations;
mod platform_events;
mod provisioning;
mod publisher_codes;
mod read_your_writes;
mod restart;
mod retries;
mod serverless;
mod serverless_targets;
mod signing;
mod source_shape;
mod subscriptions;
mod template;
mod template_metrics;
mod template_targets;
mod tenancy;
mod trace_context;
