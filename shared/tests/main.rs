//! Every rule suite of the domain in one test binary (one link, one file on disk); each module
//! is a suite.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod aws_messages;
mod aws_targets;
mod channel_put;
mod cloudevents;
mod delivery;
mod delivery_plan;
mod delivery_request;
mod filter;
mod filter_properties;
mod filter_validation;
mod ids;
mod layering;
mod network_access;
mod partner_configuration;
mod partner_registration;
mod platform_events;
mod provisioning;
mod sas;
mod signing;
mod subscriptions;
mod trace_context;
