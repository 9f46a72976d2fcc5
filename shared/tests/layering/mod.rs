//! The modules of `shared/src` and what each names, read from their sources: each `.rs` file is
//! a module (`mod.rs` is its folder's), and a module depends on the modules its code names
//! (`use crate::a::b`, `crate::a::b::f()`, `super::x`, `self::x`, a child `x::f()`, a module
//! imported by name), an item re-exported by a `pub use` counting as its own module's. A
//! parent's `mod` and `pub use` declarations of its children, and a module's uses of its own
//! ancestors' items, are not dependencies: a parent and its children are one piece.

mod circles;
mod tiers;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path from the crate root: `delivery/signing.rs` is `[delivery, signing]`,
/// `ingest/sas.rs` and `ingest/sas/mod.rs` are `[ingest, sas]`, `lib.rs` is `[]`.
type Module = Vec<String>;
/// The modules each module depends on.
type Graph = BTreeMap<Module, BTreeSet<Module>>;

/// How many names a path may have after its start.
const DEPTH: usize = 8;

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

fn module_path(root: &Path, file: &Path) -> Module {
    let mut parts: Vec<String> = file
        .strip_prefix(root)
        .unwrap()
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") || parts == ["lib"] {
        parts.pop();
    }
    parts
}

/// `crate::a::b` for `[a, b]`, `crate` for the root.
fn name(module: &[String]) -> String {
    match module {
        [] => "crate".to_owned(),
        _ => module.join("::"),
    }
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
/// `a::b::f()` is `[[a, b, f]]`, `{a, b::{c, d}}` is `[[a], [b, c], [b, d]]` (`self` names
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

/// A file's code: its lines without the comment lines.
fn code(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect();
    lines.join("\n")
}

/// Where each `pub use` statement of `code` starts and ends (at its `;`).
fn pub_uses(code: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for prefix in ["pub use ", "pub(crate) use "] {
        for (at, _) in code.match_indices(prefix) {
            let end = code[at..].find(';').map_or(code.len(), |e| at + e);
            found.push((at, end));
        }
    }
    found
}

fn starts_with(path: &[String], prefix: &[String]) -> bool {
    path.len() >= prefix.len() && path[..prefix.len()] == *prefix
}

/// The modules of a crate and their code.
struct Crate {
    code: BTreeMap<Module, String>,
    /// Every module, folders without a `mod.rs` included.
    modules: BTreeSet<Module>,
    /// The path each `pub use` gives an item: `(subscriptions, WebHook)` is
    /// `[subscriptions, destination, WebHook]`.
    reexports: BTreeMap<(Module, String), Vec<String>>,
}

impl Crate {
    /// The crate whose sources are at `root` (its `src`).
    fn read(root: &Path) -> Crate {
        let mut files = Vec::new();
        sources(root, &mut files);
        let code: BTreeMap<Module, String> = files
            .iter()
            .map(|f| {
                (
                    module_path(root, f),
                    code(&std::fs::read_to_string(f).unwrap()),
                )
            })
            .collect();
        let modules = code
            .keys()
            .flat_map(|m| (0..=m.len()).map(|n| m[..n].to_vec()))
            .collect();
        let mut krate = Crate {
            code,
            modules,
            reexports: BTreeMap::new(),
        };
        let mut reexports = BTreeMap::new();
        for (module, code) in &krate.code {
            for (start, end) in pub_uses(code) {
                for path in krate.paths(module, &code[start..end], &krate.children(module)) {
                    if let Some(item) = path.last().filter(|_| !krate.modules.contains(&path)) {
                        reexports.insert((module.clone(), item.clone()), path);
                    }
                }
            }
        }
        krate.reexports = reexports;
        krate
    }

    /// The children of `module`, by name.
    fn children(&self, module: &[String]) -> BTreeMap<String, Module> {
        self.modules
            .iter()
            .filter(|m| m.len() == module.len() + 1 && starts_with(m, module))
            .map(|m| (m[module.len()].clone(), m.clone()))
            .collect()
    }

    /// The paths from the crate root that `code`, in `module`, names: from `crate::`,
    /// `$crate::`, `self::` and `super::`, and from the names in `aliases`.
    fn paths(
        &self,
        module: &[String],
        code: &str,
        aliases: &BTreeMap<String, Module>,
    ) -> Vec<Vec<String>> {
        let mut found = Vec::new();
        for (at, _) in code.match_indices("::") {
            let start = code[..at]
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(0, |s| s + 1);
            if code[..start].ends_with("::") || start == at {
                continue;
            }
            let mut rest = &code[at + 2..];
            let base: Module = match &code[start..at] {
                "crate" => Vec::new(),
                "self" => module.to_vec(),
                "super" => {
                    let mut ups = 1;
                    while let Some(r) = rest.trim_start().strip_prefix("super::") {
                        (ups, rest) = (ups + 1, r);
                    }
                    match module.len().checked_sub(ups) {
                        Some(keep) => module[..keep].to_vec(),
                        None => continue,
                    }
                }
                alias => match aliases.get(alias) {
                    Some(m) => m.clone(),
                    None => continue,
                },
            };
            for tail in continuations(rest, DEPTH) {
                found.push(base.iter().cloned().chain(tail).collect());
            }
        }
        found
    }

    /// The module a path from the crate root names: its longest prefix that is a module, or
    /// the module a `pub use` there takes the next name from.
    fn resolve(&self, path: &[String]) -> Module {
        let mut depth = 0;
        while depth < path.len() && self.modules.contains(&path[..=depth]) {
            depth += 1;
        }
        let module = path[..depth].to_vec();
        if let Some(item) = path.get(depth)
            && let Some(target) = self.reexports.get(&(module.clone(), item.clone()))
            && target[..] != path[..=depth]
        {
            let full: Vec<String> = target.iter().chain(&path[depth + 1..]).cloned().collect();
            return self.resolve(&full);
        }
        module
    }

    /// The modules `module` depends on (its ancestors and itself left out).
    fn dependencies(&self, module: &[String], code: &str) -> BTreeSet<Module> {
        let mut code = code.to_owned();
        let own = |path: &Vec<String>| starts_with(&self.resolve(path), module);
        let children = self.children(module);
        for (start, end) in pub_uses(&code.clone()) {
            let paths = self.paths(module, &code[start..end], &children);
            if !paths.is_empty() && paths.iter().all(own) {
                code.replace_range(start..end, &" ".repeat(end - start));
            }
        }
        let mut aliases = children.clone();
        for path in self.paths(module, &code, &children) {
            if self.modules.contains(&path)
                && let Some(last) = path.last()
            {
                aliases.insert(last.clone(), path);
            }
        }
        self.paths(module, &code, &aliases)
            .iter()
            .map(|p| self.resolve(p))
            .filter(|target| !starts_with(module, target))
            .collect()
    }

    /// Every module and the modules it depends on.
    fn graph(&self) -> Graph {
        self.code
            .iter()
            .map(|(module, code)| (module.clone(), self.dependencies(module, code)))
            .collect()
    }
}

/// The graph of `shared/src`.
fn shared() -> Graph {
    Crate::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src")).graph()
}

/// Writes `text` to `file` below `root`, folders included.
fn write(root: &Path, file: &str, text: &str) {
    let path = root.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A fresh folder for a crate written by a test.
fn scratch(label: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("layering-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    root
}
