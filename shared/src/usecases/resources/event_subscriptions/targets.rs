//! AWS destinations and S3 dead-letter destinations at PUT and PATCH: only in the owner's bound
//! accounts, never the deployment's own resources, and reachable (checked the way a webhook
//! gets its handshake, when the target is new or changed).

use crate::auth::Caller;
use crate::error::{Error, Result};
use crate::ports::Handlers;
use crate::subscriptions::aws::{DeadLetterDestination, TargetRef, code};
use crate::subscriptions::{Destination, EventSubscription};

/// Checks the destination and the dead-letter destination of `subscription`, setting their
/// owner; `previous` is the stored subscription, whose unchanged targets are not checked again.
pub(super) async fn settle(
    handlers: &Handlers,
    caller: &Caller,
    subscription: &mut EventSubscription,
    previous: Option<&EventSubscription>,
) -> Result<()> {
    let aws = subscription.destination.aws().is_some();
    if !aws && subscription.dead_letter_destination.is_none() {
        return Ok(());
    }
    let Some(targets) = &handlers.targets else {
        return Err(Error::invalid(
            code::NOT_ENABLED,
            "this deployment does not deliver to AWS services: start the server with --aws-targets (or PARTNER_EVENTS_AWS_TARGETS=1) to use SqsQueue, SnsTopic, EventBridgeBus, KinesisStream, LambdaFunction and S3Bucket",
        ));
    };
    let (owner, bound) = match caller {
        Caller::Principal(p) => (p.name.as_str(), p.aws_accounts.as_slice()),
        Caller::Operator => ("", &[][..]),
    };
    let mut checks: Vec<TargetRef> = Vec::new();
    if let Some((service, target)) = subscription.destination.aws_mut() {
        target.check(service, owner, bound, &handlers.reserved)?;
        let target = target.target(service);
        let before = previous
            .and_then(|p| p.destination.aws())
            .map(|(s, t)| t.target(s));
        if before.as_ref() != Some(&target) {
            checks.push(target);
        }
    }
    if let Some(DeadLetterDestination::S3Bucket(bucket)) = &mut subscription.dead_letter_destination
    {
        bucket.check(owner, bound, &handlers.reserved)?;
        let target = bucket.target();
        let before = previous
            .and_then(|p| p.dead_letter_destination.as_ref())
            .map(|DeadLetterDestination::S3Bucket(b)| b.target());
        if before.as_ref() != Some(&target) {
            checks.push(target);
        }
    }
    for target in checks {
        if let Err(answer) = targets.check(&target).await {
            return Err(Error::invalid(
                code::NOT_REACHABLE,
                format!(
                    "the {} {} could not be reached{}: {answer}",
                    target.service.endpoint_type(),
                    target.arn,
                    match &target.role_arn {
                        Some(role) => format!(" as {role}"),
                        None => " with the deployment's own role".into(),
                    }
                ),
            ));
        }
    }
    Ok(())
}

/// A destination of a kind `settle` handles.
pub(super) fn is_aws(destination: &Destination) -> bool {
    destination.aws().is_some()
}
