//! EventBridge: PutEvents (10 entries, 256 KiB a call) on the bus its ARN names, each message's
//! body as the detail; DescribeEventBus is the check.

use std::ops::Range;

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use shared::ports::{ServiceError, TargetMessage};

use super::{Call, Sent};

const MAX_ENTRIES: usize = 10;
const MAX_BYTES: usize = 256 * 1024;

pub(super) async fn check(call: &Call<'_>) -> Result<(), ServiceError> {
    call.clients
        .events
        .describe_event_bus()
        .name(&call.target.arn)
        .send()
        .await
        .map(drop)
        .map_err(|e| call.failed(&e))
}

/// An entry's size as EventBridge counts it.
fn size(message: &TargetMessage) -> usize {
    let text = |t: &Option<String>| t.as_ref().map_or(0, String::len);
    message.body.len() + text(&message.source) + text(&message.detail_type)
}

pub(super) async fn deliver(call: &Call<'_>, messages: &[TargetMessage]) -> Vec<Sent> {
    let runs = super::runs(messages, MAX_ENTRIES, MAX_BYTES, size);
    super::send_runs(runs, call.concurrency(), |run| send(call, messages, run)).await
}

async fn send(call: &Call<'_>, messages: &[TargetMessage], run: Range<usize>) -> Vec<Sent> {
    let n = run.len();
    let entries = messages[run]
        .iter()
        .map(|m| {
            PutEventsRequestEntry::builder()
                .event_bus_name(&call.target.arn)
                .set_source(m.source.clone())
                .set_detail_type(m.detail_type.clone())
                .detail(&m.body)
                .build()
        })
        .collect();
    let answer = call
        .clients
        .events
        .put_events()
        .set_entries(Some(entries))
        .send()
        .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(e) => return vec![Err(call.failed(&e)); n],
    };
    let entries = answer.entries.unwrap_or_default().into_iter();
    super::in_order(n, entries.map(|e| (e.error_code, e.error_message)))
}
