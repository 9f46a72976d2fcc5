//! A batch made ready for its destination: the signed POST for a webhook or partner
//! destination, or the messages for an AWS target (some of which the target's rules may refuse
//! before anything is sent, and all of which are refused when the target is no longer allowed).

use std::borrow::Cow;
use std::time::Instant;

use super::{Deliveries, FIRST_TRY_BUDGET, SLOT_WAIT};
use crate::delivery::plan::Batch;
use crate::delivery::{aws_messages, request, signing};
use crate::error::{Error, Result};
use crate::ports::{Attempt, Outbound, TargetDelivery};
use crate::subscriptions::Destination;
use crate::subscriptions::aws::{AwsTarget, Service};
use crate::usecases::resources::{event_subscriptions, partner_destinations};

/// A batch ready to send.
pub(super) struct Prepared {
    /// What to send; `None` when every message was refused before sending.
    pub outbound: Option<Outbound>,
    /// Per message, in order: the positions of the batch's events it carries, and its answer
    /// when it was refused before sending (`None`: sent in `outbound`).
    pub messages: Vec<(Vec<usize>, Option<Attempt>)>,
}

impl Deliveries {
    /// `None` when the batch was settled instead (its partner destination is gone).
    pub(super) async fn prepare(
        &self,
        batch: &Batch,
        start_by: Option<Instant>,
    ) -> Result<Option<Prepared>> {
        match batch.subscription.destination.aws() {
            Some((service, target)) => self.prepare_aws(service, target, batch).await.map(Some),
            None => self.prepare_webhook(batch, start_by).await,
        }
    }

    async fn prepare_webhook(
        &self,
        batch: &Batch,
        start_by: Option<Instant>,
    ) -> Result<Option<Prepared>> {
        let (hook, context) = match &batch.subscription.destination {
            Destination::PartnerDestination(target) => {
                match partner_destinations::endpoint(&self.ports, &target.resource_id).await? {
                    Ok((hook, context)) => (Cow::Owned(hook), context),
                    Err(why) => return self.give_up(batch, why, None).await.map(|()| None),
                }
            }
            Destination::WebHook(hook) => (Cow::Borrowed(hook), None),
            _ => return Err(Error::internal("not a webhook destination")),
        };
        let name = batch.subscription.id.name();
        let mut request = request::build(name, &hook, &batch.events, batch.head.attempts);
        let slot_by = Instant::now() + SLOT_WAIT;
        request.start_by = Some(start_by.map_or(slot_by, |by| by.min(slot_by)));
        request.answer_within = batch.first_try.then_some(FIRST_TRY_BUDGET);
        let now = self.ports.clock.now();
        signing::sign(
            &mut request,
            hook.signing_secrets(),
            &batch.head.subscription,
            now,
        );
        if let Some(context) = context {
            let header = partner_destinations::CONTEXT_HEADER.to_owned();
            request.headers.push((header, context));
        }
        Ok(Some(Prepared {
            outbound: Some(Outbound::Webhook(request)),
            messages: vec![((0..batch.events.len()).collect(), None)],
        }))
    }

    async fn prepare_aws(
        &self,
        service: Service,
        target: &AwsTarget,
        batch: &Batch,
    ) -> Result<Prepared> {
        let subscription = batch.subscription.id.to_string();
        let mut delivery = TargetDelivery {
            target: target.target(service),
            messages: Vec::new(),
        };
        let mut messages = Vec::new();
        for (positions, built) in
            aws_messages::messages(service, target, &subscription, &batch.events)
        {
            match built {
                Ok(message) => {
                    delivery.messages.push(message);
                    messages.push((positions, None));
                }
                Err(refused) => messages.push((positions, Some(Attempt::Service(refused)))),
            }
        }
        if delivery.messages.is_empty() {
            return Ok(Prepared {
                outbound: None,
                messages,
            });
        }
        let destinations = &self.destinations;
        let allowed = event_subscriptions::aws_destinations::still_allowed(
            &self.ports,
            &destinations.reserved,
            &delivery.target,
        )
        .await?;
        if let Err(refused) = allowed {
            for (_, answer) in messages.iter_mut().filter(|(_, a)| a.is_none()) {
                *answer = Some(Attempt::Service(refused.clone()));
            }
            return Ok(Prepared {
                outbound: None,
                messages,
            });
        }
        Ok(Prepared {
            outbound: Some(Outbound::Aws(delivery)),
            messages,
        })
    }
}
