"""Output formats. Each module renders one kind of result; the registries map format names
to renderers, so a new format is one function plus one entry."""
