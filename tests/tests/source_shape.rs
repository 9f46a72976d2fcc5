//! Files small enough to read in one sitting and functions that fit on a screen: every `.rs`
//! file of `shared/src`, `infra/src`, `functions/*/src` and `tests/bench/src` has at most 400
//! lines, and every function in them at most 80 (from its `fn` line to its closing brace;
//! `#[cfg(test)]` modules and `#[test]` functions left out).

use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 400;
const MAX_FN_LINES: usize = 80;

/// The source folders checked, from the workspace root.
fn folders(root: &Path) -> Vec<PathBuf> {
    let mut folders = vec![root.join("shared/src"), root.join("infra/src")];
    let mut functions: Vec<PathBuf> = std::fs::read_dir(root.join("functions"))
        .unwrap()
        .map(|e| e.unwrap().path().join("src"))
        .filter(|p| p.is_dir())
        .collect();
    functions.sort();
    folders.extend(functions);
    folders.push(root.join("tests/bench/src"));
    folders.into_iter().filter(|p| p.is_dir()).collect()
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

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Blanks `out[from..to]`, newlines kept.
fn blank(out: &mut [u8], from: usize, to: usize) {
    let to = to.min(out.len());
    for b in &mut out[from..to] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

/// Where the string literal whose opening quote is at `at` ends (after its closing quote).
fn string_end(b: &[u8], at: usize) -> usize {
    let mut i = at + 1;
    while i < b.len() && b[i] != b'"' {
        i += if b[i] == b'\\' { 2 } else { 1 };
    }
    i + 1
}

/// Where a raw string starting at `at` (`r`, then `#`s and a quote) ends, if one starts there.
fn raw_string_end(b: &[u8], at: usize) -> Option<usize> {
    let hashes = b[at + 1..].iter().take_while(|c| **c == b'#').count();
    if b.get(at + 1 + hashes) != Some(&b'"') {
        return None;
    }
    let close: Vec<u8> = std::iter::once(b'"')
        .chain(std::iter::repeat_n(b'#', hashes))
        .collect();
    let body = at + 2 + hashes;
    let end = b[body..]
        .windows(close.len())
        .position(|w| w == close.as_slice())
        .map_or(b.len(), |p| body + p + close.len());
    Some(end)
}

/// Where the character literal whose quote is at `at` ends, or `None` for a lifetime.
fn char_end(text: &str, at: usize) -> Option<usize> {
    let b = text.as_bytes();
    if b.get(at + 1) == Some(&b'\\') {
        let close = b[at + 3..].iter().position(|c| *c == b'\'')?;
        return Some(at + 3 + close + 1);
    }
    let c = text.get(at + 1..)?.chars().next()?;
    let after = at + 1 + c.len_utf8();
    (b.get(after) == Some(&b'\'')).then_some(after + 1)
}

/// The code of `text` with comments and the insides of string and character literals blanked
/// (so braces in them count for nothing); lines stay where they were.
fn code(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    while i < b.len() {
        let prev_ident = i > 0 && is_ident(b[i - 1]);
        let end = match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => b[i..]
                .iter()
                .position(|c| *c == b'\n')
                .map_or(b.len(), |p| i + p),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let (mut depth, mut j) = (1, i + 2);
                while j < b.len() && depth > 0 {
                    match (b[j], b.get(j + 1)) {
                        (b'/', Some(b'*')) => (depth, j) = (depth + 1, j + 2),
                        (b'*', Some(b'/')) => (depth, j) = (depth - 1, j + 2),
                        _ => j += 1,
                    }
                }
                j
            }
            b'r' if !prev_ident
                || (i > 0 && b[i - 1] == b'b' && !(i > 1 && is_ident(b[i - 2]))) =>
            {
                match raw_string_end(b, i) {
                    Some(end) => end,
                    None => {
                        i += 1;
                        continue;
                    }
                }
            }
            b'"' => string_end(b, i),
            b'\'' => match char_end(text, i) {
                Some(end) => end,
                None => {
                    i += 1;
                    continue;
                }
            },
            _ => {
                i += 1;
                continue;
            }
        };
        blank(&mut out, i, end);
        i = end;
    }
    String::from_utf8(out).unwrap()
}

/// Where the block whose `{` is at `open` ends (after its `}`).
fn block_end(code: &[u8], open: usize) -> usize {
    let mut depth = 0;
    for (i, c) in code.iter().enumerate().skip(open) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// `code` without its `#[cfg(test)]` modules.
fn without_test_modules(code: &str) -> String {
    let mut out = code.as_bytes().to_vec();
    for (at, _) in code.match_indices("#[cfg(test)]") {
        let rest = &code[at + "#[cfg(test)]".len()..];
        let item = rest.trim_start();
        let item = item.strip_prefix("pub ").unwrap_or(item).trim_start();
        let Some(module) = item.strip_prefix("mod ") else {
            continue;
        };
        let after_name = module
            .trim_start()
            .trim_start_matches(|c: char| c.is_alphanumeric() || c == '_');
        if after_name.trim_start().starts_with('{') {
            let open = code.len() - after_name.trim_start().len();
            let end = block_end(code.as_bytes(), open);
            blank(&mut out, at, end);
        }
    }
    String::from_utf8(out).unwrap()
}

/// A function of a file: its name, the line of its `fn` and its length in lines.
#[derive(Debug, PartialEq)]
struct Function {
    name: String,
    line: usize,
    lines: usize,
}

fn line_of(code: &str, at: usize) -> usize {
    code[..at].matches('\n').count() + 1
}

/// Whether the attributes before the `fn` at `at` make it a test.
fn is_test(code: &str, at: usize) -> bool {
    let start = code[..at].rfind([';', '{', '}']).map_or(0, |s| s + 1);
    let head = &code[start..at];
    head.contains("#[test]") || head.contains("::test]") || head.contains("::test(")
}

/// The functions with a body in `text` (outside `#[cfg(test)]` modules, tests left out).
fn functions(text: &str) -> Vec<Function> {
    let code = without_test_modules(&code(text));
    let b = code.as_bytes();
    let mut found = Vec::new();
    for (at, _) in code.match_indices("fn ") {
        if at > 0 && is_ident(b[at - 1]) {
            continue;
        }
        let rest = code[at + 3..].trim_start();
        let name_len = rest.bytes().take_while(|c| is_ident(*c)).count();
        if name_len == 0 || is_test(&code, at) {
            continue;
        }
        let mut depth = 0i32;
        let mut body = None;
        for (i, c) in b.iter().enumerate().skip(at) {
            match c {
                b'(' | b'[' => depth += 1,
                b')' | b']' => depth -= 1,
                b';' if depth == 0 => break,
                b'{' if depth == 0 => {
                    body = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let Some(open) = body else {
            continue;
        };
        let line = line_of(&code, at);
        let close = line_of(&code, block_end(b, open) - 1);
        found.push(Function {
            name: rest[..name_len].to_owned(),
            line,
            lines: close - line + 1,
        });
    }
    found
}

/// What is too long in the file at `path` (named `shown`).
fn offences(shown: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lines = text.lines().count();
    if lines > MAX_FILE_LINES {
        found.push(format!("{shown}: {lines} lines (at most {MAX_FILE_LINES})"));
    }
    for f in functions(text) {
        if f.lines > MAX_FN_LINES {
            found.push(format!(
                "{shown}:{}: fn {} has {} lines (at most {MAX_FN_LINES})",
                f.line, f.name, f.lines
            ));
        }
    }
    found
}

#[test]
fn no_source_file_is_over_400_lines_and_no_function_over_80() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    for folder in folders(root) {
        sources(&folder, &mut files);
    }
    files.sort();
    assert!(files.len() > 150, "found only {} files", files.len());
    let found: Vec<String> = files
        .iter()
        .flat_map(|file| {
            let shown = file.strip_prefix(root).unwrap().display().to_string();
            offences(&shown, &std::fs::read_to_string(file).unwrap())
        })
        .collect();
    assert!(
        found.is_empty(),
        "split these (files at most {MAX_FILE_LINES} lines, functions at most {MAX_FN_LINES}):\n{}",
        found.join("\n")
    );
}

fn long_body(lines: usize) -> String {
    (0..lines)
        .map(|n| format!("    let x{n} = {n};\n"))
        .collect()
}

#[test]
fn a_function_is_measured_from_its_fn_line_to_its_closing_brace() {
    let text = format!(
        "/// Doc.\npub async fn short(a: (u8, [u8; 2])) -> u8 {{\n    a.0\n}}\n\nfn long() {{\n{}}}\n",
        long_body(79)
    );
    let found = functions(&text);
    assert_eq!(
        found,
        [
            Function {
                name: "short".into(),
                line: 2,
                lines: 3
            },
            Function {
                name: "long".into(),
                line: 6,
                lines: 81
            },
        ]
    );
    assert_eq!(
        offences("a.rs", &text),
        ["a.rs:6: fn long has 81 lines (at most 80)"]
    );
}

#[test]
fn braces_in_strings_characters_and_comments_count_for_nothing() {
    let text = "fn f() -> String {\n    let c = '{';\n    let l: &'static str = \"}\";\n    // }\n    /* } /* } */ */\n    let r = r#\"}\"#;\n    format!(\"{c}{l}{r}\\\"}\")\n}\nfn g() {}\n";
    let found = functions(text);
    assert_eq!(
        found[0],
        Function {
            name: "f".into(),
            line: 1,
            lines: 8
        }
    );
    assert_eq!(found[1].name, "g");
}

#[test]
fn test_modules_tests_and_bodiless_functions_are_left_out() {
    let text = format!(
        "trait T {{\n    fn declared(&self);\n}}\n#[cfg(test)]\nmod tests {{\n    fn helper() {{\n{}    }}\n}}\n#[tokio::test]\nasync fn a_test() {{\n{}}}\n#[test]\nfn another() {{\n{}}}\n",
        long_body(90),
        long_body(90),
        long_body(90)
    );
    assert_eq!(functions(&text), []);
}

#[test]
fn a_file_over_400_lines_is_named() {
    let text = "\n".repeat(401);
    assert_eq!(
        offences("big.rs", &text),
        ["big.rs: 401 lines (at most 400)"]
    );
}
