"""Consumers read from files: a consumers file, BI tools' exports, and application code that
queries the warehouse. Each reader returns `ConsumerSpec`s whose reads name warehouse
relations as written; the build resolves them to graph columns."""
