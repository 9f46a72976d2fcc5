//! The authorization flow over HTTP: principals, a partner registration, a verified partner, a
//! partner configuration, authorize / renew / unauthorize, listings and deletion.

use e2e::{Answer, Server, eg, from_now};
use reqwest::StatusCode;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn parse_time(v: &serde_json::Value) -> OffsetDateTime {
    OffsetDateTime::parse(v.as_str().unwrap(), &Rfc3339).unwrap()
}

#[tokio::test]
async fn a_customer_authorizes_renews_and_unauthorizes_a_partner() {
    let server = Server::start().await;
    let (partner, partner_sub) = server.tenant("fabrikam").await;
    let (customer, customer_sub) = server.tenant("contoso").await;

    let registration = format!(
        "{}/partnerRegistrations/fabrikam-events",
        eg(&partner_sub, "partner-rg")
    );
    let reg = partner
        .put(
            &registration,
            json!({"location": "global", "tags": {"team": "events"}}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(reg["type"], "Microsoft.EventGrid/partnerRegistrations");
    assert_eq!(reg["id"], registration);
    assert_eq!(reg["properties"]["provisioningState"], "Succeeded");
    let immutable_id = reg["properties"]["partnerRegistrationImmutableId"]
        .as_str()
        .unwrap()
        .to_owned();
    uuid::Uuid::parse_str(&immutable_id).unwrap();

    let again = partner
        .put(&registration, json!({"tags": {"team": "platform"}}))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(
        again["properties"]["partnerRegistrationImmutableId"],
        immutable_id.as_str()
    );
    assert_eq!(again["tags"]["team"], "platform");

    let verified = json!({"properties": {
        "partnerRegistrationImmutableId": immutable_id,
        "organizationName": "Fabrikam Inc.",
        "partnerDisplayName": "Fabrikam Events",
        "partnerTopicDetails": {"description": "Order events", "setupUri": "https://fabrikam.example/setup"}
    }});
    let operator = server.operator();
    let fabrikam = "/admin/verifiedPartners/Fabrikam";
    operator
        .put(fabrikam, verified.clone())
        .await
        .expect_status(StatusCode::CREATED);
    operator
        .put(fabrikam, verified)
        .await
        .expect_status(StatusCode::OK);
    let list = customer
        .get("/providers/Microsoft.EventGrid/verifiedPartners")
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(list["value"][0]["name"], "Fabrikam");
    assert_eq!(
        list["value"][0]["properties"]["partnerRegistrationImmutableId"],
        immutable_id.as_str()
    );
    let verified_fabrikam = "/providers/Microsoft.EventGrid/verifiedPartners/Fabrikam";
    let one = customer
        .get(verified_fabrikam)
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(one["properties"]["organizationName"], "Fabrikam Inc.");

    let config = format!(
        "{}/partnerConfigurations/default",
        eg(&customer_sub, "customer-rg")
    );
    let thirty_days =
        json!({"properties": {"partnerAuthorization": {"defaultMaximumExpirationTimeInDays": 30}}});
    let body = customer
        .put(&config, thirty_days.clone())
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(body["location"], "global");
    assert_eq!(
        body["properties"]["partnerAuthorization"]["authorizedPartnersList"],
        json!([])
    );
    customer
        .put(&config, thirty_days)
        .await
        .expect_status(StatusCode::OK);

    let before = OffsetDateTime::now_utc();
    let body = customer.authorize_partner(&config, "fabrikam-events").await;
    let entry = &body["properties"]["partnerAuthorization"]["authorizedPartnersList"][0];
    assert_eq!(
        entry["partnerRegistrationImmutableId"],
        immutable_id.as_str()
    );
    assert_eq!(entry["partnerName"], "fabrikam-events");
    let expiry = parse_time(&entry["authorizationExpirationTimeInUtc"]);
    assert!(
        expiry >= before + time::Duration::days(30)
            && expiry <= OffsetDateTime::now_utc() + time::Duration::days(30)
    );

    let renewed_to = from_now(time::Duration::days(3));
    let body = customer
        .post(
            &format!("{config}/authorizePartner"),
            json!({"partnerRegistrationImmutableId": immutable_id, "authorizationExpirationTimeInUtc": renewed_to}),
        )
        .await
        .expect_status(StatusCode::OK);
    let list = body["properties"]["partnerAuthorization"]["authorizedPartnersList"]
        .as_array()
        .unwrap();
    assert_eq!(list.len(), 1, "authorizing again updates, never duplicates");
    assert_eq!(
        parse_time(&list[0]["authorizationExpirationTimeInUtc"]),
        parse_time(&json!(renewed_to))
    );

    let got = customer.get(&config).await.expect_status(StatusCode::OK);
    assert_eq!(
        got["properties"]["partnerAuthorization"]["authorizedPartnersList"][0]["partnerName"],
        "fabrikam-events"
    );
    let (_, in_group) = customer
        .get(&format!(
            "{}/partnerConfigurations",
            eg(&customer_sub, "customer-rg")
        ))
        .await;
    assert_eq!(in_group["value"].as_array().unwrap().len(), 1);
    let (_, in_sub) = customer
        .get(&format!(
            "/subscriptions/{customer_sub}/providers/Microsoft.EventGrid/partnerConfigurations"
        ))
        .await;
    assert_eq!(in_sub["value"][0]["id"], config);

    let patched = customer
        .patch(&config, json!({"tags": {"env": "prod"}, "properties": {"defaultMaximumExpirationTimeInDays": 90}}))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(
        patched["properties"]["partnerAuthorization"]["defaultMaximumExpirationTimeInDays"],
        90
    );
    assert_eq!(patched["tags"]["env"], "prod");

    let body = customer
        .unauthorize_partner(&config, "fabrikam-events")
        .await;
    assert_eq!(
        body["properties"]["partnerAuthorization"]["authorizedPartnersList"],
        json!([])
    );
    let (status, _) = customer
        .post(
            &format!("{config}/unauthorizePartner"),
            json!({"partnerName": "fabrikam-events"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "unauthorizing a partner that is not listed is idempotent"
    );

    customer.remove(&config).await;
    customer.assert_missing(&config).await;
    customer.remove(&config).await;

    operator.remove(fabrikam).await;
    customer.assert_missing(verified_fabrikam).await;
    partner.remove(&registration).await;
    partner.assert_missing(&registration).await;
}

#[tokio::test]
async fn a_configuration_put_may_list_partners_by_id_or_name_with_default_expiry() {
    let server = Server::start().await;
    let (partner, partner_sub) = server.tenant("p").await;
    let (customer, customer_sub) = server.tenant("c").await;
    let a = partner.registration(&partner_sub, "rg", "alpha").await;
    let b = partner.registration(&partner_sub, "rg", "beta").await;
    let a_id = a["properties"]["partnerRegistrationImmutableId"].clone();
    let before = OffsetDateTime::now_utc();
    let body = customer
        .put(
            &format!("{}/partnerConfigurations/default", eg(&customer_sub, "rg")),
            json!({"properties": {"partnerAuthorization": {"authorizedPartnersList": [
                {"partnerRegistrationImmutableId": a_id},
                {"partnerName": "BETA"}
            ]}}}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let auth = &body["properties"]["partnerAuthorization"];
    assert_eq!(auth["defaultMaximumExpirationTimeInDays"], 7);
    let list = auth["authorizedPartnersList"].as_array().unwrap();
    assert_eq!(list[0]["partnerName"], "alpha");
    assert_eq!(
        list[1]["partnerRegistrationImmutableId"],
        b["properties"]["partnerRegistrationImmutableId"]
    );
    assert!(
        parse_time(&list[1]["authorizationExpirationTimeInUtc"])
            >= before + time::Duration::days(7)
    );
}

#[tokio::test]
async fn listings_page_with_next_link_without_loss_or_repeat() {
    let server = Server::start().await;
    let (partner, sub) = server.tenant("pager").await;
    for i in 0..7 {
        let rg = format!("rg{}", i % 2);
        partner.registration(&sub, &rg, &format!("reg-{i}")).await;
    }
    let mut url = format!(
        "/subscriptions/{sub}/providers/Microsoft.EventGrid/partnerRegistrations?api-version=2025-02-15&$top=3"
    );
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        let page = partner.get(&url).await.expect_status(StatusCode::OK);
        pages += 1;
        names.extend(
            page["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["name"].as_str().unwrap().to_owned()),
        );
        match page["nextLink"].as_str() {
            Some(next) => {
                assert!(next.starts_with(&server.base) && next.contains("api-version=2025-02-15"));
                url = next.to_owned();
            }
            None => break,
        }
    }
    names.sort();
    assert_eq!(pages, 3);
    assert_eq!(
        names,
        (0..7).map(|i| format!("reg-{i}")).collect::<Vec<_>>()
    );
    let (_, rg0) = partner
        .get(&format!("{}/partnerRegistrations", eg(&sub, "RG0")))
        .await;
    assert_eq!(
        rg0["value"].as_array().unwrap().len(),
        4,
        "resource group names compare case-insensitively"
    );
}

#[tokio::test]
async fn a_partner_may_be_named_by_its_verified_partner_name_as_in_azures_examples() {
    let server = Server::start().await;
    let (partner, partner_sub) = server.tenant("p").await;
    let (customer, customer_sub) = server.tenant("c").await;
    let mut ids = Vec::new();
    for name in ["contoso-registration", "other-registration"] {
        let reg = partner.registration(&partner_sub, "rg", name).await;
        ids.push(reg["properties"]["partnerRegistrationImmutableId"].clone());
    }
    let (contoso, other) = (ids[0].clone(), ids[1].clone());
    let verify = |name: &str, id: &serde_json::Value| {
        let operator = server.operator();
        let path = format!("/admin/verifiedPartners/{name}");
        let body = json!({"properties": {
            "partnerRegistrationImmutableId": id,
            "organizationName": "Contoso",
            "partnerDisplayName": "Contoso Finance"
        }});
        async move { operator.put(&path, body).await.0 }
    };
    assert_eq!(
        verify("Contoso-Finance", &contoso).await,
        StatusCode::CREATED
    );
    let config = customer.configuration(&customer_sub, "rg").await;
    let authorize = format!("{config}/authorizePartner");
    let unauthorize = format!("{config}/unauthorizePartner");
    let listed = |body: &serde_json::Value| {
        body["properties"]["partnerAuthorization"]["authorizedPartnersList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["partnerRegistrationImmutableId"].clone())
            .collect::<Vec<_>>()
    };
    let expiry = from_now(time::Duration::days(2));

    let (status, body) = customer
        .post(
            &authorize,
            json!({"partnerRegistrationImmutableId": contoso, "partnerName": "Contoso-Finance", "authorizationExpirationTimeInUtc": expiry}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "Azure's example shape: {body}");
    assert_eq!(listed(&body), std::slice::from_ref(&contoso));
    let entry = &body["properties"]["partnerAuthorization"]["authorizedPartnersList"][0];
    assert_eq!(entry["partnerName"], "contoso-registration");

    let body = customer
        .post(
            &unauthorize,
            json!({"partnerRegistrationImmutableId": contoso, "partnerName": "contoso-finance"}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert!(listed(&body).is_empty());

    let (status, body) = customer
        .post(&authorize, json!({"partnerName": "CONTOSO-FINANCE"}))
        .await;
    assert_eq!(status, StatusCode::OK, "by the verified name alone: {body}");
    assert_eq!(listed(&body), std::slice::from_ref(&contoso));
    let body = customer
        .unauthorize_partner(&config, "Contoso-Finance")
        .await;
    assert!(listed(&body).is_empty());

    customer
        .post(
            &authorize,
            json!({"partnerRegistrationImmutableId": other, "partnerName": "Contoso-Finance"}),
        )
        .await
        .expect_error(StatusCode::BAD_REQUEST, "PartnerIdentityMismatch");
    customer
        .post(&authorize, json!({"partnerName": "nobody-by-this-name"}))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "PartnerNotFound");

    assert_eq!(
        verify("contoso-registration", &other).await,
        StatusCode::CREATED
    );
    let (status, body) = customer
        .post(&authorize, json!({"partnerName": "contoso-registration"}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("PartnerNameAmbiguous")),
        "a registration's name and another partner's verified name: {body}"
    );
    for id in [&contoso, &other] {
        let (status, body) = customer
            .post(
                &authorize,
                json!({"partnerRegistrationImmutableId": id, "partnerName": "contoso-registration"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "the id says which: {body}");
    }
}
