"""The one password rule for new passwords (workspace creation, new users, password changes).

The store enforces it (``errors.WeakPassword`` with ``.problem``); the UI's strength bar and the
CLI use the same functions, so a password is accepted or refused alike everywhere. Existing
passwords are never re-checked when opening a workspace.
"""

from __future__ import annotations

from desktop.store import errors

MIN_PASSWORD_LENGTH = 10
#: from this length one kind of character is enough (a long phrase)
LONG_PASSWORD_LENGTH = 16
#: at least this many of: lower-case, capitals, digits, symbols (below LONG_PASSWORD_LENGTH)
MIN_CHARACTER_KINDS = 3

COMMON = frozenset(
    {
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
)

TOO_SHORT = "password.too_short"
COMMON_PASSWORD = "password.common"
TOO_SIMPLE = "password.too_simple"
CONTAINS_USER = "password.contains_user"

MESSAGES = {
    TOO_SHORT: f"A password needs at least {MIN_PASSWORD_LENGTH} characters.",
    COMMON_PASSWORD: "This password is too easy to guess.",
    TOO_SIMPLE: (
        f"A password needs at least {MIN_CHARACTER_KINDS} of: lower-case letters, capitals,"
        f" digits, symbols (or {LONG_PASSWORD_LENGTH}+ characters)."
    ),
    CONTAINS_USER: "A password must not contain the user name.",
}


def character_kinds(password: str) -> int:
    """How many of lower-case, capitals, digits and symbols (incl. non-ASCII) it uses."""
    return sum(
        (
            any(c.islower() and c.isascii() for c in password),
            any(c.isupper() and c.isascii() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() or not c.isascii() for c in password),
        )
    )


def password_problems(password: str, user: str = "") -> list[str]:
    """What makes ``password`` unacceptable for ``user`` (codes above); empty when it is fine."""
    if not isinstance(password, str):
        return [TOO_SHORT]
    problems: list[str] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(TOO_SHORT)
    if password.lower() in COMMON or len(set(password)) <= 3:
        problems.append(COMMON_PASSWORD)
    elif character_kinds(password) < MIN_CHARACTER_KINDS and len(password) < LONG_PASSWORD_LENGTH:
        problems.append(TOO_SIMPLE)
    if user and len(user) >= 3 and user.lower() in password.lower():
        problems.append(CONTAINS_USER)
    return problems


def password_score(password: str, user: str = "") -> int:
    """0 (unusable) … 4 (strong), for a strength bar; at most 1 while a problem remains."""
    n = len(password)
    score = min(4, max(0, character_kinds(password) + (n >= 14) + (n >= 18) - 1))
    return min(score, 1) if password_problems(password, user) else score


def check_password(password: str, user: str = "") -> str:
    """``password`` if it follows the rule, else ``errors.WeakPassword`` naming the first problem."""
    problems = password_problems(password, user)
    if problems:
        raise errors.WeakPassword(MESSAGES[problems[0]], problems=problems)
    return password
