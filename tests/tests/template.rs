//! No drift between template.yaml and the code: every function the template builds is a crate
//! of the workspace with a Lambda main, and every environment variable the configuration reads
//! is set by the template (but the operator key itself, which a deployment holds only as a
//! hash). On the template as deployed (the SAM transform applied): least-privilege queue
//! access, alarms that notify, the handshake inside the request's time, the log level.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

#[test]
fn every_function_in_the_template_is_a_workspace_crate_with_a_lambda_main() {
    let template = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let binaries: Vec<&str> = template
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Binary: "))
        .collect();
    assert_eq!(
        binaries.len(),
        6,
        "fanout, authorizations, provisioning, ingest, sweeper, console: {binaries:?}"
    );
    let workspace = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    for binary in binaries {
        assert!(
            workspace.contains(&format!("\"functions/{binary}\"")),
            "{binary} is a workspace member"
        );
        let main = std::fs::read_to_string(root().join(format!("functions/{binary}/src/main.rs")))
            .unwrap();
        assert!(
            main.contains("lambda_runtime::run") || main.contains("infra::lambda::serve_"),
            "{binary} has a Lambda main"
        );
        assert!(
            main.lines().count() <= 25,
            "{binary}'s main stays a thin bootstrap"
        );
    }
}

#[test]
fn every_environment_variable_the_configuration_reads_is_set_by_the_template() {
    let template = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let config = std::fs::read_to_string(root().join("infra/src/config.rs")).unwrap();
    let names: Vec<&str> = config
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("pub const ")?
                .split_once("= \"")?
                .1
                .strip_suffix("\";")
        })
        .collect();
    assert!(names.len() >= 5, "{names:?}");
    let optional_locally = ["PARTNER_EVENTS_OPERATOR_KEY"];
    for name in names.iter().filter(|n| !optional_locally.contains(n)) {
        assert!(
            template.contains(&format!("{name}:")),
            "template.yaml sets {name}"
        );
    }
}

/// template.yaml as CloudFormation deploys it (the SAM transform applied by
/// `infra/scripts/transform_template.py` with aws-sam-translator).
pub(super) fn transformed() -> Value {
    let output = std::process::Command::new(e2e::python::python())
        .arg(root().join("infra/scripts/transform_template.py"))
        .arg(root().join("template.yaml"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the SAM transform failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The resources of one type, by logical id.
pub(super) fn resources<'a>(template: &'a Value, kind: &str) -> Vec<(&'a str, &'a Value)> {
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .map(|(id, r)| (id.as_str(), &r["Properties"]))
        .collect()
}

/// A value that may be one item or a list of them, as a list.
pub(super) fn list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        one => vec![one],
    }
}

/// Every policy statement of a role.
fn statements(role: &Value) -> Vec<&Value> {
    list(&role["Policies"])
        .into_iter()
        .flat_map(|p| list(&p["PolicyDocument"]["Statement"]))
        .collect()
}

/// The metrics an alarm watches: their names and dimensions, directly or in metric math.
fn metrics(alarm: &Value) -> Vec<(&str, &Value)> {
    let direct = alarm["MetricName"]
        .as_str()
        .map(|name| (name, &alarm["Dimensions"]));
    let math = list(&alarm["Metrics"]).into_iter().filter_map(|m| {
        let metric = &m["MetricStat"]["Metric"];
        Some((metric["MetricName"].as_str()?, &metric["Dimensions"]))
    });
    direct.into_iter().chain(math).collect()
}

fn watches(alarm: &Value, metric: &str, dimension: &str, value: &Value) -> bool {
    metrics(alarm).iter().any(|(name, dimensions)| {
        *name == metric
            && list(dimensions)
                .iter()
                .any(|d| d["Name"] == dimension && d["Value"] == *value)
    })
}

fn queue_arn(queue: &str) -> Value {
    json!({ "Fn::GetAtt": [queue, "Arn"] })
}

#[test]
fn only_the_fanout_role_may_receive_and_delete_messages_and_only_on_its_two_queues() {
    let template = transformed();
    assert!(
        !template
            .to_string()
            .contains("AWSLambdaSQSQueueExecutionRole"),
        "no role gets receive and delete on every queue of the account"
    );
    let queues = [queue_arn("FanoutQueue"), queue_arn("DeliveryQueue")];
    let mut receivers = Vec::new();
    for (id, role) in resources(&template, "AWS::IAM::Role") {
        for statement in statements(role) {
            let actions: Vec<&str> = list(&statement["Action"])
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            let resources: Vec<&Value> = list(&statement["Resource"]);
            if actions.iter().any(|a| *a == "*" || a.starts_with("sqs:")) {
                assert!(
                    resources.iter().all(|r| !r.to_string().contains('*')),
                    "{id}: {statement}"
                );
            }
            if actions
                .iter()
                .any(|a| ["sqs:ReceiveMessage", "sqs:DeleteMessage"].contains(a))
            {
                assert_eq!(resources, queues.iter().collect::<Vec<_>>(), "{id}");
                receivers.push(id);
            }
        }
    }
    assert_eq!(receivers, ["FanoutFunctionRole"]);
    let sources = resources(&template, "AWS::Lambda::EventSourceMapping");
    assert_eq!(sources.len(), 2);
    for (id, source) in sources {
        assert!(queues.contains(&source["EventSourceArn"]), "{id}");
        assert_eq!(source["FunctionName"], json!({ "Ref": "FanoutFunction" }));
    }
}

#[test]
fn the_queue_triggers_report_batch_item_failures_within_a_maximum_concurrency() {
    let template = transformed();
    for (id, source) in resources(&template, "AWS::Lambda::EventSourceMapping") {
        assert_eq!(
            source["FunctionResponseTypes"],
            json!(["ReportBatchItemFailures"]),
            "{id}"
        );
        let parameter = source["ScalingConfig"]["MaximumConcurrency"]["Ref"]
            .as_str()
            .unwrap_or_else(|| panic!("{id} has a MaximumConcurrency parameter"));
        let default = template["Parameters"][parameter]["Default"]
            .as_u64()
            .unwrap();
        assert!((2..=100).contains(&default), "{parameter}: {default}");
    }
    let fanout = &template["Resources"]["FanoutFunction"]["Properties"];
    assert_eq!(
        template["Parameters"]["FanoutReservedConcurrency"]["Default"],
        json!(0)
    );
    assert_eq!(
        fanout["ReservedConcurrentExecutions"]["Fn::If"][2],
        json!({ "Ref": "AWS::NoValue" }),
        "a default deploy reserves no concurrency"
    );
}

#[test]
fn the_ingest_function_url_is_opt_in_public_and_the_fanout_batching_window_defaults_to_none() {
    let template = transformed();
    assert_eq!(
        template["Parameters"]["IngestFunctionUrl"]["Default"],
        "Disabled"
    );
    assert_eq!(
        template["Conditions"]["EnableIngestFunctionUrl"],
        json!({"Fn::Equals": [{"Ref": "IngestFunctionUrl"}, "Enabled"]})
    );
    let ingest_arn = json!({"Fn::GetAtt": ["IngestFunction", "Arn"]});
    let url = &template["Resources"]["IngestUrl"];
    assert_eq!(url["Condition"], "EnableIngestFunctionUrl");
    assert_eq!(url["Properties"]["TargetFunctionArn"], ingest_arn);
    assert_eq!(
        url["Properties"]["AuthType"], "NONE",
        "the function checks keys itself"
    );
    let mut granted: Vec<(String, Value)> = resources(&template, "AWS::Lambda::Permission")
        .into_iter()
        .filter(|(_, p)| p["FunctionName"] == json!({"Ref": "IngestFunction"}))
        .filter(|(_, p)| p["Principal"] == "*")
        .map(|(id, p)| {
            assert_eq!(
                template["Resources"][id]["Condition"], "EnableIngestFunctionUrl",
                "{id}"
            );
            (p["Action"].as_str().unwrap().to_owned(), p.clone())
        })
        .collect();
    granted.sort_by(|a, b| a.0.cmp(&b.0));
    let actions: Vec<&str> = granted.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        ["lambda:InvokeFunction", "lambda:InvokeFunctionUrl"],
        "a public function URL needs both"
    );
    assert_eq!(granted[0].1["InvokedViaFunctionUrl"], json!(true));
    assert_eq!(granted[1].1["FunctionUrlAuthType"], "NONE");
    assert_eq!(
        template["Outputs"]["IngestFunctionUrl"]["Value"],
        json!({"Fn::GetAtt": ["IngestUrl", "FunctionUrl"]})
    );

    let fanout = &template["Resources"]["FanoutFunctionFanout"]["Properties"];
    assert_eq!(
        fanout["MaximumBatchingWindowInSeconds"],
        json!({"Ref": "FanoutBatchingWindowSeconds"})
    );
    assert_eq!(
        template["Parameters"]["FanoutBatchingWindowSeconds"]["Default"],
        json!(0),
        "no added latency by default"
    );
}

#[test]
fn every_alarm_notifies_the_alarm_topic_when_it_fires_and_when_it_clears() {
    let template = transformed();
    assert_eq!(
        template["Resources"]["AlarmTopic"]["Type"],
        "AWS::SNS::Topic"
    );
    let topic = json!([{ "Fn::If": ["CreateAlarmTopic", { "Ref": "AlarmTopic" }, { "Ref": "AlarmTopicArn" }] }]);
    let alarms = resources(&template, "AWS::CloudWatch::Alarm");
    assert!(alarms.len() >= 15, "{}", alarms.len());
    for (id, alarm) in alarms {
        assert_eq!(alarm["AlarmActions"], topic, "{id}");
        assert_eq!(alarm["OKActions"], topic, "{id}");
    }
}

#[test]
fn both_queues_alarm_on_the_age_of_their_oldest_message() {
    let template = transformed();
    let alarms = resources(&template, "AWS::CloudWatch::Alarm");
    for queue in ["FanoutQueue", "DeliveryQueue"] {
        let name = json!({ "Fn::GetAtt": [queue, "QueueName"] });
        assert!(
            alarms.iter().any(|(_, alarm)| watches(
                alarm,
                "ApproximateAgeOfOldestMessage",
                "QueueName",
                &name
            )),
            "{queue}"
        );
    }
}

#[test]
fn every_function_and_the_table_alarm_on_throttling() {
    let template = transformed();
    let alarms = resources(&template, "AWS::CloudWatch::Alarm");
    let functions = resources(&template, "AWS::Lambda::Function");
    assert_eq!(functions.len(), 6);
    for (function, _) in functions {
        let name = json!({ "Ref": function });
        assert!(
            alarms
                .iter()
                .any(|(_, alarm)| watches(alarm, "Throttles", "FunctionName", &name)),
            "{function}"
        );
    }
    let table = json!({ "Ref": "Table" });
    for metric in ["ReadThrottleEvents", "WriteThrottleEvents"] {
        assert!(
            alarms
                .iter()
                .any(|(_, alarm)| watches(alarm, metric, "TableName", &table)),
            "{metric}"
        );
    }
}

#[test]
fn the_handshake_gives_up_well_before_the_functions_and_api_gateway_do() {
    let margin = Duration::from_secs(10);
    let api_gateway = Duration::from_secs(30);
    let handshake = infra::webhook::HANDSHAKE_TIMEOUT;
    assert!(handshake + margin <= api_gateway, "{handshake:?}");
    let template = transformed();
    for (id, function) in resources(&template, "AWS::Lambda::Function") {
        let timeout = Duration::from_secs(function["Timeout"].as_u64().unwrap());
        assert!(handshake + margin <= timeout, "{id}: {timeout:?}");
    }
    assert_eq!(
        template["Resources"]["ProvisioningFunction"]["Properties"]["Timeout"],
        json!(29)
    );
}

#[test]
fn functions_log_warnings_and_errors_by_default_into_groups_that_expire() {
    let template = transformed();
    assert_eq!(template["Parameters"]["LogLevel"]["Default"], "WARN");
    let retention = &template["Parameters"]["LogRetentionInDays"]["Default"];
    assert!(
        retention.as_u64().is_some_and(|days| days <= 365),
        "{retention}"
    );
    for (id, function) in resources(&template, "AWS::Lambda::Function") {
        let logging = &function["LoggingConfig"];
        assert_eq!(logging["LogFormat"], "JSON", "{id}");
        assert_eq!(
            logging["ApplicationLogLevel"],
            json!({ "Ref": "LogLevel" }),
            "{id}"
        );
        assert!(
            function["Environment"]["Variables"]["RUST_LOG"].is_null(),
            "{id}: RUST_LOG would override the level"
        );
        let group = logging["LogGroup"]["Ref"].as_str().unwrap();
        let group = &template["Resources"][group];
        assert_eq!(group["Type"], "AWS::Logs::LogGroup", "{id}");
        assert_eq!(
            group["Properties"]["RetentionInDays"],
            json!({ "Ref": "LogRetentionInDays" }),
            "{id}"
        );
    }
}

#[test]
fn the_console_functions_role_grants_nothing_but_its_logs() {
    let template = transformed();
    let role = &template["Resources"]["ConsoleFunctionRole"]["Properties"];
    assert!(
        role["Policies"].as_array().is_none_or(Vec::is_empty),
        "{role}"
    );
    let managed = list(&role["ManagedPolicyArns"]);
    assert_eq!(managed.len(), 1, "{role}");
    assert!(
        managed[0]
            .to_string()
            .contains("AWSLambdaBasicExecutionRole"),
        "{role}"
    );
}
