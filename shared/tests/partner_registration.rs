//! Rule tests for a partner registration PUT: the immutable id is assigned on create and never
//! changes; a replacement changes the location and tags only.

use shared::error::code;
use shared::ids::{ResourceId, ResourceType, SubscriptionId};
use shared::partners::registration::{PartnerRegistration, put};
use shared::resource::Tags;
use uuid::Uuid;

const ASSIGNED: Uuid = Uuid::from_u128(1);
const FRESH: Uuid = Uuid::from_u128(2);

/// The immutable id stored, or what the 400's message says.
type Outcome = Result<Uuid, &'static str>;

fn id() -> ResourceId {
    let sub = SubscriptionId::parse("5b4b650e-28b9-4790-b3ab-ddbd88d727c4").unwrap();
    ResourceId::new(sub, "rg", ResourceType::PartnerRegistrations, "contoso").unwrap()
}

fn tags(value: &str) -> Tags {
    Tags::from([("team".to_owned(), value.to_owned())])
}

#[test]
fn a_registration_put_keeps_the_immutable_id_it_assigned_and_replaces_location_and_tags() {
    let stored = PartnerRegistration {
        id: id(),
        immutable_id: ASSIGNED,
        location: "global".into(),
        tags: tags("a"),
    };
    let cases: [(_, _, Outcome); 6] = [
        (None, None, Ok(FRESH)),
        (None, Some(FRESH), Err("assigned by the server")),
        (None, Some(ASSIGNED), Err("assigned by the server")),
        (Some(&stored), None, Ok(ASSIGNED)),
        (Some(&stored), Some(ASSIGNED), Ok(ASSIGNED)),
        (Some(&stored), Some(FRESH), Err("is immutable")),
    ];
    for (current, requested, expected) in cases {
        let put = put(&id(), current, requested, "global".into(), tags("b"), FRESH);
        match expected {
            Ok(immutable_id) => {
                let registration = put.unwrap();
                assert_eq!(registration.immutable_id, immutable_id, "{requested:?}");
                assert_eq!(registration.id, id());
                assert_eq!(registration.tags, tags("b"), "the tags are replaced");
            }
            Err(message) => {
                let e = put.unwrap_err();
                assert_eq!(e.code, code::INVALID_PROPERTY);
                assert!(e.message.contains(message), "{}", e.message);
            }
        }
    }
}
