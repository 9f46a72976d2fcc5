//! SNS: PublishBatch (10 entries, 256 KiB a call) to the topic its ARN names; FIFO topics get
//! each message's group and deduplication ids. GetTopicAttributes is the check.

use std::collections::HashMap;
use std::ops::Range;

use aws_sdk_sns::types::{MessageAttributeValue, PublishBatchRequestEntry};
use shared::ports::{ServiceError, TargetMessage};

use super::{Call, Sent, errors};

const MAX_ENTRIES: usize = 10;
const MAX_BYTES: usize = 256 * 1024;

pub(super) async fn check(call: &Call<'_>) -> Result<(), ServiceError> {
    call.clients
        .sns
        .get_topic_attributes()
        .topic_arn(&call.target.arn)
        .send()
        .await
        .map(drop)
        .map_err(|e| call.failed(&e))
}

pub(super) async fn deliver(call: &Call<'_>, messages: &[TargetMessage]) -> Vec<Sent> {
    let size = |m: &TargetMessage| m.body.len() + super::attributes_size(m);
    let runs = super::runs(messages, MAX_ENTRIES, MAX_BYTES, size);
    super::send_runs(runs, call.concurrency(), |run| send(call, messages, run)).await
}

async fn send(call: &Call<'_>, messages: &[TargetMessage], run: Range<usize>) -> Vec<Sent> {
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
        .sns
        .publish_batch()
        .topic_arn(&call.target.arn)
        .set_publish_batch_request_entries(Some(entries))
        .send()
        .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(e) => return vec![Err(call.failed(&e)); n],
    };
    let refused = answer.failed.unwrap_or_default().into_iter().map(|f| {
        let why = errors::entry(&f.code, f.message.as_deref(), f.sender_fault);
        (f.id, why)
    });
    let taken = answer.successful.unwrap_or_default().into_iter();
    super::by_id(n, taken.filter_map(|ok| ok.id), refused)
}

fn entry(id: usize, message: &TargetMessage) -> Result<PublishBatchRequestEntry, ServiceError> {
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
        .collect::<Result<HashMap<_, _>, aws_sdk_sns::error::BuildError>>()
        .map_err(errors::unbuilt)?;
    PublishBatchRequestEntry::builder()
        .id(id.to_string())
        .message(&message.body)
        .set_message_group_id(message.group_id.clone())
        .set_message_deduplication_id(message.deduplication_id.clone())
        .set_message_attributes((!attributes.is_empty()).then_some(attributes))
        .build()
        .map_err(errors::unbuilt)
}
