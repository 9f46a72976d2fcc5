//! The serverless stack's numbers: each function's cold start (process start to the runtime's
//! first poll) and the AWS requests and list-price cost per delivered event, on release builds
//! of the function binaries with moto behind them. Run by `infra/scripts/bench-lambda`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use e2e::lambda::FUNCTIONS;
use e2e::receiver::Plan;
use e2e::stack::{Measurement, Shape, Stack, measure_on};

/// us-east-1 list prices (USD) when this was written; change them here.
const API_GATEWAY_PER_REQUEST: f64 = 1.00e-6; // HTTP API, first 300 M a month
const LAMBDA_PER_REQUEST: f64 = 0.20e-6;
const LAMBDA_ARM_PER_GB_SECOND: f64 = 0.000_013_333_4;
const SQS_PER_REQUEST: f64 = 0.40e-6; // standard queue, per 64 KB chunk
const DYNAMODB_PER_READ: f64 = 0.125e-6; // on demand, per read request unit
const DYNAMODB_PER_WRITE: f64 = 0.625e-6; // on demand, per write request unit

#[tokio::main]
async fn main() {
    let stack = Stack::start("release", "$default").await;
    println!("| function | cold start p50 ms | max ms |");
    println!("|---|---|---|");
    for (name, _) in FUNCTIONS {
        let mut times = Vec::new();
        for _ in 0..10 {
            times.push(stack.cold_start(name).await.init_time().await);
        }
        times.sort();
        println!(
            "| {name} | {:.1} | {:.1} |",
            ms(times[times.len() / 2]),
            ms(*times.last().unwrap())
        );
    }
    println!();
    println!(
        "| subscriptions | events / publish | records / invocation | webhook answers in | deliveries | AWS requests / delivery | API Gateway | Lambda | SQS | DynamoDB | **$ per million deliveries** |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let slow = Plan::Slow(Duration::from_millis(100));
    for (subscriptions, events_per_publish, records_per_invocation, plan, endpoint) in [
        (10, 100, 10, Plan::Ok, "~1 ms"),
        (10, 100, 1, Plan::Ok, "~1 ms"),
        (10, 100, 1, slow.clone(), "100 ms"),
        (10, 1, 1, Plan::Ok, "~1 ms"),
        (1, 100, 10, Plan::Ok, "~1 ms"),
        (1, 100, 1, Plan::Ok, "~1 ms"),
        (1, 1, 1, Plan::Ok, "~1 ms"),
    ] {
        let shape = Shape {
            events_per_publish,
            records_per_invocation,
        };
        let publishes = (20_000 / (subscriptions * events_per_publish)).clamp(20, 2000);
        let m = measure_on(&stack, subscriptions, publishes, plan, shape).await;
        let [api, lambda, sqs, dynamo] = costs(&m);
        let per_million = |usd: f64| usd / m.deliveries as f64 * 1e6;
        println!(
            "| {subscriptions} | {events_per_publish} | {records_per_invocation} | {endpoint} | {} | {:.4} | {:.3} | {:.3} | {:.3} | {:.3} | **{:.3}** |",
            m.deliveries,
            m.requests_per_delivery(),
            per_million(api),
            per_million(lambda),
            per_million(sqs),
            per_million(dynamo),
            per_million(api + lambda + sqs + dynamo),
        );
        eprintln!(
            "{subscriptions} × {events_per_publish} × {records_per_invocation} × {endpoint}: {:?}",
            m.requests
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// API Gateway, Lambda, SQS and DynamoDB list-price cost of a measurement (USD).
fn costs(m: &Measurement) -> [f64; 4] {
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
