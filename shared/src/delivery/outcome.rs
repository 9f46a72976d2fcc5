//! What one delivery attempt came to, as Event Grid names it, and what happens next: a pure
//! function of the attempts made, the outcome, the retry policy, the times and a jitter draw.
//!
//! | answer | `lastDeliveryOutcome` | next |
//! |---|---|---|
//! | 200–204 | — | delivered |
//! | 400 | `BadRequest` | dead-letter at once (`UndeliverableDueToHttpBadRequest`) |
//! | 401 / 403 / 413 | `Unauthorized` / `Forbidden` / `PayloadTooLarge` | dead-letter at once (`UndeliverableDueToClientError`) |
//! | 410 | `NotFound` | dead-letter at once (`EndpointGone`) and disable the subscription |
//! | 429 / 503 | `Busy` | retry, `Retry-After` as a floor |
//! | 404 | `NotFound` | retry |
//! | 408, timeout (30 s) | `TimedOut` | retry |
//! | 507 | `Full` | retry |
//! | any other status | `Aborted` | retry |
//! | connection refused or reset, TLS failure | `SocketError` | retry |
//! | DNS failure, address not allowed | `ResolutionError` | retry |
//!
//! An AWS target's answer per message:
//!
//! | answer | `lastDeliveryOutcome` | next |
//! |---|---|---|
//! | taken | — | delivered |
//! | throttled | `Busy` | retry |
//! | 5xx, timeout, no connection, a Lambda function error | `Aborted` | retry |
//! | access denied | `Forbidden` | dead-letter at once (`UndeliverableDueToClientError: <code>: <message>`) |
//! | the target does not exist | `NotFound` | dead-letter at once (likewise) |
//! | a message the target cannot carry | `BadRequest` | dead-letter at once (likewise) |
//!
//! Retries follow [`SCHEDULE`] (then every 12 h), each delay scaled by 0.9–1.1 with the jitter
//! draw, until `maxDeliveryAttempts` attempts were made (`MaxDeliveryAttemptsExceeded`) or the
//! next attempt would fall after the event's time to live (`TimeToLiveExceeded`, decided at
//! once rather than at the deadline).

use time::{Duration, OffsetDateTime};

use crate::ports::{Attempt, Fault};
use crate::subscriptions::RetryPolicy;

/// The waits before the 2nd, 3rd, … attempt; after the last, every 12 hours.
pub const SCHEDULE: [Duration; 9] = [
    Duration::seconds(10),
    Duration::seconds(30),
    Duration::minutes(1),
    Duration::minutes(5),
    Duration::minutes(10),
    Duration::minutes(30),
    Duration::hours(1),
    Duration::hours(3),
    Duration::hours(6),
];
/// The wait between attempts once [`SCHEDULE`] is used up.
pub const LATER: Duration = Duration::hours(12);

/// Dead-letter reasons (`deadletterreason`).
pub mod reason {
    pub const MAX_DELIVERY_ATTEMPTS: &str = "MaxDeliveryAttemptsExceeded";
    pub const TIME_TO_LIVE: &str = "TimeToLiveExceeded";
    pub const BAD_REQUEST: &str = "UndeliverableDueToHttpBadRequest";
    pub const CLIENT_ERROR: &str = "UndeliverableDueToClientError";
    pub const ENDPOINT_GONE: &str = "EndpointGone";
    pub const SUBSCRIPTION_DISABLED: &str = "SubscriptionDisabled";
    /// The fan-out could not read the event as JSON, so could not match it (ours).
    pub const UNREADABLE_EVENT: &str = "UnreadableEvent";
    /// The partner destination delivered to does not exist, or has expired (ours).
    pub const PARTNER_DESTINATION_NOT_FOUND: &str = "PartnerDestinationNotFound";
    /// The partner destination delivered to is not activated (ours).
    pub const PARTNER_DESTINATION_NOT_ACTIVATED: &str = "PartnerDestinationNotActivated";
}

/// An attempt's outcome, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    BadRequest,
    Unauthorized,
    Forbidden,
    PayloadTooLarge,
    /// 410: the endpoint is gone for good.
    Gone,
    NotFound,
    TimedOut,
    Busy,
    Full,
    Aborted,
    SocketError,
    ResolutionError,
    /// Not attempted: the subscription is disabled.
    Disabled,
}

impl Outcome {
    /// Event Grid's `lastDeliveryOutcome` name.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Delivered => "Delivered",
            Outcome::BadRequest => "BadRequest",
            Outcome::Unauthorized => "Unauthorized",
            Outcome::Forbidden => "Forbidden",
            Outcome::PayloadTooLarge => "PayloadTooLarge",
            Outcome::Gone | Outcome::NotFound => "NotFound",
            Outcome::TimedOut => "TimedOut",
            Outcome::Busy => "Busy",
            Outcome::Full => "Full",
            Outcome::Aborted => "Aborted",
            Outcome::SocketError => "SocketError",
            Outcome::ResolutionError => "ResolutionError",
            Outcome::Disabled => "Disabled",
        }
    }
}

/// Classifies what the endpoint answered (or why it did not).
pub fn classify(attempt: &Attempt) -> Outcome {
    match attempt {
        Attempt::Answered { status, .. } => match status {
            200..=204 => Outcome::Delivered,
            400 => Outcome::BadRequest,
            401 => Outcome::Unauthorized,
            403 => Outcome::Forbidden,
            404 => Outcome::NotFound,
            408 => Outcome::TimedOut,
            410 => Outcome::Gone,
            413 => Outcome::PayloadTooLarge,
            429 | 503 => Outcome::Busy,
            507 => Outcome::Full,
            _ => Outcome::Aborted,
        },
        Attempt::TimedOut => Outcome::TimedOut,
        Attempt::SocketError(_) => Outcome::SocketError,
        Attempt::ResolutionError(_) => Outcome::ResolutionError,
        Attempt::NotSent | Attempt::OverBudget => Outcome::Busy,
        Attempt::Service(e) => match e.fault {
            Fault::Throttled => Outcome::Busy,
            Fault::Unavailable => Outcome::Aborted,
            Fault::Denied => Outcome::Forbidden,
            Fault::Missing => Outcome::NotFound,
            Fault::Unfit => Outcome::BadRequest,
        },
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Delivered,
    /// Try again at this time.
    Retry {
        at: OffsetDateTime,
    },
    /// Give up and keep the events as dead letters with this reason.
    DeadLetter {
        reason: &'static str,
    },
    /// Dead-letter and disable the subscription (410).
    DeadLetterAndDisable,
}

/// The wait after the `failures`-th failed attempt (1-based), before jitter.
pub fn base_delay(failures: u32) -> Duration {
    let index = failures.saturating_sub(1) as usize;
    SCHEDULE.get(index).copied().unwrap_or(LATER)
}

/// The wait after the `failures`-th failure with `jitter` in [0, 1): the base delay scaled by
/// 0.9 to 1.1.
pub fn delay(failures: u32, jitter: f64) -> Duration {
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.5
    };
    base_delay(failures) * (0.9 + 0.2 * jitter)
}

/// The dead-letter reason a decision gives after `attempt`: an AWS service's error code and
/// message follow the reason, so it says what the service answered.
pub fn reason_after(reason: &str, attempt: &Attempt) -> String {
    match attempt {
        Attempt::Service(e) => {
            let message: String = e.message.chars().take(200).collect();
            match message.is_empty() {
                true => format!("{reason}: {}", e.code),
                false => format!("{reason}: {}: {message}", e.code),
            }
        }
        _ => reason.to_owned(),
    }
}

/// Decides what follows an attempt: `attempts` counts the attempts made, this one included;
/// `since` is when the event's time to live started (its publish, or its redelivery).
pub fn decide(
    attempts: u32,
    attempt: &Attempt,
    policy: &RetryPolicy,
    since: OffsetDateTime,
    now: OffsetDateTime,
    jitter: f64,
) -> Decision {
    let outcome = classify(attempt);
    if let Attempt::Service(e) = attempt
        && matches!(e.fault, Fault::Denied | Fault::Missing | Fault::Unfit)
    {
        return Decision::DeadLetter {
            reason: reason::CLIENT_ERROR,
        };
    }
    match outcome {
        Outcome::Delivered => return Decision::Delivered,
        Outcome::BadRequest => {
            return Decision::DeadLetter {
                reason: reason::BAD_REQUEST,
            };
        }
        Outcome::Unauthorized | Outcome::Forbidden | Outcome::PayloadTooLarge => {
            return Decision::DeadLetter {
                reason: reason::CLIENT_ERROR,
            };
        }
        Outcome::Gone => return Decision::DeadLetterAndDisable,
        Outcome::Disabled => {
            return Decision::DeadLetter {
                reason: reason::SUBSCRIPTION_DISABLED,
            };
        }
        _ => {}
    }
    if i64::from(attempts) >= policy.max_delivery_attempts {
        return Decision::DeadLetter {
            reason: reason::MAX_DELIVERY_ATTEMPTS,
        };
    }
    let mut wait = delay(attempts, jitter);
    if let Attempt::Answered {
        retry_after: Some(floor),
        ..
    } = attempt
        && outcome == Outcome::Busy
    {
        let floor = Duration::try_from(*floor).unwrap_or(Duration::MAX);
        wait = wait.max(floor);
    }
    let deadline = since + Duration::minutes(policy.event_time_to_live_in_minutes);
    match now.checked_add(wait) {
        Some(at) if at <= deadline => Decision::Retry { at },
        _ => Decision::DeadLetter {
            reason: reason::TIME_TO_LIVE,
        },
    }
}

/// How long a task due at `due` should still wait when received at `now`: `None` when it is
/// due, else the wait, capped at `cap` (the queue's longest delay; a task due later is sent
/// again with the capped delay and waits again when it comes back).
pub fn remaining_wait(
    due: OffsetDateTime,
    now: OffsetDateTime,
    cap: std::time::Duration,
) -> Option<std::time::Duration> {
    let left = due - now;
    if left <= Duration::ZERO {
        return None;
    }
    let left = std::time::Duration::try_from(left).unwrap_or(cap);
    Some(left.min(cap))
}
