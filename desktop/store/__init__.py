"""The encrypted workspace: the only code that opens the database."""
