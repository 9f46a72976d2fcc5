//! AWS services as destinations (`SqsQueue`, `SnsTopic`, `EventBridgeBus`, `KinesisStream`,
//! `LambdaFunction`) and as a dead-letter destination (`S3Bucket`): their ARNs, their settings,
//! and who may point the deployment at them. A target must be in one of its owner's bound AWS
//! accounts and never one of the deployment's own resources.

use serde::{Deserialize, Serialize};

mod arn;

pub use arn::{Arn, Reserved, Service, is_account_id, parse_arn, parse_role};

use super::delivery_attributes::{self, DeliveryAttributeMapping};
use crate::error::{Error, Result};

/// Stable codes of AWS destinations.
pub mod code {
    pub const NOT_ALLOWED: &str = "DestinationNotAllowed";
    pub const NOT_REACHABLE: &str = "DestinationNotReachable";
    pub const NOT_ENABLED: &str = "AwsTargetsNotEnabled";
}

/// The properties of an AWS destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsTarget {
    #[serde(default)]
    pub resource_id: String,
    /// A role in the target's account assumed for delivery, with the owner's principal name
    /// as the external id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// FIFO queues and topics: a literal or `$<attribute>` (default `$source`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_group_id: Option<String>,
    /// Kinesis: a literal or `$<attribute>` (default `$subject`, else `$id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_key: Option<String>,
    /// Lambda: events per invocation (an array when above 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_events_per_batch: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_batch_size_in_kilobytes: Option<i64>,
    #[serde(default)]
    pub delivery_attribute_mappings: Vec<DeliveryAttributeMapping>,
    /// The owner's principal name, set by the server when the subscription is written (the
    /// external id of `roleArn`); never read from a request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// `deadLetterDestination`: an S3 bucket dead letters are written to, besides the listable
/// dead letters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "endpointType", content = "properties")]
pub enum DeadLetterDestination {
    S3Bucket(S3Bucket),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct S3Bucket {
    #[serde(default)]
    pub resource_id: String,
    #[serde(default)]
    pub prefix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// The bucket's account (an S3 ARN names none): checked by S3 on every write. Defaults to
    /// the role's account, else the owner's only bound account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_bucket_owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// Where a delivery or a dead-letter write goes, and as whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRef {
    pub service: Service,
    pub arn: String,
    pub role_arn: Option<String>,
    /// The external id for `role_arn`: the owner's principal name.
    pub external_id: String,
    /// S3: the account that must own the bucket.
    pub expected_owner: Option<String>,
}

pub(crate) fn invalid(message: String) -> Error {
    Error::invalid(super::code::INVALID_DESTINATION, message)
}

fn not_allowed(message: String) -> Error {
    Error::invalid(code::NOT_ALLOWED, message)
}

/// Checks that `account` is one of the owner's `bound` accounts and `arn` is not the
/// deployment's own.
pub fn check_allowed(
    arn: &Arn,
    account: &str,
    bound: &[String],
    reserved: &Reserved,
) -> Result<()> {
    if reserved.contains(arn) {
        return Err(not_allowed(format!(
            "'arn:{}:{}:{}:{}:{}' is one of this deployment's own resources; deliver to a resource of your own",
            arn.partition, arn.service, arn.region, arn.account, arn.resource
        )));
    }
    if !bound.iter().any(|a| a == account) {
        return Err(not_allowed(format!(
            "account {account} is not bound to this principal; ask the operator to add it to the principal's awsAccounts"
        )));
    }
    Ok(())
}

impl AwsTarget {
    /// Checks the properties for `service` and who may deliver there; sets the owner.
    pub fn check(
        &mut self,
        service: Service,
        owner: &str,
        bound: &[String],
        reserved: &Reserved,
    ) -> Result<Arn> {
        let arn = parse_arn(
            service,
            &self.resource_id,
            "destination.properties.resourceId",
        )?;
        check_allowed(&arn, &arn.account, bound, reserved)?;
        if let Some(role) = &self.role_arn {
            let role_arn = parse_role(role)?;
            check_allowed(&role_arn, &role_arn.account, bound, reserved)?;
        }
        let fifo = matches!(service, Service::Sqs | Service::Sns) && arn.is_fifo();
        if self.message_group_id.is_some() && !fifo {
            return Err(invalid(format!(
                "messageGroupId applies to FIFO queues and topics (names ending in .fifo); '{}' is not one",
                self.resource_id
            )));
        }
        if self.partition_key.is_some() && service != Service::Kinesis {
            return Err(invalid(
                "partitionKey applies to a KinesisStream only".into(),
            ));
        }
        for (name, value) in [
            ("messageGroupId", &self.message_group_id),
            ("partitionKey", &self.partition_key),
        ] {
            if let Some(v) = value
                && (v.is_empty() || v.len() > 128 || v == "$")
            {
                return Err(invalid(format!(
                    "{name} '{v}' must be 1 to 128 characters: a literal or $<attribute>"
                )));
            }
        }
        let batching =
            self.max_events_per_batch.is_some() || self.preferred_batch_size_in_kilobytes.is_some();
        if batching && service != Service::Lambda {
            return Err(invalid(format!(
                "maxEventsPerBatch and preferredBatchSizeInKilobytes apply to a LambdaFunction (or WebHook); a {} gets one message per event",
                service.endpoint_type()
            )));
        }
        if let Some(n) = self.max_events_per_batch
            && !(1..=5000).contains(&n)
        {
            return Err(invalid(format!("maxEventsPerBatch is {n}; use 1 to 5000")));
        }
        if let Some(n) = self.preferred_batch_size_in_kilobytes
            && !(1..=1024).contains(&n)
        {
            return Err(invalid(format!(
                "preferredBatchSizeInKilobytes is {n}; use 1 to 1024"
            )));
        }
        self.check_attributes(service)?;
        self.owner = Some(owner.to_owned());
        Ok(arn)
    }

    /// Delivery attribute mappings: only where the service has message attributes (at most
    /// 10, names of letters, digits, `-`, `_`, `.` not starting with `AWS.` or `Amazon.`).
    fn check_attributes(&self, service: Service) -> Result<()> {
        let mappings = &self.delivery_attribute_mappings;
        if mappings.is_empty() {
            return Ok(());
        }
        let bad = |m: String| Error::invalid(super::code::INVALID_DELIVERY_ATTRIBUTE, m);
        if !service.has_attributes() {
            return Err(bad(format!(
                "a {} has no message attributes; deliveryAttributeMappings apply to SqsQueue, SnsTopic and WebHook",
                service.endpoint_type()
            )));
        }
        delivery_attributes::check(mappings)?;
        for m in mappings {
            let name = m.name();
            let lower = name.to_ascii_lowercase();
            let fits = name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                && !lower.starts_with("aws.")
                && !lower.starts_with("amazon.");
            if !fits {
                return Err(bad(format!(
                    "delivery attribute name '{name}' is not a valid message attribute name (letters, digits, '-', '_', '.'; not starting with AWS. or Amazon.)"
                )));
            }
        }
        Ok(())
    }

    /// Events per attempt and preferred bytes per attempt: a Lambda's batching; the other
    /// services take each event as its own message, sent in their batch APIs' chunks.
    pub fn batching(&self, service: Service) -> (usize, usize) {
        match service {
            Service::Lambda => (
                self.max_events_per_batch.unwrap_or(1) as usize,
                self.preferred_batch_size_in_kilobytes.unwrap_or(64) as usize * 1024,
            ),
            _ => (100, 1024 * 1024),
        }
    }

    pub fn target(&self, service: Service) -> TargetRef {
        TargetRef {
            service,
            arn: self.resource_id.clone(),
            role_arn: self.role_arn.clone(),
            external_id: self.owner.clone().unwrap_or_default(),
            expected_owner: None,
        }
    }
}

impl S3Bucket {
    /// Checks the bucket, its owner account and the role; sets the owner.
    pub fn check(&mut self, owner: &str, bound: &[String], reserved: &Reserved) -> Result<()> {
        let arn = parse_arn(
            Service::S3,
            &self.resource_id,
            "deadLetterDestination.properties.resourceId",
        )?;
        if arn.resource.is_empty() {
            return Err(invalid("deadLetterDestination names no bucket".into()));
        }
        let role_account = match &self.role_arn {
            Some(role) => {
                let role_arn = parse_role(role)?;
                check_allowed(&role_arn, &role_arn.account, bound, reserved)?;
                Some(role_arn.account)
            }
            None => None,
        };
        let account = match (&self.expected_bucket_owner, role_account, bound) {
            (Some(a), _, _) => a.clone(),
            (None, Some(a), _) => a,
            (None, None, [only]) => only.clone(),
            _ => {
                return Err(invalid(
                    "an S3 ARN names no account: give deadLetterDestination.properties.expectedBucketOwner (one of this principal's awsAccounts)".into(),
                ));
            }
        };
        if !is_account_id(&account) {
            return Err(invalid(format!(
                "expectedBucketOwner '{account}' is not a 12-digit account id"
            )));
        }
        check_allowed(&arn, &account, bound, reserved)?;
        if self.prefix.len() > 512 {
            return Err(invalid(
                "deadLetterDestination.properties.prefix is longer than 512 characters".into(),
            ));
        }
        self.expected_bucket_owner = Some(account);
        self.owner = Some(owner.to_owned());
        Ok(())
    }

    pub fn bucket(&self) -> &str {
        self.resource_id.rsplit(':').next().unwrap_or_default()
    }

    pub fn target(&self) -> TargetRef {
        TargetRef {
            service: Service::S3,
            arn: self.resource_id.clone(),
            role_arn: self.role_arn.clone(),
            external_id: self.owner.clone().unwrap_or_default(),
            expected_owner: self.expected_bucket_owner.clone(),
        }
    }
}
