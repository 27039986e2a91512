//! Every module that handles modem input or caller values promises not to panic
//! (spec: "Hostile input and hard faults"): it denies the clippy lints that catch
//! panicking code, and allows them again only in its `#[cfg(test)]` module. This
//! test reads the sources and checks that promise, so that a new module (or an
//! `allow` slipped into production code) cannot quietly drop it; `cargo clippy`
//! then enforces the lints themselves.

use std::fs;
use std::path::{Path, PathBuf};

/// The lints every such module denies.
const LINTS: [&str; 5] = [
    "clippy::unwrap_used",
    "clippy::expect_used",
    "clippy::panic",
    "clippy::indexing_slicing",
    "clippy::arithmetic_side_effects",
];

/// Modules that do not carry the attribute yet (reported to their owners); each is
/// still checked for production `allow`s. Remove an entry once the file denies the
/// lints.
const PENDING: &[&str] = &[];

/// The sources that parse modem input or check caller values (folders read
/// recursively). A `tests.rs` file is a `#[cfg(test)] mod tests;` of its folder's
/// module and is left out.
fn guarded_sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = ["line.rs", "urc.rs", "text.rs", "network.rs"]
        .iter()
        .map(|f| root.join("src").join(f))
        .collect();
    for dir in ["src/digest", "src/session", "src/command", "src/split"] {
        let mut rs = Vec::new();
        collect_rs(&root.join(dir), &mut rs);
        rs.sort();
        files.extend(rs);
    }
    files
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
}

fn relative(p: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The text of the first `#![deny(…)]` attribute, if any.
fn inner_deny(src: &str) -> Option<&str> {
    let start = src.find("#![deny(")?;
    let end = src[start..].find(")]")?;
    Some(&src[start..start + end])
}

/// Lines that allow one of [`LINTS`] outside a `#[cfg(test)]` item.
fn production_allows(src: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = src.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let is_allow = t.starts_with("#[allow(")
            || t.starts_with("#![allow(")
            || t.starts_with("#[expect(")
            || t.starts_with("#![expect(");
        if !is_allow || !LINTS.iter().any(|l| t.contains(l)) {
            continue;
        }
        let under_cfg_test = lines[..i]
            .iter()
            .rev()
            .take_while(|l| l.trim_start().starts_with("#["))
            .any(|l| l.trim() == "#[cfg(test)]");
        if !under_cfg_test {
            found.push((i + 1, t.to_owned()));
        }
    }
    found
}

#[test]
fn input_handling_modules_deny_panicking_code() {
    let mut missing = Vec::new();
    for path in guarded_sources() {
        let name = relative(&path);
        let src = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let lacking: Vec<&str> = match inner_deny(&src) {
            Some(attr) => LINTS
                .iter()
                .copied()
                .filter(|l| !attr.contains(l))
                .collect(),
            None => LINTS.to_vec(),
        };
        if lacking.is_empty() {
            if PENDING.contains(&name.as_str()) {
                eprintln!("{name} now denies the lints: its PENDING entry can go");
            }
        } else if PENDING.contains(&name.as_str()) {
            eprintln!("pending: {name} does not deny {}", lacking.join(", "));
        } else {
            missing.push(format!("{name}: {}", lacking.join(", ")));
        }
    }
    assert!(
        missing.is_empty(),
        "these modules must start with #![deny({})]; missing:\n  {}",
        LINTS.join(", "),
        missing.join("\n  ")
    );
}

#[test]
fn no_production_allow_of_the_denied_lints() {
    let mut found = Vec::new();
    for path in guarded_sources() {
        let name = relative(&path);
        let src = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (line, text) in production_allows(&src) {
            found.push(format!("{name}:{line}: {text}"));
        }
    }
    assert!(
        found.is_empty(),
        "allowed outside #[cfg(test)]:\n  {}",
        found.join("\n  ")
    );
}
