"""The model cache: a warm build analyses nothing, a change re-analyses exactly what it reaches,
and every problem with the cache file is a diagnostic while the build stays correct.

"Correct" is the build without a cache: same relations, edges and blind spots.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage import analysis_cache, model_analysis
from lineage.cli import main
from lineage.cli_impact import diff_states
from lineage.config import BuildOptions, cache_path, load_config
from lineage.dbt_build import build_dbt_project
from lineage.dbt_waves import BuildStats
from lineage.entities import DiagnosticCode, EdgeKind, Project, Severity
from lineage.errors import UsageError
from lineage.model_analysis import (
    AnalysisDecodeError,
    ModelJob,
    analyse_model,
    decode_analysis,
    encode_analysis,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"
CONTACTS = "models/staging/hubspot/stg_hubspot__contacts.sql"
USERS = "models/staging/app/stg_app__users.sql"


def sql_nodes(root: Path) -> int:
    """The SQL models and snapshots of a dbt project: what the cache holds an analysis of."""
    snapshots = sum(
        p.read_text(encoding="utf-8").count("{% snapshot") for p in root.rglob("snapshots/*.sql")
    )
    return len(list((root / "models").rglob("*.sql"))) + snapshots


#: 38 SQL models and one snapshot (fixtures/shop; its Python model is not analysed).
NODES = 39


def copy_shop(folder: Path) -> Path:
    """fixtures/shop and the applications beside it, in a repository (marked by `.git`)."""
    (folder / ".git").mkdir(parents=True)
    for name in ("shop", "shop_app"):
        ignore = shutil.ignore_patterns(".lineage", "target")
        shutil.copytree(FIXTURES / name, folder / name, ignore=ignore)
    return folder / "shop"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return copy_shop(tmp_path)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = copy_shop(tmp_path_factory.mktemp("reference"))
    return build_dbt_project(root, replace(load_config(root), jobs=1, cache=None))


def build(root: Path, cache: Path | None, stats: BuildStats | None = None) -> Project:
    config = replace(load_config(root), jobs=1, cache=str(cache) if cache else None)
    return build_dbt_project(root, config, stats=stats)


def same_lineage(project: Project, reference: Project) -> bool:
    return (project.relations, project.edges, project.blind_spots) == (
        reference.relations,
        reference.edges,
        reference.blind_spots,
    )


def cache_problems(project: Project, reference: Project) -> list[str]:
    """The diagnostics the build has beyond the reference's: only the cache's, expected."""
    extra = sorted(set(project.diagnostics) - set(reference.diagnostics))
    assert all(d.code is DiagnosticCode.CONFIG_ERROR for d in extra)
    assert all(d.severity is Severity.WARNING for d in extra)
    return [f"{d.location.path}: {d.message}" for d in extra]


# -- values --------------------------------------------------------------------------------

SQL = [
    "select o.id, sum(i.amount) as total from shop.orders o join shop.items i "
    "on i.order_id = o.id where o.state = 'paid' group by o.id",
    "select *, row_number() over (partition by a order by b) as n from shop.t",
    "select x from shop.missing",
    "select 1; select 2",
    "insert into t values (1)",
    "select from where",
]
SCHEMAS = (
    ("shop.items", ("order_id", "amount")),
    ("shop.orders", ("id", "state")),
    ("shop.t", ("a", "b")),
)


@pytest.mark.parametrize("sql", SQL)
def test_an_analysis_survives_its_encoding(sql: str) -> None:
    analysis = analyse_model(ModelJob(sql, "postgres", SCHEMAS))
    assert decode_analysis(encode_analysis(analysis)) == analysis


def test_an_analysis_holds_its_lineage_and_what_it_asked() -> None:
    analysis = analyse_model(ModelJob(SQL[0], "postgres", SCHEMAS))
    assert analysis.failure is None and analysis.lineage is not None
    assert sorted(set(analysis.asked)) == ["shop.items", "shop.orders"]
    [_, total] = analysis.lineage.outputs
    assert [(r.relation, r.column, r.kind) for r in total.reads] == [
        ("shop.items", "amount", EdgeKind.AGGREGATION)
    ]
    assert analyse_model(ModelJob(SQL[3], "postgres", ())).failure == (
        "split: its compiled SQL holds 2 statements, not one"
    )
    assert analyse_model(ModelJob(SQL[4], "postgres", ())).failure == "not-a-select"


GOOD = encode_analysis(analyse_model(ModelJob(SQL[0], "postgres", SCHEMAS)))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff\xfe",
        b"{}",
        b"[2,null,1,[],[],null,null]",  # another encoding version
        b"[1,null,1,[],[]]",  # too few items
        b"[1,null,true,[],[],null,null]",  # a flag for a line number
        b'[1,null,1,[[1,"no-such-code","m"]],[],null,null]',
        b"[1,null,1,[],[3],null,null]",  # a number for a relation name
        b'[1,null,1,[],[],null,[[["c",[["t","c","teleport","c",1,[]]],[],1,[]]],[],[],true,[]]]',
        b'[1,null,1,[],[],null,[[],[],[],"yes",[]]]',
        GOOD.replace(b'"aggregation"', b'"AGGREGATION"'),
        GOOD[:-1],
        b"[" * 100_000,
    ],
)
def test_a_value_that_is_not_an_analysis_does_not_decode(data: bytes) -> None:
    with pytest.raises(AnalysisDecodeError):
        decode_analysis(data)


def test_the_key_changes_with_the_sql_the_schemas_and_the_dialect() -> None:
    job = ModelJob(SQL[0], "postgres", SCHEMAS)
    keys = {
        analysis_cache.cache_key(job),
        analysis_cache.cache_key(replace(job, sql=SQL[0] + " ")),
        analysis_cache.cache_key(replace(job, dialect="snowflake")),
        analysis_cache.cache_key(replace(job, schemas=(*SCHEMAS[:2], ("shop.t", ("a",))))),
        analysis_cache.cache_key(replace(job, schemas=(*SCHEMAS[:2], ("shop.t", None)))),
    }
    assert len(keys) == 5
    assert analysis_cache.cache_key(ModelJob(SQL[0], "postgres", SCHEMAS)) in keys


# -- warm and changed builds ---------------------------------------------------------------


def test_a_warm_build_analyses_nothing(shop: Path, reference: Project, tmp_path: Path) -> None:
    cache = tmp_path / "cache.db"
    cold_stats, warm_stats = BuildStats(), BuildStats()
    cold = build(shop, cache, cold_stats)
    warm = build(shop, cache, warm_stats)
    assert same_lineage(cold, reference) and warm == cold
    assert cold_stats.cache_hits == 0 and len(cold_stats.analysed) == NODES == sql_nodes(shop)
    assert warm_stats.analysed == [] and warm_stats.cache_hits == NODES


def test_the_default_cache_is_in_the_project_and_ignores_itself(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LINEAGE_CACHE", raising=False)
    stats = BuildStats()
    build_dbt_project(shop, replace(load_config(shop), jobs=1))
    build_dbt_project(shop, replace(load_config(shop), jobs=1), stats=stats)
    assert stats.analysed == [] and stats.cache_hits == NODES
    assert (shop / ".lineage" / "cache.db").is_file()
    assert (shop / ".lineage" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def parents_of(project: Project) -> dict[str, set[str]]:
    parents: dict[str, set[str]] = {}
    for edge in project.edges:
        if edge.source.relation != edge.target.relation:
            parents.setdefault(edge.target.relation, set()).add(edge.source.relation)
    return parents


def descendants(project: Project, name: str) -> set[str]:
    children: dict[str, set[str]] = {}
    for child, parents in parents_of(project).items():
        for parent in parents:
            children.setdefault(parent, set()).add(child)
    found, todo = set(), [name]
    while todo:
        for child in children.get(todo.pop(), set()) - found:
            found.add(child)
            todo.append(child)
    return found


def test_a_change_reanalyses_the_model_and_the_children_whose_parents_changed(
    shop: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.db"
    before = build(shop, cache)
    model = shop / USERS
    text = model.read_text(encoding="utf-8")
    changed_text = text.replace("id as user_id,", "id as user_id, id as user_key,")
    model.write_text(changed_text, "utf-8")
    stats = BuildStats()
    after = build(shop, cache, stats)
    assert same_lineage(after, build(shop, None))
    columns_before = {r.name: [c.name for c in r.columns] for r in before.relations}
    columns_after = {r.name: [c.name for c in r.columns] for r in after.relations}
    changed = {n for n in columns_after if columns_after[n] != columns_before.get(n)}
    users = "model.shop.stg_app__users"
    parents = parents_of(after)
    expected = {users} | {n for n, ps in parents.items() if ps & changed and n.startswith("model.")}
    assert sorted(stats.analysed) == sorted(expected)
    assert stats.cache_hits == NODES - len(expected)
    assert len(expected) > 1 and descendants(after, users) - expected  # the change stopped

    model.write_text(changed_text.replace("user_key,", "user_key, -- a comment\n"), "utf-8")
    comment = BuildStats()
    build(shop, cache, comment)  # the SQL changed, its columns did not: its children hit
    assert comment.analysed == [users]


# -- problems with the cache file ----------------------------------------------------------


def test_a_corrupt_cache_file_is_a_diagnostic(shop: Path, reference: Project) -> None:
    cache = shop / ".lineage" / "cache.db"
    cache.parent.mkdir()
    cache.write_bytes(b"this is not an SQLite database, whatever its name says" * 100)
    stats = BuildStats()
    project = build(shop, cache, stats)
    assert same_lineage(project, reference)
    [problem] = cache_problems(project, reference)
    assert problem.startswith(".lineage/cache.db: the model cache is not used: cannot open it")
    assert len(stats.analysed) == NODES


def test_a_stored_value_that_does_not_decode_is_analysed_again_and_replaced(
    shop: Path, reference: Project, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.db"
    build(shop, cache)
    with sqlite3.connect(cache) as connection:
        [key] = connection.execute("SELECT key FROM analysis ORDER BY key LIMIT 1").fetchone()
        bad = zlib.compress(b'[1,"not-a-select",1,[],[],null,{"lineage":"__import__"}]')
        connection.execute("UPDATE analysis SET value = ? WHERE key = ?", (bad, key))
        connection.execute("UPDATE analysis SET value = ? WHERE key <> ?", (b"x", key))
    connection.close()
    stats = BuildStats()
    project = build(shop, cache, stats)
    assert same_lineage(project, reference)
    [problem] = cache_problems(project, reference)
    assert f"{NODES} stored model analyses could not be read" in problem
    assert len(stats.analysed) == NODES
    again = BuildStats()
    assert build(shop, cache, again) == build(shop, None)
    assert again.analysed == [] and again.cache_hits == NODES


def test_a_cache_that_cannot_be_created_is_a_diagnostic(
    shop: Path, reference: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() == 0:  # root writes anywhere: open the file as SQLite does for a read-only one
        monkeypatch.setattr(analysis_cache, "_connect", _read_only)
    else:
        folder.chmod(0o555)
    try:
        project = build(shop, folder / "cache.db")
    finally:
        folder.chmod(0o755)
    assert same_lineage(project, reference)
    [problem] = cache_problems(project, reference)
    assert "the model cache is not used: cannot open it" in problem


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)


def test_a_read_only_cache_is_used_for_reading_and_the_build_is_correct(
    shop: Path, reference: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache.db"
    build(shop, cache)
    with sqlite3.connect(cache) as connection:  # forget one model: the build must write it
        connection.execute("DELETE FROM analysis WHERE rowid = (SELECT min(rowid) FROM analysis)")
    connection.close()
    monkeypatch.setattr(analysis_cache, "_connect", _read_only)
    stats = BuildStats()
    project = build(shop, cache, stats)
    assert same_lineage(project, reference)
    [problem] = cache_problems(project, reference)
    assert "the model cache is not used: cannot write it" in problem
    assert (len(stats.analysed), stats.cache_hits) == (1, NODES - 1)


def git_init(folder: Path) -> None:
    """Make the marked repository a real one."""
    (folder / ".git").rmdir()
    git(folder, "init", "-q", "-b", "main")


def git(folder: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull,
           "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a",
           "GIT_COMMITTER_EMAIL": "a@b"}  # fmt: skip
    subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)


def test_a_cache_file_tracked_by_git_is_not_used(shop: Path, reference: Project) -> None:
    cache = shop / ".lineage" / "cache.db"
    build(shop, cache)
    git_init(shop.parent)
    git(shop.parent, "add", "-f", "shop/.lineage/cache.db")
    stats = BuildStats()
    project = build(shop, cache, stats)
    assert same_lineage(project, reference)
    [problem] = cache_problems(project, reference)
    assert problem.startswith(".lineage/cache.db: the model cache is not used: the file is tracked")
    assert stats.cache_hits == 0 and len(stats.analysed) == NODES


def test_an_ignored_cache_file_in_a_repository_is_used(shop: Path) -> None:
    cache = shop / ".lineage" / "cache.db"
    git_init(shop.parent)
    build(shop, cache)
    git(shop.parent, "add", "-A")  # the cache folder ignores itself
    stats = BuildStats()
    build(shop, cache, stats)
    assert stats.analysed == [] and stats.cache_hits == NODES


def test_two_builds_writing_one_cache_at_once_both_succeed(
    shop: Path, reference: Project, tmp_path: Path
) -> None:
    cache = tmp_path / "shared" / "cache.db"
    command = [sys.executable, "-m", "lineage", "graph", "--project-dir", str(shop),
               "--cache", str(cache), "--jobs", "1"]  # fmt: skip
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
    ]
    outputs = [run.communicate(timeout=600) for run in runs]
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err.decode()
        assert b"model cache" not in out
    assert outputs[0][0] == outputs[1][0]
    with sqlite3.connect(cache) as connection:
        [count] = connection.execute("SELECT count(*) FROM analysis").fetchone()
    connection.close()
    assert count == NODES
    stats = BuildStats()
    assert same_lineage(build(shop, cache, stats), reference)
    assert stats.analysed == []


def test_lineage_diff_builds_both_states_with_the_working_trees_cache(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git_init(shop.parent)
    git(shop.parent, "add", "-A")
    git(shop.parent, "commit", "-q", "-m", "base")
    model = shop / CONTACTS
    model.write_text(
        model.read_text(encoding="utf-8").replace("id as contact_id,", "id as contact_id, 1 as v,"),
        encoding="utf-8",
    )
    analysed: list[str] = []
    original = model_analysis.analyse_model

    def counting(job: ModelJob) -> model_analysis.ModelAnalysis:
        analysed.append(job.sql)
        return original(job)

    monkeypatch.setattr(model_analysis, "analyse_model", counting)
    monkeypatch.chdir(shop)
    options = BuildOptions(jobs=1)
    report, _ = diff_states(Path("."), "main", None, None, {}, "lineage diff", options=options)
    assert report.changes
    first = len(analysed)
    assert NODES < first < 2 * NODES  # the head hit the base's entries for its unchanged models
    assert (shop / ".lineage" / "cache.db").is_file()
    again, _ = diff_states(Path("."), "main", None, None, {}, "lineage diff", options=options)
    assert len(analysed) == first  # both states came from the cache
    assert again == report


# -- settings ------------------------------------------------------------------------------


def test_jobs_and_cache_come_from_lineage_yml_the_environment_and_the_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LINEAGE_CACHE", raising=False)
    monkeypatch.chdir(tmp_path)
    assert (load_config(tmp_path).jobs, load_config(tmp_path).cache) == (None, ".lineage/cache.db")
    (tmp_path / "lineage.yml").write_text("jobs: 3\ncache: build/models.db\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert (config.jobs, cache_path(config, tmp_path)) == (3, tmp_path / "build/models.db")
    monkeypatch.setenv("LINEAGE_CACHE", "elsewhere.db")
    assert cache_path(load_config(tmp_path), tmp_path) == tmp_path / "elsewhere.db"
    monkeypatch.setenv("LINEAGE_CACHE", "off")
    assert cache_path(load_config(tmp_path), tmp_path) is None
    monkeypatch.delenv("LINEAGE_CACHE")
    options = BuildOptions(jobs=1, cache=Path("mine.db"))
    assert cache_path(options.apply(config), tmp_path) == tmp_path / "mine.db"
    assert options.apply(config).jobs == 1
    assert cache_path(replace(options, no_cache=True).apply(config), tmp_path) is None
    (tmp_path / "lineage.yml").write_text("cache: false\n", encoding="utf-8")
    assert cache_path(load_config(tmp_path), tmp_path) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("jobs: 0\n", "'jobs' must be a positive number"),
        ("jobs: true\n", "'jobs' must be a positive number"),
        ("jobs: two\n", "'jobs' must be a positive number"),
        ("cache: 3\n", "'cache' must be the path of the model cache, or false"),
        ("cache: ''\n", "'cache' must be the path of the model cache, or false"),
    ],
)
def test_bad_jobs_or_cache_settings_are_usage_errors(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "lineage.yml").write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        load_config(tmp_path)


def test_the_options_choose_the_cache_of_a_command(shop: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    mine = tmp_path / "mine" / "cache.db"
    for options in (["--no-cache"], ["--cache", str(mine), "--jobs", "1"]):
        result = runner.invoke(main, ["graph", "--project-dir", str(shop), *options])
        assert result.exit_code == 0, result.output
    assert not (shop / ".lineage").exists()
    with sqlite3.connect(mine) as connection:
        assert connection.execute("SELECT count(*) FROM analysis").fetchone() == (NODES,)
    connection.close()
    result = runner.invoke(main, ["graph", "--project-dir", str(shop), "--jobs", "0"])
    assert result.exit_code == 2
