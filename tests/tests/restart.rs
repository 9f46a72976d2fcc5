//! The embedded store keeps everything across a restart on the same data directory.

use e2e::{Answer, Server};
use reqwest::StatusCode;

#[tokio::test]
async fn data_survives_a_restart_on_the_same_data_directory() {
    let server = Server::start().await;
    let (partner, partner_sub) = server.tenant("partner").await;
    let (customer, customer_sub) = server.tenant("customer").await;
    let registration = partner.registration(&partner_sub, "rg", "durable").await;
    let config = customer.configuration(&customer_sub, "rg").await;
    let before = customer.authorize_partner(&config, "durable").await;

    let server = server.restart().await;
    let customer = customer.rebased(&server.base);
    let (status, after) = customer.get(&config).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the principal's key and the configuration survive: {after}"
    );
    assert_eq!(after["properties"], before["properties"]);
    partner
        .rebased(&server.base)
        .get(registration["id"].as_str().unwrap())
        .await
        .expect_status(StatusCode::OK);
}
