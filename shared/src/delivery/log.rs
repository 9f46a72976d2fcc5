//! The delivery log: one entry per attempt of each event (its number, when, the outcome, the
//! status, how long it took, the start of a failed answer's body, and what followed), kept in
//! a compact stored form and shown in Event Grid's names.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// How much of a failed attempt's answer body an entry keeps.
pub const BODY_EXCERPT_BYTES: usize = 1024;

/// What followed an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Followed {
    Delivered,
    /// Queued for another attempt at this time.
    RetryAt(OffsetDateTime),
    /// Dead-lettered, for this reason.
    DeadLettered(String),
}

/// One attempt of one event, as stored: short names, since the log is written per delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The event's `id` (shared with the other entries of the event).
    #[serde(rename = "e")]
    pub event_id: std::sync::Arc<str>,
    /// The attempt's number, 1 first.
    #[serde(rename = "n")]
    pub delivery_count: u32,
    /// When the attempt ended, Unix milliseconds.
    #[serde(rename = "t")]
    pub at_ms: i64,
    /// Event Grid's outcome name; absent for `Delivered`.
    #[serde(rename = "o", default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// The HTTP (or AWS service) status, 0 when there was no answer.
    #[serde(rename = "s")]
    pub status: u16,
    #[serde(rename = "d")]
    pub duration_ms: u64,
    /// The start of a failed answer's body.
    #[serde(rename = "b", default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The retry's due time, Unix milliseconds.
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub retry_at_ms: Option<i64>,
    /// The dead-letter reason.
    #[serde(rename = "x", default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_reason: Option<String>,
}

impl Entry {
    /// When the attempt ended.
    pub fn at(&self) -> OffsetDateTime {
        from_ms(self.at_ms)
    }

    /// What followed the attempt.
    pub fn followed(&self) -> Followed {
        match (&self.dead_letter_reason, self.retry_at_ms) {
            (Some(reason), _) => Followed::DeadLettered(reason.clone()),
            (None, Some(at)) => Followed::RetryAt(from_ms(at)),
            (None, None) => Followed::Delivered,
        }
    }

    /// The entry as `deliveryAttempts` lists it.
    pub fn view(&self) -> View<'_> {
        let (result, retry_at_utc, dead_letter_reason) = match self.followed() {
            Followed::Delivered => ("Delivered", None, None),
            Followed::RetryAt(at) => ("RetryScheduled", Some(at), None),
            Followed::DeadLettered(_) => ("DeadLettered", None, self.dead_letter_reason.as_deref()),
        };
        View {
            event_id: &self.event_id,
            delivery_count: self.delivery_count,
            time_utc: self.at(),
            outcome: self.outcome.as_deref().unwrap_or("Delivered"),
            http_status_code: self.status,
            duration_ms: self.duration_ms,
            response_body: self.body.as_deref(),
            result,
            retry_at_utc,
            dead_letter_reason,
        }
    }
}

/// One attempt as `GET .../deliveryAttempts` shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct View<'a> {
    pub event_id: &'a str,
    pub delivery_count: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub time_utc: OffsetDateTime,
    pub outcome: &'a str,
    pub http_status_code: u16,
    pub duration_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_body: Option<&'a str>,
    /// `Delivered`, `RetryScheduled` or `DeadLettered`.
    pub result: &'static str,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub retry_at_utc: Option<OffsetDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_letter_reason: Option<&'a str>,
}

/// The first [`BODY_EXCERPT_BYTES`] of `body` as text (cut at a character boundary), or
/// `None` when it is empty.
pub fn excerpt(body: &[u8]) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(BODY_EXCERPT_BYTES)]);
    let mut end = text.len().min(BODY_EXCERPT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Some(text[..end].to_owned())
}

/// The `id` of an event's JSON text (empty when it has none).
pub fn event_id(event: &str) -> std::sync::Arc<str> {
    #[derive(Deserialize)]
    struct Id<'a> {
        #[serde(borrow, default)]
        id: Option<std::borrow::Cow<'a, str>>,
    }
    serde_json::from_str::<Id>(event)
        .ok()
        .and_then(|i| i.id)
        .map(|id| std::sync::Arc::from(id.as_ref()))
        .unwrap_or_else(|| std::sync::Arc::from(""))
}

/// `at` as Unix milliseconds.
pub fn ms(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000).clamp(0, i128::from(i64::MAX)) as i64
}

fn from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
