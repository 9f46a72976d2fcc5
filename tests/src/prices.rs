//! What a [`Measurement`] costs at AWS list prices (us-east-1, when this was written; change
//! them here), and Event Grid's price to compare with.

use crate::lambda::FUNCTIONS;
use crate::stack::Measurement;

pub const API_GATEWAY_PER_REQUEST: f64 = 1.00e-6; // HTTP API, first 300 M a month
pub const LAMBDA_PER_REQUEST: f64 = 0.20e-6;
pub const LAMBDA_ARM_PER_GB_SECOND: f64 = 0.000_013_333_4;
pub const SQS_PER_REQUEST: f64 = 0.40e-6; // standard queue, per 64 KB chunk
pub const DYNAMODB_PER_READ: f64 = 0.125e-6; // on demand, per read request unit
pub const DYNAMODB_PER_WRITE: f64 = 0.625e-6; // on demand, per write request unit
/// Event Grid per delivered event: a publish and a delivery operation at $0.60 per million.
pub const EVENT_GRID_PER_DELIVERY: f64 = 1.20e-6;

/// The API Gateway, Lambda, SQS and DynamoDB cost of a measurement (USD).
pub fn costs(m: &Measurement) -> [f64; 4] {
    let api = m.api_requests as f64 * API_GATEWAY_PER_REQUEST;
    let mut lambda = 0.0;
    for (name, durations) in &m.invocations {
        let memory_gb = FUNCTIONS.iter().find(|(n, _)| n == name).unwrap().1 as f64 / 1024.0;
        for d in durations {
            let billed_seconds = d.as_millis().max(1) as f64 / 1000.0;
            lambda += LAMBDA_PER_REQUEST + billed_seconds * memory_gb * LAMBDA_ARM_PER_GB_SECOND;
        }
    }
    let (mut sqs, mut dynamo) = (0.0, 0.0);
    for (operation, count) in &m.requests {
        match operation.split_once('.') {
            Some(("SQS", _)) => sqs += count.chunks as f64 * SQS_PER_REQUEST,
            Some(("DynamoDB", "GetItem" | "Query" | "BatchGetItem" | "Scan")) => {
                dynamo += count.requests as f64 * DYNAMODB_PER_READ
            }
            Some(("DynamoDB", _)) => dynamo += count.requests as f64 * DYNAMODB_PER_WRITE,
            _ => {}
        }
    }
    [api, lambda, sqs, dynamo]
}

/// [`costs`] without Lambda's duration charge (which a debug build inflates): what the
/// requests and invocations alone cost (USD).
pub fn request_costs(m: &Measurement) -> f64 {
    let [api, _, sqs, dynamo] = costs(m);
    let invocations: usize = m.invocations.values().map(Vec::len).sum();
    api + sqs + dynamo + invocations as f64 * LAMBDA_PER_REQUEST
}
