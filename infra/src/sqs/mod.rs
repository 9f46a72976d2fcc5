//! The SQS adapter of the `Queue` port, for the deployed functions.
//!
//! Limits it designs around: a SendMessageBatch carries at most 10 entries and 256 KiB of
//! bodies (the queue's MaximumMessageSize, so one body is at most 256 KiB); a delay is at most
//! 15 minutes (the domain re-enqueues to wait longer); delivery is at least once (a message may
//! come more than once, so consumers are idempotent); a message received too often moves to
//! the queue's dead-letter queue by its redrive policy.

mod batches;
mod create;
mod errors;
mod queue;

pub use queue::SqsQueue;
