//! How SQS failures become domain errors: throttling, timeouts and unreachable endpoints are
//! `Transient`, everything else `Internal`; a delete entry whose receipt is gone is no error.

use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sqs::types::BatchResultErrorEntry;
use shared::error::Error;

/// Error codes of a request worth retrying (SQS answers some with an
/// `AWS.SimpleQueueService.` prefix).
const TRANSIENT: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "RequestThrottled",
    "KmsThrottled",
    "OverLimit",
    "ServiceUnavailable",
    "InternalError",
    "InternalFailure",
];
/// Error codes of a delete entry whose message is gone or was received again since.
const RECEIPT_GONE: &[&str] = &[
    "ReceiptHandleIsInvalid",
    "InvalidReceiptHandle",
    "InvalidParameterValue",
];

/// True when a DeleteMessageBatch entry failed only because its message is gone or was
/// received again since.
pub(super) fn receipt_gone(entry: &BatchResultErrorEntry) -> bool {
    RECEIPT_GONE.contains(&unprefixed(entry.code()))
}

fn unprefixed(code: &str) -> &str {
    code.strip_prefix("AWS.SimpleQueueService.").unwrap_or(code)
}

/// One failed batch entry, for an error message or a log line.
pub(super) fn describe(entry: &BatchResultErrorEntry) -> String {
    format!(
        "entry {}: {} ({})",
        entry.id(),
        entry.code(),
        entry.message().unwrap_or("no message")
    )
}

/// Maps an SDK error to the domain error, per the contract on [`super::SqsQueue`].
pub(super) fn classify<E, R>(operation: &str, err: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let transient = match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => true,
        SdkError::ServiceError(e) => e
            .err()
            .code()
            .map(unprefixed)
            .is_some_and(|c| TRANSIENT.contains(&c)),
        _ => false,
    };
    let text = format!("SQS {operation}: {}", DisplayErrorContext(&err));
    if transient {
        Error::transient(text)
    } else {
        Error::internal(text)
    }
}
