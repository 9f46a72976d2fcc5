//! What became of one delivery attempt, to an endpoint (the `Webhooks` port) or an AWS target
//! (the `Targets` port): an answer, why there was none, or why a service did not take the
//! message.

/// What became of one delivery attempt: an answer, or why there was none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The endpoint answered with `status`; `retry_after` is its `Retry-After`, when given;
    /// `body` the start of a non-2xx answer's body (see [`crate::delivery::log::excerpt`]).
    Answered {
        status: u16,
        retry_after: Option<std::time::Duration>,
        body: Option<String>,
    },
    /// No answer within the timeout.
    TimedOut,
    /// No connection (refused, reset, TLS); the text says what happened.
    SocketError(String),
    /// The host did not resolve, or only to addresses the deployment does not allow.
    ResolutionError(String),
    /// Not sent: no slot came free before the request's `start_by`. Nothing reached the
    /// endpoint, so it is not an attempt.
    NotSent,
    /// Cut off after the request's `answer_within` (a fan-out's first try), or not sent because the
    /// endpoint is known to answer slower than that: the batch goes on to the delivery queue,
    /// where it has the whole timeout. The endpoint may have received it (a duplicate later),
    /// but it is not an attempt.
    OverBudget,
    /// An AWS target did not take the message.
    Service(ServiceError),
}

impl Attempt {
    /// An answer with `status` and nothing else.
    pub fn answered(status: u16) -> Self {
        Attempt::Answered {
            status,
            retry_after: None,
            body: None,
        }
    }
}

/// Why a service did not take a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Throttled: tried again on the schedule.
    Throttled,
    /// A server error, a timeout, no connection, or a Lambda function error: tried again.
    Unavailable,
    /// Access denied (to the target or to the role): dead-lettered at once.
    Denied,
    /// The target does not exist: dead-lettered at once.
    Missing,
    /// The target cannot carry the message (too large, refused by its rules): dead-lettered
    /// at once.
    Unfit,
}

/// What a service answered to one message, when it did not take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub fault: Fault,
    /// The HTTP status of the service's answer (0 when there was none).
    pub status: u16,
    /// The service's error code (`AWS.SimpleQueueService.NonExistentQueue`,
    /// `ThrottlingException`, ...), or ours for a message refused before sending.
    pub code: String,
    pub message: String,
}

impl ServiceError {
    pub fn new(
        fault: Fault,
        status: u16,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            fault,
            status,
            code: code.into(),
            message: message.into(),
        }
    }
}
