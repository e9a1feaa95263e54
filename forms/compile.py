"""Compiling a checked definition: its expressions (once, at load) and the evaluation order.

``relevant``, ``calculate`` and ``fill`` of the top-level fields (and, per repeat group, of its
row fields) are sorted so that every expression runs after the fields it reads; a circular
reference is refused with the chain of fields.
"""

from __future__ import annotations

from typing import Any

from forms import expr
from forms.errors import DefinitionError
from forms.messages import CATALOGUE
from forms.model import Constraint, Field, Form
from forms.schema import _CODE_RE, MAX_CONSTRAINTS, constraint_objects

_SEVERITIES = ("error", "warning")


def _compile(form: Form, text: Any, scope: expr.Scope, path: str) -> expr.Compiled:
    try:
        return expr.compile_expr(text, scope)
    except expr.ExprError as exc:
        raise DefinitionError(form.source, path, f"{exc} in {text!r}"[:500]) from None


def _constraints(form: Form, raw: Any, scope: expr.Scope, path: str) -> tuple[Constraint, ...]:
    items = constraint_objects(raw)
    if len(items) > MAX_CONSTRAINTS:
        raise DefinitionError(form.source, path, f"more than {MAX_CONSTRAINTS} constraints")
    out: list[Constraint] = []
    for i, item in enumerate(items):
        p = path if isinstance(raw, str | dict) else f"{path}[{i}]"
        extra = set(item) - {"expr", "code", "message", "severity"}
        if extra:
            raise DefinitionError(form.source, p, f"unknown key {sorted(extra)[0]!r}")
        code = item.get("code", "constraint")
        if code != "constraint" and (not isinstance(code, str) or not _CODE_RE.fullmatch(code)):
            raise DefinitionError(form.source, f"{p}.code", f"bad error code {code!r} (use a.b)")
        message = item.get("message")
        if message is None:
            if code not in CATALOGUE:
                raise DefinitionError(
                    form.source, f"{p}.message", f"code {code!r} needs a zh_CN and en message"
                )
            message = {}
        elif not (
            isinstance(message, dict)
            and all(
                isinstance(message.get(lang), str) and message[lang] for lang in ("zh_CN", "en")
            )
        ):
            raise DefinitionError(form.source, f"{p}.message", "needs zh_CN and en messages")
        severity = item.get("severity", "error")
        if severity not in _SEVERITIES:
            raise DefinitionError(form.source, f"{p}.severity", "expected 'error' or 'warning'")
        compiled = _compile(form, item.get("expr"), scope, f"{p}.expr")
        out.append(Constraint(compiled, code, dict(message), severity))
    return tuple(out)


def _order(form: Form, nodes: list[Field], deps: dict[str, set[str]], path: str) -> list[Field]:
    """Fields in an order where each comes after what its expressions read (Kahn + DFS for
    the cycle report)."""
    by_id = {f.id: f for f in nodes}
    out: list[Field] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(fid: str, chain: list[str]) -> None:
        st = state.get(fid)
        if st == 2:
            return
        if st == 1:
            loop = chain[chain.index(fid) :] + [fid]
            raise DefinitionError(
                form.source, by_id[fid].path, "circular reference: " + " -> ".join(loop)
            )
        state[fid] = 1
        for d in sorted(deps.get(fid, ())):
            if d in by_id:
                visit(d, [*chain, fid])
        state[fid] = 2
        out.append(by_id[fid])

    for f in nodes:
        visit(f.id, [])
    del path
    return out


def compile_form(form: Form, raw: dict[str, Any]) -> Any:
    """Compile every expression of ``form`` in place and return the validator's plan."""
    top_ids = frozenset(form._index)
    groups = {f.id: frozenset(x.id for x in f.fields) for f in form.fields if f.type == "repeat"}
    top_scope = expr.Scope(top_ids, groups)
    raw_fields = [fr for s in raw["sections"] for fr in s["fields"]]
    deps: dict[str, set[str]] = {}
    row_orders: dict[str, list[Field]] = {}
    for f, fr in zip(form.fields, raw_fields, strict=True):
        deps[f.id] = _field_exprs(form, f, fr, top_scope)
        if f.type == "repeat":
            row_scope = expr.Scope(top_ids, groups, groups[f.id])
            row_deps: dict[str, set[str]] = {}
            for rf, rfr in zip(f.fields, fr["fields"], strict=True):
                row_deps[rf.id] = _field_exprs(form, rf, rfr, row_scope, deps[f.id])
            row_orders[f.id] = _order(form, f.fields, row_deps, f.path)
        if f.id_type_field is not None:
            _check_id_type_field(form, f, form._index)
    for f in form.fields:
        for rf in f.fields:
            if rf.id_type_field is not None:
                _check_id_type_field(form, rf, {x.id: x for x in f.fields})
    order = _order(form, form.fields, deps, "$")
    from forms.validate import build_plan

    return build_plan(form, order, row_orders)


def _check_id_type_field(form: Form, f: Field, scope: dict[str, Field]) -> None:
    target = scope.get(f.id_type_field or "")
    if target is None or target.type != "choice":
        raise DefinitionError(
            form.source, f.path + ".id_type_field", f"{f.id_type_field!r} is not a choice field"
        )


def _field_exprs(
    form: Form, f: Field, fr: dict[str, Any], scope: expr.Scope, group_deps: set[str] | None = None
) -> set[str]:
    """Compile one field's expressions; return the same-scope field ids they read (its deps).

    For a row field, top-level references are added to ``group_deps`` (the group's own deps)."""
    deps: set[str] = set()
    for key in ("relevant", "calculate", "fill"):
        if key in fr and fr[key] is not None:
            c = _compile(form, fr[key], scope, f"{f.path}.{key}")
            setattr(f, key, c)
            if group_deps is None:
                deps |= c.refs
            else:
                deps |= c.row_refs
                group_deps |= c.refs
    if f.calculate is not None and f.fill is not None:
        raise DefinitionError(form.source, f.path, "a field has calculate or fill, not both")
    if f.type == "repeat" and f.calculate is not None:
        raise DefinitionError(
            form.source, f.path + ".calculate", "a repeat group cannot be calculated"
        )
    if "constraint" in fr:
        f.constraint = _constraints(form, fr["constraint"], scope, f"{f.path}.constraint")
    return deps
