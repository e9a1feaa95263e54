"""Forms as data: definitions, field types, expressions and validation (pure Python)."""
