//! Handlers: parse the request, call one use case, shape the response.

pub mod admin;
pub mod configurations;
pub mod registrations;
