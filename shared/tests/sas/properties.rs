//! Properties over generated input: generated tokens verify exactly where they should, and no
//! input makes a rule panic.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use shared::ingest::sas::{
    code, credential, generate_token, parse_expiry, parse_token, verify_key, verify_token,
};
use time::Duration;

use super::{KEY1, NOW, OTHER_KEY};

proptest! {
    #[test]
    fn generated_tokens_verify_for_their_resource_and_key_until_they_expire(
        host in "[a-z0-9.-]{1,20}",
        path in "[a-zA-Z0-9 %+&=?/._~-]{0,30}",
        key in proptest::collection::vec(any::<u8>(), 1..80),
        nanos in 1i64..(100 * 365 * 86_400 * 1_000_000_000),
    ) {
        let key = STANDARD.encode(key);
        let endpoint = format!("https://{host}/partnerNamespaces/{path}/api/events");
        let expiry = NOW + Duration::nanoseconds(nanos);
        let raw = generate_token(&endpoint, expiry, &key).unwrap();
        let parsed = parse_token(&raw).unwrap();
        prop_assert_eq!(parsed.resource(), endpoint.as_str());
        prop_assert_eq!(parsed.expiry(), expiry);
        prop_assert!(verify_token(&parsed, &endpoint, &[OTHER_KEY, &key], NOW).is_ok());
        prop_assert_eq!(
            verify_token(&parsed, &endpoint, &[OTHER_KEY], NOW).unwrap_err().code,
            code::INVALID_SIGNATURE
        );
        prop_assert_eq!(
            verify_token(&parsed, &endpoint, &[&key], expiry).unwrap_err().code,
            code::TOKEN_EXPIRED
        );
    }

    #[test]
    fn no_input_makes_the_rules_panic(
        raw in "\\PC{0,200}",
        parts in proptest::collection::vec("(r=|&e=|&s=|%[0-9a-fA-F]{0,2}|\\+|[A-Za-z0-9/:. =-]{0,12})", 0..12),
    ) {
        let assembled: String = parts.concat();
        for text in [raw.as_str(), assembled.as_str()] {
            let _ = credential(Some(text), Some(text), Some(text), Some(text));
            let _ = credential(None, None, None, Some(text));
            let _ = verify_key(text, &[KEY1, text]);
            let _ = parse_expiry(text);
            let _ = generate_token(text, NOW, text);
            if let Ok(parsed) = parse_token(text) {
                let _ = verify_token(&parsed, text, &[KEY1, text], NOW);
            }
        }
    }
}
