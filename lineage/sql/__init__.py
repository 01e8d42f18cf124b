"""SQL: split files into statements, parse, and compute column lineage per statement."""
