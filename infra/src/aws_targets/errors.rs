//! What an AWS service's refusal means for a delivery: its error code (else its HTTP status)
//! read as a [`Fault`], with the code and message kept as the service gave them.

use std::error::Error as StdError;

use aws_sdk_sqs::error::{ConnectorError, ErrorMetadata, ProvideErrorMetadata, SdkError};
use shared::ports::{Fault, ServiceError};

/// Error codes by what they mean, separated by spaces (an SQS code with or without its
/// `AWS.SimpleQueueService.` prefix). A refusal of the deployment's own credentials or clock
/// (an expired token, a bad signature) is tried again, not held against the tenant's events.
const THROTTLED: &str = "\
    Throttling ThrottlingException ThrottledException RequestThrottled \
    RequestThrottledException TooManyRequestsException ProvisionedThroughputExceededException \
    KMSThrottlingException KMSThrottling KmsThrottled RequestLimitExceeded SlowDown \
    BandwidthLimitExceeded EC2ThrottledException PriorRequestNotComplete \
    LimitExceededException";

const UNAVAILABLE: &str = "\
    InternalError InternalErrorException InternalFailure InternalException InternalServerError \
    InternalServerException ServiceException ServiceUnavailable ServiceUnavailableException \
    KMSInternalException RequestTimeout RequestTimeoutException ResourceNotReadyException \
    ResourceConflictException EC2UnexpectedException SnapStartNotReadyException \
    SnapStartTimeoutException UnrecognizedClient UnrecognizedClientException \
    InvalidClientTokenId InvalidAccessKeyId ExpiredToken ExpiredTokenException \
    SignatureDoesNotMatch InvalidSignatureException IncompleteSignature \
    MissingAuthenticationToken InvalidSecurity";

const DENIED: &str = "\
    AccessDenied AccessDeniedException AuthorizationError AuthorizationErrorException \
    KMSAccessDenied KMSAccessDeniedException KmsAccessDenied KMSDisabled KMSDisabledException \
    KmsDisabled KMSInvalidState KMSInvalidStateException KmsInvalidState KMSNotFound \
    KMSNotFoundException KmsNotFound KMSOptInRequired KmsOptInRequired AllAccessDisabled \
    RegionDisabledException OptInRequired NotAuthorizedForSourceException \
    NotAuthorizedForDetailTypeException";

const MISSING: &str = "\
    AWS.SimpleQueueService.NonExistentQueue QueueDoesNotExist NotFound NotFoundException \
    ResourceNotFound ResourceNotFoundException NoSuchBucket";

const UNFIT: &str = "\
    MessageTooLong BatchRequestTooLong AWS.SimpleQueueService.BatchRequestTooLong \
    RequestEntityTooLargeException RequestTooLargeException InvalidMessageContents \
    EntityTooLarge MalformedDetail InvalidArgument";

/// The fault a service's error code names, if it is one we know.
fn by_code(code: &str) -> Option<Fault> {
    let short = code.strip_prefix("AWS.SimpleQueueService.").unwrap_or(code);
    let tables = [
        (THROTTLED, Fault::Throttled),
        (UNAVAILABLE, Fault::Unavailable),
        (DENIED, Fault::Denied),
        (MISSING, Fault::Missing),
        (UNFIT, Fault::Unfit),
    ];
    tables
        .iter()
        .find(|(codes, _)| codes.split_whitespace().any(|c| c == code || c == short))
        .map(|(_, fault)| *fault)
}

/// The fault an HTTP status names: 5xx and timeouts are tried again, other refusals are not.
fn by_status(status: u16) -> Fault {
    match status {
        401 => Fault::Unavailable,
        403 => Fault::Denied,
        404 | 410 => Fault::Missing,
        408 | 500..=599 => Fault::Unavailable,
        429 => Fault::Throttled,
        400..=499 => Fault::Unfit,
        _ => Fault::Unavailable,
    }
}

/// Reads a service's answer: the code first, then the status; neither known is tried again.
pub fn classify(status: u16, code: &str, message: &str) -> ServiceError {
    let fault = by_code(code).unwrap_or_else(|| by_status(status));
    let code = match code.is_empty() {
        true if status > 0 => format!("Http{status}"),
        true => "Unknown".to_owned(),
        false => code.to_owned(),
    };
    ServiceError::new(fault, status, code, message)
}

/// One entry a batch call did not take (its call answered, so there is no status of its
/// own): by its code, else not retried when SQS or SNS say the sender is at fault.
pub fn entry(code: &str, message: Option<&str>, sender_fault: bool) -> ServiceError {
    let fallback = if sender_fault {
        Fault::Unfit
    } else {
        Fault::Unavailable
    };
    let fault = by_code(code).unwrap_or(fallback);
    ServiceError::new(fault, 0, code, message.unwrap_or_default())
}

/// A request refused before it was sent (a field the SDK requires is missing).
pub fn unbuilt(error: impl StdError + 'static) -> ServiceError {
    ServiceError::new(Fault::Unfit, 0, "InvalidRequest", describe(&error))
}

/// An error and its sources, each as it displays itself (never the raw answer's bytes).
fn describe(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

/// A batch entry the service's answer says nothing about.
pub fn no_result() -> ServiceError {
    ServiceError::new(
        Fault::Unavailable,
        0,
        "NoResult",
        "the service's answer did not mention this message",
    )
}

/// An SDK call that failed. `assumed`: its credentials come from assuming a role, so a failure
/// to get them is the role refusing us (unless STS was throttled or unreachable).
pub fn sdk<E>(error: &SdkError<E>, assumed: bool) -> ServiceError
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    let detail = || describe(error);
    match error {
        SdkError::ServiceError(context) => {
            let status = context.raw().status().as_u16();
            let message = match (error.code(), error.message()) {
                (_, Some(message)) => message.to_owned(),
                (Some(_), None) => String::new(),
                (None, None) => detail(),
            };
            classify(status, error.code().unwrap_or_default(), &message)
        }
        SdkError::TimeoutError(_) => ServiceError::new(Fault::Unavailable, 0, "Timeout", detail()),
        SdkError::ResponseError(context) => {
            let status = context.raw().status().as_u16();
            let fault = if status >= 400 {
                by_status(status)
            } else {
                Fault::Unavailable
            };
            ServiceError::new(fault, status, "ResponseError", detail())
        }
        SdkError::ConstructionFailure(_) => {
            ServiceError::new(Fault::Unfit, 0, "InvalidRequest", detail())
        }
        SdkError::DispatchFailure(failure) => match failure.as_connector_error() {
            Some(c) if c.is_timeout() => {
                ServiceError::new(Fault::Unavailable, 0, "Timeout", detail())
            }
            Some(c) if c.is_io() => {
                ServiceError::new(Fault::Unavailable, 0, "ConnectionError", detail())
            }
            _ => before_sending(error, assumed, detail()),
        },
        _ => ServiceError::new(Fault::Unavailable, 0, "Unknown", detail()),
    }
}

/// A call that failed before its request went out: most often its credentials could not be
/// had. What STS answered, when it did, says why.
fn before_sending(error: &(dyn StdError + 'static), assumed: bool, detail: String) -> ServiceError {
    let mut source = error.source();
    while let Some(e) = source {
        if let Some(meta) = e.downcast_ref::<ErrorMetadata>()
            && let Some(code) = meta.code()
        {
            let fault = by_code(code).unwrap_or(Fault::Denied);
            return ServiceError::new(fault, 0, code, meta.message().unwrap_or(&detail));
        }
        if let Some(c) = e.downcast_ref::<ConnectorError>()
            && (c.is_io() || c.is_timeout())
        {
            return ServiceError::new(Fault::Unavailable, 0, "ConnectionError", detail);
        }
        source = e.source();
    }
    match assumed {
        true => ServiceError::new(Fault::Denied, 0, "AssumeRoleFailed", detail),
        false => ServiceError::new(Fault::Unavailable, 0, "DispatchFailure", detail),
    }
}

/// A check's answer: what the service said.
pub fn said(error: &ServiceError) -> String {
    match error.message.is_empty() {
        true => error.code.clone(),
        false => format!("{}: {}", error.code, error.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_codes_are_throttled_whatever_the_status() {
        for code in [
            "ThrottlingException",
            "ProvisionedThroughputExceededException",
            "SlowDown",
        ] {
            assert_eq!(classify(400, code, "").fault, Fault::Throttled, "{code}");
        }
        assert_eq!(
            classify(400, "LimitExceededException", "").fault,
            Fault::Throttled
        );
    }

    #[test]
    fn missing_queues_topics_and_buckets_are_missing() {
        for code in [
            "AWS.SimpleQueueService.NonExistentQueue",
            "QueueDoesNotExist",
            "NotFound",
            "NoSuchBucket",
        ] {
            let e = classify(400, code, "gone");
            assert_eq!(
                (e.fault, e.code.as_str(), e.message.as_str()),
                (Fault::Missing, code, "gone")
            );
        }
    }

    #[test]
    fn refusals_of_access_are_denied() {
        for code in [
            "AccessDenied",
            "AuthorizationError",
            "KMSAccessDeniedException",
            "NotAuthorizedForSourceException",
        ] {
            assert_eq!(classify(403, code, "").fault, Fault::Denied, "{code}");
        }
    }

    #[test]
    fn the_deployments_own_credential_or_clock_trouble_is_tried_again() {
        for code in [
            "ExpiredToken",
            "InvalidClientTokenId",
            "SignatureDoesNotMatch",
        ] {
            assert_eq!(classify(403, code, "").fault, Fault::Unavailable, "{code}");
        }
        assert_eq!(classify(401, "", "").fault, Fault::Unavailable);
    }

    #[test]
    fn eventbridge_entries_it_cannot_take_are_unfit() {
        for code in ["MalformedDetail", "InvalidArgument"] {
            assert_eq!(classify(0, code, "").fault, Fault::Unfit, "{code}");
        }
    }

    #[test]
    fn sqs_codes_are_read_with_or_without_their_prefix() {
        assert_eq!(
            classify(400, "AWS.SimpleQueueService.BatchRequestTooLong", "").fault,
            Fault::Unfit
        );
        assert_eq!(
            classify(400, "AWS.SimpleQueueService.RequestThrottled", "").fault,
            Fault::Throttled
        );
    }

    #[test]
    fn unknown_codes_follow_the_status() {
        assert_eq!(classify(400, "ValidationException", "").fault, Fault::Unfit);
        assert_eq!(classify(404, "", "").fault, Fault::Missing);
        assert_eq!(classify(503, "", "").code, "Http503");
        assert_eq!(classify(503, "Whatever", "").fault, Fault::Unavailable);
        assert_eq!(classify(0, "Whatever", "").fault, Fault::Unavailable);
    }

    #[test]
    fn entries_without_a_known_code_are_retried_unless_the_sender_is_at_fault() {
        assert_eq!(entry("Odd", None, true).fault, Fault::Unfit);
        assert_eq!(entry("Odd", None, false).fault, Fault::Unavailable);
        assert_eq!(
            entry("InternalFailure", Some("x"), true).fault,
            Fault::Unavailable
        );
    }
}
