//! `WebHook-Allowed-Rate`: an endpoint that named a rate in the handshake gets at most that
//! many requests per minute from this process (a token bucket holding a minute's worth,
//! refilled continuously). Time is passed in.

use std::collections::HashMap;

use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: OffsetDateTime,
}

/// Token buckets by subscription.
#[derive(Debug, Default)]
pub struct RateLimits {
    buckets: HashMap<String, Bucket>,
}

impl RateLimits {
    /// Takes a request's token for `key` limited to `per_minute`: `None` when it may go now,
    /// else how long until it may.
    pub fn take(&mut self, key: &str, per_minute: u32, now: OffsetDateTime) -> Option<Duration> {
        let capacity = f64::from(per_minute.max(1));
        let per_second = capacity / 60.0;
        let bucket = self.buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let elapsed = (now - bucket.at).as_seconds_f64().max(0.0);
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            None
        } else {
            let wait = (1.0 - bucket.tokens) / per_second;
            Some(Duration::seconds_f64(wait.max(0.001)))
        }
    }
}
