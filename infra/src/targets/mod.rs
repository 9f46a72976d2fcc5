//! The `Targets` adapter: AWS services as event handlers, through the AWS SDK, with the
//! deployment's own credentials or a role assumed per target.

use shared::ports::{Attempt, Fault, ServiceError, TargetDelivery, Targets};
use shared::subscriptions::aws::TargetRef;

/// Delivers to AWS targets with the credentials and endpoint of `sdk`.
pub struct AwsTargets {
    #[allow(dead_code)]
    sdk: aws_config::SdkConfig,
}

impl AwsTargets {
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        Self { sdk: sdk.clone() }
    }
}

#[async_trait::async_trait]
impl Targets for AwsTargets {
    async fn check(&self, _target: &TargetRef) -> Result<(), String> {
        Err("not yet implemented".into())
    }

    async fn deliver(&self, delivery: &TargetDelivery) -> Vec<Attempt> {
        let e = ServiceError::new(
            Fault::Unavailable,
            0,
            "NotImplemented",
            "not yet implemented",
        );
        vec![Attempt::Service(e); delivery.messages.len()]
    }

    async fn put_object(
        &self,
        _bucket: &TargetRef,
        _key: &str,
        _body: String,
    ) -> Result<(), ServiceError> {
        Err(ServiceError::new(
            Fault::Unavailable,
            0,
            "NotImplemented",
            "not yet implemented",
        ))
    }
}
