//! The use cases' tiers, checked on the crate's module graph: a module of `shared/src/usecases`
//! may call its own tier or a lower one (flows → resources → support), and the modules' calls
//! form no cycle. A module here is a tier's direct child (`resources::channels`, with its
//! submodules).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{Crate, scratch, write};

/// A tier's direct child: `(resources, channels)`.
type Module = (String, String);
type Graph = BTreeMap<Module, BTreeSet<Module>>;

const TIERS: [&str; 3] = ["support", "resources", "flows"];

fn rank(tier: &str) -> usize {
    TIERS
        .iter()
        .position(|t| *t == tier)
        .unwrap_or_else(|| panic!("'{tier}' is not a tier; use one of {TIERS:?}"))
}

/// The calls between the use cases' modules (a tier's direct children), from the graph of the
/// crate at `root`.
fn graph(root: &Path) -> Graph {
    let tier_module = |m: &[String]| match m {
        [top, tier, name, ..] if top == "usecases" => Some((tier.clone(), name.clone())),
        _ => None,
    };
    let mut graph = Graph::new();
    for (from, targets) in Crate::read(root).graph() {
        let Some(from) = tier_module(&from) else {
            continue;
        };
        let calls = graph.entry(from.clone()).or_default();
        calls.extend(
            targets
                .iter()
                .filter_map(|t| tier_module(t))
                .filter(|to| *to != from),
        );
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

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn use_cases_form_no_cycle() {
    let graph = graph(&src());
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
    let upward = upward_calls(&graph(&src()));
    assert!(upward.is_empty(), "calls to a higher tier: {upward:#?}");
}

#[test]
fn a_cycle_through_super_paths_and_groups_is_found() {
    let root = scratch("tiers");
    write(
        &root,
        "usecases/resources/a.rs",
        "use super::{b, c};\n// use super::d;\n",
    );
    write(
        &root,
        "usecases/resources/b.rs",
        "use crate::usecases::resources::c::X;\n",
    );
    write(
        &root,
        "usecases/resources/c/mod.rs",
        "fn f() { super::super::resources::a::g() }\n",
    );
    write(&root, "usecases/resources/c/inner.rs", "use super::Y;\n");
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
    let root = scratch("upward");
    write(
        &root,
        "usecases/support/listing.rs",
        "use crate::usecases::flows::publish::Ingest;\n",
    );
    write(
        &root,
        "usecases/flows/publish/mod.rs",
        "use crate::usecases::support::listing;\n",
    );
    let upward = upward_calls(&graph(&root));
    assert_eq!(upward, ["support::listing calls flows::publish"]);
    std::fs::remove_dir_all(root).unwrap();
}
