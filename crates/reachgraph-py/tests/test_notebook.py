"""Executes every notebook in docs/notebooks/ headless; any cell error fails the test.

Needs nbclient, ipykernel and matplotlib (``.ci/run`` installs them and sets
``REACHGRAPH_REQUIRE_NOTEBOOK=1`` so that a missing dependency fails instead of skipping).
"""

from __future__ import annotations

import os
import pathlib

import pytest

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[3] / "docs" / "notebooks"
NOTEBOOK = NOTEBOOKS / "quickstart.ipynb"
REQUIRED = os.environ.get("REACHGRAPH_REQUIRE_NOTEBOOK") == "1"


def _need(module: str):
    if REQUIRED:
        return __import__(module)
    return pytest.importorskip(module)


def _execute(path: pathlib.Path):
    """Runs the notebook at `path` in a fresh kernel; returns its code cells' outputs."""
    nbformat = _need("nbformat")
    nbclient = _need("nbclient")
    _need("ipykernel")
    _need("matplotlib")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError naming the cell on any error
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    return outputs


@pytest.mark.parametrize(
    "path",
    sorted(p for p in NOTEBOOKS.glob("*.ipynb") if p.name != "quickstart.ipynb"),
    ids=lambda p: p.name,
)
def test_every_other_notebook_runs_clean(path):
    outputs = _execute(path)
    assert outputs, f"{path.name}: no code cell produced output"


def test_quickstart_notebook_runs_clean():
    outputs = _execute(NOTEBOOK)
    # The figures were drawn and the reach table printed.
    assert any("image/png" in o.get("data", {}) for o in outputs), "no figure in the outputs"
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "distinct people" in text
