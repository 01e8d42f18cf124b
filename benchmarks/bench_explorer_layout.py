"""Benchmark the explorer's overview layout (`lineage.explorer_layout.overview_layout`).

Builds a synthetic `Project` directly (no dbt files: building real projects of this size takes
minutes) in dbt-like layers: 10% sources, 30% staging, 40% intermediate, 20% marts; each
non-source relation has 1 to 4 parents in the layers before it (staging reads sources,
intermediate reads staging and earlier intermediate, marts read intermediate, staging and earlier
marts), from a seeded `random.Random`. Every relation has ``--columns`` columns; each column
gets one identity edge from a column of one of its parents, and each parent also feeds the
relation's rows by a join edge, so the layout reads realistic column-level edges. One consumer
per hundred relations reads one to three mart columns.

For each size it prints the best of ``--repeat`` wall-clock times of the layout alone, then the
peak memory the layout allocates (``tracemalloc``, in a run of its own since tracing slows it
down), and at the end the process's peak RSS (which includes the synthetic projects).

Example::

    python benchmarks/bench_explorer_layout.py --sizes 1000 5000 20000 --columns 20
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import time
import tracemalloc
from collections.abc import Sequence

from lineage.entities import (
    Column,
    ColumnRef,
    Consumer,
    ConsumerKind,
    Coverage,
    Edge,
    EdgeKind,
    Location,
    Owner,
    Project,
    ReadLevel,
    Relation,
    RelationKind,
)
from lineage.explorer_layout import overview_layout

#: (folder, share of the relations, layers whose relations a relation of this layer reads)
LAYERS = (
    ("sources", 0.1, ()),
    ("staging", 0.3, ("sources",)),
    ("intermediate", 0.4, ("staging", "intermediate")),
    ("marts", 0.2, ("intermediate", "staging", "marts")),
)


def synthetic_project(size: int, columns: int, seed: int = 1) -> Project:
    """A dbt-like project of `size` relations with `columns` columns each."""
    rng = random.Random(seed)
    names: dict[str, list[str]] = {}
    relations: list[Relation] = []
    edges: list[Edge] = []
    refs: dict[str, list[ColumnRef]] = {}
    for folder, share, reads in LAYERS:
        names[folder] = []
        for number in range(round(size * share)):
            name = _name(folder, number)
            refs[name] = [ColumnRef(name, f"col_{c}") for c in range(columns)]
            pool = [n for layer in reads for n in names[layer]]
            parents = rng.sample(pool, min(rng.randint(1, 4), len(pool))) if pool else []
            relations.append(_relation(name, folder, columns))
            edges += _edges(name, parents, refs, rng)
            names[folder].append(name)
    consumers = [_consumer(n, names["marts"], refs, rng) for n in range(size // 100)]
    return Project(
        root="synthetic",
        dialect="postgres",
        relations=tuple(relations),
        edges=tuple(edges),
        blind_spots=(),
        diagnostics=(),
        coverage=Coverage(0, 0, 0, 0, 0, 0),
        consumers=tuple(consumers),
    )


def _name(folder: str, number: int) -> str:
    if folder == "sources":
        return f"source.bench.raw_{number // 20}.table_{number:05d}"
    return f"model.bench.{folder[:3]}_model_{number:05d}"


def _relation(name: str, folder: str, columns: int) -> Relation:
    kind = RelationKind.SOURCE if folder == "sources" else RelationKind.MODEL
    path = f"models/{folder}/{name.rsplit('.', 1)[-1]}.sql"
    cols = tuple(Column(f"col_{c}", "integer", None) for c in range(columns))
    return Relation(name, kind, cols, Location(path, 1))


def _edges(
    name: str, parents: list[str], refs: dict[str, list[ColumnRef]], rng: random.Random
) -> list[Edge]:
    if not parents:
        return []
    location = Location(f"models/{name}.sql", 1)
    edges = [
        Edge(rng.choice(refs[rng.choice(parents)]), target, EdgeKind.IDENTITY, "col", location)
        for target in refs[name]
    ]
    rows = ColumnRef(name, None)
    edges += [Edge(refs[p][0], rows, EdgeKind.JOIN, "join", location) for p in parents]
    return edges


def _consumer(
    number: int, marts: list[str], refs: dict[str, list[ColumnRef]], rng: random.Random
) -> Consumer:
    read = sorted(rng.choice(refs[rng.choice(marts)]) for _ in range(rng.randint(1, 3)))
    return Consumer(
        id=f"exposure.bench.dashboard_{number:04d}",
        kind=ConsumerKind.DASHBOARD,
        name=f"Dashboard {number}",
        owner=Owner("bench"),
        level=ReadLevel.COLUMN,
        reads=tuple(read),
        location=None,
    )


def measure(project: Project, repeat: int) -> tuple[float, float]:
    """The best layout time in seconds, and the layout's peak traced allocation in MB."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        clock = time.perf_counter()
        overview_layout(project)
        best = min(best, time.perf_counter() - clock)
    gc.collect()
    tracemalloc.start()
    overview_layout(project)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return best, peak


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(
        f"{'relations':>9} {'consumers':>9} {'col edges':>10} {'boxes':>6} {'links':>7} "
        f"{'layers':>6} {'layout s':>9} {'peak MB':>8}"
    )
    for size in args.sizes:
        project = synthetic_project(size, args.columns, args.seed)
        seconds, peak = measure(project, args.repeat)
        layout = overview_layout(project)
        print(
            f"{size:>9} {len(project.consumers):>9} {len(project.edges):>10} "
            f"{len(layout.nodes):>6} {len(layout.edges) // 2:>7} {layout.layers:>6} "
            f"{seconds:>9.3f} {peak:>8.1f}"
        )
        del project, layout
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the process (synthetic projects included): {rss:.0f} MB")


if __name__ == "__main__":
    main()
