"""Test-wide settings: Qt runs offscreen; artefacts for people to look at go to test-output/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def artefact_dir() -> Path:
    """A folder (not committed) where tests write screenshots and page images for people."""
    path = REPO_ROOT / "test-output"
    path.mkdir(exist_ok=True)
    return path
