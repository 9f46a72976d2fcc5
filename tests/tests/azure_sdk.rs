//! Compatibility: Azure's own Python SDKs drive the local server. The test command points
//! `PARTNER_EVENTS_TEST_PYTHON` at a virtualenv with them installed.

use e2e::{Server, Tenants, webhook_receiver};

async fn run_script(script: &str, args: &[&str]) {
    e2e::python::run(&format!("tests/compat/{script}"), args).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_mgmt_eventgrid_drives_the_partner_topic_lifecycle() {
    let server = Server::builder().paused().start().await;
    let (partner, partner_sub) = server.tenant("sdk-partner").await;
    let (customer, customer_sub) = server.tenant("sdk-customer").await;
    let webhook = format!("{}/hook/ok", webhook_receiver().await);
    run_script(
        "mgmt_lifecycle.py",
        &[
            &server.base,
            partner.key(),
            &partner_sub,
            customer.key(),
            &customer_sub,
            &webhook,
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_eventgrid_publishes_with_a_key_a_sas_and_a_channel_name() {
    let server = Server::builder().paused().start().await;
    let t = Tenants::new(&server, "ChannelNameHeader").await;
    t.activated_topic("sdk-channel", "sdk-topic", "fabrikam/orders")
        .await;
    let endpoint = t.publisher().await.url;
    let keys = t.keys().await;
    run_script(
        "publish.py",
        &[&endpoint, keys["key2"].as_str().unwrap(), "sdk-channel"],
    )
    .await;
    let mut ids = Vec::new();
    for body in server.drain_published().await {
        let message: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(message["topic"], t.topic("sdk-topic"));
        ids.extend(
            message["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_str().unwrap().to_owned()),
        );
    }
    ids.sort();
    assert_eq!(ids, ["key-0", "key-1", "key-2", "one-0", "sas-0", "sas-1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_sdks_create_a_customer_topic_subscribe_to_it_and_publish_with_a_key_and_a_sas() {
    let server = Server::start().await;
    let (customer, customer_sub) = server.tenant("sdk-topic-owner").await;
    let receiver = e2e::receiver::Receiver::start().await;
    run_script(
        "topics.py",
        &[
            &server.base,
            customer.key(),
            &customer_sub,
            &receiver.url("sdk-hook"),
        ],
    )
    .await;
    let mut got = Vec::new();
    for _ in 0..200 {
        got = e2e::ids(&receiver.accepted_events("sdk-hook"));
        if got.len() >= 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    got.sort();
    assert_eq!(got, ["key-0", "key-1", "key-2", "sas-0", "sas-1"]);
}
