//! Lambda: one synchronous Invoke per message, its body as the payload. A function that
//! answers with an error has not taken the message: it is tried again. GetFunction is the
//! check.

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;
use shared::ports::{Fault, ServiceError, TargetMessage};

use super::{Call, Sent};

/// The bytes of a failed function's answer kept as the error's message.
const ANSWER_KEPT: usize = 200;

pub(super) async fn check(call: &Call<'_>) -> Result<(), ServiceError> {
    call.clients
        .lambda
        .get_function()
        .function_name(&call.target.arn)
        .send()
        .await
        .map(drop)
        .map_err(|e| call.failed(&e))
}

pub(super) async fn deliver(call: &Call<'_>, messages: &[TargetMessage]) -> Vec<Sent> {
    let runs = super::runs(messages, 1, usize::MAX, |_| 0);
    super::send_runs(runs, super::CONCURRENT_CALLS, |run| async move {
        let mut sent = Vec::with_capacity(run.len());
        for message in &messages[run] {
            sent.push(invoke(call, message).await);
        }
        sent
    })
    .await
}

async fn invoke(call: &Call<'_>, message: &TargetMessage) -> Sent {
    let answer = call
        .clients
        .lambda
        .invoke()
        .function_name(&call.target.arn)
        .invocation_type(InvocationType::RequestResponse)
        .payload(Blob::new(message.body.as_bytes()))
        .send()
        .await
        .map_err(|e| call.failed(&e))?;
    let Some(function_error) = answer.function_error else {
        return Ok(());
    };
    let payload = answer.payload.map(Blob::into_inner).unwrap_or_default();
    let kept = String::from_utf8_lossy(&payload[..payload.len().min(ANSWER_KEPT)]).into_owned();
    let code = match function_error.is_empty() {
        true => "FunctionError".to_owned(),
        false => function_error,
    };
    let status = u16::try_from(answer.status_code).unwrap_or_default();
    Err(ServiceError::new(Fault::Unavailable, status, code, kept))
}
