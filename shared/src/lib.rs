//! The Partner Events domain: Azure Event Grid partner events as pure rules, use cases and the
//! ports they need. No AWS, Lambda, HTTP-server or database crate is a dependency here.
//!
//! # Layout
//! - `delivery`: batching, delivery requests, the messages for AWS targets (`aws_messages`),
//!   the signing headers, attempt outcomes and the retry schedule.
//! - `error`: the one error type, its kinds and stable codes.
//! - `filter`: event subscription filters: validation, compilation, per-topic matching.
//! - `ids`: ARM resource ids and Azure's naming rules.
//! - `ingest`: publisher authentication (keys, SAS tokens) and CloudEvents validation.
//! - `metrics`: operational metrics through the `metrics` facade: names, labels, buckets.
//! - `resource`: the ARM envelope (`id`, `name`, `type`, `properties`), tags, lists.
//! - `auth`: principals, API keys, the caller.
//! - `partners`: registrations, verified partners, partner configurations and their rules.
//! - `provisioning`: partner namespaces, channels and partner topics, activation and expiry;
//!   customer topics; `endpoint`: what namespaces and customer topics share (their keys).
//! - `ports`: the `Store`, `Queue`, `Webhooks`, `Targets` (AWS) and `Clock` traits, and the
//!   `Attempt` both delivery ports answer.
//! - `subscriptions`: event subscriptions, their destinations (`aws` for AWS services), delivery
//!   attribute mappings and signing secrets.
//! - `table`: where each item lives in the single table.
//! - `time_format`: RFC 3339 rendering for messages.
//! - `usecases`: what the functions call.
//!
//! Imports go one way, from what acts to what it acts on: `usecases` above everything else, and
//! nothing outside it imports a use case; `delivery` reads `subscriptions` (a subscription's
//! settings, its signing secrets included, know nothing of how deliveries are made);
//! `provisioning::endpoint` is below the namespaces and customer topics that implement it;
//! `ports::attempt` is below both delivery ports. No modules import each other in a circle,
//! files or top-level modules (`tests/layering` checks this and the use cases' direction).

pub mod auth;
pub mod delivery;
pub mod error;
pub mod filter;
pub mod ids;
pub mod ingest;
pub mod metrics;
pub mod partners;
pub mod ports;
pub mod provisioning;
pub mod resource;
pub mod subscriptions;
pub mod table;
pub mod time_format;
pub mod usecases;

pub use error::{Error, ErrorKind, Result};
