"""Words for the password rule (the rule itself is the store's: :mod:`desktop.store.passwords`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication

from desktop.store import passwords

translate = QCoreApplication.translate


@dataclass
class Strength:
    """``score`` 0 (unusable) … 4 (strong); ``acceptable`` when no problem remains."""

    score: int
    problems: list[str] = field(default_factory=list)

    @property
    def acceptable(self) -> bool:
        return not self.problems


def check_password(password: str, user: str = "") -> Strength:
    """Score a new password and list what the store's rule refuses (codes, see :func:`problem_text`)."""
    return Strength(
        passwords.password_score(password, user), passwords.password_problems(password, user)
    )


def problem_text(code: str) -> str:
    """One of the rule's problem codes in the current language."""
    texts = {
        passwords.TOO_SHORT: translate("PasswordStrength", "Use at least %1 characters.").replace(
            "%1", str(passwords.MIN_PASSWORD_LENGTH)
        ),
        passwords.COMMON_PASSWORD: translate(
            "PasswordStrength", "This password is too easy to guess."
        ),
        passwords.TOO_SIMPLE: translate(
            "PasswordStrength",
            "Mix at least %1 of: lower-case letters, capitals, digits, symbols (or use %2+ characters).",
        )
        .replace("%1", str(passwords.MIN_CHARACTER_KINDS))
        .replace("%2", str(passwords.LONG_PASSWORD_LENGTH)),
        passwords.CONTAINS_USER: translate(
            "PasswordStrength", "Do not put the user name in the password."
        ),
    }
    return texts.get(code, code)


def score_text(score: int) -> str:
    names = [
        translate("PasswordStrength", "Too weak"),
        translate("PasswordStrength", "Weak"),
        translate("PasswordStrength", "Fair"),
        translate("PasswordStrength", "Good"),
        translate("PasswordStrength", "Strong"),
    ]
    return names[max(0, min(4, score))]
