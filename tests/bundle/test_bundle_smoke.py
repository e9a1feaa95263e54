"""Smoke test of the PyInstaller bundle: build it, then use it with no access to the source tree.

Builds ``build.spec`` into a temporary folder, copies the bundle elsewhere and runs it from there
with a scrubbed environment: create a workspace headless, save a record, print a PDF, start the
window offscreen and let it close itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Bundle-smoke-2026!"
pytestmark = pytest.mark.slow


def bundle_env(home: Path) -> dict[str, str]:
    """An environment that knows nothing of the checkout or the virtualenv."""
    keep = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "TEMP", "TMP")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p and str(ROOT) not in p
    )
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), QT_QPA_PLATFORM="offscreen")
    return env


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the bundle and move it away from the source tree; the path of its executable."""
    build = tmp_path_factory.mktemp("pyinstaller")
    subprocess.run([sys.executable, "-m", "desktop.i18n_build"], cwd=ROOT, check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(build / "dist"),
            "--workpath",
            str(build / "work"),
            "build.spec",
        ],
        cwd=ROOT,
        check=True,
        timeout=900,
    )
    installed = tmp_path_factory.mktemp("installed") / "UnionDesk"
    shutil.move(str(build / "dist" / "uniondesk"), installed)
    size = sum(f.stat().st_size for f in installed.rglob("*") if f.is_file() and not f.is_symlink())
    print(f"\nbundle size: {size / 2**20:.1f} MiB in {installed}")
    exe = installed / ("uniondesk.exe" if sys.platform == "win32" else "uniondesk")
    assert exe.exists()
    return exe


def run_bundle(
    exe: Path, home: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(exe), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=bundle_env(home),
        cwd=home,
        timeout=180,
    )


def test_bundle_leaves_out_unused_qt_and_the_server(bundle: Path) -> None:
    names = {p.name for p in bundle.parent.rglob("*")}
    assert not any("WebEngine" in n for n in names)
    assert not any(n.startswith("fastapi") or n.startswith("uvicorn") for n in names)
    assert "DroidSansFallbackFull.ttf" in names
    assert any(n.endswith("_zh_CN.qm") for n in names)


def test_bundle_works_end_to_end_without_the_source_tree(bundle: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    version = run_bundle(bundle, home, "--version")
    assert version.returncode == 0, version.stderr
    assert (
        "uniondesk" in version.stdout and "forms" in version.stdout and "protocol" in version.stdout
    )

    ws = home / "township"
    created = run_bundle(
        bundle,
        home,
        "init",
        "--workspace",
        str(ws),
        "--org-unit",
        "330106001",
        "--org-name",
        "西溪街道总工会",
        "--admin",
        "admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr

    union = home / "union.json"
    union.write_text(
        json.dumps(
            {
                "full_name": "杭州西溪数智科技有限公司工会委员会",
                "union_type": "independent",
                "employer_name": "杭州西溪数智科技有限公司",
                "employer_nature": "enterprise_domestic",
                "division_code": "330106001",
                "founded_date": "2015-05-04",
                "employees": "120",
                "members": "98",
                "status": "active",
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    added = run_bundle(
        bundle,
        home,
        "records",
        "add",
        "union",
        str(union),
        "--workspace",
        str(ws),
        "--user",
        "admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stdout + added.stderr
    listed = run_bundle(
        bundle,
        home,
        "records",
        "list",
        "union",
        "--json",
        "--workspace",
        str(ws),
        "--user",
        "admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert listed.returncode == 0 and "西溪数智" in listed.stdout, listed.stderr

    pdf = home / "blank.pdf"
    printed = run_bundle(bundle, home, "print", "checklist", "--blank", "-o", str(pdf))
    assert printed.returncode == 0, printed.stderr
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "经费审查" in text.replace(" ", "")

    window = run_bundle(bundle, home, "demo", "--quit-after", "1")
    assert window.returncode == 0, window.stderr
    assert "Traceback" not in window.stderr
