//! The template's metrics (on the template as deployed): every function writes EMF in the
//! namespace the dashboard reads, and the dashboard shows the metrics the code emits and the
//! queues' own.

use serde_json::Value;
use shared::metrics as m;

use crate::template::{resources, transformed};

/// The dashboard's body with its `Fn::Sub` variables replaced (`${AWS::…}` and resource
/// attributes left as they are), and the namespace it was given.
fn dashboard(template: &Value) -> (Value, String) {
    let dashboards = resources(template, "AWS::CloudWatch::Dashboard");
    assert_eq!(dashboards.len(), 1, "one dashboard");
    let sub = &dashboards[0].1["DashboardBody"]["Fn::Sub"];
    let mut body = sub[0].as_str().unwrap().to_owned();
    let namespace = sub[1]["Namespace"]["Fn::Sub"].as_str().unwrap().to_owned();
    body = body.replace("${Namespace}", &namespace);
    (serde_json::from_str(&body).unwrap(), namespace)
}

#[test]
fn every_function_writes_its_metrics_in_the_dashboards_namespace() {
    let template = transformed();
    let (_, namespace) = dashboard(&template);
    let functions = resources(&template, "AWS::Lambda::Function");
    assert_eq!(functions.len(), 6);
    for (id, function) in functions {
        assert_eq!(
            function["Environment"]["Variables"][infra::config::METRICS_NAMESPACE]["Fn::Sub"],
            namespace.as_str(),
            "{id}"
        );
    }
}

#[test]
fn the_dashboard_shows_publishes_outcomes_latency_queue_age_and_dlq_depth() {
    let template = transformed();
    let (body, namespace) = dashboard(&template);
    let widgets = body["widgets"].as_array().unwrap();
    let metrics: Vec<String> = widgets
        .iter()
        .flat_map(|w| w["properties"]["metrics"].as_array().unwrap())
        .map(Value::to_string)
        .collect();
    let shows = |needles: &[&str]| {
        metrics
            .iter()
            .any(|m| needles.iter().all(|n| m.contains(n)))
    };
    assert!(shows(&[&namespace, m::EVENTS_PUBLISHED, "Sum"]));
    assert!(shows(&[&namespace, m::PUBLISH_REFUSED, ",code}"]));
    assert!(shows(&[&namespace, m::DELIVERIES, ",outcome}"]));
    assert!(shows(&[&namespace, m::DEAD_LETTERS, ",reason}"]));
    assert!(shows(&[&namespace, m::DELIVERY_LATENCY, "\"p50\""]));
    assert!(shows(&[&namespace, m::DELIVERY_LATENCY, "\"p99\""]));
    for queue in ["FanoutQueue", "DeliveryQueue"] {
        let name = format!("${{{queue}.QueueName}}");
        assert!(
            shows(&["AWS/SQS", "ApproximateAgeOfOldestMessage", &name]),
            "{queue}"
        );
    }
    for queue in ["FanoutDeadLetterQueue", "DeliveryDeadLetterQueue"] {
        let name = format!("${{{queue}.QueueName}}");
        assert!(
            shows(&["AWS/SQS", "ApproximateNumberOfMessagesVisible", &name]),
            "{queue}"
        );
    }
    for widget in widgets {
        assert_eq!(widget["properties"]["region"], "${AWS::Region}");
    }
}
