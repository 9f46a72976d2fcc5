//! The credential forms a publish request may present, their precedence, and checking a
//! namespace key.

use shared::error::ErrorKind;
use shared::ingest::sas::{Credential, code, credential, parse_token, verify_key};

use super::{ENDPOINT, KEY1, KEY2, OTHER_KEY, later, token};

#[test]
fn each_credential_form_is_recognised() {
    let key = || Credential::Key("k".into());
    let tok = || Credential::Token("r=a&e=b&s=c".into());
    let t = "r=a&e=b&s=c";
    let table: [(&str, [Option<&str>; 4], Credential); 11] = [
        ("key header", [Some("k"), None, None, None], key()),
        ("key query", [None, Some("k"), None, None], key()),
        ("token header", [None, None, Some(t), None], tok()),
        (
            "Authorization SAS",
            [None, None, None, Some("SharedAccessSignature r=a&e=b&s=c")],
            tok(),
        ),
        (
            "scheme in another case",
            [
                None,
                None,
                None,
                Some("sharedaccesssignature   r=a&e=b&s=c "),
            ],
            tok(),
        ),
        (
            "token header with the scheme pasted in",
            [None, None, Some("SharedAccessSignature r=a&e=b&s=c"), None],
            tok(),
        ),
        (
            "whitespace around a key",
            [Some(" k "), None, None, None],
            key(),
        ),
        (
            "a key header wins over everything",
            [Some("k"), Some("q"), Some(t), Some("Bearer x")],
            key(),
        ),
        (
            "a blank key header falls back to the query",
            [Some(" "), Some("k"), None, None],
            key(),
        ),
        (
            "a key wins over a token",
            [None, Some("k"), Some(t), None],
            key(),
        ),
        (
            "the token header wins over Authorization",
            [None, None, Some(t), Some("Bearer x")],
            tok(),
        ),
    ];
    for (what, [h, q, th, a], want) in table {
        assert_eq!(credential(h, q, th, a).unwrap(), want, "{what}");
    }
}

#[test]
fn no_credential_is_refused_with_the_accepted_forms_listed() {
    for blank in [None, Some(""), Some("   ")] {
        let e = credential(blank, blank, blank, blank).unwrap_err();
        assert_eq!(
            (e.kind, e.code),
            (ErrorKind::Unauthorized, code::MISSING_CREDENTIAL)
        );
        for form in [
            "aeg-sas-key",
            "?aeg-sas-key=",
            "aeg-sas-token",
            "SharedAccessSignature",
        ] {
            assert!(e.message.contains(form), "{}", e.message);
        }
    }
}

#[test]
fn other_authorization_schemes_are_refused_and_bearer_is_named_unsupported() {
    for header in [
        "Bearer eyJ0eXAiOiJKV1Qi",
        "bearer x",
        "Basic dXNlcjpwYXNz",
        "SharedAccessSignatureX r=a",
        "r=a&e=b&s=c",
    ] {
        let e = credential(None, None, None, Some(header)).unwrap_err();
        assert_eq!(
            (e.kind, e.code),
            (ErrorKind::Unauthorized, code::UNSUPPORTED_SCHEME),
            "{header}"
        );
        assert!(e.message.contains("Bearer"), "{}", e.message);
        assert!(!e.message.contains("eyJ0"), "never echo a credential");
    }
    let e = credential(None, None, None, Some("SharedAccessSignature  ")).unwrap_err();
    assert_eq!(e.code, code::MALFORMED_TOKEN);
}

#[test]
fn debug_output_never_shows_a_secret() {
    let shown = format!(
        "{:?} {:?}",
        Credential::Key(KEY1.into()),
        Credential::Token("r=a&e=b&s=secret".into())
    );
    assert!(
        !shown.contains(KEY1) && !shown.contains("secret"),
        "{shown}"
    );
    let raw = token(ENDPOINT, later(), KEY1);
    let parsed = parse_token(&raw).unwrap();
    let shown = format!("{parsed:?}");
    let (_, signature) = raw.rsplit_once("&s=").unwrap();
    assert!(shown.contains(ENDPOINT), "{shown}");
    assert!(!shown.contains(signature), "{shown}");
}

#[test]
fn keys_match_either_namespace_key_and_nothing_else() {
    assert!(verify_key(KEY1, &[KEY1, KEY2]).is_ok());
    assert!(verify_key(KEY2, &[KEY1, KEY2]).is_ok());
    let table: [(&str, &[&str]); 7] = [
        ("", &[KEY1, KEY2]),
        ("AQEB", &[KEY1, KEY2]),
        (&KEY1[..KEY1.len() - 1], &[KEY1, KEY2]),
        (OTHER_KEY, &[KEY1, KEY2]),
        (&KEY1.to_lowercase(), &[KEY1, KEY2]),
        (KEY1, &[]),
        ("", &["", ""]),
    ];
    for (presented, keys) in table {
        let e = verify_key(presented, keys).unwrap_err();
        assert_eq!(
            (e.kind, e.code),
            (ErrorKind::Unauthorized, code::INVALID_KEY),
            "{presented}"
        );
        assert!(!e.message.contains(KEY1));
    }
}
