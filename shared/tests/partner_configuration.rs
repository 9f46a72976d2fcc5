//! Rule tests for partner configurations: expiry limits, identity, authorize / unauthorize and
//! `is_authorized` at the edges of time.

use proptest::prelude::*;
use shared::error::code;
use shared::ids::{ResourceId, ResourceType, SubscriptionId};
use shared::partners::configuration::{
    AuthorizedPartner, MAX_AUTHORIZED_PARTNERS, PartnerConfiguration, PartnerInput,
    authorization_expiry, check_identity, check_max_days,
};
use time::{Duration, OffsetDateTime, macros::datetime};
use uuid::Uuid;

const NOW: OffsetDateTime = datetime!(2026-11-24 12:00 UTC);

fn config() -> PartnerConfiguration {
    let sub = SubscriptionId::parse("5b4b650e-28b9-4790-b3ab-ddbd88d727c4").unwrap();
    PartnerConfiguration::new(
        ResourceId::new(sub, "rg", ResourceType::PartnerConfigurations, "default").unwrap(),
        7,
    )
}

fn partner(id: Uuid, name: &str, expires: OffsetDateTime) -> AuthorizedPartner {
    AuthorizedPartner {
        partner_registration_immutable_id: id,
        partner_name: name.into(),
        authorization_expiration_time_in_utc: expires,
    }
}

#[test]
fn maximum_expiration_days_run_from_1_to_365() {
    for (days, ok) in [
        (i64::MIN, false),
        (-1, false),
        (0, false),
        (1, true),
        (7, true),
        (365, true),
        (366, false),
        (i64::MAX, false),
    ] {
        let result = check_max_days(days);
        assert_eq!(result.is_ok(), ok, "{days}");
        if let Err(e) = result {
            assert_eq!(e.code, code::INVALID_EXPIRATION_DAYS);
            assert!(e.message.contains(&days.to_string()));
        }
    }
}

#[test]
fn an_omitted_expiry_defaults_to_now_plus_the_maximum() {
    assert_eq!(
        authorization_expiry(None, 7, NOW).unwrap(),
        NOW + Duration::days(7)
    );
    assert_eq!(
        authorization_expiry(None, 365, NOW).unwrap(),
        NOW + Duration::days(365)
    );
}

#[test]
fn a_requested_expiry_must_be_in_the_future_and_within_the_maximum() {
    let table = [
        (NOW + Duration::seconds(1), Ok(())),
        (NOW + Duration::days(7), Ok(())),
        (
            NOW + Duration::days(7) + Duration::seconds(1),
            Err(code::AUTHORIZATION_EXPIRATION_TOO_LATE),
        ),
        (
            NOW + Duration::days(30),
            Err(code::AUTHORIZATION_EXPIRATION_TOO_LATE),
        ),
        (NOW, Err(code::AUTHORIZATION_EXPIRATION_IN_PAST)),
        (
            NOW - Duration::days(1),
            Err(code::AUTHORIZATION_EXPIRATION_IN_PAST),
        ),
    ];
    for (requested, want) in table {
        let got = authorization_expiry(Some(requested), 7, NOW);
        match want {
            Ok(()) => assert_eq!(got.unwrap(), requested),
            Err(c) => assert_eq!(got.unwrap_err().code, c, "{requested}"),
        }
    }
}

#[test]
fn a_partner_named_by_id_and_name_must_agree_and_the_name_may_be_a_verified_partners() {
    let id = Uuid::new_v4();
    let input = |i: Option<Uuid>, n: Option<&str>| PartnerInput {
        partner_registration_immutable_id: i,
        partner_name: n.map(str::to_owned),
        authorization_expiration_time_in_utc: None,
    };
    let table = [
        (input(Some(id), None), false, true),
        (input(None, Some("fabrikam")), false, true),
        (input(None, Some("FABRIKAM")), false, true),
        (input(Some(id), Some("fabrikam")), false, true),
        (input(Some(Uuid::new_v4()), Some("fabrikam")), false, false),
        (input(Some(id), Some("contoso")), false, false),
        (input(Some(Uuid::new_v4()), None), false, false),
        (input(Some(id), Some("Fabrikam.Verified")), true, true),
        (
            input(Some(Uuid::new_v4()), Some("Fabrikam.Verified")),
            true,
            false,
        ),
    ];
    for (i, verified_name, ok) in table {
        let result = check_identity(&i, id, "fabrikam", verified_name);
        assert_eq!(result.is_ok(), ok, "{i:?}");
        if let Err(e) = result {
            assert_eq!(e.code, code::PARTNER_IDENTITY_MISMATCH);
        }
    }
}

#[test]
fn authorizing_again_updates_the_expiry_instead_of_adding_an_entry() {
    let mut c = config();
    let id = Uuid::new_v4();
    c.authorize(partner(id, "fabrikam", NOW + Duration::days(1)))
        .unwrap();
    c.authorize(partner(id, "fabrikam", NOW + Duration::days(5)))
        .unwrap();
    assert_eq!(c.authorized_partners.len(), 1);
    assert_eq!(
        c.authorized_partners[0].authorization_expiration_time_in_utc,
        NOW + Duration::days(5)
    );
}

#[test]
fn unauthorize_removes_only_that_partner() {
    let mut c = config();
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    c.authorize(partner(a, "a-partner", NOW + Duration::days(1)))
        .unwrap();
    c.authorize(partner(b, "b-partner", NOW + Duration::days(1)))
        .unwrap();
    assert!(c.unauthorize(a));
    assert!(!c.unauthorize(a));
    assert!(!c.is_authorized(a, NOW));
    assert!(c.is_authorized(b, NOW));
}

#[test]
fn an_authorization_stops_counting_the_moment_it_expires() {
    let mut c = config();
    let id = Uuid::new_v4();
    let expires = NOW + Duration::days(2);
    c.authorize(partner(id, "fabrikam", expires)).unwrap();
    assert!(c.is_authorized(id, NOW));
    assert!(c.is_authorized(id, expires - Duration::seconds(1)));
    assert!(!c.is_authorized(id, expires));
    assert!(!c.is_authorized(id, expires + Duration::days(1)));
    assert!(
        !c.is_authorized(Uuid::new_v4(), NOW),
        "an unknown partner is never authorized"
    );
}

#[test]
fn listed_partners_are_found_by_id_or_by_name_case_insensitively() {
    let mut c = config();
    let id = Uuid::new_v4();
    c.authorize(partner(id, "Fabrikam", NOW + Duration::days(1)))
        .unwrap();
    let by_name = PartnerInput {
        partner_name: Some("fabrikam".into()),
        ..Default::default()
    };
    let by_id = PartnerInput {
        partner_registration_immutable_id: Some(id),
        ..Default::default()
    };
    assert!(c.find(&by_name).is_some());
    assert!(c.find(&by_id).is_some());
    assert!(
        c.find(&PartnerInput {
            partner_name: Some("contoso".into()),
            ..Default::default()
        })
        .is_none()
    );
}

#[test]
fn a_configuration_holds_at_most_the_partner_limit() {
    let mut c = config();
    for i in 0..MAX_AUTHORIZED_PARTNERS {
        c.authorize(partner(
            Uuid::new_v4(),
            &format!("p{i}"),
            NOW + Duration::days(1),
        ))
        .unwrap();
    }
    let e = c
        .authorize(partner(Uuid::new_v4(), "one-more", NOW + Duration::days(1)))
        .unwrap_err();
    assert_eq!(e.code, code::TOO_MANY_AUTHORIZED_PARTNERS);
    let existing = c.authorized_partners[0].clone();
    c.authorize(partner(
        existing.partner_registration_immutable_id,
        "p0",
        NOW + Duration::days(2),
    ))
    .unwrap();
}

proptest! {
    #[test]
    fn an_accepted_expiry_is_never_past_the_maximum(max in 1u32..=365, offset in -1_000_000i64..40_000_000) {
        let requested = NOW + Duration::seconds(offset);
        if let Ok(expiry) = authorization_expiry(Some(requested), max, NOW) {
            prop_assert!(expiry > NOW && expiry <= NOW + Duration::days(i64::from(max)));
        }
    }
}

#[test]
fn an_expiry_sent_with_an_offset_is_kept_in_utc() {
    let requested = datetime!(2026-11-25 17:00 +05:00);
    let expiry = authorization_expiry(Some(requested), 7, NOW).unwrap();
    assert_eq!(expiry, requested);
    assert_eq!(expiry.offset(), time::UtcOffset::UTC);
    let deadline = shared::provisioning::activation_deadline(Some(requested), NOW).unwrap();
    assert_eq!(deadline.offset(), time::UtcOffset::UTC);
}
