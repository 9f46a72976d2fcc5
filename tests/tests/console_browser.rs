//! The console in a real browser: Debian's Chromium driven by Playwright (the test command
//! installs both) through the scenarios in `tests/console/`, each setting its tenants up over
//! HTTP, doing its step in the console and checking the result through the API. Screenshots
//! land in `target/console-screenshots/`. The browser runs on the machine's real clock even in
//! the test command's pass with the clock a year ahead (only the server's clock is moved then).

use e2e::stack::Stack;
use e2e::{OPERATOR_KEY, Server};

/// Runs scenario `script` against the API (and console) at `base`; asserts it passed.
async fn scenario(script: &str, base: &str, operator_key: &str) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let shots = root.join("target/console-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let args = [base.as_ref(), operator_key.as_ref(), shots.as_os_str()];
    e2e::python::run_on_the_real_clock(&format!("tests/console/{script}"), args).await;
}

async fn on_a_local_server(script: &str) {
    let server = Server::start().await;
    scenario(script, &server.base, server.operator().key()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_sees_a_pending_partner_topic_with_its_message_and_activates_it() {
    on_a_local_server("activate.py").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_made_in_the_console_gets_the_next_event_and_its_delivered_count_rises() {
    on_a_local_server("subscribe_and_deliver.py").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_letter_is_shown_selected_and_redelivered_from_the_console() {
    on_a_local_server("dead_letters.py").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_creates_a_channel_and_sees_its_readiness_follow_the_customers_activation() {
    on_a_local_server("partner_channel.py").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_is_refused_with_the_apis_code_and_message() {
    on_a_local_server("wrong_key.py").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_customer_and_partner_do_the_rest_of_their_work_in_the_console() {
    on_a_local_server("tour.py").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_aws_the_console_is_served_on_the_stage_and_activates_a_partner_topic() {
    let stack = Stack::start("debug", "prod").await;
    scenario("activate.py", &stack.gateway.base, OPERATOR_KEY).await;
}
