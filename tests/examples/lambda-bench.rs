//! The serverless stack's numbers: each function's cold start (process start to the runtime's
//! first poll) and the AWS requests and list-price cost per delivered event, on release builds
//! of the function binaries with moto behind them. Run by `infra/scripts/bench-lambda`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use e2e::lambda::FUNCTIONS;
use e2e::prices::costs;
use e2e::receiver::Plan;
use e2e::stack::{Ingress, Shape, Stack, measure_on};

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
        "| subscriptions | events / publish | ingress | records / invocation | webhook answers in | deliveries | AWS requests / delivery | API Gateway | Lambda | SQS | DynamoDB | **$ per million deliveries** |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let slow = Plan::Slow(Duration::from_millis(100));
    let (api, url) = (Ingress::HttpApi, Ingress::FunctionUrl);
    for (subscriptions, events_per_publish, ingress, records_per_invocation, plan, endpoint) in [
        (10, 100, api, 10, Plan::Ok, "~1 ms"),
        (10, 100, api, 1, Plan::Ok, "~1 ms"),
        (10, 100, api, 1, slow.clone(), "100 ms"),
        (10, 1, api, 1, Plan::Ok, "~1 ms"),
        (10, 1, url, 1, Plan::Ok, "~1 ms"),
        (10, 1, url, 10, Plan::Ok, "~1 ms"),
        (1, 100, api, 10, Plan::Ok, "~1 ms"),
        (1, 100, api, 1, Plan::Ok, "~1 ms"),
        (1, 1, api, 1, Plan::Ok, "~1 ms"),
        (1, 1, url, 1, Plan::Ok, "~1 ms"),
        (1, 1, url, 10, Plan::Ok, "~1 ms"),
    ] {
        let shape = Shape {
            events_per_publish,
            records_per_invocation,
            ingress,
        };
        let ingress_name = match ingress {
            Ingress::HttpApi => "HTTP API",
            Ingress::FunctionUrl => "function URL",
        };
        let publishes = (20_000 / (subscriptions * events_per_publish)).clamp(20, 500);
        let m = measure_on(&stack, subscriptions, publishes, plan, shape).await;
        let [api, lambda, sqs, dynamo] = costs(&m);
        let per_million = |usd: f64| usd / m.deliveries as f64 * 1e6;
        println!(
            "| {subscriptions} | {events_per_publish} | {ingress_name} | {records_per_invocation} | {endpoint} | {} | {:.4} | {:.3} | {:.3} | {:.3} | {:.3} | **{:.3}** |",
            m.deliveries,
            m.requests_per_delivery(),
            per_million(api),
            per_million(lambda),
            per_million(sqs),
            per_million(dynamo),
            per_million(api + lambda + sqs + dynamo),
        );
        eprintln!(
            "{subscriptions} × {events_per_publish} × {ingress_name} × {records_per_invocation} × {endpoint}: {:?}",
            m.requests
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
