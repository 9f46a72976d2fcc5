//! The serverless path as Lambda runs it: the workspace's function binaries under a Lambda
//! Runtime API, API Gateway HTTP API payload 2.0 events, SQS events from queues on moto, the
//! operator key from Secrets Manager on moto, and real local webhook receivers.

use e2e::receiver::{Plan, Receiver};
use e2e::stack::{Ingress, Shape, Stack, batch_item_failures, measure, measure_on, record};
use e2e::{Answer, Client, Tenants, ids, order_event};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_functions_answer_api_gateway_events_on_a_named_stage() {
    let stack = Stack::start("debug", "prod").await;
    for function in stack.functions.values() {
        function.init_time().await;
    }
    // Tenants are set up through the API on the stage, the operator key read from Secrets
    // Manager.
    let tenants = Tenants::with_operator(&stack.operator, "ChannelNameHeader").await;
    let (status, body) = Client::new(&stack.gateway.base, "not-the-key")
        .post(
            "/admin/principals",
            json!({"name": "mallory", "subscriptions": []}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "AuthenticationFailed");

    let body = tenants
        .partner
        .get(&tenants.namespace)
        .await
        .expect_status(StatusCode::OK);
    let name = tenants.namespace.rsplit('/').next().unwrap();
    assert_eq!(
        body["properties"]["endpoint"],
        format!("https://api.example.com/prod/partnerNamespaces/{name}/api/events"),
        "links carry the stage"
    );

    let rules =
        json!({"properties": {"inboundIpRules": [{"ipMask": "10.0.0.0/8", "action": "Allow"}]}});
    tenants
        .partner
        .patch(&tenants.namespace, rules)
        .await
        .expect_status(StatusCode::OK);
    let endpoint = stack.publish_url(body["properties"]["endpoint"].as_str().unwrap());
    let refused = reqwest::Client::new()
        .post(&endpoint)
        .header("aeg-sas-key", "any")
        .header("content-type", "application/cloudevents-batch+json")
        .body("[]")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(refused["error"]["code"], "IpAddressRejected");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("client 127.0.0.1 "),
        "{refused}"
    );

    let (status, body) = stack
        .operator
        .get("/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.EventGrid/nothingHere")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"]["code"].is_string(), "{body}");

    let scheduled: Value =
        serde_json::from_str(include_str!("../fixtures/scheduled-event.json")).unwrap();
    let answer = stack.functions["sweeper"].invoke(scheduled).await.unwrap();
    assert_eq!(answer, json!({"settled": 0}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_published_through_api_gateway_reaches_webhooks_through_sqs_and_the_fanout_function()
 {
    let stack = Stack::start("debug", "$default").await;
    let receiver = Receiver::start().await;
    receiver.plan(
        "flaky",
        Plan::FailFirst {
            times: 1,
            status: 500,
        },
    );
    let topic = stack.active_topic().await;
    topic.subscribe_receiver(&receiver, "steady").await;
    topic.subscribe_receiver(&receiver, "flaky").await;

    let fanout = stack.deployment.fanout_queue.clone();
    stack.drain(&fanout).await;
    let events: Vec<Value> = (1..=3)
        .map(|i| order_event(&format!("o{i}"), "Orders.Created", json!({"n": i})))
        .collect();
    topic.publish(&json!(events)).await;

    let poll = stack
        .poll(&fanout, 5, &[record("not-a-message", "{\"topic\": 1}")])
        .await
        .expect("the publish put a message on the fan-out queue");
    assert_eq!(poll.event["Records"].as_array().unwrap().len(), 2);
    assert_eq!(
        batch_item_failures(&poll.answer),
        vec!["not-a-message".to_owned()],
        "only the record that cannot be handled is a batch item failure"
    );
    assert_eq!(ids(&receiver.accepted_events("steady")), ["o1", "o2", "o3"]);
    let mut answered: Vec<u16> = receiver
        .deliveries("flaky")
        .iter()
        .map(|d| d.answered)
        .collect();
    answered.sort();
    assert_eq!(answered, [200, 200, 500]);
    let failed = receiver
        .deliveries("flaky")
        .into_iter()
        .find(|d| d.answered == 500)
        .unwrap()
        .events();

    let delivery = stack.deployment.delivery_queue.clone();
    let retry = loop {
        if let Some(poll) = stack.poll(&delivery, 20, &[]).await {
            break poll;
        }
    };
    assert!(batch_item_failures(&retry.answer).is_empty());
    let flaky = receiver.deliveries("flaky");
    assert_eq!(
        flaky.len(),
        4,
        "the failed delivery was retried from the delivery queue"
    );
    assert_eq!(flaky[3].answered, 200);
    assert_eq!(flaky[3].events(), failed);
    assert_eq!(ids(&receiver.accepted_events("flaky")).len(), 3);
    assert!(stack.poll(&fanout, 0, &[]).await.is_none());
}

/// Measures delivering 5 batches to `subscriptions` webhooks; asserts it takes at most 0.3
/// AWS requests a delivered event.
async fn under_a_third_of_an_aws_request_a_delivery(subscriptions: usize) {
    let measured = measure(subscriptions, 5, Plan::Ok).await;
    eprintln!("{:?}", measured.requests);
    let per_event = measured.requests_per_delivery();
    assert!(
        per_event <= 0.3,
        "{per_event} AWS requests per delivered event"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivering_an_event_to_one_subscription_takes_under_a_third_of_an_aws_request() {
    under_a_third_of_an_aws_request_a_delivery(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivering_an_event_to_ten_subscriptions_takes_under_a_third_of_an_aws_request_each() {
    under_a_third_of_an_aws_request_a_delivery(10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_function_instance_applies_a_management_change_to_the_next_publish() {
    let stack = Stack::start("debug", "$default").await;
    let second = stack.cold_start("fanout").await;
    let instances = [&stack.functions["fanout"], &second];
    let receiver = Receiver::start().await;
    let topic = stack.active_topic().await;
    topic.subscribe_receiver(&receiver, "first").await;
    let fanout = stack.deployment.fanout_queue.clone();
    let publish_and_fan_out = |id: &'static str, instance: usize| {
        let (topic, stack, fanout) = (&topic, &stack, &fanout);
        async move {
            topic
                .publish(&json!([order_event(id, "Orders.Created", json!({}))]))
                .await;
            let poll = stack
                .poll_with(instances[instance], fanout, 5, &[])
                .await
                .expect("the publish put a message on the fan-out queue");
            assert!(batch_item_failures(&poll.answer).is_empty());
            stack.drain(fanout).await;
        }
    };
    publish_and_fan_out("warm-a", 0).await;
    publish_and_fan_out("warm-b", 1).await;

    topic.subscribe_receiver(&receiver, "second").await;
    publish_and_fan_out("after-put", 0).await;
    assert_eq!(ids(&receiver.accepted_events("second")), ["after-put"]);

    let (status, _) = topic.owner.delete(&topic.subscription("first")).await;
    assert!(status.is_success());
    publish_and_fan_out("after-delete", 1).await;
    assert_eq!(
        ids(&receiver.accepted_events("first")),
        ["after-put", "warm-a", "warm-b"]
    );

    let new_key = topic.regenerate_key().await;
    let events = json!([order_event("k", "Orders.Created", json!({}))]);
    for (key, status) in [
        (&topic.key, StatusCode::UNAUTHORIZED),
        (&new_key, StatusCode::OK),
    ] {
        topic.publish_with(key, &events).await.expect_status(status);
    }
    topic.tenants.deactivate(&topic.path).await;
    let (status, _) = topic.publish_with(&new_key, &events).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// DynamoDB's on-demand price, dollars per million write request units (us-east-1 list price).
const DOLLARS_PER_MILLION_WRITE_UNITS: f64 = 0.625;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_delivery_log_adds_under_twenty_cents_a_million_deliveries() {
    let stack = Stack::start("debug", "$default").await;
    stack.proxy.keep("DynamoDB.UpdateItem");
    let measured = measure_on(&stack, 10, 5, Plan::Ok, Shape::PREFILLED).await;
    let log_writes: Vec<String> = stack
        .proxy
        .kept("DynamoDB.UpdateItem")
        .into_iter()
        .filter(|body| body.contains("deliveryLog#"))
        .collect();
    let units: usize = log_writes.iter().map(|b| b.len().div_ceil(1024)).sum();
    let dollars = units as f64 / measured.deliveries as f64 * DOLLARS_PER_MILLION_WRITE_UNITS;
    eprintln!(
        "delivery log: {} writes, {units} write units (at most) for {} deliveries: ${dollars:.3} per million deliveries",
        log_writes.len(),
        measured.deliveries
    );
    assert_eq!(measured.deliveries, 5000);
    assert!(!log_writes.is_empty(), "the log was written");
    assert!(dollars <= 0.20, "${dollars} per million deliveries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ingest_function_url_checks_and_delivers_publishes_as_the_http_api_does() {
    let stack = Stack::start("debug", "prod").await;
    let receiver = Receiver::start().await;
    let topic = stack.active_topic_via(Ingress::FunctionUrl).await;
    topic.subscribe_receiver(&receiver, "hook").await;
    let through_api = e2e::Publisher::new(
        &topic
            .publisher
            .url
            .replace(&stack.function_url.base, &stack.gateway.base),
    );
    assert!(through_api.url.contains("/prod/partnerNamespaces/"));
    let good = json!([order_event("o1", "Orders.Created", json!({}))]);
    let no_id = json!([{"specversion": "1.0", "source": "s", "type": "t"}]);
    for (credential, events) in [
        (("aeg-sas-key", "not-the-key"), &good),
        (("aeg-sas-key", topic.key.as_str()), &no_id),
    ] {
        let (url_status, url_body) = topic.publisher.send(credential, events).await;
        let (api_status, api_body) = through_api.send(credential, events).await;
        assert!(url_status.is_client_error(), "{url_status} {url_body}");
        assert_eq!(
            (url_status, &url_body["error"]["code"]),
            (api_status, &api_body["error"]["code"])
        );
    }

    let fanout = stack.deployment.fanout_queue.clone();
    stack.drain(&fanout).await;
    let one = order_event("o2", "Orders.Created", json!({"n": 2}));
    let response = topic
        .publisher
        .post()
        .header("aeg-sas-key", &topic.key)
        .header(
            "content-type",
            "application/cloudevents+json; charset=utf-8",
        )
        .body(one.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    stack.drain(&fanout).await;
    assert_eq!(ids(&receiver.accepted_events("hook")), ["o2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_events_through_the_function_url_with_fanouts_of_ten_cost_less_than_event_grid() {
    let stack = Stack::start("debug", "$default").await;
    let shape = Shape {
        events_per_publish: 1,
        records_per_invocation: 10,
        ingress: Ingress::FunctionUrl,
    };
    let measured = measure_on(&stack, 1, 50, Plan::Ok, shape).await;
    let [api, lambda, sqs, dynamo] = e2e::prices::costs(&measured);
    let per_million = |usd: f64| usd / measured.deliveries as f64 * 1e6;
    let requests = per_million(e2e::prices::request_costs(&measured));
    eprintln!(
        "{:?}: API Gateway ${:.3}, Lambda ${:.3} (debug build durations), SQS ${:.3}, DynamoDB ${:.3} per million deliveries; ${requests:.3} without Lambda's duration",
        measured.requests,
        per_million(api),
        per_million(lambda),
        per_million(sqs),
        per_million(dynamo),
    );
    assert_eq!(measured.deliveries, 50);
    assert_eq!(api, 0.0, "no API Gateway request");
    assert!(
        requests < e2e::prices::EVENT_GRID_PER_DELIVERY * 1e6,
        "${requests} per million deliveries in requests alone"
    );
}
