"""Masking of sensitive values for display; the one definition is :mod:`forms.masking` (the
servers mask the same way)."""

from forms.masking import MASK_CHAR, is_masked_form_of, mask, mask_data

__all__ = ["MASK_CHAR", "is_masked_form_of", "mask", "mask_data"]
