//! ARNs of targets and roles, read strictly: a known partition, a region of AWS's shape, a
//! 12-digit account (none for S3) and a resource name each service would accept, so an ARN
//! names one resource and only one spelling of it. The deployment's own resources are matched
//! on everything but the partition (an adapter finds a resource by region, account and name).

use super::invalid;
use crate::error::Result;

/// The AWS services a subscription can deliver to, or write dead letters to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Sqs,
    Sns,
    EventBridge,
    Kinesis,
    Lambda,
    S3,
}

impl Service {
    /// The `endpointType` that names it.
    pub fn endpoint_type(self) -> &'static str {
        match self {
            Service::Sqs => "SqsQueue",
            Service::Sns => "SnsTopic",
            Service::EventBridge => "EventBridgeBus",
            Service::Kinesis => "KinesisStream",
            Service::Lambda => "LambdaFunction",
            Service::S3 => "S3Bucket",
        }
    }

    /// The ARN's service part.
    fn arn_service(self) -> &'static str {
        match self {
            Service::Sqs => "sqs",
            Service::Sns => "sns",
            Service::EventBridge => "events",
            Service::Kinesis => "kinesis",
            Service::Lambda => "lambda",
            Service::S3 => "s3",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Service::Sqs => "arn:aws:sqs:us-east-1:123456789012:orders",
            Service::Sns => "arn:aws:sns:us-east-1:123456789012:orders",
            Service::EventBridge => "arn:aws:events:us-east-1:123456789012:event-bus/orders",
            Service::Kinesis => "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
            Service::Lambda => "arn:aws:lambda:us-east-1:123456789012:function:orders",
            Service::S3 => "arn:aws:s3:::my-dead-letters",
        }
    }

    /// True for the services that carry message attributes (delivery attribute mappings).
    pub fn has_attributes(self) -> bool {
        matches!(self, Service::Sqs | Service::Sns)
    }

    /// Whether `resource` is a name the service accepts, with its type prefix.
    fn names(self, resource: &str) -> bool {
        let chars = |s: &str, extra: &[u8], max: usize| {
            (1..=max).contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
        };
        let queue_or_topic = |s: &str, max: usize| {
            let base = s.strip_suffix(".fifo").unwrap_or(s);
            chars(base, b"-_", max)
        };
        match self {
            Service::Sqs => queue_or_topic(resource, 80),
            Service::Sns => queue_or_topic(resource, 256),
            Service::EventBridge => resource
                .strip_prefix("event-bus/")
                .is_some_and(|n| chars(n, b"-_./", 256)),
            Service::Kinesis => resource
                .strip_prefix("stream/")
                .is_some_and(|n| chars(n, b"-_.", 128)),
            Service::Lambda => resource.strip_prefix("function:").is_some_and(|f| {
                let (name, qualifier) = f.split_once(':').unwrap_or((f, "$LATEST"));
                chars(name, b"-_", 64) && chars(qualifier, b"-_$", 128)
            }),
            Service::S3 => {
                (3..=63).contains(&resource.len())
                    && resource
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b))
            }
        }
    }
}

/// The partitions targets may be in.
const PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

/// A parsed ARN: `arn:{partition}:{service}:{region}:{account}:{resource}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn {
    pub partition: String,
    pub service: String,
    pub region: String,
    pub account: String,
    pub resource: String,
}

impl Arn {
    /// Splits an ARN into its six parts (none empty but region and account); no checks of the
    /// parts.
    pub fn parse(text: &str) -> Option<Arn> {
        let mut parts = text.splitn(6, ':');
        let mut next = || parts.next().map(str::to_owned);
        let (arn, partition, service, region, account, resource) =
            (next()?, next()?, next()?, next()?, next()?, next()?);
        let ok =
            arn == "arn" && !partition.is_empty() && !service.is_empty() && !resource.is_empty();
        ok.then_some(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }

    /// The resource's name: the part after the resource type (`event-bus/`, `stream/`,
    /// `function:`), without a Lambda qualifier.
    pub fn name(&self) -> &str {
        let r = self.resource.as_str();
        r.strip_prefix("event-bus/")
            .or_else(|| r.strip_prefix("stream/"))
            .or_else(|| {
                r.strip_prefix("function:")
                    .map(|f| f.split(':').next().unwrap_or(f))
            })
            .unwrap_or(r)
    }

    /// An SQS queue's or SNS topic's ARN names a FIFO one.
    pub fn is_fifo(&self) -> bool {
        self.resource.ends_with(".fifo")
    }

    /// The ARN without its partition (`service:region:account:resource`), and for a Lambda
    /// function without its qualifier: what tells two resources apart.
    fn identity(&self) -> String {
        let resource = match self.service.as_str() {
            "lambda" => format!("function:{}", self.name()),
            _ => self.resource.clone(),
        };
        format!(
            "{}:{}:{}:{resource}",
            self.service, self.region, self.account
        )
    }
}

/// A 12-digit AWS account id.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// A region of AWS's shape: `us-east-1`, `ap-southeast-2`, `us-gov-west-1`.
fn is_region(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// Parses `arn` as a `service` ARN, or says what a valid one looks like.
pub fn parse_arn(service: Service, arn: &str, what: &str) -> Result<Arn> {
    let parsed = Arn::parse(arn).filter(|a| {
        PARTITIONS.contains(&a.partition.as_str())
            && a.service == service.arn_service()
            && match service {
                Service::S3 => a.account.is_empty() && a.region.is_empty(),
                _ => is_account_id(&a.account) && is_region(&a.region),
            }
            && service.names(&a.resource)
    });
    parsed.ok_or_else(|| {
        invalid(format!(
            "{what} '{arn}' is not an ARN of a {}; give one like {}",
            service.endpoint_type(),
            service.example()
        ))
    })
}

/// A role ARN: an IAM role (a path allowed) in a 12-digit account.
pub fn parse_role(role: &str) -> Result<Arn> {
    Arn::parse(role)
        .filter(|a| {
            PARTITIONS.contains(&a.partition.as_str())
                && a.service == "iam"
                && a.region.is_empty()
                && is_account_id(&a.account)
                && a.resource.strip_prefix("role/").is_some_and(|name| {
                    (1..=512).contains(&name.len())
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b))
                })
        })
        .ok_or_else(|| {
            invalid(format!(
                "roleArn '{role}' is not an IAM role ARN; give one like arn:aws:iam::123456789012:role/partner-events-delivery"
            ))
        })
}

/// What the deployment may never deliver to: its own resources (ARNs, a trailing `*` matching
/// any rest), matched on everything but the partition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reserved(pub Vec<String>);

impl Reserved {
    /// Reads a comma-separated list.
    pub fn parse(list: &str) -> Self {
        Self(
            list.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    /// Whether the (checked) ARN `arn` is one of the deployment's own resources.
    pub fn contains(&self, arn: &Arn) -> bool {
        let identity = arn.identity();
        self.0.iter().any(|reserved| {
            let (pattern, wildcard) = match reserved.strip_suffix('*') {
                Some(prefix) => (prefix, true),
                None => (reserved.as_str(), false),
            };
            let Some(pattern) = pattern
                .strip_prefix("arn:")
                .and_then(|rest| rest.split_once(':'))
                .map(|(_, rest)| rest)
            else {
                return false;
            };
            match wildcard {
                true => identity.starts_with(pattern),
                false => identity == pattern,
            }
        })
    }
}
