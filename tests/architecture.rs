//! The layering of `src/` (the rule in `src/lib.rs`'s module doc and ARCHITECTURE.md): reads
//! every source file's paths into the crate (`use crate::...`, `crate::x::...`, `super::`,
//! `self::`, a child module's `x::`, and `acdsim::` in the binary) and fails on
//!
//! - an import from a higher layer, or between two layers of the same rank (input and stats);
//! - an import circle between files, other than between a folder's `mod.rs` and the files it
//!   declares (the module's face: it re-exports or dispatches over its children, which may name
//!   what it defines, as `sim/routing/mod.rs` does with its strategies);
//! - a top-level module of the library that has no layer.
//!
//! It also fails on a function of `src/` longer than [`MAX_FN_LINES`] (120 lines, from its `fn`
//! line to its closing brace), naming file, line and length.
//!
//! Unit-test modules (`#[cfg(test)] mod tests`) are left out: a test may build its fixture with
//! any layer, and its functions are not counted. Comments and string literals are left out too.
//! Hand-written (a small scanner of Rust paths and items) rather than a tool such as
//! `cargo modules`, so that `cargo test` alone keeps it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The library's top-level modules, lowest layer first, with their rank: a module may import
/// from its own top-level module and from those of a lower rank only. The binary (`src/main.rs`
/// and the modules it declares, today `cli`) stands above all of them.
const LAYERS: [(&str, u32); 7] = [
    ("error", 0),
    ("model", 1),
    ("input", 2),
    ("stats", 2),
    ("sim", 3),
    ("analysis", 4),
    ("report", 5),
];
const BINARY_RANK: u32 = 6;

/// A module path inside one crate: `["sim", "engine"]`; empty for the crate root.
type ModPath = Vec<String>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Crate {
    Lib,
    Bin,
}

/// One source file as a module of its crate.
#[derive(Debug)]
struct Module {
    file: PathBuf,
    krate: Crate,
    path: ModPath,
    /// A folder's `mod.rs` (or a crate root): its children are declared in it.
    is_dir: bool,
    /// The source with comments, strings and test modules blanked out (lines kept).
    code: String,
}

/// A reference from one file to another: `(from, to)` indices into the modules, the line, and
/// the path as written.
#[derive(Debug, Clone)]
struct Edge {
    from: usize,
    to: usize,
    line: usize,
    path: String,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a folder entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The modules of the library and the binary: the binary is `main.rs` and the top-level modules
/// it declares (their folders or files); the rest of `src/` is the library.
fn modules(src: &Path) -> Vec<Module> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let main = blank(&fs::read_to_string(src.join("main.rs")).expect("src/main.rs"));
    let bin_mods = declared_mods(&main);
    files
        .into_iter()
        .map(|file| {
            let rel = file.strip_prefix(src).expect("under src");
            let mut path: ModPath = rel
                .iter()
                .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            let last = path.pop().expect("a file name");
            let is_dir = last == "mod" || (path.is_empty() && (last == "lib" || last == "main"));
            if !is_dir {
                path.push(last.clone());
            }
            let krate = if (path.is_empty() && last == "main")
                || path.first().is_some_and(|m| bin_mods.contains(m))
            {
                Crate::Bin
            } else {
                Crate::Lib
            };
            let code = blank(&fs::read_to_string(&file).expect("readable"));
            Module {
                file,
                krate,
                path,
                is_dir,
                code,
            }
        })
        .collect()
}

/// `src` with comments, string and character literals replaced by spaces (newlines kept), and
/// every `#[cfg(test)] mod ... { ... }` removed the same way.
fn blank(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    let clear = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    while i < b.len() {
        let rest = &b[i..];
        let end = if rest.starts_with(b"//") {
            i + rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len())
        } else if rest.starts_with(b"/*") {
            i + find(rest, b"*/").expect("closed comment") + 2
        } else if rest[0] == b'r'
            && (rest.starts_with(b"r\"") || rest.starts_with(b"r#"))
            && (i == 0 || !is_ident(b[i - 1]))
        {
            let hashes = rest[1..].iter().take_while(|&&c| c == b'#').count();
            if rest.get(1 + hashes) != Some(&b'"') {
                i += 1;
                continue;
            }
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            let body = 2 + hashes;
            i + body + find(&rest[body..], &close).expect("closed raw string") + close.len()
        } else if rest[0] == b'"' {
            let mut j = 1;
            while rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            i + j + 1
        } else if rest[0] == b'\'' {
            // A character literal ('x', '\n', '\u{..}'), or else a lifetime (left as it is).
            if rest.get(1) == Some(&b'\\') {
                i + 2
                    + rest[2..]
                        .iter()
                        .position(|&c| c == b'\'')
                        .expect("closed char")
                    + 1
            } else {
                let ch = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                if rest.get(1 + ch) == Some(&b'\'') {
                    i + ch + 2
                } else {
                    i += 1;
                    continue;
                }
            }
        } else {
            i += 1;
            continue;
        };
        clear(&mut out, i, end);
        i = end;
    }
    let mut s = String::from_utf8(out).expect("blanking keeps UTF-8 boundaries");
    while let Some(at) = s.find("#[cfg(test)]") {
        let after = &s[at + "#[cfg(test)]".len()..];
        let item = after.trim_start();
        let open = if item.starts_with("mod ") || item.starts_with("pub mod ") {
            at + s[at..].find('{').expect("a test module's body")
        } else {
            // Another item under cfg(test): blank the attribute only.
            at
        };
        let close = if open == at {
            at + "#[cfg(test)]".len()
        } else {
            matching_brace(&s, open) + 1
        };
        let mut bytes = s.into_bytes();
        clear(&mut bytes, at, close);
        s = String::from_utf8(bytes).expect("ASCII blanks");
    }
    s
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The index of the `}` matching the `{` at `open`.
fn matching_brace(s: &str, open: usize) -> usize {
    let mut depth = 0;
    for (i, c) in s.bytes().enumerate().skip(open) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced braces");
}

/// The modules a (blanked) file declares: `mod x;` and `pub mod x;`.
fn declared_mods(code: &str) -> BTreeSet<String> {
    code.lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l
                .strip_prefix("pub(crate) ")
                .or(l.strip_prefix("pub "))
                .unwrap_or(l);
            l.strip_prefix("mod ")?
                .strip_suffix(';')
                .map(str::to_string)
        })
        .collect()
}

/// Every path into the crate in `code`, as (line, segments after the root it starts from, the
/// path as written): the root is resolved against `module` (`crate`, `acdsim`, `super`, `self`,
/// or one of the module's declared children). Use trees `a::{b, c::{d, e}}` give one path each.
fn crate_paths(code: &str, module: &Module) -> Vec<(usize, Crate, ModPath, String)> {
    let children = if module.is_dir {
        declared_mods(code)
    } else {
        BTreeSet::new()
    };
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !is_ident(b[i])
            || (i > 0 && (is_ident(b[i - 1]) || b[i - 1] == b':' || b[i - 1] == b'.'))
        {
            i += 1;
            continue;
        }
        let word_end = i + b[i..].iter().take_while(|&&c| is_ident(c)).count();
        let word = &code[i..word_end];
        let is_path = code[word_end..].starts_with("::");
        let root: Option<(Crate, ModPath)> = match word {
            _ if !is_path => None,
            "crate" => Some((module.krate, Vec::new())),
            "acdsim" if module.krate == Crate::Bin => Some((Crate::Lib, Vec::new())),
            "self" => Some((module.krate, module.path.clone())),
            "super" => {
                let mut p = module.path.clone();
                p.pop();
                Some((module.krate, p))
            }
            w if children.contains(w) => {
                let mut p = module.path.clone();
                p.push(w.to_string());
                Some((module.krate, p))
            }
            _ => None,
        };
        let Some((krate, mut base)) = root else {
            i = word_end;
            continue;
        };
        let line = code[..i].matches('\n').count() + 1;
        // `super::super::...`
        let mut j = word_end + 2;
        while code[j..].starts_with("super::") && word == "super" {
            base.pop();
            j += "super::".len();
        }
        let (paths, end) = use_tree(code, j);
        for p in paths {
            let mut full = base.clone();
            full.extend(p);
            let written = code[i..end]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            out.push((line, krate, full, written));
        }
        i = end.max(word_end);
    }
    out
}

/// Parses a path or use tree starting at `at` (after a `::`): its paths as segment lists, and
/// where it ends.
fn use_tree(code: &str, at: usize) -> (Vec<ModPath>, usize) {
    let b = code.as_bytes();
    let mut seg = Vec::new();
    let mut i = at;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < b.len() && b[i] == b'{' {
            let close = matching_brace(code, i);
            let mut paths = Vec::new();
            let inner = &code[i + 1..close];
            let mut depth = 0;
            let mut start = 0;
            for (k, c) in inner.bytes().enumerate().chain([(inner.len(), b',')]) {
                match c {
                    b'{' => depth += 1,
                    b'}' => depth -= 1,
                    b',' if depth == 0 => {
                        let item = &inner[start..k];
                        let offset = i + 1 + start;
                        if !item.trim().is_empty() {
                            let (sub, _) = use_tree(code, offset);
                            for s in sub {
                                let mut p = seg.clone();
                                p.extend(s);
                                paths.push(p);
                            }
                        }
                        start = k + 1;
                    }
                    _ => {}
                }
            }
            return (paths, close + 1);
        }
        let n = b[i..].iter().take_while(|&&c| is_ident(c)).count();
        if n == 0 {
            return (vec![seg], i);
        }
        let word = &code[i..i + n];
        if word != "self" {
            seg.push(word.to_string());
        }
        i += n;
        if code[i..].starts_with("::") {
            i += 2;
        } else {
            return (vec![seg], i);
        }
    }
}

/// The module (index) a path names: the longest prefix of `path` that is a module of `krate`.
fn resolve(modules: &[Module], krate: Crate, path: &[String]) -> Option<usize> {
    (0..=path.len()).rev().find_map(|n| {
        modules
            .iter()
            .position(|m| m.krate == krate && m.path == path[..n])
    })
}

fn edges(modules: &[Module]) -> Vec<Edge> {
    let mut out = Vec::new();
    for (from, m) in modules.iter().enumerate() {
        for (line, krate, path, written) in crate_paths(&m.code, m) {
            if let Some(to) = resolve(modules, krate, &path) {
                if to != from {
                    out.push(Edge {
                        from,
                        to,
                        line,
                        path: written,
                    });
                }
            }
        }
    }
    out
}

/// A module's layer: its top-level module's name and rank (`None`: a library module without a
/// layer, or a crate root).
fn layer(m: &Module) -> Option<(String, u32)> {
    let top = m.path.first()?;
    match m.krate {
        Crate::Bin => Some(("binary".to_string(), BINARY_RANK)),
        Crate::Lib => LAYERS
            .iter()
            .find(|(name, _)| name == top)
            .map(|&(name, rank)| (name.to_string(), rank)),
    }
}

fn rel(m: &Module) -> String {
    m.file
        .strip_prefix(src_dir().parent().expect("the package"))
        .unwrap_or(&m.file)
        .display()
        .to_string()
}

/// Imports that break the layering: upward, or sideways between two layers.
fn layer_violations(modules: &[Module], edges: &[Edge]) -> Vec<String> {
    let mut out = Vec::new();
    for e in edges {
        let (a, b) = (&modules[e.from], &modules[e.to]);
        let (Some((la, ra)), Some((lb, rb))) = (layer(a), layer(b)) else {
            continue;
        };
        if la != lb && rb >= ra {
            out.push(format!(
                "{}:{}: `{}`: {la} (rank {ra}) may not import from {lb} (rank {rb})",
                rel(a),
                e.line,
                e.path
            ));
        }
    }
    out
}

/// Whether `child` is a file that `parent`, a folder's `mod.rs`, declares.
fn declares(parent: &Module, child: &Module) -> bool {
    parent.is_dir
        && parent.krate == child.krate
        && child.path.len() == parent.path.len() + 1
        && child.path.starts_with(&parent.path)
}

/// The circles between files (strongly connected components of more than one file), leaving out
/// the edges between a folder's `mod.rs` and the files it declares.
fn circles(modules: &[Module], edges: &[Edge]) -> Vec<Vec<usize>> {
    let mut next: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for e in edges {
        let (a, b) = (&modules[e.from], &modules[e.to]);
        if !declares(a, b) && !declares(b, a) {
            next.entry(e.from).or_default().insert(e.to);
        }
    }
    // Tarjan's algorithm, recursive (the graph is a few dozen files).
    struct Tarjan<'a> {
        next: &'a BTreeMap<usize, BTreeSet<usize>>,
        index: BTreeMap<usize, usize>,
        low: BTreeMap<usize, usize>,
        stack: Vec<usize>,
        on_stack: BTreeSet<usize>,
        out: Vec<Vec<usize>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: usize) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            self.on_stack.insert(v);
            for &w in self.next.get(&v).into_iter().flatten() {
                if !self.index.contains_key(&w) {
                    self.visit(w);
                    let lw = self.low[&w];
                    let lv = self.low.get_mut(&v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if self.on_stack.contains(&w) {
                    let iw = self.index[&w];
                    let lv = self.low.get_mut(&v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[&v] == self.index[&v] {
                let mut scc = Vec::new();
                loop {
                    let w = self.stack.pop().expect("on the stack");
                    self.on_stack.remove(&w);
                    scc.push(w);
                    if w == v {
                        break;
                    }
                }
                if scc.len() > 1 {
                    scc.sort();
                    self.out.push(scc);
                }
            }
        }
    }
    let mut t = Tarjan {
        next: &next,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in 0..modules.len() {
        if !t.index.contains_key(&v) {
            t.visit(v);
        }
    }
    t.out
}

/// Every problem of the tree at `src`, one line each.
fn problems(src: &Path) -> Vec<String> {
    let modules = modules(src);
    let edges = edges(&modules);
    let mut out = Vec::new();
    for m in &modules {
        if m.krate == Crate::Lib && m.path.len() == 1 && layer(m).is_none() {
            out.push(format!(
                "{}: the library module `{}` has no layer: add it to LAYERS (and to the rule in src/lib.rs and ARCHITECTURE.md)",
                rel(m),
                m.path[0]
            ));
        }
    }
    out.extend(layer_violations(&modules, &edges));
    for c in circles(&modules, &edges) {
        let ties: BTreeSet<String> = edges
            .iter()
            .filter(|e| c.contains(&e.from) && c.contains(&e.to))
            .map(|e| format!("{}:{} `{}`", rel(&modules[e.from]), e.line, e.path))
            .collect();
        out.push(format!(
            "import circle between {}: {}",
            c.iter()
                .map(|&i| rel(&modules[i]))
                .collect::<Vec<_>>()
                .join(", "),
            ties.into_iter().collect::<Vec<_>>().join("; ")
        ));
    }
    out
}

#[test]
fn imports_point_down_the_layers_without_circles() {
    let problems = problems(&src_dir());
    assert!(
        problems.is_empty(),
        "{} layering problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The scanner sees the imports it must judge (so that the test above cannot pass by seeing
/// nothing): known edges of the real tree, and every form of path on a sample.
#[test]
fn the_scanner_sees_every_form_of_import() {
    let modules = modules(&src_dir());
    let edges = edges(&modules);
    let has = |from: &str, to: &str| {
        edges.iter().any(|e| {
            rel(&modules[e.from]) == format!("src/{from}")
                && rel(&modules[e.to]) == format!("src/{to}")
        })
    };
    for (from, to) in [
        ("sim/engine/mod.rs", "model/mod.rs"),
        ("sim/engine/arrive.rs", "sim/routing/mod.rs"),
        ("sim/engine/serve.rs", "sim/engine/queues.rs"),
        ("sim/engine/prepare.rs", "sim/engine/mod.rs"),
        ("report/mod.rs", "sim/paired.rs"),
        ("report/table.rs", "report/mod.rs"),
        ("input/resolve/mod.rs", "input/resolve/channels.rs"),
        ("input/resolve/channels.rs", "input/resolve/ctx.rs"),
        ("cli/run.rs", "cli/args.rs"),
        ("cli/run.rs", "sim/simulate.rs"),
        ("main.rs", "cli/mod.rs"),
    ] {
        assert!(has(from, to), "no import seen from src/{from} to src/{to}");
    }
    assert!(edges.len() > 150, "only {} imports seen", edges.len());

    let sample = Module {
        file: PathBuf::from("src/sim/sample/mod.rs"),
        krate: Crate::Lib,
        path: vec!["sim".into(), "sample".into()],
        is_dir: true,
        code: blank(
            "//! crate::report in a comment\nmod child;\nuse crate::model::{dist::{Dist, pick}, Model};\n\
             use super::super::stats::Layout;\nfn f() { let s = \"crate::report\"; child::g(); self::h(); }\n\
             #[cfg(test)]\nmod tests {\n    use crate::report::RunReport;\n}\n",
        ),
    };
    let paths: Vec<String> = crate_paths(&sample.code, &sample)
        .into_iter()
        .map(|(line, _, p, _)| format!("{line}:{}", p.join("::")))
        .collect();
    assert_eq!(
        paths,
        [
            "3:model::dist::Dist",
            "3:model::dist::pick",
            "3:model::Model",
            "4:stats::Layout",
            "5:sim::sample::child::g",
            "5:sim::sample::h",
        ]
    );
}

/// The longest a function in `src/` may be, in lines from its `fn` line to its closing brace
/// (both counted; its doc comment and attributes are not).
const MAX_FN_LINES: usize = 120;

/// A function with a body in a source file.
#[derive(Debug, PartialEq)]
struct Function {
    /// Qualified by the `impl` or `trait` block it is in: `Layout::new`.
    name: String,
    /// The line of its `fn`.
    line: usize,
    /// Lines from its `fn` line to its closing brace, both counted.
    lines: usize,
}

/// Where the body of the item whose header starts at `at` opens: the first `{` outside
/// parentheses and brackets, or `None` when a `;` ends the item first (a declaration without a
/// body, `fn f(x: [u8; 4]);`).
fn body_start(code: &str, at: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in code.bytes().enumerate().skip(at) {
        match c {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth -= 1,
            b'{' if depth == 0 => return Some(i),
            b';' if depth == 0 => return None,
            _ => {}
        }
    }
    None
}

/// The line (from 1) of byte `at` in `code`.
fn line_of(code: &str, at: usize) -> usize {
    code[..at].bytes().filter(|&c| c == b'\n').count() + 1
}

/// The `impl` and `trait` blocks of a (blanked) file, each as (from its keyword to its closing
/// brace, the type it is for, or the trait).
fn type_blocks(code: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in code.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let item = ["pub(crate) ", "pub ", "unsafe "]
            .iter()
            .fold(trimmed, |s, p| s.strip_prefix(p).unwrap_or(s));
        let at = line_start + (line.len() - item.len());
        line_start += line.len();
        let keyword = if item.starts_with("trait ") {
            "trait"
        } else if item.starts_with("impl ") || item.starts_with("impl<") {
            "impl"
        } else {
            continue;
        };
        let Some(open) = body_start(code, at) else {
            continue;
        };
        let name = type_name(keyword, &code[at + keyword.len()..open]);
        out.push((at..matching_brace(code, open) + 1, name));
    }
    out
}

/// The type an `impl` block is for, or a trait's name, from the header after the keyword:
/// `<'m> Curves<'m>` and `fmt::Display for Curves` are `Curves`.
fn type_name(keyword: &str, header: &str) -> String {
    let mut header = header.trim_start();
    if keyword == "impl" && header.starts_with('<') {
        // The impl's generics (a `->` inside them is no closing bracket).
        let b = header.as_bytes();
        let mut depth = 0;
        for (j, &c) in b.iter().enumerate() {
            match c {
                b'<' => depth += 1,
                b'>' if b[j - 1] != b'-' => {
                    depth -= 1;
                    if depth == 0 {
                        header = &header[j + 1..];
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    let first = header.split_whitespace().next().unwrap_or("");
    let mut words = header.split_whitespace();
    let ty = match words.position(|w| w == "for") {
        Some(_) if keyword == "impl" => words.next().unwrap_or(first),
        _ => first,
    };
    let ty = ty.split('<').next().unwrap_or(ty);
    ty.rsplit("::")
        .next()
        .unwrap_or(ty)
        .trim_end_matches(':')
        .to_string()
}

/// Every function with a body in a (blanked) file, named with the `impl` or `trait` block it
/// is in (the innermost).
fn functions(code: &str) -> Vec<Function> {
    let blocks = type_blocks(code);
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = code[from..].find("fn") {
        let at = from + found;
        from = at + 2;
        // The keyword: `fn` then space then a name (not `fn(` in a type, `$name` in a macro).
        let rest = &code[at + 2..];
        let name_at = rest.len() - rest.trim_start().len();
        let name: String = rest[name_at..]
            .bytes()
            .take_while(|&c| is_ident(c))
            .map(char::from)
            .collect();
        if (at > 0 && is_ident(b[at - 1])) || name_at == 0 || name.is_empty() {
            continue;
        }
        let Some(open) = body_start(code, at) else {
            continue;
        };
        let close = matching_brace(code, open);
        let name = match blocks
            .iter()
            .filter(|(range, _)| range.contains(&at))
            .max_by_key(|(range, _)| range.start)
        {
            Some((_, ty)) => format!("{ty}::{name}"),
            None => name,
        };
        let line = line_of(code, at);
        out.push(Function {
            name,
            line,
            lines: line_of(code, close) - line + 1,
        });
    }
    out
}

/// Every function of `src/` over [`MAX_FN_LINES`], one line each.
fn long_functions(src: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for m in modules(src) {
        let file = rel(&m);
        for f in functions(&m.code) {
            if f.lines > MAX_FN_LINES {
                out.push(format!(
                    "{file}:{} `{}`: {} lines (at most {MAX_FN_LINES}): split it into functions named for what they do",
                    f.line, f.name, f.lines
                ));
            }
        }
    }
    out
}

#[test]
fn no_function_is_longer_than_the_limit() {
    let problems = long_functions(&src_dir());
    assert!(
        problems.is_empty(),
        "{} function length problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The function scanner measures what the limit is about (so that the test above cannot pass
/// by seeing nothing): every form of function on a sample, and known functions of the real
/// tree.
#[test]
fn the_scanner_measures_every_function() {
    let sample = blank(
        "fn free(f: fn(u32) -> u32) -> u32 {\n    f(1)\n}\n\
         impl<'m, F: Fn() -> u8> Curves<'m, F> {\n    pub fn at(&self) {\n        fn inner() {}\n    }\n}\n\
         pub trait Strategy: Send {\n    fn pick(&self, x: [u8; 4]);\n    fn name(&self) -> &str {\n        \"fn fake() {\"\n    }\n}\n\
         impl std::fmt::Display for Op {\n    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {\n        Ok(())\n    }\n}\n\
         #[cfg(test)]\nmod tests {\n    fn in_a_test() {}\n}\n",
    );
    let got: Vec<(String, usize, usize)> = functions(&sample)
        .into_iter()
        .map(|f| (f.name, f.line, f.lines))
        .collect();
    let want = [
        ("free", 1, 3),
        ("Curves::at", 5, 3),
        ("Curves::inner", 6, 1),
        ("Strategy::name", 11, 3),
        ("Op::fmt", 16, 3),
    ];
    assert_eq!(
        got,
        want.map(|(name, line, lines)| (name.to_string(), line, lines))
    );

    let modules = modules(&src_dir());
    let all: Vec<(String, Function)> = modules
        .iter()
        .flat_map(|m| functions(&m.code).into_iter().map(|f| (rel(m), f)))
        .collect();
    assert!(all.len() > 400, "only {} functions seen", all.len());
    for (file, name) in [
        ("src/main.rs", "main"),
        ("src/analysis/staffing/search.rs", "search"),
        ("src/analysis/staffing/search.rs", "Curves::servers_for"),
        ("src/analysis/staffing/search.rs", "Search::run"),
        ("src/sim/routing/mod.rs", "Router::proficiency_first"),
        ("src/sim/engine/prepare.rs", "Engine::prepare_agents"),
        ("src/stats/mod.rs", "Layout::new"),
    ] {
        assert!(
            all.iter().any(|(f, x)| f == file && x.name == name),
            "no function `{name}` seen in {file}"
        );
    }
}
