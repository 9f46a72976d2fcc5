//! Rule tests for keys and callers.

use shared::auth::{ApiKey, Caller, KeyHash, Principal, check_principal_name};
use shared::error::{ErrorKind, code};
use shared::ids::SubscriptionId;

#[test]
fn generated_keys_carry_256_random_bits_and_differ() {
    let a = ApiKey::generate().unwrap();
    let b = ApiKey::generate().unwrap();
    assert_ne!(a, b);
    assert!(a.secret().starts_with("pek_"));
    assert_eq!(a.secret().len(), 4 + 43, "32 bytes in unpadded base64url");
    assert_eq!(
        format!("{a:?}"),
        "ApiKey(..)",
        "Debug never shows the secret"
    );
}

#[test]
fn a_key_matches_only_its_own_hash() {
    let key = ApiKey::generate().unwrap();
    let stored = key.hash().hex();
    assert!(key.hash().matches_hex(&stored));
    assert!(!ApiKey::generate().unwrap().hash().matches_hex(&stored));
    assert!(!key.hash().matches_hex(&stored[..63]));
    assert_eq!(KeyHash::from_hex(&stored), Some(key.hash()));
    assert_eq!(KeyHash::from_hex("zz"), None);
}

#[test]
fn principal_names_are_short_and_plain() {
    for (name, ok) in [
        ("contoso", true),
        ("a.b_c-d", true),
        ("", false),
        ("has space", false),
        (&"x".repeat(65) as &str, false),
    ] {
        assert_eq!(check_principal_name(name).is_ok(), ok, "{name:?}");
    }
}

#[test]
fn only_the_owner_reaches_a_subscription_and_others_see_not_found() {
    let mine = SubscriptionId::parse("5b4b650e-28b9-4790-b3ab-ddbd88d727c4").unwrap();
    let other = SubscriptionId::parse("11111111-2222-3333-4444-555555555555").unwrap();
    let caller = Caller::Principal(Principal {
        name: "p".into(),
        subscriptions: vec![mine],
        key_hash: String::new(),
        aws_accounts: Vec::new(),
    });
    assert!(caller.owns(mine).is_ok());
    let e = caller.owns(other).unwrap_err();
    assert_eq!(
        (e.kind, e.code),
        (ErrorKind::NotFound, code::SUBSCRIPTION_NOT_FOUND)
    );
    assert_eq!(
        caller.require_operator().unwrap_err().kind,
        ErrorKind::Forbidden
    );
    assert!(Caller::Operator.require_operator().is_ok());
    assert_eq!(
        Caller::Operator.owns(mine).unwrap_err().kind,
        ErrorKind::NotFound
    );
}
