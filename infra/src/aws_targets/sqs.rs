//! SQS: SendMessageBatch (10 entries, 256 KiB a call) to the queue its ARN names, whose URL
//! GetQueueUrl gives once (with the owner account, for a queue in another account); FIFO
//! queues get each message's group and deduplication ids.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Mutex, PoisonError};

use aws_sdk_sqs::types::{MessageAttributeValue, SendMessageBatchRequestEntry};
use shared::ports::{ServiceError, TargetMessage};

use super::{Call, Sent, errors};

const MAX_ENTRIES: usize = 10;
const MAX_BYTES: usize = 256 * 1024;

/// Queue URLs by ARN and the credentials they were looked up with.
#[derive(Default)]
pub(super) struct QueueUrls(Mutex<HashMap<String, String>>);

fn key(call: &Call<'_>) -> String {
    let t = call.target;
    format!(
        "{}|{}|{}",
        t.arn,
        t.role_arn.as_deref().unwrap_or_default(),
        t.external_id
    )
}

impl QueueUrls {
    /// The URL of the queue `call` names, asked of SQS the first time.
    pub(super) async fn url(&self, call: &Call<'_>) -> Result<String, ServiceError> {
        let cached = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key(call))
            .cloned();
        match cached {
            Some(url) => Ok(url),
            None => self.look_up(call).await,
        }
    }

    /// Asks SQS for the URL of the queue `call` names (a check of the queue and the
    /// credentials), and keeps it.
    pub(super) async fn look_up(&self, call: &Call<'_>) -> Result<String, ServiceError> {
        let answer = call
            .clients
            .sqs
            .get_queue_url()
            .queue_name(&call.arn.resource)
            .queue_owner_aws_account_id(&call.arn.account)
            .send()
            .await
            .map_err(|e| call.failed(&e))?;
        let url = answer.queue_url.unwrap_or_default();
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key(call), url.clone());
        Ok(url)
    }
}

pub(super) async fn deliver(
    call: &Call<'_>,
    urls: &QueueUrls,
    messages: &[TargetMessage],
) -> Vec<Sent> {
    let url = match urls.url(call).await {
        Ok(url) => url,
        Err(e) => return vec![Err(e); messages.len()],
    };
    let size = |m: &TargetMessage| m.body.len() + super::attributes_size(m);
    let runs = super::runs(messages, MAX_ENTRIES, MAX_BYTES, size);
    super::send_runs(runs, call.concurrency(), |run| {
        send(call, &url, messages, run)
    })
    .await
}

async fn send(
    call: &Call<'_>,
    url: &str,
    messages: &[TargetMessage],
    run: Range<usize>,
) -> Vec<Sent> {
    let n = run.len();
    let entries: Result<Vec<_>, _> = messages[run]
        .iter()
        .enumerate()
        .map(|(i, m)| entry(i, m))
        .collect();
    let entries = match entries {
        Ok(entries) => entries,
        Err(e) => return vec![Err(e); n],
    };
    let answer = call
        .clients
        .sqs
        .send_message_batch()
        .queue_url(url)
        .set_entries(Some(entries))
        .send()
        .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(e) => return vec![Err(call.failed(&e)); n],
    };
    let refused = answer.failed.into_iter().map(|f| {
        let why = errors::entry(&f.code, f.message.as_deref(), f.sender_fault);
        (f.id, why)
    });
    super::by_id(n, answer.successful.into_iter().map(|ok| ok.id), refused)
}

fn entry(id: usize, message: &TargetMessage) -> Result<SendMessageBatchRequestEntry, ServiceError> {
    let attributes = message
        .attributes
        .iter()
        .map(|(name, value)| {
            let value = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()?;
            Ok((name.clone(), value))
        })
        .collect::<Result<HashMap<_, _>, aws_sdk_sqs::error::BuildError>>()
        .map_err(errors::unbuilt)?;
    SendMessageBatchRequestEntry::builder()
        .id(id.to_string())
        .message_body(&message.body)
        .set_message_group_id(message.group_id.clone())
        .set_message_deduplication_id(message.deduplication_id.clone())
        .set_message_attributes((!attributes.is_empty()).then_some(attributes))
        .build()
        .map_err(errors::unbuilt)
}
