//! The documents point at what exists. In `README.md` and every `docs/*.md`: each relative link
//! names a file that exists (relative to the document's folder) and, with `#anchor`, one of its
//! headings; each repository path in backticks (`shared/...`, `infra/...`, `tests/...`, ...)
//! names a file or folder of the tree; each module path in backticks (`shared::a::b`,
//! `infra::a::b`) names a module, or an item of a module, that exists.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use e2e::docs::root;

/// Where a backticked token must start to be read as a repository path.
const PATH_PREFIXES: [&str; 7] = [
    "shared/",
    "infra/",
    "functions/",
    "tests/",
    "docs/",
    ".ci/",
    "template.yaml",
];

/// How a backticked token must end to be read as a repository path (or be a folder).
const PATH_ENDINGS: [&str; 8] = [".rs", ".md", ".yaml", ".py", ".txt", ".json", ".toml", "/"];

/// `README.md` and every document under `docs/`, with their text.
fn documents() -> Vec<(PathBuf, String)> {
    let root = root();
    let mut paths = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    paths.extend(docs);
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect()
}

/// The text outside fenced code blocks (the fenced lines left empty).
fn prose(text: &str) -> String {
    let mut fenced = false;
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The inline code spans of `prose`, and `prose` with them blanked out.
fn split_code(prose: &str) -> (Vec<String>, String) {
    let mut spans = Vec::new();
    let mut rest = String::with_capacity(prose.len());
    let mut pieces = prose.split('`');
    rest.push_str(pieces.next().unwrap_or_default());
    while let Some(code) = pieces.next() {
        match pieces.next() {
            Some(after) => {
                spans.push(code.to_owned());
                rest.push_str(after);
            }
            None => rest.push_str(code),
        }
    }
    (spans, rest)
}

/// A heading's anchor as GitHub makes it: lower-case, punctuation dropped, spaces to hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a document's headings, a repeated one numbered as GitHub numbers it.
fn anchors(text: &str) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    prose(text)
        .lines()
        .filter_map(|line| {
            let hashes = line.len() - line.trim_start_matches('#').len();
            let title = line[hashes..].strip_prefix(' ')?;
            (1..=6).contains(&hashes).then(|| slug(title))
        })
        .map(|anchor| {
            let count = seen.entry(anchor.clone()).or_default();
            *count += 1;
            match *count {
                1 => anchor,
                n => format!("{anchor}-{}", n - 1),
            }
        })
        .collect()
}

/// The targets of the Markdown links and images in `text` (outside code).
fn link_targets(text: &str) -> Vec<String> {
    let (_, outside_code) = split_code(&prose(text));
    outside_code
        .split("](")
        .skip(1)
        .filter_map(|after| after.find(')').map(|end| after[..end].trim().to_owned()))
        .collect()
}

/// What is wrong with the relative links of the document at `path`, whose text is `text`.
fn broken_links(path: &Path, text: &str) -> Vec<String> {
    let folder = path.parent().unwrap();
    link_targets(text)
        .into_iter()
        .filter(|target| !target.contains("://") && !target.starts_with("mailto:"))
        .filter_map(|target| {
            let (file, anchor) = match target.split_once('#') {
                Some((file, anchor)) => (file, Some(anchor)),
                None => (target.as_str(), None),
            };
            let linked = folder.join(file);
            if !file.is_empty() && !linked.exists() {
                return Some(format!("{target}: no file {}", linked.display()));
            }
            let anchor = anchor?;
            let linked_text = if file.is_empty() {
                text.to_owned()
            } else {
                match std::fs::read_to_string(&linked) {
                    Ok(linked_text) => linked_text,
                    Err(_) => return Some(format!("{target}: not a text file")),
                }
            };
            (!anchors(&linked_text).iter().any(|a| a == anchor))
                .then(|| format!("{target}: no heading #{anchor} in {}", linked.display()))
        })
        .collect()
}

/// Whether a backticked token is a path into the repository.
fn is_repository_path(root: &Path, token: &str) -> bool {
    !token.is_empty()
        && !token.contains(|c: char| c.is_whitespace() || matches!(c, '{' | '*' | '<'))
        && PATH_PREFIXES.iter().any(|prefix| token.starts_with(prefix))
        && (PATH_ENDINGS.iter().any(|end| token.ends_with(end)) || root.join(token).is_dir())
}

/// Whether `word` occurs in `text` as a whole identifier.
fn names(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// The file of module `segments` of the crate in `source` (`shared/src`), if there is one.
fn module_file(source: &Path, segments: &[&str]) -> Option<PathBuf> {
    if segments.is_empty() {
        return Some(source.join("lib.rs")).filter(|file| file.is_file());
    }
    let module = segments.iter().collect::<PathBuf>();
    [
        source.join(&module).with_extension("rs"),
        source.join(&module).join("mod.rs"),
    ]
    .into_iter()
    .find(|file| file.is_file())
}

/// What is wrong with a `shared::...` or `infra::...` path, if it is one.
fn broken_module_path(root: &Path, token: &str) -> Option<String> {
    let token = token.trim_end_matches("()");
    let (krate, rest) = token.split_once("::")?;
    if !matches!(krate, "shared" | "infra") || token.contains(char::is_whitespace) {
        return None;
    }
    let source = root.join(krate).join("src");
    let segments: Vec<&str> = rest.split("::").collect();
    if module_file(&source, &segments).is_some() {
        return None;
    }
    let (item, module) = segments.split_last()?;
    match module_file(&source, module) {
        Some(file) if names(&std::fs::read_to_string(&file).unwrap(), item) => None,
        Some(file) => Some(format!("{token}: no `{item}` in {}", file.display())),
        None => Some(format!(
            "{token}: no module file under {}",
            source.display()
        )),
    }
}

/// What is wrong with the repository and module paths the document mentions in backticks.
fn stale_paths(root: &Path, text: &str) -> Vec<String> {
    let (spans, _) = split_code(&prose(text));
    spans
        .iter()
        .map(|span| span.trim())
        .filter_map(|token| {
            if is_repository_path(root, token) {
                let path = root.join(token);
                let exists = if token.ends_with('/') {
                    path.is_dir()
                } else {
                    path.exists()
                };
                (!exists).then(|| format!("{token}: no such file or folder"))
            } else {
                broken_module_path(root, token)
            }
        })
        .collect()
}

/// Every problem of every document, named by document.
fn problems(check: impl Fn(&Path, &str) -> Vec<String>) -> Vec<String> {
    documents()
        .iter()
        .flat_map(|(path, text)| {
            let name = path.strip_prefix(root()).unwrap().display().to_string();
            check(path, text)
                .into_iter()
                .map(move |problem| format!("{name}: {problem}"))
        })
        .collect()
}

#[test]
fn every_relative_link_in_the_docs_names_a_file_and_heading_that_exist() {
    let broken = problems(broken_links);
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_repository_and_module_path_in_the_docs_exists() {
    let root = root();
    let stale = problems(|_, text| stale_paths(&root, text));
    assert!(stale.is_empty(), "stale paths:\n{}", stale.join("\n"));
}

#[test]
fn the_docs_are_the_readme_and_the_files_under_docs() {
    let names: Vec<String> = documents()
        .iter()
        .map(|(path, _)| path.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    assert_eq!(names.first().map(String::as_str), Some("README.md"));
    assert!(names.iter().any(|name| name == "docs/api.md"), "{names:?}");
}

#[test]
fn headings_become_anchors_as_github_makes_them() {
    let text = "# Deploy (AWS SAM)\n## On AWS: alarms, logs\n```sh\n# not a heading\n```\n\
                ### (a) A role (`roleArn`)\n## Notes\n## Notes\n";
    assert_eq!(
        anchors(text),
        [
            "deploy-aws-sam",
            "on-aws-alarms-logs",
            "a-a-role-rolearn",
            "notes",
            "notes-1"
        ]
    );
}

#[test]
fn a_link_to_a_missing_file_or_heading_is_reported_and_a_good_one_is_not() {
    let readme = root().join("README.md");
    let text = "See [api](docs/api.md#publisher-errors), [gone](docs/gone.md), \
                [moved](docs/api.md#no-such-heading), [web](https://example.com/x.md) \
                and `[not a link](docs/gone.md)`.\n";
    let broken = broken_links(&readme, text);
    assert_eq!(broken.len(), 2, "{broken:?}");
    assert!(broken[0].starts_with("docs/gone.md: no file"), "{broken:?}");
    assert!(
        broken[1].starts_with("docs/api.md#no-such-heading: no heading"),
        "{broken:?}"
    );
}

#[test]
fn a_path_or_module_that_no_longer_exists_is_reported_and_placeholders_are_not() {
    let text = "`shared/src/delivery/outcome.rs`, `shared/src/subscriptions/aws.rs`, \
                `infra/src/embedded/`, `infra/src/nowhere/`, `tests/console/*.py`, \
                `target/lambda/<function>/`, `shared::table::subscription_partition`, \
                `shared::table::no_such_item`, `infra::nowhere::Thing`, `App::aws`.\n\
                ```sh\ncat functions/gone.rs\n```\n";
    assert_eq!(
        stale_paths(&root(), text)
            .iter()
            .map(|problem| problem.split(": ").next().unwrap())
            .collect::<Vec<_>>(),
        [
            "shared/src/subscriptions/aws.rs",
            "infra/src/nowhere/",
            "shared::table::no_such_item",
            "infra::nowhere::Thing"
        ]
    );
}
