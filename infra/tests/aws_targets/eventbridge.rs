//! EventBridge buses: an event put on a bus, routed by a rule to a queue, carries the source,
//! the detail type and the message as its detail.

use serde_json::{Value, json};
use shared::ports::{TargetDelivery, TargetMessage, Targets};
use shared::subscriptions::aws::Service;

use super::{ACCOUNT, REGION, assert_taken, message, queue, receive, sdk, target, targets, unique};

#[tokio::test]
async fn an_event_reaches_the_queue_a_rule_routes_it_to_with_the_message_as_its_detail() {
    let config = sdk().await;
    let (events, sqs) = (
        aws_sdk_eventbridge::Client::new(&config),
        aws_sdk_sqs::Client::new(&config),
    );
    let bus = unique("pe");
    let bus_arn = events
        .create_event_bus()
        .name(&bus)
        .send()
        .await
        .unwrap()
        .event_bus_arn
        .unwrap();
    let (url, queue_arn) = queue(&sqs, false).await;
    let pattern = json!({"source": ["com.contoso.orders"]}).to_string();
    events
        .put_rule()
        .name("to-queue")
        .event_bus_name(&bus)
        .event_pattern(pattern)
        .send()
        .await
        .unwrap();
    let to_queue = aws_sdk_eventbridge::types::Target::builder()
        .id("queue")
        .arn(&queue_arn)
        .build()
        .unwrap();
    events
        .put_targets()
        .rule("to-queue")
        .event_bus_name(&bus)
        .targets(to_queue)
        .send()
        .await
        .unwrap();

    let event = json!({
        "specversion": "1.0", "id": "e-1", "source": "com.contoso.orders",
        "type": "Order.Created", "data": {"order": 17, "lines": [1, 2]}
    });
    let sent = TargetMessage {
        source: Some("com.contoso.orders".into()),
        detail_type: Some("Order.Created".into()),
        ..message(&event.to_string())
    };
    let delivery = TargetDelivery {
        target: target(Service::EventBridge, &bus_arn),
        messages: vec![sent],
    };
    assert_taken(&targets().await.deliver(&delivery).await, 1);

    let received = receive(&sqs, &url, 1).await;
    assert_eq!(received.len(), 1);
    let envelope: Value = serde_json::from_str(received[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(envelope["source"], "com.contoso.orders");
    assert_eq!(envelope["detail-type"], "Order.Created");
    assert_eq!(envelope["detail"], event);
}

#[tokio::test]
async fn check_accepts_an_existing_bus_and_refuses_a_missing_one() {
    let events = aws_sdk_eventbridge::Client::new(&sdk().await);
    let bus = events
        .create_event_bus()
        .name(unique("pe"))
        .send()
        .await
        .unwrap();
    let adapter = targets().await;
    let arn = bus.event_bus_arn.unwrap();
    adapter
        .check(&target(Service::EventBridge, &arn))
        .await
        .unwrap();

    let missing = format!(
        "arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{}",
        unique("gone")
    );
    let said = adapter
        .check(&target(Service::EventBridge, &missing))
        .await
        .unwrap_err();
    assert!(said.starts_with("ResourceNotFoundException"), "{said}");
}
