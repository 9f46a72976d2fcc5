//! What a benchmark fails with: any error, reported once by `main`.

/// Any error, with its message.
pub type Failure = Box<dyn std::error::Error + Send + Sync>;
