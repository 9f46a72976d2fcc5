//! What the documents say (`README.md`, `docs/`), read back for the tests that keep them true.

use std::path::{Path, PathBuf};

/// The repository's root folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// A file of the repository, by its path from the root.
pub fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative)).unwrap()
}

/// The rows of the "Publisher errors" table in `docs/api.md`: status and code.
pub fn publisher_errors() -> Vec<(u16, String)> {
    let api = read("docs/api.md");
    let section = &api[api.find("\n## Publisher errors").expect("the section")..];
    let section = &section[..section[1..]
        .find("\n## ")
        .map_or(section.len(), |end| end + 1)];
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let status = cells.get(1)?.parse().ok()?;
            Some((status, cells.get(2)?.trim_matches('`').to_owned()))
        })
        .collect()
}

/// The status the publisher errors table gives `code`.
pub fn publisher_error_status(code: &str) -> Option<u16> {
    publisher_errors()
        .into_iter()
        .find(|(_, c)| c == code)
        .map(|(status, _)| status)
}
