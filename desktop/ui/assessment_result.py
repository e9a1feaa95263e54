"""The live result of an assessment session, in words: quorum, valid ballots, satisfaction,
rectification (and why), model-home eligibility and the rule used — or the errors naming the
numbers that disagree. Codes from :mod:`forms.assessment` become sentences here (UI only).
"""

from __future__ import annotations

import contextlib
from fractions import Fraction
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QWidget

from desktop.ui.i18n import current_language, pick
from forms import assessment as rules
from forms.assessment import AssessmentResult, Template


def problem_text(template: Template, code: str, params: dict[str, Any]) -> str:
    """Words for an assessment code, with item and grade ids shown as their labels."""
    shown = dict(params)
    for key, lookup in (("item", template.item), ("grade", template.grade)):
        if key in shown:
            with contextlib.suppress(KeyError):
                shown[key] = pick(lookup(shown[key]).label)
    return rules.message(code, current_language(), **shown)


class ResultView(QLabel):
    """Shows one :class:`AssessmentResult` (rich text); keeps it to retranslate."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("assessmentResult")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._shown: tuple[Template, AssessmentResult] | None = None

    def show_result(self, template: Template, result: AssessmentResult) -> None:
        self._shown = (template, result)
        self.setText(self.html(template, result))

    def html(self, t: Template, result: AssessmentResult) -> str:
        if not result.ok:
            lines = [problem_text(t, e.code, e.params) for e in result.errors]
            head = self.tr("The numbers do not agree yet:")
            return f"<b>{head}</b><ul>" + "".join(f"<li>{x}</li>" for x in lines) + "</ul>"
        assert result.overall_rate is not None
        yes, no = self.tr("yes"), self.tr("no")
        rows = [
            (self.tr("Quorum met"), yes if result.quorum_met else no),
            (self.tr("Valid ballots"), str(result.valid)),
            (self.tr("Overall satisfaction"), rules.percent(result.overall_rate)),
            (self.tr("Rectification required"), yes if result.rectification_required else no),
            (self.tr("Model-home eligible"), yes if result.model_home_eligible else no),
        ]
        table = "".join(f"<tr><td>{k}</td><td><b>{v}</b></td></tr>" for k, v in rows)
        reasons = "".join(
            f"<li>{problem_text(t, r.code, r.params)}</li>" for r in result.rectification_reasons
        )
        rule = result.rule
        rule_text = (
            self.tr(
                "Rule: quorum %1 of eligible; satisfaction = (satisfied + basically satisfied) / "
                "valid; rectification when unsatisfied > %2; model home at %3 or more."
            )
            .replace("%1", rule["quorum_fraction"])
            .replace("%2", rule["rectification_above"])
            .replace("%3", rules.percent(Fraction(rule["model_home_at_least"]), 0))
        )
        return (
            f"<table>{table}</table>"
            + (f"<ul>{reasons}</ul>" if reasons else "")
            + f"<p><small>{rule_text}</small></p>"
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange and self._shown is not None:
            self.setText(self.html(*self._shown))
        super().changeEvent(event)
