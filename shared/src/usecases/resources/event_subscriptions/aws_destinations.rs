//! AWS destinations and S3 dead-letter destinations at PUT and PATCH: only in the owner's bound
//! accounts, never the deployment's own resources, and reachable (checked the way a webhook
//! gets its handshake, when the target is new or changed).

use crate::auth::{Caller, Principal};
use crate::error::{Error, Result};
use crate::ports::{Destinations, Fault, Ports, ServiceError};
use crate::subscriptions::aws::{
    DeadLetterDestination, Reserved, TargetRef, check_allowed, code, parse_arn, parse_role,
};
use crate::subscriptions::{Destination, EventSubscription};
use crate::table;

/// Checks the destination and the dead-letter destination of `subscription`, setting their
/// owner; `previous` is the stored subscription, whose unchanged targets are not checked again.
pub(super) async fn check_targets(
    destinations: &Destinations,
    caller: &Caller,
    subscription: &mut EventSubscription,
    previous: Option<&EventSubscription>,
) -> Result<()> {
    let aws = subscription.destination.aws().is_some();
    if !aws && subscription.dead_letter_destination.is_none() {
        return Ok(());
    }
    let Some(targets) = &destinations.targets else {
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
        target.check(service, owner, bound, &destinations.reserved)?;
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
        bucket.check(owner, bound, &destinations.reserved)?;
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

/// Whether `target` may still be delivered to: its owner still exists with the target's (and
/// its role's) account bound, and it is not one of the deployment's own resources. Read at
/// each delivery, so unbinding an account stops deliveries there at once. `Ok(Err(..))` says
/// why not.
pub async fn still_allowed(
    ports: &Ports,
    reserved: &Reserved,
    target: &TargetRef,
) -> Result<std::result::Result<(), ServiceError>> {
    let refused = |message: String| {
        Ok(Err(ServiceError::new(
            Fault::Denied,
            0,
            code::NOT_ALLOWED,
            message,
        )))
    };
    let principal = table::get::<Principal>(
        ports.store.as_ref(),
        &table::principal_key(&target.external_id),
    )
    .await?;
    let Some(principal) = principal.map(|p| p.value) else {
        return refused(format!(
            "the principal '{}' that owns this subscription no longer exists",
            target.external_id
        ));
    };
    let arn = match parse_arn(target.service, &target.arn, "resourceId") {
        Ok(arn) => arn,
        Err(e) => return refused(e.message),
    };
    let account = match &target.expected_owner {
        Some(owner) => owner.clone(),
        None => arn.account.clone(),
    };
    let mut checks = vec![(arn, account)];
    if let Some(role) = &target.role_arn {
        match parse_role(role) {
            Ok(role) => {
                let account = role.account.clone();
                checks.push((role, account));
            }
            Err(e) => return refused(e.message),
        }
    }
    for (arn, account) in checks {
        if let Err(e) = check_allowed(&arn, &account, &principal.aws_accounts, reserved) {
            return refused(e.message);
        }
    }
    Ok(Ok(()))
}
