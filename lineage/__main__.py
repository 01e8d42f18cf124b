from __future__ import annotations

from lineage.cli import main

main()
