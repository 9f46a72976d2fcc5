//! The authorization set-up as its owners make it over HTTP: partner registrations and partner
//! configurations that authorize partners, each call asserting its status.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Client, eg};

impl Client {
    /// Creates (or replaces) partner registration `name` in group `rg` of `sub`; asserts 200;
    /// the registration.
    pub async fn registration(&self, sub: &str, rg: &str, name: &str) -> Value {
        self.put(
            &format!("{}/partnerRegistrations/{name}", eg(sub, rg)),
            json!({}),
        )
        .await
        .expect_status(StatusCode::OK)
    }

    /// Creates the partner configuration of group `rg` in `sub`; asserts 201; its path.
    pub async fn configuration(&self, sub: &str, rg: &str) -> String {
        let path = format!("{}/partnerConfigurations/default", eg(sub, rg));
        self.put(&path, json!({}))
            .await
            .expect_status(StatusCode::CREATED);
        path
    }

    /// Authorizes (or renews) the partner named `partner` on configuration `config`; asserts
    /// 200; the configuration.
    pub async fn authorize_partner(&self, config: &str, partner: &str) -> Value {
        self.partner_action(config, "authorizePartner", partner)
            .await
    }

    /// Removes the partner named `partner` from configuration `config`; asserts 200; the
    /// configuration.
    pub async fn unauthorize_partner(&self, config: &str, partner: &str) -> Value {
        self.partner_action(config, "unauthorizePartner", partner)
            .await
    }

    async fn partner_action(&self, config: &str, action: &str, partner: &str) -> Value {
        self.post(
            &format!("{config}/{action}"),
            json!({"partnerName": partner}),
        )
        .await
        .expect_status(StatusCode::OK)
    }
}
