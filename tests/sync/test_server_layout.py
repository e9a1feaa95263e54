"""The server package's layout (issue: server foundation), checked on the source.

- no import cycle among ``sync.server`` modules (function-level imports count: a cycle hidden
  in a function is still a cycle a reader has to untangle; ``TYPE_CHECKING`` imports do not);
- ``domain/`` never imports the HTTP layer (``fastapi``, ``starlette``, ``routes``, ``app``) nor
  the CLI, and ``routes/`` never imports the CLI;
- every module is named in the code map of ``sync/server/README.md``;
- no milestone names (``part2`` …) in module names.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "sync" / "server"


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:`` (type-only imports run never)."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return out


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports at run time (module or function level)."""
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            for alias in node.names:  # ``from sync.server.domain import review``
                if f"{node.module}.{alias.name}" in MODULES:
                    found.add(f"{node.module}.{alias.name}")
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        graph[name] = {
            imported
            for imported in _imports(path)
            if imported in MODULES
            and imported != name
            # a package's __init__ re-exporting its modules is not a cycle with them
            and not (name.startswith(imported + ".") or imported.startswith(name + "."))
        }
    return graph


def test_no_import_cycles_in_the_server_package() -> None:
    try:
        graphlib.TopologicalSorter(_graph()).prepare()
    except graphlib.CycleError as exc:
        pytest.fail("import cycle: " + " -> ".join(exc.args[1]))


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("sync.server.domain", ("fastapi", "starlette", "uvicorn", "sync.server.routes",
                                "sync.server.app", "sync.server.cli", "sync.server.runner")),
        ("sync.server.routes", ("sync.server.cli", "sync.server.runner")),
        ("sync.server.tables", ("sync.server.domain", "sync.server.routes", "sync.server.store")),
    ],
)  # fmt: skip
def test_layers_only_import_down(layer: str, forbidden: tuple[str, ...]) -> None:
    offenders = sorted(
        f"{name} imports {imported}"
        for name, path in MODULES.items()
        if name == layer or name.startswith(layer + ".")
        for imported in _imports(path)
        if any(imported == f or imported.startswith(f + ".") for f in forbidden)
    )
    assert offenders == []


def test_every_module_is_in_the_readme_code_map() -> None:
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    code_map = readme[readme.index("## Code map") :]
    missing = [
        str(path.relative_to(PACKAGE))
        for path in MODULES.values()
        if f"`{path.relative_to(PACKAGE).as_posix()}`" not in code_map
    ]
    assert missing == [], f"not in sync/server/README.md's code map: {missing}"


def test_no_milestone_names() -> None:
    names = [n for n in MODULES if "part" in n.rsplit(".", 1)[-1]]
    text_hits = [
        str(p.relative_to(ROOT)) for p in MODULES.values() if "part2" in p.read_text("utf-8")
    ]
    assert names == [] and text_hits == []
