//! The SQS adapter of the `Queue` port. Limits it designs around: 10 entries and 256 KiB per
//! SendMessageBatch, a 15-minute delay cap, at-least-once delivery (a message may come twice),
//! and a redrive policy that moves a message received too often to the queue's DLQ.

mod queue;

pub use queue::SqsQueue;
