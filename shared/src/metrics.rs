//! The operational metrics, through the `metrics` facade: the wiring installs a recorder
//! (Prometheus text locally, CloudWatch EMF on Lambda); without one every call does nothing.
//! Names, label values and buckets live here. Use cases report in one call per request or
//! batch, on keys built once (no allocation per call), and no label names an event or a
//! subscription: per-subscription figures are in `deliveryStats`.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use metrics::{Counter, Histogram, Key, Label, Level, Metadata, Unit};
use time::OffsetDateTime;

use crate::delivery::outcome::{Outcome, classify, reason};
use crate::ports::Attempt;

/// Events accepted by a publish (counted once they are durably enqueued).
pub const EVENTS_PUBLISHED: &str = "partner_events_published_events_total";
/// Publish requests refused, by error `code`.
pub const PUBLISH_REFUSED: &str = "partner_events_publish_refused_total";
/// Events by the `outcome` of the attempt that carried them (Event Grid's outcome names).
pub const DELIVERIES: &str = "partner_events_deliveries_total";
/// Requests made to endpoints and AWS targets (a batch is one).
pub const ATTEMPTS: &str = "partner_events_delivery_attempts_total";
/// How long each attempt took, in seconds.
pub const ATTEMPT_DURATION: &str = "partner_events_delivery_attempt_duration_seconds";
/// From a batch's publish to its delivery, in seconds, once per delivered batch.
pub const DELIVERY_LATENCY: &str = "partner_events_delivery_latency_seconds";
/// Events dead-lettered, by `reason`.
pub const DEAD_LETTERS: &str = "partner_events_dead_lettered_events_total";
/// Messages on a `queue` (local server).
pub const QUEUE_MESSAGES: &str = "partner_events_queue_messages";
/// How long the longest-waiting due message of a `queue` has waited, in seconds.
pub const QUEUE_OLDEST_AGE: &str = "partner_events_queue_oldest_message_age_seconds";

/// Every outcome label value (`Outcome::name`).
pub const OUTCOMES: [&str; 13] = [
    "Delivered",
    "BadRequest",
    "Unauthorized",
    "Forbidden",
    "PayloadTooLarge",
    "NotFound",
    "TimedOut",
    "Busy",
    "Full",
    "Aborted",
    "SocketError",
    "ResolutionError",
    "Disabled",
];

/// Every dead-letter reason label value: a reason with a service's answer appended counts
/// under its reason; anything else is `Other`.
pub const REASONS: [&str; 10] = [
    reason::MAX_DELIVERY_ATTEMPTS,
    reason::TIME_TO_LIVE,
    reason::BAD_REQUEST,
    reason::CLIENT_ERROR,
    reason::ENDPOINT_GONE,
    reason::SUBSCRIPTION_DISABLED,
    reason::UNREADABLE_EVENT,
    reason::PARTNER_DESTINATION_NOT_FOUND,
    reason::PARTNER_DESTINATION_NOT_ACTIVATED,
    "Other",
];

/// The latency buckets' upper bounds in milliseconds, 1 ms to a day (also the buckets of
/// each subscription's latency in `deliveryStats`).
pub const LATENCY_BOUNDS_MS: [u64; 25] = [
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000,
    120_000, 300_000, 600_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000,
    86_400_000,
];

/// The attempt-duration buckets' upper bounds in seconds, up to the 30 s webhook timeout.
pub const ATTEMPT_BOUNDS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// [`LATENCY_BOUNDS_MS`] in seconds.
pub fn latency_bounds() -> Vec<f64> {
    LATENCY_BOUNDS_MS
        .iter()
        .map(|ms| *ms as f64 / 1000.0)
        .collect()
}

static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

static PUBLISHED_KEY: Key = Key::from_static_name(EVENTS_PUBLISHED);
static ATTEMPTS_KEY: Key = Key::from_static_name(ATTEMPTS);
static ATTEMPT_DURATION_KEY: Key = Key::from_static_name(ATTEMPT_DURATION);
static LATENCY_KEY: Key = Key::from_static_name(DELIVERY_LATENCY);
static DELIVERY_KEYS: LazyLock<Vec<Key>> =
    LazyLock::new(|| labelled(DELIVERIES, "outcome", &OUTCOMES));
static DEAD_LETTER_KEYS: LazyLock<Vec<Key>> =
    LazyLock::new(|| labelled(DEAD_LETTERS, "reason", &REASONS));

fn labelled(name: &'static str, label: &'static str, values: &[&'static str]) -> Vec<Key> {
    values
        .iter()
        .map(|value| Key::from_parts(name, vec![Label::from_static_parts(label, value)]))
        .collect()
}

fn counter(key: &Key) -> Counter {
    metrics::with_recorder(|r| r.register_counter(key, &METADATA))
}

fn histogram(key: &Key) -> Histogram {
    metrics::with_recorder(|r| r.register_histogram(key, &METADATA))
}

/// The most histogram values kept between two [`release_samples`] (0: every value goes to
/// the recorder at once). A recorder that holds only so many values per flush (CloudWatch EMF
/// holds 100 per metric and refuses the rest) gets an even sample of them instead.
static SAMPLE_SIZE: AtomicUsize = AtomicUsize::new(0);
/// The samples of the two histograms, latency and attempt duration.
static SAMPLES: [Mutex<Sample>; 2] = [Mutex::new(Sample::new()), Mutex::new(Sample::new())];

/// A uniform sample of the values offered since the last release (reservoir sampling).
struct Sample {
    seen: u64,
    values: Vec<f64>,
    random: u64,
}

impl Sample {
    const fn new() -> Self {
        Self {
            seen: 0,
            values: Vec::new(),
            random: 0x9E37_79B9_7F4A_7C15,
        }
    }

    fn offer(&mut self, value: f64, size: usize) {
        self.seen += 1;
        if self.values.len() < size {
            self.values.push(value);
            return;
        }
        self.random ^= self.random << 13;
        self.random ^= self.random >> 7;
        self.random ^= self.random << 17;
        let slot = (self.random % self.seen) as usize;
        if let Some(kept) = self.values.get_mut(slot) {
            *kept = value;
        }
    }
}

/// Keeps at most `size` values of each histogram until [`release_samples`] (for a recorder
/// that holds only so many per flush).
pub fn sample_histograms(size: usize) {
    SAMPLE_SIZE.store(size, Ordering::Relaxed);
}

/// Records the sampled values into the recorder and starts new samples (before a flush).
pub fn release_samples() {
    for (sample, key) in SAMPLES.iter().zip([&LATENCY_KEY, &ATTEMPT_DURATION_KEY]) {
        let values = {
            let mut sample = sample.lock().unwrap_or_else(|e| e.into_inner());
            sample.seen = 0;
            std::mem::take(&mut sample.values)
        };
        let histogram = histogram(key);
        for value in values {
            histogram.record(value);
        }
    }
}

/// Records `value` in histogram `which` (0 latency, 1 attempt duration), or in its sample.
fn observe(which: usize, key: &Key, value: f64) {
    match SAMPLE_SIZE.load(Ordering::Relaxed) {
        0 => histogram(key).record(value),
        size => SAMPLES[which]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .offer(value, size),
    }
}

/// Tells the installed recorder each metric's unit and meaning (once, after installing it).
pub fn describe() {
    metrics::describe_counter!(
        EVENTS_PUBLISHED,
        Unit::Count,
        "Events accepted by a publish."
    );
    metrics::describe_counter!(
        PUBLISH_REFUSED,
        Unit::Count,
        "Publish requests refused, by error code."
    );
    metrics::describe_counter!(
        DELIVERIES,
        Unit::Count,
        "Events by the outcome of the attempt that carried them."
    );
    metrics::describe_counter!(
        ATTEMPTS,
        Unit::Count,
        "Delivery requests made (a batch is one)."
    );
    metrics::describe_histogram!(
        ATTEMPT_DURATION,
        Unit::Seconds,
        "How long each delivery attempt took."
    );
    metrics::describe_histogram!(
        DELIVERY_LATENCY,
        Unit::Seconds,
        "From publish to delivery, per delivered batch."
    );
    metrics::describe_counter!(
        DEAD_LETTERS,
        Unit::Count,
        "Events dead-lettered, by reason."
    );
    metrics::describe_gauge!(QUEUE_MESSAGES, Unit::Count, "Messages on a queue.");
    metrics::describe_gauge!(
        QUEUE_OLDEST_AGE,
        Unit::Seconds,
        "How long the longest-waiting due message has waited."
    );
}

/// `events` were accepted by one publish.
pub fn published(events: usize) {
    counter(&PUBLISHED_KEY).increment(events as u64);
}

/// A publish request was refused with error `code`.
pub fn refused(code: &'static str) {
    let key = Key::from_parts(
        PUBLISH_REFUSED,
        vec![Label::from_static_parts("code", code)],
    );
    counter(&key).increment(1);
}

/// What one attempt's `answer` came to for its `events`: counted by outcome and, when
/// delivered, its latency from `published_at` to `now`.
pub fn settled(answer: &Attempt, events: usize, published_at: OffsetDateTime, now: OffsetDateTime) {
    let outcome = classify(answer);
    if let Some(key) = OUTCOMES
        .iter()
        .position(|name| *name == outcome.name())
        .and_then(|i| DELIVERY_KEYS.get(i))
    {
        counter(key).increment(events as u64);
    }
    if outcome == Outcome::Delivered {
        let latency = (now - published_at).as_seconds_f64().max(0.0);
        observe(0, &LATENCY_KEY, latency);
    }
}

/// `events` were dead-lettered for `why` (a reason, perhaps followed by a service's answer).
pub fn dead_lettered(why: &str, events: usize) {
    let index = REASONS
        .iter()
        .position(|r| {
            why == *r
                || why
                    .strip_prefix(r)
                    .is_some_and(|rest| rest.starts_with(':'))
        })
        .unwrap_or(REASONS.len() - 1);
    if let Some(key) = DEAD_LETTER_KEYS.get(index) {
        counter(key).increment(events as u64);
    }
}

/// What a delivery request answers: whether a request was made at all.
pub trait Sent {
    fn sent(&self) -> bool;
}

impl Sent for Attempt {
    fn sent(&self) -> bool {
        !matches!(self, Attempt::NotSent | Attempt::OverBudget)
    }
}

impl Sent for Vec<Attempt> {
    fn sent(&self) -> bool {
        self.iter().any(Sent::sent)
    }
}

/// Awaits one delivery `request`, counted as an attempt with its duration if it was sent.
pub async fn timed<T: Sent>(request: impl Future<Output = T>) -> T {
    let started = Instant::now();
    let answer = request.await;
    if answer.sent() {
        attempted(started.elapsed());
    }
    answer
}

fn attempted(took: Duration) {
    counter(&ATTEMPTS_KEY).increment(1);
    observe(1, &ATTEMPT_DURATION_KEY, took.as_secs_f64());
}

/// Sets a queue's gauges: its `messages` and the wait of its longest-waiting due message.
pub fn queue_depth(queue: &'static str, messages: u64, oldest: Duration) {
    let labels = [Label::from_static_parts("queue", queue)];
    let gauge = |name: &'static str| {
        let key = Key::from_parts(name, labels.to_vec());
        metrics::with_recorder(|r| r.register_gauge(&key, &METADATA))
    };
    gauge(QUEUE_MESSAGES).set(messages as f64);
    gauge(QUEUE_OLDEST_AGE).set(oldest.as_secs_f64());
}
