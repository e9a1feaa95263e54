"""The UnionDesk desktop program: store, reports, user interface and command line."""

__version__ = "0.1.0"
