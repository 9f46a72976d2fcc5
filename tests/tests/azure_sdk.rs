//! Compatibility: Azure's own Python SDKs drive the local server. The test command points
//! `PARTNER_EVENTS_TEST_PYTHON` at a virtualenv with them installed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Server, new_subscription};

fn python() -> String {
    std::env::var("PARTNER_EVENTS_TEST_PYTHON").unwrap_or_else(|_| {
        panic!("the Azure SDK tests need PARTNER_EVENTS_TEST_PYTHON (a python with azure-mgmt-eventgrid); run the README's test command, which sets it")
    })
}

async fn run_script(script: &str, args: &[&str]) {
    let path = format!("{}/compat/{script}", env!("CARGO_MANIFEST_DIR"));
    let output = tokio::process::Command::new(python())
        .arg(&path)
        .args(args)
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_mgmt_eventgrid_drives_the_partner_topic_lifecycle() {
    let server = Server::start().await;
    let (partner_sub, customer_sub) = (new_subscription(), new_subscription());
    let partner = server.principal("sdk-partner", &[&partner_sub]).await;
    let customer = server.principal("sdk-customer", &[&customer_sub]).await;
    run_script(
        "mgmt_lifecycle.py",
        &[
            &server.base,
            partner.key(),
            &partner_sub,
            customer.key(),
            &customer_sub,
        ],
    )
    .await;
}
