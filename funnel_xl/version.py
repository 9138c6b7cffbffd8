"""The version of funnel_xl (also in pyproject.toml): written into the history store and the run record."""

__version__ = "0.1.0"
