//! No drift between the table of publisher errors in docs/api.md and the code: every error code
//! the publish endpoint defines is in the table, and the table names no code that does not exist.
//! (`ingest_bad_input.rs` checks the table's statuses against the endpoint's answers.)

use std::collections::BTreeSet;

use e2e::docs::{publisher_errors as documented, read};
use shared::error::code;

/// The string values of the `pub const`s inside a file's `pub mod code { ... }`.
fn codes_of_module(source: &str) -> Vec<String> {
    let start = source
        .find("pub mod code {")
        .expect("a `pub mod code` block");
    let block = &source[start..];
    let block = &block[..block.find("\n}").unwrap()];
    block
        .lines()
        .filter(|line| line.trim_start().starts_with("pub const"))
        .map(|line| line.split('"').nth(1).unwrap().to_owned())
        .collect()
}

fn defined() -> BTreeSet<String> {
    let mut codes: BTreeSet<String> = [
        "shared/src/ingest/sas.rs",
        "shared/src/ingest/cloudevents.rs",
        "shared/src/usecases/flows/publish/mod.rs",
        "shared/src/provisioning/access.rs",
    ]
    .iter()
    .flat_map(|file| codes_of_module(&read(file)))
    .collect();
    codes.extend(
        [
            code::METHOD_NOT_ALLOWED,
            code::NOT_FOUND_ROUTE,
            code::SERVICE_UNAVAILABLE,
            code::INTERNAL,
        ]
        .map(str::to_owned),
    );
    codes
}

#[test]
fn every_publisher_error_code_is_in_the_documented_table_and_no_other() {
    let documented: BTreeSet<String> = documented().into_iter().map(|(_, c)| c).collect();
    let defined = defined();
    let undocumented: Vec<_> = defined.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&defined).collect();
    assert!(
        undocumented.is_empty() && unknown.is_empty(),
        "not in the table in docs/api.md: {undocumented:?}; in the table but not in the code: {unknown:?}"
    );
}

#[test]
fn the_documented_table_lists_each_code_once() {
    let rows = documented();
    let distinct: BTreeSet<&String> = rows.iter().map(|(_, c)| c).collect();
    assert_eq!(rows.len(), distinct.len(), "{rows:?}");
}
