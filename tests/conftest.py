from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("LEXGRAPH_CORPUS", REPO.parent / "shared" / "corpus")).resolve()


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        raise RuntimeError(f"the real corpus is missing at {CORPUS}: set LEXGRAPH_CORPUS or put shared/ beside the checkout")
    return CORPUS


@pytest.fixture(scope="session")
def eurlex(corpus: Path) -> Path:
    return corpus / "eurlex"
