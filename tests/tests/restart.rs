//! The embedded store keeps everything across a restart on the same data directory.

use e2e::{Server, eg, new_subscription};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn data_survives_a_restart_on_the_same_data_directory() {
    let server = Server::start().await;
    let (partner_sub, customer_sub) = (new_subscription(), new_subscription());
    let partner = server.principal("partner", &[&partner_sub]).await;
    let customer = server.principal("customer", &[&customer_sub]).await;
    partner
        .put(
            &format!("{}/partnerRegistrations/durable", eg(&partner_sub, "rg")),
            json!({}),
        )
        .await;
    let config = format!("{}/partnerConfigurations/default", eg(&customer_sub, "rg"));
    customer.put(&config, json!({})).await;
    let (status, before) = customer
        .post(
            &format!("{config}/authorizePartner"),
            json!({"partnerName": "durable"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let server = server.restart().await;
    let customer = customer.rebased(&server.base);
    let (status, after) = customer.get(&config).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the principal's key and the configuration survive: {after}"
    );
    assert_eq!(after["properties"], before["properties"]);
    let (status, _) = partner
        .rebased(&server.base)
        .get(&format!(
            "{}/partnerRegistrations/durable",
            eg(&partner_sub, "rg")
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
}
