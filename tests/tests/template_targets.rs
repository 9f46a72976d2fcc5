//! The template's IAM for AWS targets, as deployed: only in the operator's accounts, never on the
//! stack's own resources.

use serde_json::{Value, json};

use super::template::{list, resources, transformed};

/// The statements of a role's policies that hold only under `condition` (`Fn::If`).
fn conditional_statements<'a>(role: &'a Value, condition: &str) -> Vec<&'a Value> {
    list(&role["Policies"])
        .into_iter()
        .filter_map(|p| p["Fn::If"].as_array())
        .filter(|branches| branches[0] == condition)
        .flat_map(|branches| list(&branches[1]["PolicyDocument"]["Statement"]))
        .collect()
}

fn actions(statement: &Value) -> Vec<&str> {
    list(&statement["Action"])
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect()
}

#[test]
fn aws_targets_are_reached_only_in_the_operators_accounts_and_never_the_stacks_own_resources() {
    let template = transformed();
    let roles: std::collections::HashMap<&str, &Value> =
        resources(&template, "AWS::IAM::Role").into_iter().collect();
    let bound = json!({"StringEquals": {"aws:ResourceAccount": {"Ref": "TargetAccountIds"}}});
    for (role, expected) in [
        (
            "FanoutFunctionRole",
            vec![
                "sqs:SendMessage",
                "sqs:GetQueueUrl",
                "sns:Publish",
                "events:PutEvents",
                "kinesis:PutRecords",
                "lambda:InvokeFunction",
                "s3:PutObject",
                "sts:AssumeRole",
            ],
        ),
        (
            "ProvisioningFunctionRole",
            vec![
                "sqs:GetQueueUrl",
                "sqs:GetQueueAttributes",
                "sns:GetTopicAttributes",
                "events:DescribeEventBus",
                "kinesis:DescribeStreamSummary",
                "lambda:GetFunction",
                "s3:ListBucket",
                "sts:AssumeRole",
            ],
        ),
    ] {
        let statements = conditional_statements(roles[role], "HasTargetAccounts");
        let mut allowed: Vec<&str> = Vec::new();
        for s in statements.iter().filter(|s| s["Effect"] == "Allow") {
            assert_eq!(s["Condition"], bound, "{role}: {s}");
            allowed.extend(actions(s));
        }
        let (mut allowed_sorted, mut expected_sorted) = (allowed.clone(), expected.clone());
        allowed_sorted.sort();
        expected_sorted.sort();
        assert_eq!(allowed_sorted, expected_sorted, "{role}");
        let deny = statements
            .iter()
            .find(|s| s["Effect"] == "Deny")
            .unwrap_or_else(|| panic!("{role} denies the stack's own resources"));
        let denied = deny["Resource"].to_string();
        for own in [
            "Table",
            "FanoutQueue",
            "FanoutDeadLetterQueue",
            "DeliveryDeadLetterQueue",
        ] {
            assert!(denied.contains(&format!("\"{own}\"")), "{role}: {denied}");
        }
        assert!(
            denied.contains(":function:${AWS::StackName}-*"),
            "{role}: {denied}"
        );
        for action in expected {
            assert!(
                actions(deny).contains(&action),
                "{role} denies {action} on its own"
            );
        }
    }
}
