"""The docs runner's Python half: every ```python block of README.md and docs/*.md runs.

The blocks of one file run in order in one namespace (a page builds on its earlier blocks),
from a temporary directory holding a copy of docs/examples/, so a block names its files as
`docs/examples/...`, as from the repository root. A block that cannot run in CI says so on its
fence with the reason (```python no-run: needs a GPU); those are counted and listed. A failure
names the file and the line (the traceback's line numbers are the Markdown file's).

The shell blocks run in the Rust test crates/reachgraph-cli/tests/docs.rs, the Rust blocks as
doctests.
"""

import os
import re
import shutil
import traceback
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FENCE = re.compile(r"^```(\S*)\s*(.*)$")


def doc_files():
    return [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))


def blocks(path):
    """(line of the opening fence, language, rest of the info string, body lines) per block."""
    out, open_block = [], None
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        m = FENCE.match(line)
        if m is None:
            if open_block is not None:
                open_block[3].append(line)
        elif open_block is None:
            open_block = (i, m.group(1), m.group(2).strip(), [])
        else:
            out.append(open_block)
            open_block = None
    assert open_block is None, f"{path}: a code block is not closed"
    return out


def no_run(info):
    """The reason of a ``no-run`` block, else None."""
    if not info.startswith("no-run"):
        return None
    return info[len("no-run"):].lstrip(":").strip()


def python_pages():
    pages = []
    for path in doc_files():
        bs = [b for b in blocks(path) if b[1] == "python"]
        if bs:
            pages.append((path, bs))
    return pages


PAGES = python_pages()


def test_the_parser_keeps_lines_and_reasons(tmp_path):
    f = tmp_path / "x.md"
    f.write_text("t\n```python\nx = 1\n```\n```python no-run: needs 8 MPI ranks\ny\n```\n```sh\nls\n```\n")
    bs = blocks(f)
    assert [(b[0], b[1]) for b in bs] == [(2, "python"), (5, "python"), (8, "sh")]
    assert bs[0][3] == ["x = 1"]
    assert no_run(bs[0][2]) is None and no_run(bs[1][2]) == "needs 8 MPI ranks"


def test_a_failure_names_the_file_and_line(tmp_path):
    f = tmp_path / "x.md"
    f.write_text("# t\n\n```python\nx = 1\ny = x / 0\n```\n")
    with pytest.raises(AssertionError, match=r"x\.md:5: ZeroDivisionError"):
        run_page(f, [b for b in blocks(f) if b[1] == "python"], tmp_path / "run")


def run_page(path, page_blocks, workdir):
    """Runs a page's Python blocks in one namespace; returns the skipped blocks."""
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "docs" / "examples", workdir / "docs" / "examples", dirs_exist_ok=True)
    name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    namespace = {"__name__": "__docs__"}
    skipped = []
    here = os.getcwd()
    os.chdir(workdir)
    try:
        for line, _lang, info, body in page_blocks:
            reason = no_run(info)
            if reason is not None:
                assert len(reason) >= 10, f"{name}:{line}: a no-run block says why (`no-run: reason`)"
                skipped.append(f"{name}:{line}: {reason}")
                continue
            # Blank lines in front, so that the traceback's line numbers are the file's.
            source = "\n" * line + "\n".join(body) + "\n"
            try:
                exec(compile(source, name, "exec"), namespace)
            except Exception as e:  # noqa: BLE001 - any failure of a doc block is reported
                tb = traceback.extract_tb(e.__traceback__)
                where = [f for f in tb if f.filename == name]
                at = where[-1].lineno if where else line
                code = body[at - line - 1].strip() if 0 <= at - line - 1 < len(body) else ""
                raise AssertionError(
                    f"{name}:{at}: {type(e).__name__}: {e}\n  in the block at line {line}: {code}"
                ) from e
    finally:
        os.chdir(here)
    return skipped


@pytest.mark.parametrize("path,page_blocks", PAGES, ids=[str(p.relative_to(ROOT)) for p, _ in PAGES])
def test_every_python_block_of_the_docs_runs(path, page_blocks, tmp_path, capsys):
    skipped = run_page(path, page_blocks, tmp_path)
    with capsys.disabled():
        ran = len(page_blocks) - len(skipped)
        print(f"\n{path.relative_to(ROOT)}: {ran} python blocks run, {len(skipped)} skipped")
        for s in skipped:
            print("  skipped", s)


def test_the_docs_have_python_blocks():
    assert any(p.name == "python.md" for p, _ in PAGES), "docs/python.md has no ```python block"
