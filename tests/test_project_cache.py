"""The project cache: an unchanged project is read, not built; any change to what the build
reads is a miss; what is read back is exactly what the build made; and who-uses and trace
answer from the stored walk exactly as from the whole project.

"Exactly" is the build without a cache: equal `Project`s, the same bytes from every command.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_model_cache import copy_shop

from lineage import project_cache, projects
from lineage.cli import main
from lineage.config import AppConfig, Config, cache_path, load_config
from lineage.entities import ColumnRef, Project
from lineage.graph import LineageGraph
from lineage.names import resolve, resolve_in
from lineage.project_cache import StoredMiss
from lineage.project_inputs import inputs_key
from lineage.report.answers import ANSWER_FORMATS
from lineage.report.graph_formats import graph_document, graph_document_text, graph_json

FIXTURES = Path(__file__).parent.parent / "fixtures"
USERS = "models/staging/app/stg_app__users.sql"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return copy_shop(tmp_path / "repo")


@pytest.fixture
def fresh_builds(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every project actually built (not read from the cache), in order."""
    built: list[Path] = []
    real = projects._fresh

    def counting(root: Path, config: Config, variables: dict[str, object]) -> Project:
        built.append(root)
        return real(root, config, variables)

    monkeypatch.setattr(projects, "_fresh", counting)
    return built


def build(root: Path, config: Config | None = None, **variables: object) -> Project:
    return projects.build(root, config or load_config(root), variables)


def uncached(root: Path) -> Project:
    return projects.build(root, Config(**{**_fields(load_config(root)), "cache": None}))


def _fields(config: Config) -> dict[str, object]:
    return {name: getattr(config, name) for name in config.__dataclass_fields__}


# -- a hit is the build ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["shop", "example", "shop_app"])
def test_a_second_build_reads_the_same_project(
    tmp_path: Path, name: str, fresh_builds: list[Path]
) -> None:
    if name == "shop":
        root = copy_shop(tmp_path / "repo")
    else:
        root = tmp_path / name
        shutil.copytree(FIXTURES / name, root, ignore=shutil.ignore_patterns(".lineage"))
    first = build(root)
    second = build(root)
    assert len(fresh_builds) == 1
    assert second == first == uncached(root)
    assert graph_json(second) == graph_json(first)


def test_the_same_files_elsewhere_hit(tmp_path: Path, fresh_builds: list[Path]) -> None:
    """A state checked out in another folder (as `lineage diff` does) reads the stored one."""
    one = copy_shop(tmp_path / "one")
    two = copy_shop(tmp_path / "two")
    shared = tmp_path / "cache.db"
    config_one = Config(**{**_fields(load_config(one)), "cache": str(shared)})
    config_two = Config(**{**_fields(load_config(two)), "cache": str(shared)})
    first = projects.build(one, config_one)
    second = projects.build(two, config_two)
    assert fresh_builds == [one]
    assert graph_json(second) == graph_json(first)
    assert second.root == str(two)


def test_commands_print_the_same_bytes_cold_and_warm(shop: Path) -> None:
    runner = CliRunner()
    commands = [
        ["graph", "--format", "json"],
        ["who-uses", "stg_app__users.email", "--format", "json"],
        ["who-uses", "stg_app__users.email"],
        ["trace", "fct_orders.amount"],
        ["trace", "fct_orders", "--format", "json", "--depth", "2"],
        ["consumers", "--format", "json"],
        ["diagnostics"],
    ]
    for command in commands:
        args = [*command, "--project-dir", str(shop)]
        cold = runner.invoke(main, args)
        warm = runner.invoke(main, args)
        assert cold.exit_code in (0, 3), cold.output
        assert (warm.exit_code, warm.stdout, warm.stderr) == (
            cold.exit_code,
            cold.stdout,
            cold.stderr,
        ), command


# -- the stored walk ------------------------------------------------------------------------


def _stored_answers(root: Path, names: list[str], direction: str) -> Iterator[tuple[str, str]]:
    config = load_config(root)
    with projects.stored_state(root, config, {}) as state:
        assert state is not None
        for name in names:
            for depth, direct in ((None, False), (1, False), (None, True)):
                start = resolve_in(state.names, state.project.dialect, name)
                graph = LineageGraph(state.project, state.index)
                walk = graph.downstream if direction == "downstream" else graph.upstream
                answer = walk(start, depth=depth, direct_only=direct)
                for fmt in ("text", "json"):
                    yield name, ANSWER_FORMATS[fmt](state.project, answer, direction)


def _built_answers(project: Project, names: list[str], direction: str) -> Iterator[tuple[str, str]]:
    graph = LineageGraph(project)
    walk = graph.downstream if direction == "downstream" else graph.upstream
    for name in names:
        for depth, direct in ((None, False), (1, False), (None, True)):
            answer = walk(resolve(project, name), depth=depth, direct_only=direct)
            for fmt in ("text", "json"):
                yield name, ANSWER_FORMATS[fmt](project, answer, direction)


@pytest.mark.parametrize("direction", ["downstream", "upstream"])
def test_the_stored_walk_answers_as_the_project_does(shop: Path, direction: str) -> None:
    """Every relation and every column of the example, at three depths and in both formats."""
    project = build(shop)
    names = [str(ColumnRef(r.name, None)) for r in project.relations]
    names += [f"{r.name}.{c.name}" for r in project.relations for c in r.columns]
    assert len(names) > 400
    stored = list(_stored_answers(shop, names, direction))
    built = list(_built_answers(uncached(shop), names, direction))
    assert stored == built


def test_who_uses_on_a_warm_cache_builds_nothing(shop: Path, fresh_builds: list[Path]) -> None:
    runner = CliRunner()
    args = ["who-uses", "stg_app__users.email", "--project-dir", str(shop)]
    cold = runner.invoke(main, args)
    warm = runner.invoke(main, args)
    assert len(fresh_builds) == 1
    assert warm.stdout == cold.stdout and "dim_customers" in warm.stdout


def test_an_unknown_name_on_a_warm_cache_is_the_same_error(shop: Path) -> None:
    runner = CliRunner()
    args = ["who-uses", "stg_app__users.emial", "--project-dir", str(shop)]
    cold = runner.invoke(main, args)
    warm = runner.invoke(main, args)
    assert cold.exit_code == warm.exit_code == 2
    assert "Did you mean" in cold.stderr and warm.stderr == cold.stderr


# -- misses ---------------------------------------------------------------------------------


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CHANGES = {
    "a model": lambda shop: _edit(shop / USERS, "email", "lower(email) as email"),
    "a property file": lambda shop: _edit(
        shop / "models/staging/app/_app__models.yml", "description:", "description: x"
    ),
    "a new file": lambda shop: (shop / "models/new_model.sql").write_text(
        "select 1 as one\n", encoding="utf-8"
    ),
    "a removed file": lambda shop: (shop / "models/marts/core/dim_customers_v1.sql").unlink(),
    "lineage.yml": lambda shop: _edit(shop / "lineage.yml", "dialect: postgres", "dialect: duckdb"),
    "an application outside the project": lambda shop: _edit(
        next((shop.parent / "shop_app/shop/db/migrations").glob("V1__*.sql")), "email", "e_mail"
    ),
    "CODEOWNERS": lambda shop: (shop.parent / "CODEOWNERS").write_text(
        "* @data-team\n", encoding="utf-8"
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_to_what_the_build_reads_is_a_miss(
    shop: Path, change: str, fresh_builds: list[Path]
) -> None:
    build(shop)
    CHANGES[change](shop)
    after = build(shop)
    assert len(fresh_builds) == 2, "the changed project was built, not read"
    assert graph_json(after) == graph_json(uncached(shop))


def test_vars_and_options_are_part_of_the_key(shop: Path, fresh_builds: list[Path]) -> None:
    config = load_config(shop)
    build(shop, config)
    build(shop, config, start_date="2020-01-01")
    build(shop, Config(**{**_fields(config), "dialect": "snowflake"}))
    assert len(fresh_builds) == 3
    build(shop, Config(**{**_fields(config), "jobs": 1}))  # the same lineage
    assert len(fresh_builds) == 3


def test_the_cache_file_itself_is_not_an_input(tmp_path: Path, fresh_builds: list[Path]) -> None:
    """A cache kept inside the project, not under .lineage, is left out of the fingerprint."""
    root = tmp_path / "example"
    shutil.copytree(FIXTURES / "example", root)
    config = Config(**{**_fields(load_config(root)), "cache": "lineage-cache.db"})
    projects.build(root, config)
    projects.build(root, config)
    assert len(fresh_builds) == 1


# -- a bad cache file -----------------------------------------------------------------------


def _blobs(shop: Path, table: str, column: str, value: bytes) -> None:
    path = cache_path(load_config(shop), shop)
    assert path is not None
    with sqlite3.connect(path) as connection:
        connection.execute(f"UPDATE {table} SET {column} = ?", (value,))


@pytest.mark.parametrize(
    "value", [b"not zlib", zlib.compress(b"not json"), zlib.compress(b'{"names": 3}')]
)
def test_a_stored_value_that_does_not_read_back_is_a_miss(
    shop: Path, value: bytes, fresh_builds: list[Path]
) -> None:
    expected = graph_json(build(shop))
    _blobs(shop, "project_state", "document", value)
    _blobs(shop, "project_state", "skeleton", value)
    assert graph_json(build(shop)) == expected  # built again, and stored again
    result = CliRunner().invoke(
        main, ["who-uses", "stg_app__users.email", "--project-dir", str(shop)]
    )
    assert "dim_customers" in result.stdout
    assert len(fresh_builds) == 2


@pytest.mark.parametrize(
    "value",
    [
        zlib.compress(b"[]"),
        zlib.compress(b'{"out": {"email": [["x", null, "identity"]]}}'),
        zlib.compress(b'{"out": {"email": [["x", "y", "no-such-kind", "e", "p", 1, []]]}}'),
        zlib.compress(b'{"out": {"email": [["x", "y", "identity", "e", "p", 0, []]]}}'),
    ],
)
def test_a_bad_stored_walk_falls_back_to_the_build(
    shop: Path, value: bytes, fresh_builds: list[Path]
) -> None:
    runner = CliRunner()
    args = ["who-uses", "stg_app__users.email", "--project-dir", str(shop)]
    cold = runner.invoke(main, args)
    _blobs(shop, "project_walk", "edges", value)
    config = load_config(shop)
    with pytest.raises(StoredMiss), projects.stored_state(shop, config, {}) as state:
        assert state is not None
        start = resolve_in(state.names, state.project.dialect, "stg_app__users.email")
        LineageGraph(state.project, state.index).downstream(start)
    warm = runner.invoke(main, args)  # the state was deleted: built and stored again
    assert warm.stdout == cold.stdout
    assert len(fresh_builds) == 2


def test_a_cache_file_tracked_by_git_is_not_used(tmp_path: Path) -> None:
    root = tmp_path / "example"
    shutil.copytree(FIXTURES / "example", root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    CliRunner().invoke(main, ["graph", "--project-dir", str(root)])
    subprocess.run(["git", "-C", str(root), "add", "-f", ".lineage/cache.db"], check=True)
    result = CliRunner().invoke(main, ["graph", "--project-dir", str(root)])
    assert result.exit_code == 0
    assert "lineage: the project cache is not used: the cache file is tracked by git" in (
        result.stderr
    )


def test_a_cache_that_cannot_be_created_only_costs_time(tmp_path: Path) -> None:
    """Its folder is a file (as unwritable for root as for anyone): the build goes on."""
    root = tmp_path / "example"
    shutil.copytree(FIXTURES / "example", root)
    (tmp_path / "blocked").write_text("a file, not a folder\n", encoding="utf-8")
    cache = tmp_path / "blocked" / "cache.db"
    args = ["graph", "--format", "json", "--project-dir", str(root), "--cache", str(cache)]
    result = CliRunner().invoke(main, args)
    expected = CliRunner().invoke(main, [*args[:5], "--no-cache"])
    assert result.exit_code == 0
    assert result.stdout == expected.stdout
    assert "lineage: the project cache is not used: cannot create its folder" in result.stderr


def test_no_cache_reads_and_writes_nothing(shop: Path, fresh_builds: list[Path]) -> None:
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(main, ["graph", "--no-cache", "--project-dir", str(shop)])
        assert result.exit_code == 0
    assert len(fresh_builds) == 2
    assert not (shop / ".lineage").exists()


def test_only_the_most_recently_used_states_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(project_cache, "STATES_KEPT", 2)
    root = tmp_path / "example"
    shutil.copytree(FIXTURES / "example", root)
    config = load_config(root)
    for value in ("a", "b", "c"):
        projects.build(root, config, {"v": value})
    path = cache_path(config, root)
    assert path is not None
    with sqlite3.connect(path) as connection:
        states = connection.execute("SELECT count(*) FROM project_state").fetchone()[0]
        orphans = connection.execute(
            "SELECT count(*) FROM project_walk WHERE key NOT IN (SELECT key FROM project_state)"
        ).fetchone()[0]
    assert (states, orphans) == (2, 0)


def test_two_commands_storing_one_project_at_once_both_succeed(shop: Path, tmp_path: Path) -> None:
    cache = tmp_path / "shared" / "cache.db"
    command = [sys.executable, "-m", "lineage", "graph", "--format", "json",
               "--project-dir", str(shop), "--cache", str(cache), "--jobs", "1"]  # fmt: skip
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
    ]
    outputs = [run.communicate(timeout=600) for run in runs]
    for run, (_, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err.decode()
        assert b"cache is not used" not in err
    assert outputs[0][0] == outputs[1][0]
    with sqlite3.connect(cache) as connection:
        [states] = connection.execute("SELECT count(*) FROM project_state").fetchone()
    connection.close()
    assert states == 1
    again = subprocess.run(command, capture_output=True, check=True, timeout=600)
    assert again.stdout == outputs[0][0]


def test_a_build_that_met_a_bad_model_cache_is_not_stored(
    shop: Path, fresh_builds: list[Path]
) -> None:
    """Its warning belongs to that run only: the next run builds again, and is stored."""
    build(shop)
    _blobs(shop, "analysis", "value", zlib.compress(b"[1, 2]"))
    _blobs(shop, "project_state", "document", b"gone")  # the project must be built again
    warned = build(shop)
    assert any("could not be read" in d.message for d in warned.diagnostics)
    clean = build(shop)
    assert not any("could not be read" in d.message for d in clean.diagnostics)
    assert build(shop) == clean
    assert len(fresh_builds) == 3


def test_the_graph_document_written_in_pieces_is_the_same_bytes(shop: Path) -> None:
    """Strings with newlines, quotes, backslashes and non-ASCII text, and empty arrays."""
    project = uncached(shop)
    odd = replace(project.relations[0], description='a "quoted"\nline \\ — ünïcode ✓')
    edge = replace(project.edges[0], expression="case\n  when x then 'y'\nend", inner=("a\tb",))
    weird = replace(project, relations=(odd, *project.relations[1:]), edges=(edge,))
    for case in (project, weird, replace(project, relations=(), edges=(), consumers=())):
        whole = json.dumps(graph_document(case), indent=2, sort_keys=True, ensure_ascii=False)
        assert graph_json(case) == whole + "\n"
        compact = "".join(graph_document_text(case, pretty=False))
        assert json.loads(compact) == graph_document(case)


def test_diff_keeps_the_base_state_and_not_the_working_tree(tmp_path: Path) -> None:
    """The base of a pull request is read by the next run; the working tree's head, which
    changes again, is not stored (storing a large project costs seconds)."""
    shop = copy_shop(tmp_path / "repo")
    repo = shop.parent
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    identity = ["-c", "user.email=a@b.c", "-c", "user.name=a"]
    subprocess.run(["git", "-C", str(repo), *identity, "commit", "-qm", "base"], check=True)
    CHANGES["a model"](shop)
    args = ["diff", "--base", "main", "--project-dir", str(shop)]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    path = cache_path(load_config(shop), shop)
    assert path is not None
    with sqlite3.connect(path) as connection:
        [states] = connection.execute("SELECT count(*) FROM project_state").fetchone()
    connection.close()
    assert states == 1
    again = CliRunner().invoke(main, args)
    assert again.stdout == first.stdout


def test_a_named_path_that_comes_into_existence_changes_the_fingerprint(tmp_path: Path) -> None:
    """An application folder lineage.yml names outside the project: missing, then present but
    empty, are different inputs (the build reports the first and reads the second)."""
    root = tmp_path / "example"
    shutil.copytree(FIXTURES / "example", root)
    config = Config(
        **{**_fields(load_config(root)), "applications": (AppConfig("shop", "../app"),)}
    )
    missing = inputs_key(root, config, {}, None)
    (tmp_path / "app").mkdir()
    empty = inputs_key(root, config, {}, None)
    (tmp_path / "app" / "V1__users.sql").write_text("create table users (id int);\n")
    filled = inputs_key(root, config, {}, None)
    assert len({missing, empty, filled}) == 3


def test_a_folder_linking_back_to_the_project_is_walked_once(tmp_path: Path) -> None:
    root = tmp_path / "example"
    shutil.copytree(FIXTURES / "example", root)
    before = inputs_key(root, load_config(root), {}, None)
    (root / "1_raw" / "loop").symlink_to(root, target_is_directory=True)
    assert inputs_key(root, load_config(root), {}, None) == before  # no file read twice
    (root / "2_staging" / "extra.sql").write_text("select 1 as one;\n", encoding="utf-8")
    assert inputs_key(root, load_config(root), {}, None) != before
