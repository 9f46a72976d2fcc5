//! The use cases' tiers, checked from their sources: a module of `shared/src/usecases` may call
//! its own tier or a lower one (flows → resources → support), and the modules' calls form no
//! cycle. A module is a tier's direct child (`resources::channels`, with its submodules).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = (String, String);
type Graph = BTreeMap<Module, BTreeSet<Module>>;

const TIERS: [&str; 3] = ["support", "resources", "flows"];

fn rank(tier: &str) -> usize {
    TIERS
        .iter()
        .position(|t| *t == tier)
        .unwrap_or_else(|| panic!("'{tier}' is not a tier; use one of {TIERS:?}"))
}

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The module path of a source file below `usecases/`: `resources/channels.rs` is
/// `[resources, channels]`, `flows/publish/mod.rs` is `[flows, publish]`.
fn module_path(root: &Path, file: &Path) -> Vec<String> {
    let mut parts: Vec<String> = file
        .strip_prefix(root)
        .unwrap()
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The items of a `{…}` group at its top level, and what follows the group.
fn group_items(group: &str) -> Vec<&str> {
    let (mut depth, mut start, mut items) = (0, 0, Vec::new());
    for (at, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..at]);
                return items;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    items.push(&group[start..]);
    items
}

/// The paths a use or call continues with from `rest`, up to `depth` names each:
/// `a::b::f()` is `[[a, b]]`, `{a, b::{c, d}}` is `[[a], [b, c], [b, d]]` (`self` names
/// nothing more).
fn continuations(rest: &str, depth: usize) -> Vec<Vec<String>> {
    let rest = rest.trim_start();
    if depth == 0 {
        return vec![Vec::new()];
    }
    if let Some(group) = rest.strip_prefix('{') {
        return group_items(group)
            .into_iter()
            .flat_map(|item| continuations(item, depth))
            .collect();
    }
    let name = ident(rest);
    if name.is_empty() || name == "self" {
        return vec![Vec::new()];
    }
    let after = rest[name.len()..].trim_start();
    match after.strip_prefix("::") {
        Some(more) => continuations(more, depth - 1)
            .into_iter()
            .map(|mut tail| {
                tail.insert(0, name.to_owned());
                tail
            })
            .collect(),
        None => vec![vec![name.to_owned()]],
    }
}

/// The module paths `code` (a file without its comments) of the file at `path` names:
/// `crate::usecases::…` paths, `super::` paths resolved from `path`, and paths that start at a
/// tier imported by name (`resources::pairs::…` after `use crate::usecases::resources;`).
fn references(path: &[String], code: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::usecases::") {
        found.extend(continuations(&code[at + "crate::usecases::".len()..], 2));
    }
    for tier in TIERS {
        let prefix = format!("{tier}::");
        for (at, _) in code.match_indices(&prefix) {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c == ':' || c.is_alphanumeric() || c == '_') {
                continue;
            }
            for tail in continuations(&code[at + prefix.len()..], 1) {
                found.push(std::iter::once(tier.to_owned()).chain(tail).collect());
            }
        }
    }
    let mut search = code;
    while let Some(at) = search.find("super::") {
        let preceded = search[..at].ends_with("::");
        let mut rest = &search[at..];
        let mut ups = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            ups += 1;
            rest = r;
        }
        if !preceded && ups <= path.len() {
            let base = &path[..path.len() - ups];
            for tail in continuations(rest, 2) {
                found.push(base.iter().cloned().chain(tail).collect());
            }
        }
        search = &search[at + "super::".len() * ups..];
    }
    found
}

/// The calls between modules of the tree at `root`.
fn graph(root: &Path) -> Graph {
    let mut files = Vec::new();
    sources(root, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let path = module_path(root, &file);
        if path.len() < 2 {
            continue;
        }
        let from = (path[0].clone(), path[1].clone());
        let text = std::fs::read_to_string(&file).unwrap();
        let code: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect();
        for target in references(&path, &code.join("\n")) {
            if target.len() < 2 || !TIERS.contains(&target[0].as_str()) {
                continue;
            }
            let to = (target[0].clone(), target[1].clone());
            let dir = root.join(&to.0).join(&to.1);
            if to != from && (dir.with_extension("rs").exists() || dir.is_dir()) {
                graph.entry(from.clone()).or_default().insert(to);
            }
        }
        graph.entry(from).or_default();
    }
    graph
}

fn name(m: &Module) -> String {
    format!("{}::{}", m.0, m.1)
}

/// Every call from a lower tier to a higher one.
fn upward_calls(graph: &Graph) -> Vec<String> {
    let mut found = Vec::new();
    for (from, targets) in graph {
        for to in targets {
            if rank(&to.0) > rank(&from.0) {
                found.push(format!("{} calls {}", name(from), name(to)));
            }
        }
    }
    found
}

/// A cycle of calls, if there is one.
fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        graph: &Graph,
        at: &Module,
        stack: &mut Vec<Module>,
        done: &mut BTreeSet<Module>,
    ) -> Option<Vec<String>> {
        if let Some(start) = stack.iter().position(|m| m == at) {
            let mut cycle: Vec<String> = stack[start..].iter().map(name).collect();
            cycle.push(name(at));
            return Some(cycle);
        }
        if done.contains(at) {
            return None;
        }
        stack.push(at.clone());
        for next in graph.get(at).into_iter().flatten() {
            if let Some(found) = visit(graph, next, stack, done) {
                return Some(found);
            }
        }
        stack.pop();
        done.insert(at.clone());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|m| visit(graph, m, &mut Vec::new(), &mut done))
}

fn usecases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/usecases")
}

#[test]
fn use_cases_form_no_cycle() {
    let graph = graph(&usecases());
    assert!(graph.len() > 20, "found only {} modules", graph.len());
    if let Some(cycle) = cycle(&graph) {
        panic!(
            "use-case modules call each other in a circle: {}",
            cycle.join(" → ")
        );
    }
}

#[test]
fn use_cases_call_only_their_own_tier_or_lower_ones() {
    let upward = upward_calls(&graph(&usecases()));
    assert!(upward.is_empty(), "calls to a higher tier: {upward:#?}");
}

fn write(root: &Path, file: &str, text: &str) {
    let path = root.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_cycle_through_super_paths_and_groups_is_found() {
    let root = std::env::temp_dir().join(format!("layering-{}", std::process::id()));
    write(
        &root,
        "resources/a.rs",
        "use super::{b, c};\n// use super::d;\n",
    );
    write(
        &root,
        "resources/b.rs",
        "use crate::usecases::resources::c::X;\n",
    );
    write(
        &root,
        "resources/c/mod.rs",
        "fn f() { super::super::resources::a::g() }\n",
    );
    write(&root, "resources/c/inner.rs", "use super::Y;\n");
    let graph = graph(&root);
    let cycle = cycle(&graph).expect("a → b → c → a is a cycle");
    assert_eq!(cycle.first(), cycle.last());
    assert_eq!(cycle.len(), 4, "{cycle:?}");
    assert!(
        graph[&("resources".into(), "c".into())]
            .iter()
            .all(|m| m.1 != "c"),
        "a submodule's call to its parent is not a call between modules"
    );
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn a_call_from_support_to_a_flow_is_upward() {
    let root = std::env::temp_dir().join(format!("layering-up-{}", std::process::id()));
    write(
        &root,
        "support/listing.rs",
        "use crate::usecases::flows::publish::Ingest;\n",
    );
    write(
        &root,
        "flows/publish/mod.rs",
        "use crate::usecases::support::listing;\n",
    );
    let upward = upward_calls(&graph(&root));
    assert_eq!(upward, ["support::listing calls flows::publish"]);
    std::fs::remove_dir_all(root).unwrap();
}
