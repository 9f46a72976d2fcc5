//! The one error type of the domain. Every failure has a kind (which the HTTP layer maps to a
//! status once), a stable machine-readable code and a message that says what to fix.

use std::fmt;

/// What went wrong, coarsely: this decides the HTTP status and whether a caller may retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    Conflict,
    Invalid,
    Unauthorized,
    Forbidden,
    TooLarge,
    Throttled,
    Transient,
    Internal,
}

/// One entry of an error's `details` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub code: &'static str,
    pub message: String,
}

/// A domain error: kind, stable code, message, optional details.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<Detail>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// True if this is a lost optimistic-concurrency race (another write got there first).
    pub fn is_conflict(&self) -> bool {
        self.kind == ErrorKind::Conflict && self.code == code::CONCURRENT_UPDATE
    }

    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, code, message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, code, message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, code, message)
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthorized, code, message)
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, code, message)
    }

    /// A failure worth retrying (throttling, a dependency briefly unreachable).
    pub fn transient(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Transient, code::SERVICE_UNAVAILABLE, message)
    }

    /// A bug or an unexpected dependency failure. The message is logged, never shown.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, code::INTERNAL, message)
    }

    pub fn with_detail(mut self, code: &'static str, message: impl Into<String>) -> Self {
        self.details.push(Detail {
            code,
            message: message.into(),
        });
        self
    }
}

/// The stable error codes. Clients may match on these; they never change meaning.
pub mod code {
    pub const INVALID_REQUEST_CONTENT: &str = "InvalidRequestContent";
    pub const INVALID_SUBSCRIPTION_ID: &str = "InvalidSubscriptionId";
    pub const INVALID_RESOURCE_GROUP_NAME: &str = "InvalidResourceGroupName";
    pub const INVALID_RESOURCE_NAME: &str = "InvalidResourceName";
    pub const INVALID_RESOURCE_ID: &str = "InvalidResourceId";
    pub const INVALID_RESOURCE_TYPE: &str = "InvalidResourceType";
    pub const INVALID_PRINCIPAL_NAME: &str = "InvalidPrincipalName";
    pub const INVALID_PROPERTY: &str = "InvalidProperty";
    pub const INVALID_EXPIRATION_DAYS: &str = "InvalidDefaultMaximumExpirationTimeInDays";
    pub const AUTHORIZATION_EXPIRATION_TOO_LATE: &str = "AuthorizationExpirationTooLate";
    pub const AUTHORIZATION_EXPIRATION_IN_PAST: &str = "AuthorizationExpirationInPast";
    pub const PARTNER_IDENTITY_REQUIRED: &str = "PartnerIdentityRequired";
    pub const PARTNER_IDENTITY_MISMATCH: &str = "PartnerIdentityMismatch";
    pub const PARTNER_NOT_FOUND: &str = "PartnerNotFound";
    pub const PARTNER_NAME_AMBIGUOUS: &str = "PartnerNameAmbiguous";
    pub const DUPLICATE_PARTNER: &str = "DuplicatePartnerAuthorization";
    pub const TOO_MANY_AUTHORIZED_PARTNERS: &str = "TooManyAuthorizedPartners";
    pub const INVALID_ACTIVATION_EXPIRATION: &str = "InvalidExpirationTimeIfNotActivated";
    pub const INVALID_PARTNER_REGISTRATION: &str = "InvalidPartnerRegistration";
    pub const IMMUTABLE_PROPERTY: &str = "ImmutablePropertyChange";
    pub const INVALID_KEY_NAME: &str = "InvalidKeyName";
    pub const PARTNER_NOT_AUTHORIZED: &str = "PartnerNotAuthorized";
    pub const PARTNER_TOPIC_EXISTS: &str = "PartnerTopicAlreadyExists";
    pub const SOURCE_IN_USE: &str = "ChannelSourceAlreadyInUse";
    pub const INVALID_ACTIVATION_TRANSITION: &str = "InvalidActivationTransition";
    pub const INVALID_SKIP_TOKEN: &str = "InvalidSkipToken";
    pub const AUTHENTICATION_FAILED: &str = "AuthenticationFailed";
    pub const AUTHORIZATION_FAILED: &str = "AuthorizationFailed";
    pub const SUBSCRIPTION_NOT_FOUND: &str = "SubscriptionNotFound";
    pub const RESOURCE_NOT_FOUND: &str = "ResourceNotFound";
    pub const PARTNER_CONFIGURATION_NOT_FOUND: &str = "PartnerConfigurationNotFound";
    pub const PRINCIPAL_EXISTS: &str = "PrincipalAlreadyExists";
    pub const SUBSCRIPTION_OWNED: &str = "SubscriptionAlreadyOwned";
    pub const NAME_TAKEN: &str = "ResourceNameNotAvailable";
    pub const CONCURRENT_UPDATE: &str = "ConcurrentUpdate";
    pub const NOT_FOUND_ROUTE: &str = "NotFound";
    pub const METHOD_NOT_ALLOWED: &str = "MethodNotAllowed";
    pub const PAYLOAD_TOO_LARGE: &str = "PayloadTooLarge";
    pub const REQUEST_TIMEOUT: &str = "RequestTimeout";
    pub const THROTTLED: &str = "TooManyRequests";
    pub const SERVICE_UNAVAILABLE: &str = "ServiceUnavailable";
    pub const INTERNAL: &str = "InternalServerError";
}
