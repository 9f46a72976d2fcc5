//! The domain's modules, checked from their sources: outside `usecases` no module imports a use
//! case (the domain is below the application), and no modules of `shared/src` import each other
//! in a circle, neither files nor the top-level modules (`delivery`, `subscriptions`, ...) they
//! make up.

use std::collections::BTreeMap;

use super::{Crate, Graph, Module, name, scratch, shared, starts_with, write};

/// Every import of a use case by a module outside `usecases`.
fn use_case_imports(graph: &Graph) -> Vec<String> {
    let usecases = ["usecases".to_owned()];
    let mut found = Vec::new();
    for (from, targets) in graph.iter().filter(|(m, _)| !starts_with(m, &usecases)) {
        for to in targets.iter().filter(|t| starts_with(t, &usecases)) {
            found.push(format!("{} imports {}", name(from), name(to)));
        }
    }
    found
}

/// The strongly connected components of more than one module (Tarjan's algorithm).
fn circles(graph: &Graph) -> Vec<Vec<Module>> {
    struct Search<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g Module, usize>,
        low: BTreeMap<&'g Module, usize>,
        stack: Vec<&'g Module>,
        found: Vec<Vec<Module>>,
    }
    impl<'g> Search<'g> {
        fn visit(&mut self, at: &'g Module) {
            let index = self.index.len();
            self.index.insert(at, index);
            self.low.insert(at, index);
            self.stack.push(at);
            for next in self.graph.get(at).into_iter().flatten() {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    self.low.insert(at, self.low[at].min(self.low[next]));
                } else if self.stack.contains(&next) {
                    self.low.insert(at, self.low[at].min(self.index[next]));
                }
            }
            if self.low[at] == index {
                let start = self.stack.iter().rposition(|m| *m == at).unwrap();
                let component: Vec<Module> = self.stack.drain(start..).cloned().collect();
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let mut search = Search {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for module in graph.keys() {
        if !search.index.contains_key(module) {
            search.visit(module);
        }
    }
    search.found
}

/// A circle's modules and the imports between them.
fn describe(graph: &Graph, circle: &[Module]) -> String {
    let mut members: Vec<&Module> = circle.iter().collect();
    members.sort();
    let imports: Vec<String> = members
        .iter()
        .flat_map(|from| {
            graph[*from]
                .iter()
                .filter(|to| circle.contains(to))
                .map(|to| format!("    {} → {}", name(from), name(to)))
        })
        .collect();
    let names: Vec<String> = members.iter().map(|m| name(m)).collect();
    format!("{{{}}}:\n{}", names.join(", "), imports.join("\n"))
}

#[test]
fn no_module_outside_the_use_cases_imports_one() {
    let imports = use_case_imports(&shared());
    assert!(
        imports.is_empty(),
        "the domain imports the application: {imports:#?}"
    );
}

#[test]
fn no_modules_of_the_domain_import_each_other_in_a_circle() {
    let graph = shared();
    assert!(graph.len() > 80, "found only {} modules", graph.len());
    let circles: Vec<String> = circles(&graph)
        .iter()
        .map(|c| describe(&graph, c))
        .collect();
    assert!(
        circles.is_empty(),
        "modules import each other in a circle:\n{}",
        circles.join("\n")
    );
}

/// The graph between the crate's top-level modules (`delivery`, `subscriptions`, ...).
fn top_level(graph: &Graph) -> Graph {
    let mut top = Graph::new();
    for (from, targets) in graph.iter().filter(|(m, _)| !m.is_empty()) {
        let imports = top.entry(from[..1].to_vec()).or_default();
        imports.extend(
            targets
                .iter()
                .filter(|t| !t.is_empty() && t[0] != from[0])
                .map(|t| t[..1].to_vec()),
        );
    }
    top
}

#[test]
fn no_top_level_modules_of_the_domain_import_each_other_in_a_circle() {
    let graph = top_level(&shared());
    let circles: Vec<String> = circles(&graph)
        .iter()
        .map(|c| describe(&graph, c))
        .collect();
    assert!(
        circles.is_empty(),
        "top-level modules import each other in a circle:\n{}",
        circles.join("\n")
    );
}

fn module(path: &str) -> Module {
    path.split("::").map(str::to_owned).collect()
}

#[test]
fn a_circle_through_a_reexport_a_child_path_and_an_alias_is_found() {
    let root = scratch("circle");
    write(&root, "lib.rs", "pub mod a;\npub mod b;\npub use a::A;\n");
    write(&root, "a/mod.rs", "mod inner;\npub use inner::A;\n");
    write(
        &root,
        "a/inner.rs",
        "use crate::b;\nfn f() { b::deep::g() }\n",
    );
    write(&root, "b/mod.rs", "pub mod deep;\n");
    write(&root, "b/deep.rs", "fn g() -> crate::a::A { todo!() }\n");
    write(&root, "c.rs", "use self::x::Y;\n");
    let graph = Crate::read(&root).graph();
    let circles = circles(&graph);
    assert_eq!(circles.len(), 1, "{circles:?}");
    let mut circle = circles[0].clone();
    circle.sort();
    assert_eq!(circle, [module("a::inner"), module("b::deep")]);
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn a_parent_and_its_children_are_no_circle() {
    let root = scratch("family");
    write(&root, "lib.rs", "pub mod p;\npub use p::C;\n");
    write(
        &root,
        "p/mod.rs",
        "pub mod c;\npub mod d;\npub use c::C;\nfn f() { d::g() }\npub struct P;\n",
    );
    write(
        &root,
        "p/c.rs",
        "use super::P;\nuse crate::p::d;\npub struct C;\n",
    );
    write(
        &root,
        "p/d.rs",
        "pub fn g() -> crate::p::P { super::super::p::P }\n",
    );
    let graph = Crate::read(&root).graph();
    assert!(circles(&graph).is_empty(), "{graph:#?}");
    assert_eq!(graph[&module("p")], [module("p::d")].into());
    assert!(graph[&module("p::d")].is_empty(), "{graph:#?}");
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn a_domain_module_naming_a_use_case_by_super_is_found() {
    let root = scratch("upward-import");
    write(&root, "lib.rs", "pub mod domain;\npub mod usecases;\n");
    write(&root, "usecases/mod.rs", "pub mod flows;\n");
    write(&root, "usecases/flows.rs", "use crate::domain::rules;\n");
    write(&root, "domain/mod.rs", "pub mod rules;\n");
    write(
        &root,
        "domain/rules.rs",
        "const X: &str = super::super::usecases::flows::X;\n",
    );
    let imports = use_case_imports(&Crate::read(&root).graph());
    assert_eq!(imports, ["domain::rules imports usecases::flows"]);
    std::fs::remove_dir_all(root).unwrap();
}
