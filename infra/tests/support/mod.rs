//! Test support shared by the adapter test suites: fresh stores of every adapter, and a macro
//! that runs each case of a suite once per adapter.

#![allow(dead_code, unused_macros)]

use std::sync::Arc;

use shared::ports::Store;

/// `on_every_store!(cases: a, b)` makes tests `embedded::a`, `dynamo::a`, ... that each call
/// `super::cases::a(store)` with a fresh store of that adapter.
macro_rules! on_every_store {
    ($cases:ident: $($case:ident),+ $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let dir = tempfile::tempdir().unwrap();
                    let store = infra::embedded::EmbeddedStore::open(dir.path()).unwrap();
                    super::$cases::$case(std::sync::Arc::new(store)).await;
                }
            )+
        }

        mod dynamo {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    super::$cases::$case(crate::support::dynamo_store().await).await;
                }
            )+
        }
    };
}

/// `on_every_queue!(cases: a, b)`: like `on_every_store!`, with a fresh queue of each adapter
/// (the embedded one also gets its directory, to reopen it).
macro_rules! on_every_queue {
    ($cases:ident: $($case:ident),+ $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let dir = tempfile::tempdir().unwrap();
                    let queue = infra::embedded::EmbeddedQueue::open(dir.path(), "test").unwrap();
                    super::$cases::$case(std::sync::Arc::new(queue)).await;
                }
            )+
        }

        mod sqs {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    super::$cases::$case(std::sync::Arc::new(crate::support::sqs_queue(&uuid::Uuid::new_v4().to_string(), 3).await)).await;
                }
            )+
        }
    };
}

fn emulator() -> String {
    std::env::var("PARTNER_EVENTS_TEST_AWS_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "the AWS adapter tests need an emulator: set PARTNER_EVENTS_TEST_AWS_ENDPOINT \
             or run the README's test command, which starts moto"
        )
    })
}

/// The SQS client of the emulator.
pub fn sqs_client() -> aws_sdk_sqs::Client {
    use aws_sdk_sqs::config::{BehaviorVersion, Builder, Credentials, Region};
    let config = Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(emulator())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

/// A fresh queue `name` (with `name-dlq` after `max_receives`) on the emulator.
pub async fn sqs_queue(name: &str, max_receives: u32) -> infra::sqs::SqsQueue {
    infra::sqs::SqsQueue::create_if_missing(sqs_client(), name, max_receives)
        .await
        .unwrap()
}

/// A store on a fresh table of the DynamoDB emulator. Panics, never skips, when the emulator
/// is not configured.
pub async fn dynamo_store() -> Arc<dyn Store> {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Builder, Credentials, Region};

    let endpoint = std::env::var("PARTNER_EVENTS_TEST_AWS_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "the DynamoDB tests need an emulator: set PARTNER_EVENTS_TEST_AWS_ENDPOINT \
             or run the README's test command, which starts moto"
        )
    });
    let config = Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    let store = infra::dynamo::DynamoStore::new(client, format!("test-{}", uuid::Uuid::new_v4()));
    store.create_table_if_missing().await.unwrap();
    Arc::new(store)
}
