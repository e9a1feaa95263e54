"""The operations seam (issue 21): widgets act on the workspace only through named operations.

The rule, checked on the source of every *widget module* (every module of ``desktop/ui`` outside
the seam itself, ``desktop/ui/operations/`` and the task helper ``desktop/ui/tasks.py``):

1. A widget never calls a **function** of the layers that act on a workspace or do long work —
   ``desktop.store``, ``desktop.reports``, ``desktop.domain``,
   ``desktop.demo``, ``desktop.link``, ``printing`` — nor a function of the seam's own helpers
   (``desktop.ui.operations.<module>``) other than the named operations themselves. Importing
   those modules for their types, constants and exceptions is fine, and so is building one of
   their classes (a dataclass, an exception); calling a classmethod (``Workspace.open``) is not.
   ``CHEAP_CALLS`` lists the few pure, instant functions a widget may call (texts for codes,
   reading a settings value).
2. A widget never calls a **method of the workspace** — anything reached through a name or an
   attribute called ``ws``, ``_ws`` or ``workspace`` — except the cheap reads in
   ``CHEAP_WORKSPACE_READS`` (a page of records, a count, a permission, a setting). Saving,
   closing, backing up, changing users or settings, checking … go through ``desktop.ui.operations``.

A call the walker cannot resolve (a method of a local object) is not judged: the rule is about
what a widget module imports and how it uses the workspace it holds.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "desktop" / "ui"

#: the modules whose functions only the seam calls
ACTION_LAYERS = (
    "desktop.store",
    "desktop.reports",
    "desktop.domain",
    "desktop.demo",
    "desktop.link",
    "printing",
)
SEAM = "desktop.ui.operations"

#: pure and instant: turn a code into words, judge a typed password, read a form definition, one
#: setting or one indexed row — nothing that writes, reads many rows, or uses the network
CHEAP_CALLS = {
    # words for codes
    "desktop.domain.member_import.file_message",
    "desktop.domain.member_import.row_message",
    "desktop.reports.import_messages.file_message",
    # the password a user is typing (no key derivation)
    "desktop.store.passwords.password_score",
    "desktop.store.passwords.password_problems",
    # form definitions (templates) of the workspace
    "desktop.domain.assessments.template_choices",
    "desktop.domain.assessments.current_template",
    "desktop.domain.assessments.template_for",
    "desktop.domain.checklists.template_of",
    "desktop.domain.checklists.template_of_record",
    # settings values and one indexed look-up
    "desktop.domain.checklist_scan.remembered_columns",
    "desktop.domain.checklist_scan.checklist_for",
    "desktop.link.state.load_enrollment",
    "desktop.link.link_status",
    "desktop.link.state.history",
    "desktop.link.state.rejected",
    "desktop.link.state.set_aside",
    "desktop.ui.operations.backup.backup_folder",
}

#: reads of one page / one row / one value that return at once (paged, indexed)
CHEAP_WORKSPACE_READS = {
    "records.query",
    "records.count",
    "records.get",
    "records.unmask",
    "user.can",
    "user.can_write_form",
    "users.list",
    "settings.get",
    "outbox.pending_count",
    "outbox.unacknowledged",
    "forms.latest",
    "forms.get",
    "subscribe",
}

WORKSPACE_NAMES = {"ws", "_ws", "workspace"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def widget_modules() -> Iterator[Path]:
    for path in sorted(UI.rglob("*.py")):
        name = module_name(path)
        if name == SEAM or name.startswith(SEAM + ".") or name == "desktop.ui.tasks":
            continue
        yield path


def _imported_names(tree: ast.AST) -> dict[str, str]:
    """Local name -> the qualified name it was imported as (anywhere in the module)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    names[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _chain(node: ast.expr) -> list[str] | None:
    """``a.b.c`` -> ["a", "b", "c"]; ``self.ws.records.save`` -> ["self", "ws", ...]."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def _in_layers(qualified: str, layers: tuple[str, ...]) -> bool:
    return any(qualified == p or qualified.startswith(p + ".") for p in layers)


def _is_class(qualified: str) -> bool:
    """Whether ``qualified`` names a class (building a dataclass or an exception is fine)."""
    module, _, attr = qualified.rpartition(".")
    while module:
        try:
            obj: object = importlib.import_module(module)
        except ImportError:
            module, _, head = module.rpartition(".")
            attr = f"{head}.{attr}"
            continue
        for part in attr.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                return False
        return inspect.isclass(obj)
    return False


def seam_offences(path: Path) -> list[str]:
    """Every call in the module at ``path`` that breaks the rule above."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    imported = _imported_names(tree)
    rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        chain = _chain(node.func)
        if chain is None:
            continue
        where = f"{rel}:{node.lineno} {'.'.join(chain)}()"
        # rule 2: a method of the workspace
        for i, part in enumerate(chain[:-1]):
            if part in WORKSPACE_NAMES and (i > 0 or part not in imported):
                method = ".".join(chain[i + 1 :])
                if method not in CHEAP_WORKSPACE_READS:
                    found.append(f"{where}: workspace.{method} outside the operations")
                break
        # rule 1: a function of an action layer or of the seam's helpers
        if chain[0] not in imported:
            continue
        qualified = ".".join([imported[chain[0]], *chain[1:]])
        helper = qualified.startswith(SEAM + ".") and qualified.count(".") > 3
        if not (_in_layers(qualified, ACTION_LAYERS) or helper):
            continue
        if qualified in CHEAP_CALLS or _is_class(qualified):
            continue
        found.append(f"{where}: calls {qualified} outside the operations")
    return found


def test_widgets_act_on_the_workspace_only_through_operations() -> None:
    offences = [o for path in widget_modules() for o in seam_offences(path)]
    assert offences == []


def test_the_seam_check_fails_on_a_bad_widget(tmp_path: Path) -> None:
    """A deliberately bad widget: each way of going around the operations is found."""
    bad = tmp_path / "bad_widget.py"
    bad.write_text(
        "from desktop.domain import member_import as ei\n"
        "from desktop.link import service\n"
        "from desktop.store import Workspace\n"
        "from desktop.store.errors import StoreError\n"
        "from desktop.domain.assessments import Session\n"
        "from desktop.ui import operations\n"
        "\n"
        "class Bad:\n"
        "    def act(self, ws):\n"
        "        ws.records.save('member', {})\n"  # 10: a write on the GUI thread
        "        self.workspace.users.add('x', 'y', 'clerk')\n"  # 11
        "        service.enroll(ws, 'https://c', 'code')\n"  # 12: network from a widget
        "        ei.commit_import(ws, None, 'skip')\n"  # 13
        "        Workspace.open('p', user='u', password='p')\n"  # 14: a classmethod
        "        ws.records.query('union')\n"  # cheap read: fine
        "        ei.row_message('x', 'zh')\n"  # cheap text: fine
        "        StoreError('x')\n"  # a class: fine
        "        Session\n"  # a type: fine
        "        operations.save_record(ws, 'member', {}).run()\n"  # through the seam: fine
        "        operations.backup.back_up_now(ws)\n"  # 20: the seam's helper, not an op
    )
    lines = sorted(int(o.split(":")[1].split()[0]) for o in seam_offences(bad))
    assert lines == [10, 11, 12, 13, 14, 20]


def test_an_operation_runs_through_the_runner_or_at_once_when_asked() -> None:
    """``run()`` goes through the task runner with its callbacks; ``now()`` answers at once
    and raises what the operation raised (a dialog's OK then knows whether it may close)."""
    from desktop.ui.operations import WorkspaceOp
    from desktop.ui.tasks import ImmediateTaskRunner

    seen: list[object] = []
    WorkspaceOp(lambda ctx: 6 * 7).success(seen.append).with_runner(ImmediateTaskRunner()).run()

    def broken(ctx: object) -> int:
        raise ValueError("no")

    WorkspaceOp(broken).failure(seen.append).with_runner(ImmediateTaskRunner()).run()
    assert seen[0] == 42 and isinstance(seen[1], ValueError)
    assert WorkspaceOp(lambda ctx: "at once").now() == "at once"
    try:
        WorkspaceOp(broken).now()
    except ValueError as exc:
        assert str(exc) == "no"
    else:
        raise AssertionError("now() must raise what the operation raised")
