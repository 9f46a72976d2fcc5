//! Bad input gets 400 (or 404/405/413 where that is the truth) with a stable code and a message
//! that says what to fix; none is answered 500.

use e2e::{Body, Client, Server, eg, from_now, message, new_subscription};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use time::Duration;

struct Case {
    what: &'static str,
    method: Method,
    path: String,
    body: Body,
    status: StatusCode,
    code: &'static str,
    says: &'static str,
}

fn case(
    what: &'static str,
    method: Method,
    path: String,
    body: Body,
    code: &'static str,
    says: &'static str,
) -> Case {
    Case {
        what,
        method,
        path,
        body,
        status: StatusCode::BAD_REQUEST,
        code,
        says,
    }
}

/// A server with a partner's registration `known-partner` and a customer's configuration in
/// group `rg`: the customer, its subscription, and the registration's immutable id.
async fn setup() -> (Server, Client, String, String) {
    let server = Server::start().await;
    let (partner, partner_sub) = server.tenant("partner").await;
    let (customer, customer_sub) = server.tenant("customer").await;
    let reg = partner
        .registration(&partner_sub, "rg", "known-partner")
        .await;
    customer.configuration(&customer_sub, "rg").await;
    let id = reg["properties"]["partnerRegistrationImmutableId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (server, customer, customer_sub, id)
}

fn raw(s: &str) -> Body {
    Body::Raw(s.to_owned())
}

fn j(v: Value) -> Body {
    Body::Json(v)
}

/// What a customer of subscription `sub` may send wrong, `known_id` being a registration's id.
#[rustfmt::skip]
fn customer_cases(sub: &str, known_id: &str) -> Vec<Case> {
    let config = format!("{}/partnerConfigurations/default", eg(sub, "rg"));
    let authorize = format!("{config}/authorizePartner");
    let p = |v: Value| j(json!({"properties": {"partnerAuthorization": v}}));
    let unknown = uuid::Uuid::new_v4().to_string();
    vec![
        case("invalid JSON", Method::PUT, config.clone(), raw("{\"properties\": "), "InvalidRequestContent", "not valid JSON"),
        case("JSON followed by more than whitespace", Method::PUT, config.clone(), raw("{\"tags\": {}}xyz"), "InvalidRequestContent", "trailing characters"),
        case("two JSON values", Method::PUT, config.clone(), raw("{} {}"), "InvalidRequestContent", "trailing characters"),
        case("a JSON array body", Method::PUT, config.clone(), raw("[1,2]"), "InvalidRequestContent", "invalid type"),
        case("days as a string", Method::PUT, config.clone(), p(json!({"defaultMaximumExpirationTimeInDays": "seven"})), "InvalidRequestContent", "properties.partnerAuthorization.defaultMaximumExpirationTimeInDays"),
        case("days as a fraction", Method::PUT, config.clone(), p(json!({"defaultMaximumExpirationTimeInDays": 7.5})), "InvalidRequestContent", "defaultMaximumExpirationTimeInDays"),
        case("tags not an object", Method::PUT, config.clone(), j(json!({"tags": ["a"]})), "InvalidRequestContent", "tags"),
        case("a subscription id that is not a UUID", Method::GET, format!("{}/partnerConfigurations/default", eg("not-a-uuid", "rg")), Body::None, "InvalidSubscriptionId", "not a UUID"),
        case("a resource group ending in a dot", Method::PUT, format!("{}/partnerConfigurations/default", eg(sub, "rg.")), j(json!({})), "InvalidResourceGroupName", "not ending in '.'"),
        case("a resource group of 91 characters", Method::PUT, format!("{}/partnerConfigurations/default", eg(sub, &"r".repeat(91))), j(json!({})), "InvalidResourceGroupName", "1-90"),
        case("a configuration not named default", Method::PUT, format!("{}/partnerConfigurations/custom", eg(sub, "rg")), j(json!({})), "InvalidResourceName", "always named 'default'"),
        case("a registration name of 2 characters", Method::PUT, format!("{}/partnerRegistrations/ab", eg(sub, "rg")), j(json!({})), "InvalidResourceName", "3-50"),
        case("a registration name with an underscore", Method::PUT, format!("{}/partnerRegistrations/bad_name", eg(sub, "rg")), j(json!({})), "InvalidResourceName", "letters, digits or '-'"),
        case("a registration with a client-chosen immutable id", Method::PUT, format!("{}/partnerRegistrations/chosen", eg(sub, "rg")), j(json!({"properties": {"partnerRegistrationImmutableId": unknown}})), "InvalidProperty", "assigned by the server"),
        case("zero days", Method::PUT, config.clone(), p(json!({"defaultMaximumExpirationTimeInDays": 0})), "InvalidDefaultMaximumExpirationTimeInDays", "1 to 365"),
        case("366 days", Method::PUT, config.clone(), p(json!({"defaultMaximumExpirationTimeInDays": 366})), "InvalidDefaultMaximumExpirationTimeInDays", "1 to 365"),
        case("negative days in a patch", Method::PATCH, config.clone(), j(json!({"properties": {"defaultMaximumExpirationTimeInDays": -3}})), "InvalidDefaultMaximumExpirationTimeInDays", "1 to 365"),
        case("a location other than global", Method::PUT, config.clone(), j(json!({"location": "westus"})), "InvalidProperty", "use 'global'"),
        case("an expiry past the maximum", Method::POST, authorize.clone(), j(json!({"partnerName": "known-partner", "authorizationExpirationTimeInUtc": from_now(Duration::days(8))})), "AuthorizationExpirationTooLate", "7 days"),
        case("an expiry in the past", Method::POST, authorize.clone(), j(json!({"partnerName": "known-partner", "authorizationExpirationTimeInUtc": from_now(Duration::days(-1))})), "AuthorizationExpirationInPast", "not in the future"),
        case("an expiry that is not a time", Method::POST, authorize.clone(), j(json!({"partnerName": "known-partner", "authorizationExpirationTimeInUtc": "tomorrow"})), "InvalidRequestContent", "authorizationExpirationTimeInUtc"),
        case("an unknown partner id", Method::POST, authorize.clone(), j(json!({"partnerRegistrationImmutableId": unknown})), "PartnerNotFound", "no partner registration"),
        case("an unknown partner name", Method::POST, authorize.clone(), j(json!({"partnerName": "nobody-here"})), "PartnerNotFound", "name 'nobody-here'"),
        case("a partner id that is not a UUID", Method::POST, authorize.clone(), j(json!({"partnerRegistrationImmutableId": "1234"})), "InvalidRequestContent", "partnerRegistrationImmutableId"),
        case("an id and a name that disagree", Method::POST, authorize.clone(), j(json!({"partnerRegistrationImmutableId": known_id, "partnerName": "someone-else"})), "PartnerIdentityMismatch", "different partners"),
        case("no partner identity", Method::POST, authorize.clone(), j(json!({})), "PartnerIdentityRequired", "partnerRegistrationImmutableId or partnerName"),
        case("a partner listed twice", Method::PUT, config.clone(), p(json!({"authorizedPartnersList": [{"partnerName": "known-partner"}, {"partnerRegistrationImmutableId": known_id}]})), "DuplicatePartnerAuthorization", "twice"),
        case("an unknown partner in a PUT list", Method::PUT, config.clone(), p(json!({"authorizedPartnersList": [{"partnerName": "ghost"}]})), "PartnerNotFound", "ghost"),
        case("$top that is not a number", Method::GET, format!("{}/partnerConfigurations?$top=many", eg(sub, "rg")), Body::None, "InvalidProperty", "$top"),
        case("$top of zero", Method::GET, format!("{}/partnerRegistrations?$top=0", eg(sub, "rg")), Body::None, "InvalidProperty", "1 to 1000"),
        case("a forged $skipToken", Method::GET, format!("{}/partnerRegistrations?$skipToken=bm9wZQ", eg(sub, "rg")), Body::None, "InvalidSkipToken", "nextLink"),
        Case { status: StatusCode::NOT_FOUND, ..case("authorizing on a missing configuration", Method::POST, format!("{}/partnerConfigurations/default/authorizePartner", eg(sub, "empty-rg")), j(json!({"partnerName": "known-partner"})), "PartnerConfigurationNotFound", "create it with PUT") },
    ]
}

/// What the operator may send wrong, `known_id` being a registration's id.
#[rustfmt::skip]
fn operator_cases(known_id: &str) -> Vec<Case> {
    let unknown = uuid::Uuid::new_v4().to_string();
    vec![
        case("a principal with a bad subscription id", Method::POST, "/admin/principals".into(), j(json!({"name": "x", "subscriptions": ["nope"]})), "InvalidSubscriptionId", "not a UUID"),
        case("a principal with no subscriptions", Method::POST, "/admin/principals".into(), j(json!({"name": "x", "subscriptions": []})), "InvalidProperty", "1 to 50"),
        case("a principal with a bad name", Method::POST, "/admin/principals".into(), j(json!({"name": "has space", "subscriptions": [new_subscription()]})), "InvalidPrincipalName", "letters, digits"),
        case("a principal without a name", Method::POST, "/admin/principals".into(), j(json!({"subscriptions": [new_subscription()]})), "InvalidRequestContent", "missing field `name`"),
        case("a verified partner without properties", Method::PUT, "/admin/verifiedPartners/vp-one".into(), j(json!({})), "InvalidRequestContent", "needs 'properties'"),
        case("a verified partner of an unknown registration", Method::PUT, "/admin/verifiedPartners/vp-one".into(), j(json!({"properties": {"partnerRegistrationImmutableId": unknown, "organizationName": "O", "partnerDisplayName": "D"}})), "PartnerNotFound", "creates its registration first"),
        case("a verified partner with a long description", Method::PUT, "/admin/verifiedPartners/vp-one".into(), j(json!({"properties": {"partnerRegistrationImmutableId": known_id, "organizationName": "O", "partnerDisplayName": "D", "partnerTopicDetails": {"description": "d".repeat(257)}}})), "InvalidProperty", "0 to 256"),
        Case { status: StatusCode::NOT_FOUND, ..case("an unknown route", Method::GET, "/subscriptions/x/nothing".into(), Body::None, "NotFound", "no route serves") },
        Case { status: StatusCode::METHOD_NOT_ALLOWED, ..case("an unsupported method", Method::PATCH, "/admin/principals".into(), j(json!({})), "MethodNotAllowed", "PATCH is not supported") },
    ]
}

#[tokio::test]
async fn bad_management_input_gets_a_clear_4xx_never_a_500() {
    let (server, customer, sub, known_id) = setup().await;
    let operator = server.operator();
    let all: Vec<(&Client, Case)> = customer_cases(&sub, &known_id)
        .into_iter()
        .map(|c| (&customer, c))
        .chain(
            operator_cases(&known_id)
                .into_iter()
                .map(|c| (&operator, c)),
        )
        .collect();
    assert!(all.len() >= 35);
    for (client, c) in all {
        let (status, body) = client.send(c.method, &c.path, c.body).await;
        assert_eq!(status, c.status, "{}: {body}", c.what);
        assert_eq!(body["error"]["code"], c.code, "{}: {body}", c.what);
        let message = message(&body);
        assert!(
            message.contains(c.says),
            "{}: message '{message}' should say '{}'",
            c.what,
            c.says
        );
    }
}

#[tokio::test]
async fn an_oversized_body_is_413_not_500() {
    let (server, customer, sub, _) = setup().await;
    let huge = format!(
        "{{\"tags\": {{\"a\": \"{}\"}}}}",
        "x".repeat(3 * 1024 * 1024)
    );
    let (status, body) = customer
        .send(
            Method::PUT,
            &format!("{}/partnerConfigurations/default", eg(&sub, "rg")),
            Body::Raw(huge),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "PayloadTooLarge");
    drop(server);
}
