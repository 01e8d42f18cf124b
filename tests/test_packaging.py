"""The bundled examples ship whole: every file `lineage demo` copies out of the installed
package is covered by the package data of pyproject.toml (a wheel would silently lack the
others, and the demo would show fewer consumers than a checkout does)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).parent.parent
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
EXAMPLES = sorted(p for p in SETUPTOOLS["package-dir"] if p.startswith("lineage."))


def shipped(package: str, relative: PurePosixPath) -> bool:
    if relative.name == "__init__.py" and len(relative.parts) == 1:
        return True  # the package itself
    patterns = SETUPTOOLS["package-data"].get(package, [])
    return any(_glob(p).fullmatch(str(relative)) for p in patterns)


def _glob(pattern: str) -> re.Pattern[str]:
    """setuptools' recursive glob: `**/` is any number of folders, `*` stays in one."""
    parts = re.split(r"(\*\*/|\*)", pattern)
    table = {"**/": "(?:.*/)?", "*": "[^/]*"}
    return re.compile("".join(table.get(part, re.escape(part)) for part in parts))


@pytest.mark.parametrize("package", EXAMPLES)
def test_every_file_of_a_bundled_example_is_package_data(package: str) -> None:
    folder = ROOT / SETUPTOOLS["package-dir"][package]
    files = [
        PurePosixPath(p.relative_to(folder).as_posix())
        for p in folder.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and "target" not in p.parts
        and ".lineage" not in p.parts
    ]
    assert files
    missing = [str(f) for f in files if not shipped(package, f)]
    assert not missing, f"{package} would not ship: {missing}"
