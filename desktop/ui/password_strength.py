"""Password strength check for new passwords (first run, new users, password changes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication

translate = QCoreApplication.translate

MIN_LENGTH = 10
COMMON = {
    "password",
    "passw0rd",
    "1234567890",
    "12345678910",
    "qwertyuiop",
    "1qaz2wsx3edc",
    "woaini1314",
    "admin12345",
    "abc1234567",
    "a123456789",
    "11111111111",
    "88888888888",
    "uniondesk123",
}


@dataclass
class Strength:
    """``score`` 0 (unusable) … 4 (strong); ``acceptable`` when no problem remains."""

    score: int
    problems: list[str] = field(default_factory=list)

    @property
    def acceptable(self) -> bool:
        return not self.problems


def check_password(password: str, user: str = "") -> Strength:
    """Score a new password and list what makes it unacceptable (codes, see :func:`problem_text`)."""
    problems: list[str] = []
    classes = sum(
        (
            any(c.islower() and c.isascii() for c in password),
            any(c.isupper() and c.isascii() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() or not c.isascii() for c in password),
        )
    )
    if len(password) < MIN_LENGTH:
        problems.append("too_short")
    if password.lower() in COMMON or len(set(password)) <= 3:
        problems.append("common")
    elif classes < 3 and len(password) < 16:
        problems.append("too_simple")
    if user and len(user) >= 3 and user.lower() in password.lower():
        problems.append("contains_user")
    score = min(4, max(0, classes + (len(password) >= 14) + (len(password) >= 18) - 1))
    if problems:
        score = min(score, 1)
    return Strength(score, problems)


def problem_text(code: str) -> str:
    texts = {
        "too_short": translate("PasswordStrength", "Use at least 10 characters."),
        "common": translate("PasswordStrength", "This password is too easy to guess."),
        "too_simple": translate(
            "PasswordStrength",
            "Mix at least three of: lower-case letters, capitals, digits, symbols (or use 16+ characters).",
        ),
        "contains_user": translate("PasswordStrength", "Do not put the user name in the password."),
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
