"""lineage: column-level lineage from application schemas to the consumers of their data."""

from __future__ import annotations

__version__ = "0.1.0"
