//! The docs runner: every shell command block of `README.md` and `docs/*.md` runs, so the docs
//! cannot drift from the tool.
//!
//! A ```` ```sh ````, ```` ```bash ```` or ```` ```console ```` block runs under `bash -eu -o
//! pipefail` in a fresh temporary directory holding a copy of `docs/examples/` (so commands
//! name `docs/examples/...` as from the repository root), with the freshly built `reachgraph`
//! first on `PATH`. A `console` block runs its `$ ` lines. A block that cannot run in CI says
//! so on its fence with the reason: ```` ```sh no-run: needs 8 MPI ranks ````; the runner lists
//! the skipped blocks and their reasons. A failure names the file, the line of the failing
//! command and the command, with its stderr.
//!
//! The other kinds run elsewhere: ```` ```python ```` blocks in the Python tests
//! (`crates/reachgraph-py/tests/test_docs.py`), ```` ```rust ```` blocks as doctests (the files
//! are included in `reachgraph_core`, checked below). Every block names its language, so that
//! rustdoc does not take an unlabelled block for Rust.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A fenced block of a Markdown file.
struct Block {
    file: String,
    /// 1-based line of the opening fence.
    line: usize,
    lang: String,
    /// The rest of the fence's info string (`no-run: reason`).
    info: String,
    body: Vec<String>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn doc_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ is readable")
        .map(|e| e.expect("docs/ entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

fn blocks(path: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(path).expect("doc file is readable");
    let file = path
        .strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string();
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        let Some(info) = line.strip_prefix("```") else {
            if let Some(b) = open.as_mut() {
                b.body.push(line.to_string());
            }
            continue;
        };
        match open.take() {
            Some(b) => out.push(b),
            None => {
                let info = info.trim();
                let (lang, rest) = info.split_once(char::is_whitespace).unwrap_or((info, ""));
                open = Some(Block {
                    file: file.clone(),
                    line: i + 1,
                    lang: lang.to_string(),
                    info: rest.trim().to_string(),
                    body: Vec::new(),
                });
            }
        }
    }
    assert!(open.is_none(), "{file}: a code block is not closed");
    out
}

fn all_blocks() -> Vec<Block> {
    doc_files().iter().flat_map(|p| blocks(p)).collect()
}

/// The skip reason of a block marked `no-run`, if it is.
fn no_run(b: &Block) -> Option<&str> {
    b.info
        .strip_prefix("no-run")
        .map(|r| r.trim_start_matches(':').trim())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the temp directory");
    for e in std::fs::read_dir(from).expect("docs/examples is readable") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("file type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy an example file");
        }
    }
}

/// The script a block runs: the block's lines, so that bash's line numbers are the block's
/// (a console block keeps only its `$ ` commands, other lines blank).
fn script(b: &Block) -> String {
    let mut s = String::new();
    for l in &b.body {
        if b.lang == "console" {
            s += l.strip_prefix("$ ").unwrap_or("");
        } else {
            s += l;
        }
        s.push('\n');
    }
    s
}

/// Runs one block; `Err` says where and what failed.
fn run_block(b: &Block, n: usize) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("reachgraph-docs-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join("docs/examples"), &dir.join("docs/examples"));
    let bin = Path::new(env!("CARGO_BIN_EXE_reachgraph"));
    let path = format!(
        "{}:{}",
        bin.parent().expect("the binary's directory").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // On a failing command, the ERR trap names its line of the block (bash counts from 1).
    let body = format!(
        "trap 'echo \"@@ERR $LINENO\" >&2' ERR\n{}",
        script(b).trim_end()
    );
    let out = Command::new("bash")
        .args(["-eu", "-o", "pipefail", "-o", "errtrace", "-c", &body])
        .current_dir(&dir)
        .env("PATH", path)
        .output()
        .expect("bash runs");
    let _ = std::fs::remove_dir_all(&dir);
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The trap line is line 1 of the script: block line k is script line k + 1.
    let k = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("@@ERR "))
        .filter_map(|n| n.trim().parse::<usize>().ok())
        .next()
        .map(|n| n.saturating_sub(1).max(1));
    let (line, command) = match k {
        Some(k) => (b.line + k, b.body.get(k - 1).cloned().unwrap_or_default()),
        None => (b.line, "(the block)".to_string()),
    };
    let stderr: String = stderr
        .lines()
        .filter(|l| !l.starts_with("@@ERR "))
        .collect::<Vec<_>>()
        .join("\n");
    Err(format!(
        "{}:{line}: `{}` failed ({}):\n{}",
        b.file,
        command.trim(),
        out.status,
        stderr.trim()
    ))
}

#[test]
fn every_shell_block_of_the_docs_runs() {
    let mut failures = Vec::new();
    let mut skipped = String::new();
    let mut ran = 0;
    for (n, b) in all_blocks().iter().enumerate() {
        if !matches!(b.lang.as_str(), "sh" | "bash" | "console") {
            continue;
        }
        if let Some(reason) = no_run(b) {
            let _ = writeln!(skipped, "  {}:{}: {reason}", b.file, b.line);
            continue;
        }
        ran += 1;
        if let Err(e) = run_block(b, n) {
            failures.push(e);
        }
    }
    eprintln!(
        "docs runner: {ran} shell blocks run, {} skipped:\n{skipped}",
        skipped.lines().count()
    );
    assert!(
        ran > 0,
        "no shell block found: is the runner reading the docs?"
    );
    assert!(
        failures.is_empty(),
        "{} doc block(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_json_block_is_json() {
    for b in all_blocks().iter().filter(|b| b.lang == "json") {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(&b.body.join("\n")) {
            panic!(
                "{}:{}: the ```json block is not JSON: {e} (at line {} of the file)",
                b.file,
                b.line,
                b.line + e.line()
            );
        }
    }
}

#[test]
fn every_skipped_block_gives_its_reason() {
    for b in all_blocks() {
        if let Some(reason) = no_run(&b) {
            assert!(
                reason.len() >= 10,
                "{}:{}: a no-run block says why it cannot run in CI (`no-run: reason`)",
                b.file,
                b.line
            );
        }
    }
}

#[test]
fn every_block_names_its_language() {
    // rustdoc runs an unlabelled block of an included file as Rust; a label also tells this
    // runner and the Python one what to do with it.
    for b in all_blocks() {
        assert!(
            !b.lang.is_empty(),
            "{}:{}: a code block without a language (use ```text for output)",
            b.file,
            b.line
        );
    }
}

#[test]
fn every_file_with_rust_blocks_is_a_doctest() {
    // reachgraph-core's lib.rs includes the doc files whose Rust blocks run as doctests.
    let lib = std::fs::read_to_string(root().join("crates/reachgraph-core/src/lib.rs"))
        .expect("core lib.rs is readable");
    for path in doc_files() {
        let bs = blocks(&path);
        let Some(b) = bs.iter().find(|b| b.lang == "rust") else {
            continue;
        };
        let rel = b.file.as_str();
        assert!(
            lib.contains(&format!("include_str!(\"../../../{rel}\")")),
            "{rel}:{}: a ```rust block, but {rel} is not included as a doctest in \
             crates/reachgraph-core/src/lib.rs",
            b.line
        );
    }
}

#[test]
fn the_block_parser_finds_fences_languages_and_reasons() {
    let dir = std::env::temp_dir().join(format!("reachgraph-docs-parse-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("x.md");
    std::fs::write(
        &f,
        "# t\n```sh\necho hi\n```\ntext\n```bash no-run: needs 8 ranks\nmpirun x\n```\n",
    )
    .unwrap();
    let bs = blocks(&f);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(bs.len(), 2);
    assert_eq!((bs[0].line, bs[0].lang.as_str()), (2, "sh"));
    assert_eq!(bs[0].body, vec!["echo hi"]);
    assert_eq!(no_run(&bs[0]), None);
    assert_eq!((bs[1].line, bs[1].lang.as_str()), (6, "bash"));
    assert_eq!(no_run(&bs[1]), Some("needs 8 ranks"));
}

#[test]
fn a_failing_command_is_named_with_its_file_and_line() {
    let b = Block {
        file: "docs/x.md".into(),
        line: 10,
        lang: "sh".into(),
        info: String::new(),
        body: vec![
            "# a comment".into(),
            "true".into(),
            "reachgraph nosuchcommand".into(),
        ],
    };
    let e = run_block(&b, usize::MAX).unwrap_err();
    assert!(
        e.starts_with("docs/x.md:13: `reachgraph nosuchcommand` failed"),
        "{e}"
    );
    let ok = Block {
        body: vec!["reachgraph --help > /dev/null".into()],
        ..b
    };
    assert_eq!(run_block(&ok, usize::MAX - 1), Ok(()));
}
