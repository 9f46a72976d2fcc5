//! What several resources and flows need and no one of them owns: listings, publish endpoints'
//! generations, stored payloads, cascade deletes, platform-event records and the conditional
//! update of one item. Support modules call only each other, the domain, the table layout and
//! the ports.

pub mod cascade;
pub mod generations;
pub mod listing;
pub mod payloads;
pub mod platform_events;
pub mod updates;

use crate::error::{Error, code};

/// 404 `ResourceNotFound` naming `what` and its id.
pub(crate) fn not_found(what: &str, id: &impl std::fmt::Display) -> Error {
    Error::not_found(
        code::RESOURCE_NOT_FOUND,
        format!("{what} '{id}' was not found"),
    )
}
