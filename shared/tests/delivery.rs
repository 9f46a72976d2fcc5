//! The delivery rules: outcomes, the retry schedule with jitter, time to live against attempts,
//! Retry-After floors and the 15-minute re-enqueue.

use std::time::Duration as StdDuration;

use shared::delivery::outcome::{
    Decision, Outcome, base_delay, classify, decide, delay, reason, remaining_wait,
};
use shared::ports::{Attempt, MAX_DELAY};
use shared::subscriptions::RetryPolicy;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2026-11-24 10:00:00 UTC);

fn status(code: u16) -> Attempt {
    Attempt::answered(code)
}

fn policy(attempts: i64, ttl_minutes: i64) -> RetryPolicy {
    RetryPolicy {
        max_delivery_attempts: attempts,
        event_time_to_live_in_minutes: ttl_minutes,
    }
}

#[test]
fn every_answer_is_classified_as_event_grid_names_it() {
    let cases = [
        (status(200), Outcome::Delivered, "Delivered"),
        (status(201), Outcome::Delivered, "Delivered"),
        (status(202), Outcome::Delivered, "Delivered"),
        (status(203), Outcome::Delivered, "Delivered"),
        (status(204), Outcome::Delivered, "Delivered"),
        (status(205), Outcome::Aborted, "Aborted"),
        (status(302), Outcome::Aborted, "Aborted"),
        (status(400), Outcome::BadRequest, "BadRequest"),
        (status(401), Outcome::Unauthorized, "Unauthorized"),
        (status(403), Outcome::Forbidden, "Forbidden"),
        (status(404), Outcome::NotFound, "NotFound"),
        (status(408), Outcome::TimedOut, "TimedOut"),
        (status(410), Outcome::Gone, "NotFound"),
        (status(413), Outcome::PayloadTooLarge, "PayloadTooLarge"),
        (status(429), Outcome::Busy, "Busy"),
        (status(500), Outcome::Aborted, "Aborted"),
        (status(503), Outcome::Busy, "Busy"),
        (status(507), Outcome::Full, "Full"),
        (Attempt::TimedOut, Outcome::TimedOut, "TimedOut"),
        (
            Attempt::SocketError("refused".into()),
            Outcome::SocketError,
            "SocketError",
        ),
        (
            Attempt::ResolutionError("no such host".into()),
            Outcome::ResolutionError,
            "ResolutionError",
        ),
    ];
    for (attempt, outcome, name) in cases {
        assert_eq!(classify(&attempt), outcome, "{attempt:?}");
        assert_eq!(classify(&attempt).name(), name, "{attempt:?}");
    }
}

#[test]
fn success_codes_are_delivered_and_client_errors_dead_letter_at_once() {
    let p = policy(30, 1440);
    for code in 200..=204 {
        assert_eq!(
            decide(1, &status(code), &p, T0, T0, 0.5),
            Decision::Delivered
        );
    }
    let at_once = [
        (400, reason::BAD_REQUEST),
        (401, reason::CLIENT_ERROR),
        (403, reason::CLIENT_ERROR),
        (413, reason::CLIENT_ERROR),
    ];
    for (code, why) in at_once {
        assert_eq!(
            decide(1, &status(code), &p, T0, T0, 0.5),
            Decision::DeadLetter { reason: why },
            "{code}"
        );
    }
    assert_eq!(
        decide(1, &status(410), &p, T0, T0, 0.5),
        Decision::DeadLetterAndDisable
    );
}

#[test]
fn retryable_failures_wait_on_event_grids_schedule() {
    let expected = [
        Duration::seconds(10),
        Duration::seconds(30),
        Duration::minutes(1),
        Duration::minutes(5),
        Duration::minutes(10),
        Duration::minutes(30),
        Duration::hours(1),
        Duration::hours(3),
        Duration::hours(6),
        Duration::hours(12),
        Duration::hours(12),
    ];
    for (i, wait) in expected.iter().enumerate() {
        assert_eq!(base_delay(i as u32 + 1), *wait, "after failure {}", i + 1);
    }
    let p = policy(30, 1440);
    for code in [404, 408, 409, 500, 502, 504, 507] {
        assert_eq!(
            decide(1, &status(code), &p, T0, T0, 0.5),
            Decision::Retry {
                at: T0 + Duration::seconds(10)
            },
            "{code}"
        );
    }
    for failure in [
        Attempt::TimedOut,
        Attempt::SocketError("reset".into()),
        Attempt::ResolutionError("nxdomain".into()),
    ] {
        assert_eq!(
            decide(3, &failure, &p, T0, T0, 0.5),
            Decision::Retry {
                at: T0 + Duration::minutes(1)
            }
        );
    }
}

#[test]
fn jitter_spreads_each_wait_by_ten_percent_either_way() {
    assert_eq!(delay(1, 0.0), Duration::seconds(9));
    assert_eq!(delay(1, 0.5), Duration::seconds(10));
    assert_eq!(delay(1, 1.0), Duration::seconds(11));
    assert_eq!(delay(4, 0.25), Duration::seconds(285));
    assert_eq!(delay(1, f64::NAN), Duration::seconds(10));
    assert_eq!(delay(1, 7.0), Duration::seconds(11));
}

#[test]
fn attempts_run_out_at_max_delivery_attempts() {
    let p = policy(3, 1440);
    assert!(matches!(
        decide(2, &status(500), &p, T0, T0, 0.5),
        Decision::Retry { .. }
    ));
    assert_eq!(
        decide(3, &status(500), &p, T0, T0, 0.5),
        Decision::DeadLetter {
            reason: reason::MAX_DELIVERY_ATTEMPTS
        }
    );
    assert_eq!(
        decide(1, &status(500), &policy(1, 1440), T0, T0, 0.5),
        Decision::DeadLetter {
            reason: reason::MAX_DELIVERY_ATTEMPTS
        }
    );
}

#[test]
fn time_to_live_runs_out_when_the_next_attempt_would_fall_after_it() {
    let p = policy(30, 5);
    let now = T0 + Duration::minutes(4) + Duration::seconds(51);
    assert_eq!(
        decide(1, &status(500), &p, T0, now, 0.5),
        Decision::DeadLetter {
            reason: reason::TIME_TO_LIVE
        }
    );
    let now = T0 + Duration::minutes(4) + Duration::seconds(50);
    assert_eq!(
        decide(1, &status(500), &p, T0, now, 0.5),
        Decision::Retry {
            at: T0 + Duration::minutes(5)
        }
    );
}

#[test]
fn whichever_of_attempts_and_time_to_live_runs_out_first_wins() {
    let short_ttl = policy(30, 1);
    assert_eq!(
        decide(
            3,
            &status(500),
            &short_ttl,
            T0,
            T0 + Duration::seconds(40),
            0.5
        ),
        Decision::DeadLetter {
            reason: reason::TIME_TO_LIVE
        }
    );
    let few_attempts = policy(2, 1440);
    assert_eq!(
        decide(
            2,
            &status(500),
            &few_attempts,
            T0,
            T0 + Duration::seconds(40),
            0.5
        ),
        Decision::DeadLetter {
            reason: reason::MAX_DELIVERY_ATTEMPTS
        }
    );
}

#[test]
fn retry_after_is_a_floor_for_429_and_503_only() {
    let p = policy(30, 1440);
    let busy = |code, secs| Attempt::Answered {
        status: code,
        retry_after: Some(StdDuration::from_secs(secs)),
        body: None,
    };
    assert_eq!(
        decide(1, &busy(429, 120), &p, T0, T0, 0.5),
        Decision::Retry {
            at: T0 + Duration::minutes(2)
        }
    );
    assert_eq!(
        decide(1, &busy(503, 3), &p, T0, T0, 0.5),
        Decision::Retry {
            at: T0 + Duration::seconds(10)
        },
        "a shorter Retry-After does not shorten the schedule"
    );
    assert_eq!(
        decide(1, &busy(500, 120), &p, T0, T0, 0.5),
        Decision::Retry {
            at: T0 + Duration::seconds(10)
        },
        "Retry-After on a 500 is not honoured"
    );
    assert_eq!(
        decide(1, &busy(429, 2 * 86_400), &p, T0, T0, 0.5),
        Decision::DeadLetter {
            reason: reason::TIME_TO_LIVE
        },
        "a Retry-After beyond the time to live dead-letters at once"
    );
}

#[test]
fn waits_longer_than_the_queues_limit_are_reached_by_re_enqueueing() {
    let due = T0 + Duration::hours(3);
    assert_eq!(remaining_wait(due, T0, MAX_DELAY), Some(MAX_DELAY));
    let later = T0 + Duration::hours(2) + Duration::minutes(50);
    assert_eq!(
        remaining_wait(due, later, MAX_DELAY),
        Some(StdDuration::from_secs(600))
    );
    assert_eq!(remaining_wait(due, due, MAX_DELAY), None);
    assert_eq!(
        remaining_wait(due, due + Duration::seconds(1), MAX_DELAY),
        None
    );
}
