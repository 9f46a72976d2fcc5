//! What the README documents, read back for the tests that keep it true.

use std::path::Path;

/// A file of the repository, by its path from the root.
pub fn read(relative: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::fs::read_to_string(root.join(relative)).unwrap()
}

/// The rows of the README's "Publisher errors" table: status and code.
pub fn publisher_errors() -> Vec<(u16, String)> {
    let readme = read("README.md");
    let section = &readme[readme.find("\n## Publisher errors").expect("the section")..];
    let section = &section[..section[1..].find("\n## ").unwrap()];
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let status = cells.get(1)?.parse().ok()?;
            Some((status, cells.get(2)?.trim_matches('`').to_owned()))
        })
        .collect()
}

/// The status the README's table gives `code`.
pub fn publisher_error_status(code: &str) -> Option<u16> {
    publisher_errors()
        .into_iter()
        .find(|(_, c)| c == code)
        .map(|(status, _)| status)
}
