"""The bundled example system: copied out of the installed package into a directory laid out
as in a checkout of lineage (`shop/`, `shop_app/`, `example/`), and its pull request."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

#: The package holding the example pull request's files, laid out like the example.
PULL_REQUEST_PACKAGE = "lineage.shop_pr"
_NOT_PART_OF_THE_CHANGE = {"__init__.py", "README.md"}


def copy_example(package: str, folder: Path, mark_root: bool = True) -> Path:
    """Copy an example (and the applications beside it) into `folder`, marked as the root of
    a repository unless `mark_root` is False; return the example's directory."""
    for name in (package, "lineage.shop_app"):
        with resources.as_file(resources.files(name)) as source:
            shutil.copytree(source, folder / name.rsplit(".", 1)[1], ignore=_caches)
    if mark_root:
        (folder / ".git").mkdir(exist_ok=True)
    return folder / package.rsplit(".", 1)[1]


def apply_pull_request(folder: Path) -> list[Path]:
    """Write the example pull request's files over a copy of the example in `folder`; return
    the files written, relative to `folder`."""
    written = []
    with resources.as_file(resources.files(PULL_REQUEST_PACKAGE)) as source:
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source)
            if path.is_dir() or relative.name in _NOT_PART_OF_THE_CHANGE:
                continue
            if "__pycache__" in relative.parts:
                continue
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            written.append(relative)
    return written


def _caches(directory: str, names: list[str]) -> list[str]:
    return [n for n in names if n in ("__pycache__", ".lineage")]
