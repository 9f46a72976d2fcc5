//! Kinesis: PutRecords (500 records, 5 MiB a call) into the stream its ARN names, each
//! message's body as the data under its partition key; DescribeStreamSummary is the check.

use std::ops::Range;

use aws_sdk_kinesis::primitives::Blob;
use aws_sdk_kinesis::types::PutRecordsRequestEntry;
use shared::ports::{ServiceError, TargetMessage};

use super::{Call, Sent, errors};

const MAX_RECORDS: usize = 500;
const MAX_BYTES: usize = 5 * 1024 * 1024;

pub(super) async fn check(call: &Call<'_>) -> Result<(), ServiceError> {
    call.clients
        .kinesis
        .describe_stream_summary()
        .stream_arn(&call.target.arn)
        .send()
        .await
        .map(drop)
        .map_err(|e| call.failed(&e))
}

/// A record's size as Kinesis counts it: the data and the partition key.
fn size(message: &TargetMessage) -> usize {
    message.body.len() + message.partition_key.as_ref().map_or(0, String::len)
}

pub(super) async fn deliver(call: &Call<'_>, messages: &[TargetMessage]) -> Vec<Sent> {
    let runs = super::runs(messages, MAX_RECORDS, MAX_BYTES, size);
    super::send_runs(runs, call.concurrency(), |run| send(call, messages, run)).await
}

async fn send(call: &Call<'_>, messages: &[TargetMessage], run: Range<usize>) -> Vec<Sent> {
    let n = run.len();
    let records: Result<Vec<_>, _> = messages[run]
        .iter()
        .map(|m| {
            PutRecordsRequestEntry::builder()
                .data(Blob::new(m.body.as_bytes()))
                .set_partition_key(m.partition_key.clone())
                .build()
                .map_err(errors::unbuilt)
        })
        .collect();
    let records = match records {
        Ok(records) => records,
        Err(e) => return vec![Err(e); n],
    };
    let answer = call
        .clients
        .kinesis
        .put_records()
        .stream_arn(&call.target.arn)
        .set_records(Some(records))
        .send()
        .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(e) => return vec![Err(call.failed(&e)); n],
    };
    let records = answer.records.into_iter();
    super::in_order(n, records.map(|r| (r.error_code, r.error_message)))
}
