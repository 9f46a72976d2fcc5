//! Signed deliveries (Standard Webhooks 1.0): the spec's test vector, the message id, secrets
//! and their rotation, and what a subscription's read shows of them.

use shared::delivery::signing::{self, headers, signature, webhook_id};
use shared::ports::DeliveryRequest;
use shared::subscriptions::signing_secrets::{self, ROTATION_OVERLAP, SigningSecrets};
use shared::subscriptions::{Destination, WebHook};
use time::{Duration, OffsetDateTime};

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// The spec's vector (its message id has `M9LWM0`, as the spec and its libraries print it).
#[test]
fn the_spec_test_vector_signs_as_published() {
    let signed = signature(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        r#"{"test": 2432232314}"#,
    );
    assert_eq!(
        signed.as_deref(),
        Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    );
}

#[test]
fn a_receiver_accepts_any_secret_in_force_and_refuses_a_wrong_secret_body_or_stale_time() {
    let first = SigningSecrets::generate().unwrap();
    let at = now();
    let rotated = first.rotated(at).unwrap();
    let body = r#"[{"id":"1"}]"#;
    let signed = headers(&rotated, "/sub", body, at);
    let (id, timestamp, signatures) = (&signed[0].1, &signed[1].1, &signed[2].1);
    let check = |secret: &str, body: &str, now: OffsetDateTime| {
        signing::verify(secret, id, timestamp, signatures, body, now)
    };
    assert_eq!(check(&rotated.current, body, at), Ok(()));
    assert_eq!(
        check(&first.current, body, at),
        Ok(()),
        "the previous secret"
    );
    let other = SigningSecrets::generate().unwrap().current;
    assert!(
        check(&other, body, at)
            .unwrap_err()
            .contains("no webhook-signature")
    );
    assert!(check(&rotated.current, r#"[{"id":"2"}]"#, at).is_err());
    let tolerance = signing::TIMESTAMP_TOLERANCE;
    assert_eq!(check(&rotated.current, body, at + tolerance), Ok(()));
    let late = check(
        &rotated.current,
        body,
        at + tolerance + Duration::seconds(1),
    );
    assert!(late.unwrap_err().contains("more than 5 minutes"));
    let early = check(
        &rotated.current,
        body,
        at - tolerance - Duration::seconds(1),
    );
    assert!(early.is_err());
    let unparsed = signing::verify(&rotated.current, id, "soon", signatures, body, at);
    assert!(unparsed.unwrap_err().contains("'soon'"));
}

#[test]
fn a_secret_that_is_not_base64_signs_nothing() {
    assert_eq!(signature("whsec_not base64!", "msg_1", 1, "{}"), None);
}

#[test]
fn a_new_secret_is_whsec_and_32_random_bytes() {
    use base64::Engine;
    let a = signing_secrets::new_secret().unwrap();
    let b = signing_secrets::new_secret().unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(a.strip_prefix("whsec_").unwrap())
        .unwrap();
    assert_eq!(bytes.len(), 32);
    assert_ne!(a, b);
}

#[test]
fn the_message_id_is_the_same_for_one_body_to_one_subscription_and_differs_otherwise() {
    let id = webhook_id("/subscriptions/s/eventSubscriptions/a", "{\"id\":\"1\"}");
    assert!(id.starts_with("msg_"), "{id}");
    assert_eq!(
        id,
        webhook_id("/subscriptions/s/eventSubscriptions/a", "{\"id\":\"1\"}")
    );
    assert_ne!(
        id,
        webhook_id("/subscriptions/s/eventSubscriptions/b", "{\"id\":\"1\"}")
    );
    assert_ne!(
        id,
        webhook_id("/subscriptions/s/eventSubscriptions/a", "{\"id\":\"2\"}")
    );
}

#[test]
fn a_rotated_secret_signs_beside_the_new_one_for_24_hours_then_alone_the_new_one_does() {
    let t0 = now();
    let first = SigningSecrets::generate().unwrap();
    assert_eq!(first.in_force(t0), vec![first.current.as_str()]);
    let rotated = first.rotated(t0).unwrap();
    assert_ne!(rotated.current, first.current);
    assert_eq!(rotated.previous.as_deref(), Some(first.current.as_str()));
    assert_eq!(rotated.previous_expires_utc, Some(t0 + ROTATION_OVERLAP));
    let almost = t0 + ROTATION_OVERLAP - Duration::seconds(1);
    assert_eq!(
        rotated.in_force(almost),
        vec![rotated.current.as_str(), first.current.as_str()]
    );
    assert_eq!(rotated.shown(almost), rotated);
    let after = t0 + ROTATION_OVERLAP;
    assert_eq!(rotated.in_force(after), vec![rotated.current.as_str()]);
    let shown = rotated.shown(after);
    assert_eq!(shown.previous, None);
    assert_eq!(shown.previous_expires_utc, None);
}

#[test]
fn rotating_again_within_the_overlap_drops_the_oldest_secret() {
    let t0 = now();
    let first = SigningSecrets::generate().unwrap();
    let second = first.rotated(t0).unwrap();
    let third = second.rotated(t0 + Duration::hours(1)).unwrap();
    let in_force = third.in_force(t0 + Duration::hours(2));
    assert_eq!(
        in_force,
        vec![third.current.as_str(), second.current.as_str()]
    );
}

#[test]
fn headers_carry_the_id_the_timestamp_and_one_signature_per_secret_in_force_current_first() {
    let t0 = now();
    let secrets = SigningSecrets::generate().unwrap().rotated(t0).unwrap();
    let body = r#"{"id":"e1"}"#;
    let got = headers(&secrets, "/sub/a", body, t0);
    let id = webhook_id("/sub/a", body);
    let ts = t0.unix_timestamp();
    let expected = format!(
        "{} {}",
        signature(&secrets.current, &id, ts, body).unwrap(),
        signature(secrets.previous.as_deref().unwrap(), &id, ts, body).unwrap()
    );
    assert_eq!(
        got,
        vec![
            ("webhook-id".to_owned(), id),
            ("webhook-timestamp".to_owned(), ts.to_string()),
            ("webhook-signature".to_owned(), expected),
        ]
    );
}

#[test]
fn a_request_without_secrets_is_not_signed() {
    let mut request = DeliveryRequest {
        url: "https://hooks.example/h".into(),
        headers: Vec::new(),
        body: "{}".into(),
        start_by: None,
        answer_within: None,
    };
    signing::sign(&mut request, None, "/sub/a", now());
    assert!(request.headers.is_empty());
    let secrets = SigningSecrets::generate().unwrap();
    signing::sign(&mut request, Some(&secrets), "/sub/a", now());
    assert_eq!(request.headers.len(), 3);
}

fn signed_hook(scheme: &str) -> WebHook {
    serde_json::from_value(serde_json::json!({
        "endpointUrl": "https://hooks.example/h",
        "payloadSigning": {"scheme": scheme},
    }))
    .unwrap()
}

#[test]
fn an_unknown_signing_scheme_is_refused_saying_which_is_accepted() {
    assert!(signed_hook("StandardWebhooks").check().is_ok());
    let e = signed_hook("HmacSha1").check().unwrap_err();
    assert_eq!(e.code, "InvalidPayloadSigning");
    assert!(e.message.contains("'StandardWebhooks'"), "{}", e.message);
}

#[test]
fn a_read_shows_the_scheme_and_never_a_secret() {
    let mut hook = signed_hook("StandardWebhooks");
    let secrets = SigningSecrets::generate().unwrap().rotated(now()).unwrap();
    hook.payload_signing.as_mut().unwrap().secrets = Some(secrets.clone());
    let shown = serde_json::to_value(Destination::WebHook(hook).view()).unwrap();
    assert_eq!(
        shown["properties"]["payloadSigning"],
        serde_json::json!({"scheme": "StandardWebhooks"})
    );
    let text = shown.to_string();
    assert!(!text.contains("whsec_"), "{text}");
    let unsigned = serde_json::to_value(Destination::WebHook(signed_hook("x")).view()).unwrap();
    assert!(unsigned["properties"].get("payloadSigning").is_some());
    let plain: WebHook =
        serde_json::from_value(serde_json::json!({"endpointUrl": "https://hooks.example/h"}))
            .unwrap();
    let plain = serde_json::to_value(Destination::WebHook(plain).view()).unwrap();
    assert!(
        plain["properties"].get("payloadSigning").is_none(),
        "{plain}"
    );
}
