"""dbt models analysed in worker processes: the same graph, byte for byte, as one process.

Expectations come from the sequential build (which the rest of the suite checks against what
dbt and the warehouse would do) and, for the hard-coded table name, from the warehouse itself:
`select * from analytics.dbt.a` returns the columns of the table model `a` built.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from lineage import dbt_waves, model_analysis, model_workers
from lineage.config import load_config
from lineage.dbt_build import build_dbt_project
from lineage.dbt_waves import BuildStats
from lineage.entities import DiagnosticCode, Project, Severity
from lineage.model_analysis import ModelAnalysis, ModelJob
from lineage.render.renderer import ParseResult, Renderer, Shipped
from lineage.report.graph_formats import graph_json
from lineage.sources.dbt.nodes import DbtNode

FIXTURES = Path(__file__).parent.parent / "fixtures"
BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


def build(
    root: Path, jobs: int, cache: Path | None, stats: BuildStats | None = None
) -> tuple[str, BuildStats]:
    """The graph JSON of the project at `root`, built with `jobs` and `cache`."""
    stats = stats or BuildStats()
    config = replace(load_config(root), jobs=jobs, cache=str(cache) if cache else None)
    return graph_json(build_dbt_project(root, config, stats=stats)), stats


@pytest.fixture
def parallel_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the pool whatever the project's size."""
    monkeypatch.setattr(dbt_waves, "PARALLEL_MIN_MODELS", 0)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shop")
    (folder / ".git").mkdir()  # the applications are inside the repository
    for name in ("shop", "shop_app"):
        ignore = shutil.ignore_patterns(".lineage", "target")
        shutil.copytree(FIXTURES / name, folder / name, ignore=ignore)
    return folder / "shop"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated project of 200 models (benchmarks/generate_dbt.py, seed 1)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import generate_dbt
    finally:
        sys.path.remove(str(BENCHMARKS))
    root = tmp_path_factory.mktemp("generated") / "project"
    generate_dbt.main([str(root), "--models", "200", "--seed", "1"])
    return root


def sql_models(stats: BuildStats) -> int:
    return len(stats.analysed) + stats.cache_hits


@pytest.mark.usefixtures("parallel_always")
@pytest.mark.parametrize("project", ["shop", "generated"])
def test_parallel_and_warm_builds_are_byte_identical_to_the_sequential_build(
    project: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    root: Path = request.getfixturevalue(project)
    sequential, one = build(root, jobs=1, cache=None)
    parallel, two = build(root, jobs=2, cache=None)
    assert (one.workers, two.workers) == (0, 2)
    assert two.taken_back < len(two.analysed)  # workers analysed some of the models
    assert parallel == sequential
    cache = tmp_path / "cache.db"
    cold, filled = build(root, jobs=2, cache=cache)
    warm_parallel, warm = build(root, jobs=2, cache=cache)
    warm_sequential, warm_one = build(root, jobs=1, cache=cache)
    assert cold == warm_parallel == warm_sequential == sequential
    assert filled.cache_hits == 0 and len(filled.analysed) == sql_models(filled)
    for stats in (warm, warm_one):
        assert stats.analysed == []
        assert stats.cache_hits == sql_models(filled)
    if project == "generated":
        assert sql_models(filled) >= 200


def small_project(root: Path, models: dict[str, str]) -> Path:
    """A dbt project `p` at `root` whose models (name -> SQL) are tables."""
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(
        "name: p\nversion: '1.0'\nprofile: p\nmodels:\n  p:\n    +materialized: table\n",
        encoding="utf-8",
    )
    for name, sql in models.items():
        (root / "models" / f"{name}.sql").write_text(sql + "\n", encoding="utf-8")
    return root


def hard_coded_project(root: Path) -> Path:
    """Model `b` reads model `a` by its table name, without ref: nothing orders them."""
    return small_project(
        root,
        {
            "a": "select 1 as id, 'x' as name, current_date as created_on",
            "b": "select * from analytics.dbt.a where id > 0",
        },
    )


@pytest.mark.usefixtures("parallel_always")
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_model_naming_another_models_table_is_analysed_against_that_table(
    tmp_path: Path, jobs: int
) -> None:
    root = hard_coded_project(tmp_path / "p")
    stats = BuildStats()
    config = replace(load_config(root), jobs=jobs, cache=None)
    project = build_dbt_project(root, config, stats=stats)
    relations = {r.name: r for r in project.relations}
    assert [c.name for c in relations["model.p.b"].columns] == ["id", "name", "created_on"]
    assert not [d for d in project.diagnostics if d.code is DiagnosticCode.UNKNOWN_RELATION]
    assert stats.redone == 1  # b was first analysed not knowing a's columns
    assert stats.workers == (2 if jobs == 2 else 0)
    sequential, _ = build(root, jobs=1, cache=None)
    assert graph_json(project) == sequential


def test_a_hard_coded_name_is_redone_from_the_cache_without_analysing(tmp_path: Path) -> None:
    root = hard_coded_project(tmp_path / "p")
    cache = tmp_path / "cache.db"
    cold, _ = build(root, jobs=1, cache=cache)
    warm, stats = build(root, jobs=1, cache=cache)
    assert warm == cold
    assert stats.analysed == [] and stats.redone == 1


@pytest.mark.usefixtures("parallel_always")
def test_a_worker_exception_becomes_that_models_diagnostic(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = build_dbt_project(shop, replace(load_config(shop), jobs=1, cache=None))
    main_process = os.getpid()
    original = model_analysis.analyse_model

    def failing(job: ModelJob) -> ModelAnalysis:
        if os.getpid() != main_process and "property_lifecyclestage" in job.sql:
            raise RuntimeError("boom in a worker")
        return original(job)

    monkeypatch.setattr(model_analysis, "analyse_model", failing)
    monkeypatch.setattr(dbt_waves, "TAKE_BACK_QUEUED", False)  # every job runs in a worker
    stats = BuildStats()
    project = build_dbt_project(shop, replace(load_config(shop), jobs=2, cache=None), stats=stats)
    assert stats.workers == 2
    [problem] = [d for d in project.diagnostics if "boom" in d.message]
    assert problem.location.path == "models/staging/hubspot/stg_hubspot__contacts.sql"
    assert problem.code is DiagnosticCode.ANALYSIS_ERROR and problem.severity is Severity.ERROR
    assert "RuntimeError: boom in a worker" in problem.message
    contacts = "model.shop.stg_hubspot__contacts"
    [blind] = [b for b in project.blind_spots if b.target.relation == contacts]
    assert blind.reason == "its compiled SQL could not be analysed"
    assert project.coverage.statements_analysed == reference.coverage.statements_analysed - 1
    others = {r.name: r for r in reference.relations if r.name != contacts}
    built = {r.name: r for r in project.relations if r.name in others}
    untouched = [name for name in others if not _reads(reference, name, contacts)]
    assert untouched and all(built[name] == others[name] for name in untouched)


def _reads(project: Project, name: str, upstream: str) -> bool:
    """Whether relation `name` reads `upstream`, directly or not."""
    parents: dict[str, set[str]] = {}
    for edge in project.edges:
        parents.setdefault(edge.target.relation, set()).add(edge.source.relation)
    seen, todo = set(), [name]
    while todo:
        for parent in parents.get(todo.pop(), set()) - seen:
            seen.add(parent)
            todo.append(parent)
    return upstream in seen


def test_a_small_project_or_one_job_uses_no_workers() -> None:
    assert dbt_waves.worker_count(1, 5_000, manifest_mode=False) == 0
    assert dbt_waves.worker_count(4, dbt_waves.PARALLEL_MIN_MODELS - 1, False) == 0
    assert dbt_waves.worker_count(4, 5_000, manifest_mode=True) == 0
    assert dbt_waves.worker_count(4, 5_000, manifest_mode=False) == 4


def test_models_are_finished_in_order_and_started_after_their_parents() -> None:
    parents = [[], [], [0], [1, 2], [], [3]]
    events: list[tuple[str, int]] = []

    def start(position: int) -> int:
        finished = {p for kind, p in events if kind == "finish"}
        assert set(parents[position]) <= finished
        events.append(("start", position))
        return position * 10

    def finish(position: int, started: int) -> None:
        assert started == position * 10
        events.append(("finish", position))

    dbt_waves.run_in_order(parents, start, finish, ahead=3)
    assert [p for kind, p in events if kind == "finish"] == list(range(6))
    assert sorted(p for kind, p in events if kind == "start") == list(range(6))
    # ahead of the first finish: the three models without parents
    assert events[:4] == [("start", 0), ("start", 1), ("start", 4), ("finish", 0)]


class _KnownAtStart:
    """An `Early` for which the outcome of some positions is known as soon as they start, and
    of the others when waited for."""

    def __init__(self, at_start: set[int]) -> None:
        self.at_start = at_start
        self.known: set[int] = set()
        self.waited: list[int] = []

    def started(self, position: int) -> None:
        if position in self.at_start:
            self.known.add(position)

    def known_now(self, position: int) -> bool:
        return position in self.known

    def wait(self, position: int) -> list[int]:
        self.waited.append(position)
        self.known.add(position)
        return [position]


def test_children_start_as_soon_as_their_parents_are_known() -> None:
    parents = [[], [0], [1], [], [2]]
    oracle = _KnownAtStart(at_start={0, 1})
    events: list[tuple[str, int]] = []

    class Early:
        def known(self, position: int, started: int) -> bool:
            return oracle.known_now(position)

        def poll(self) -> list[int]:
            return []

        def wait(self, position: int, started: int) -> list[int] | None:
            events.append(("wait", position))
            return oracle.wait(position)

    def start(position: int) -> int:
        known = oracle.known | {p for kind, p in events if kind == "finish"}
        assert set(parents[position]) <= known  # a parent is finished or known
        events.append(("start", position))
        oracle.started(position)
        return position

    def finish(position: int, started: int) -> None:
        events.append(("finish", position))

    dbt_waves.run_in_order(parents, start, finish, ahead=5, early=Early())
    assert [p for kind, p in events if kind == "finish"] == list(range(5))
    # 0 and 1 are known when started: 1 and 2 start before 0 is finished; 4 waits for 2,
    # which is known only once it is waited for (as the next to finish)
    assert events[:5] == [("start", 0), ("start", 1), ("start", 2), ("start", 3), ("finish", 0)]
    assert events.index(("start", 4)) == events.index(("wait", 2)) + 1
    assert events.index(("start", 4)) < events.index(("finish", 2))


def test_at_most_ahead_positions_are_started_and_not_finished() -> None:
    parents: list[list[int]] = [[] for _ in range(10)]
    open_now: set[int] = set()
    most = 0

    def start(position: int) -> int:
        nonlocal most
        open_now.add(position)
        most = max(most, len(open_now))
        return position

    def finish(position: int, started: int) -> None:
        open_now.discard(position)

    dbt_waves.run_in_order(parents, start, finish, ahead=3)
    assert most == 3 and not open_now


@pytest.mark.usefixtures("parallel_always")
def test_the_parse_pass_compiles_each_model_in_a_worker_only(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled: list[str] = []  # in this process (a worker appends to its own copy)
    original = Renderer._compile

    def counting(self: Renderer, node: DbtNode) -> object:
        compiled.append(node.unique_id)
        return original(self, node)

    monkeypatch.setattr(Renderer, "_compile", counting)
    sequential, _ = build(shop, jobs=1, cache=None)
    models = [uid for uid in compiled if uid.startswith(("model.", "snapshot."))]
    assert len(models) > 30
    compiled.clear()
    parallel, stats = build(shop, jobs=2, cache=None)
    assert stats.workers == 2 and parallel == sequential
    assert [uid for uid in compiled if uid.startswith(("model.", "snapshot."))] == []


@pytest.mark.usefixtures("parallel_always")
def test_workers_replaced_every_few_jobs_give_the_same_graph(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sequential, _ = build(generated, jobs=1, cache=None)
    monkeypatch.setattr(model_workers, "JOBS_PER_PROCESS", 3)
    parallel, stats = build(generated, jobs=2, cache=None)
    assert stats.workers == 2 and stats.taken_back == 0
    assert len(stats.analysed) >= 200
    assert parallel == sequential


@pytest.mark.usefixtures("parallel_always")
def test_a_model_whose_config_is_not_plain_data_is_parsed_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`this` in a config is a relation object, not YAML-like data: the worker leaves the
    model to the main process, which parses it as the sequential build does."""
    adopted: list[str] = []
    original = Renderer.adopt

    def adopt(self: Renderer, node: DbtNode, shipped: Shipped) -> ParseResult:
        adopted.append(node.unique_id)
        return original(self, node, shipped)

    monkeypatch.setattr(Renderer, "adopt", adopt)
    root = tmp_path / "p"
    models = {
        "a": "select 1 as id, 'x' as name",
        "b": "{{ config(meta={'built_as': this}) }}\nselect id from {{ ref('a') }}",
        "c": "select b.id, a.name from {{ ref('b') }} b join {{ ref('a') }} a on a.id = b.id",
    }
    small_project(root, models)
    sequential, _ = build(root, jobs=1, cache=None)
    parallel, stats = build(root, jobs=2, cache=None)
    assert stats.workers == 2 and parallel == sequential
    assert sorted(adopted) == ["model.p.a", "model.p.c"]
    columns = {
        r.name: [c.name for c in r.columns]
        for r in build_dbt_project(root, replace(load_config(root), jobs=2, cache=None)).relations
    }
    assert columns["model.p.c"] == ["id", "name"]


@pytest.mark.usefixtures("parallel_always")
def test_a_column_a_sibling_adds_to_a_parent_reaches_the_models_rendered_before_it(
    tmp_path: Path,
) -> None:
    """b reads a column `a` lacks (recorded as an inferred column of `a`); c and d, submitted
    alongside b, expand `a`'s columns: as in the sequential build, they see that column."""
    root = tmp_path / "p"
    models = {
        "a": "select 1 as id, 'x' as name",
        "b": "select id, extra from {{ ref('a') }}",
        "c": "select * from {{ ref('a') }}",
        "d": "select {{ dbt_utils.star(ref('a')) }} from {{ ref('a') }}",
    }
    small_project(root, models)
    sequential, _ = build(root, jobs=1, cache=None)
    parallel, stats = build(root, jobs=2, cache=None)
    assert parallel == sequential
    assert (stats.workers, stats.redone, stats.rerendered) == (2, 1, 1)  # c redone, d rendered
    project = build_dbt_project(root, replace(load_config(root), jobs=2, cache=None))
    columns = {r.name: [c.name for c in r.columns] for r in project.relations}
    assert columns["model.p.c"] == columns["model.p.d"] == ["id", "name", "extra"]


def test_an_engine_exception_in_process_becomes_that_models_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = hard_coded_project(tmp_path / "p")

    def failing(*args: object, **kwargs: object) -> object:
        raise ValueError("the walk fell over\nsecond line")

    monkeypatch.setattr(model_analysis, "query_lineage", failing)
    project = build_dbt_project(root, replace(load_config(root), jobs=1, cache=None))
    problems = [d for d in project.diagnostics if d.code is DiagnosticCode.ANALYSIS_ERROR]
    assert sorted((d.location.path, d.message) for d in problems) == [
        (f"models/{name}.sql", "model could not be analysed (ValueError: the walk fell over)")
        for name in ("a", "b")
    ]
    assert project.coverage.statements_analysed == 0
