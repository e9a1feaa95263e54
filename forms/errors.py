"""The error objects of the forms package: field errors, value errors and definition errors."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field: an error code, a field path and parameters (no words).

    ``field`` is a path such as ``"name"`` or ``"changes[0].date"``; ``""`` means the record.
    ``forms.message(err.code, lang, **err.params)`` turns it into a sentence.
    """

    code: str
    field: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


class InvalidValue(ValueError):
    """A raw value that a field type or an ID helper cannot accept (code + parameters)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class DefinitionError(ValueError):
    """A malformed or hostile form definition: which file, where in it, and what is wrong."""

    def __init__(self, source: str, path: str, problem: str) -> None:
        super().__init__(f"{source}: {path}: {problem}")
        self.source = source
        self.path = path
        self.problem = problem
