"""Forms as data: definitions, field types, expressions and validation (pure Python).

The public surface (see docs/INTERFACES.md and forms/FORMAT.md)::

    forms.load_form(id, version=None) / load_form_dict(raw, source=) / available_forms()
    forms.validate(form, data, today=None) -> ValidationResult(.ok .values .errors .warnings)
    forms.message(code, lang="zh_CN", **params) / canonical_json(obj) / FORMS_VERSION
    forms.upgrade(data, from_form, to_form, mapping=None) -> UpgradeResult
    ID helpers: validate_resident_id, resident_id_birth_date, resident_id_gender, validate_uscc, ...
"""

from forms.canonical import canonical_json, sha256_hex
from forms.errors import DefinitionError, FieldError, InvalidValue
from forms.expr import ExprError
from forms.ids import (
    USCC_ALPHABET,
    is_valid_mobile,
    is_valid_resident_id,
    is_valid_uscc,
    normalise_mobile,
    normalise_resident_id,
    normalise_uscc,
    resident_id_birth_date,
    resident_id_check_char,
    resident_id_gender,
    upgrade_resident_id,
    uscc_check_char,
    validate_division_code,
    validate_mobile,
    validate_resident_id,
    validate_uscc,
)
from forms.messages import CATALOGUE, message
from forms.migrate import UpgradeResult, upgrade
from forms.model import Choice, Constraint, Field, Form, Section
from forms.registry import (
    FORMS_VERSION,
    available_forms,
    load_form,
    load_form_dict,
    load_form_file,
)
from forms.types import TYPES, FieldType
from forms.validate import ValidationResult, validate

__all__ = [
    "CATALOGUE",
    "FORMS_VERSION",
    "TYPES",
    "UpgradeResult",
    "USCC_ALPHABET",
    "Choice",
    "Constraint",
    "DefinitionError",
    "ExprError",
    "Field",
    "FieldError",
    "FieldType",
    "Form",
    "InvalidValue",
    "Section",
    "ValidationResult",
    "available_forms",
    "canonical_json",
    "is_valid_mobile",
    "is_valid_resident_id",
    "is_valid_uscc",
    "load_form",
    "load_form_dict",
    "load_form_file",
    "message",
    "normalise_mobile",
    "normalise_resident_id",
    "normalise_uscc",
    "resident_id_birth_date",
    "resident_id_check_char",
    "resident_id_gender",
    "sha256_hex",
    "upgrade_resident_id",
    "upgrade",
    "uscc_check_char",
    "validate",
    "validate_division_code",
    "validate_mobile",
    "validate_resident_id",
    "validate_uscc",
]

# Domain rule modules add their error codes to the one catalogue when imported; import them here
# so forms.message knows every code wherever forms is used (desktop, county server, province).
from forms import assessment_messages as _assessment_messages  # noqa: E402, F401
from forms import checklist as _checklist  # noqa: E402, F401
