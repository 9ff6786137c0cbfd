import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "graphs"
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture
def campaign():
    import reachgraph as rg

    return rg.read_edgelist(str(FIXTURES / "campaign.txt"), attributes=str(FIXTURES / "campaign.attrs.csv"))


@pytest.fixture
def shared_data():
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder {SHARED} is absent")
    return SHARED


@pytest.fixture(autouse=True)
def _in_root(monkeypatch):
    # JSON requests name fixture files relative to the repository root.
    monkeypatch.chdir(ROOT)
