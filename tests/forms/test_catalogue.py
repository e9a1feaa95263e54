"""Every error code used anywhere in forms/ (source and definitions) has a zh_CN and an en
message, with the same {params} in both."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import forms
from forms.messages import CATALOGUE, LANGUAGES

FORMS_DIR = Path(forms.__file__).parent
CODE_CALLS = {"InvalidValue", "FieldError"}


PREFIXES = {code.partition(".")[0] for code in CATALOGUE if "." in code}
CODE_RE = re.compile(r"[a-z][a-z_]*\.[a-z][a-z_]*")


def import_all_forms_modules() -> None:
    """Modules of forms/ register their own codes' words when imported."""
    for info in pkgutil.iter_modules([str(FORMS_DIR)]):
        importlib.import_module(f"forms.{info.name}")


def codes_in_source() -> set[str]:
    """First string arguments of InvalidValue(...) / FieldError(...) calls in forms/*.py, and
    any other string constant shaped like a code of a catalogue namespace (e.g. "uscc.x")."""
    found: set[str] = set()
    for path in FORMS_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and CODE_RE.fullmatch(node.value)
                and node.value.partition(".")[0] in PREFIXES
            ):
                found.add(node.value)
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name not in CODE_CALLS or not node.args:
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
            elif isinstance(arg, ast.IfExp):  # "a" if cond else "b"
                found |= {x.value for x in (arg.body, arg.orelse) if isinstance(x, ast.Constant)}
    return found


def codes_in_definitions() -> set[str]:
    out: set[str] = set()
    for form_id, version in forms.available_forms():
        form = forms.load_form(form_id, version)
        for f in form.fields:
            for g in (f, *f.fields):
                out |= {c.code for c in g.constraint}
    return out


def slots(text: str) -> set[str]:
    return set(re.findall(r"\{([a-z_]+)\}", text))


def test_the_scan_finds_codes() -> None:
    found = codes_in_source()
    assert {"required", "id_number.checksum", "repeat.too_many", "uscc.format"} <= found
    assert len(found) > 30


def test_every_code_in_the_source_has_both_languages() -> None:
    import_all_forms_modules()
    missing = sorted(
        (code, lang)
        for code in codes_in_source()
        for lang in LANGUAGES
        if forms.message(code, lang) == code
    )
    assert missing == []


def test_every_definition_code_has_both_languages() -> None:
    for code in codes_in_definitions():
        for lang in LANGUAGES:
            assert forms.message(code, lang) != code, (code, lang)


def test_catalogue_entries_are_complete_and_consistent() -> None:
    for code, entry in CATALOGUE.items():
        assert set(entry) == set(LANGUAGES), code
        assert all(entry[lang].strip() for lang in LANGUAGES), code
        assert slots(entry["zh_CN"]) == slots(entry["en"]), code
        assert re.search(r"[\u4e00-\u9fff]", entry["zh_CN"]), code


def test_params_in_errors_fill_the_message_slots() -> None:
    """Codes raised with params name exactly the slots their message has."""
    samples = {
        "text.too_long": {"max": 5, "length": 6},
        "id_number.length": {"length": 17},
        "uscc.length": {"length": 3},
        "repeat.too_many": {"max": 10},
        "number.too_small": {"min": 0, "value": -1},
    }
    for code, params in samples.items():
        for lang in LANGUAGES:
            text = forms.message(code, lang, **params)
            assert "{" not in text and all(str(v) in text for v in params.values() if v != -1)
