//! The Partner Events domain: Azure Event Grid partner events as pure rules, use cases and the
//! ports they need. No AWS, Lambda, HTTP-server or database crate is a dependency here.
//!
//! # Layout
//! - `delivery`: batching, delivery requests, attempt outcomes and the retry schedule.
//! - `error`: the one error type, its kinds and stable codes.
//! - `filter`: event subscription filters: validation, compilation, per-topic matching.
//! - `ids`: ARM resource ids and Azure's naming rules.
//! - `ingest`: publisher authentication (keys, SAS tokens) and CloudEvents validation.
//! - `metrics`: operational metrics through the `metrics` facade: names, labels, buckets.
//! - `resource`: the ARM envelope (`id`, `name`, `type`, `properties`), tags, lists.
//! - `auth`: principals, API keys, the caller.
//! - `partners`: registrations, verified partners, partner configurations and their rules.
//! - `provisioning`: partner namespaces, channels and partner topics, activation and expiry.
//! - `ports`: the `Store`, `Queue`, `Webhooks` and `Clock` traits.
//! - `subscriptions`: event subscriptions, their destinations and settings.
//! - `table`: where each item lives in the single table.
//! - `usecases`: what the functions call.

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
