"""The commands through click's CliRunner, on the bundled example and on small projects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lineage.cli import main

EXAMPLE = Path(__file__).parent.parent / "fixtures" / "example"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_who_uses_follows_email_to_every_reader() -> None:
    result = run("who-uses", "raw.users.email", "--project-dir", str(EXAMPLE), "--format", "json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    reached = {(h["ref"]["relation"], h["ref"]["column"]): h for h in answer["hops"]}
    assert reached["staging.stg_users", "email"]["kind"] == "transformation"
    assert reached["staging.stg_users", "email"]["location"] == {
        "path": "2_staging/10_staging_views.sql",
        "line": 4,
    }
    assert reached["marts.dim_users", "email"]["depth"] == 2
    assert reached["ops.user_snapshots", "email"]["kind"] == "identity"
    # the MERGE only updates when the email differs: a conditional read
    assert reached["ops.email_contacts", "updated_at"]["kind"] == "conditional"
    # email is a grouping key of dim_users, so it changes that relation's rows
    assert reached["marts.dim_users", None]["kind"] == "group_by"
    # columns that never see email must not appear
    assert ("marts.fct_orders", "amount") not in reached
    assert ("marts.product_affinity", "product_id") not in reached
    assert answer["complete"] is True
    path = [(p["relation"], p["column"]) for p in reached["ops.user_snapshots", "email"]["path"]]
    assert path == [
        ("raw.users", "email"),
        ("staging.stg_users", "email"),
        ("marts.dim_users", "email"),
        ("ops.user_snapshots", "email"),
    ]


def test_direct_only_and_depth_limit_the_answer() -> None:
    args = ["who-uses", "raw.users.email", "--project-dir", str(EXAMPLE), "--format", "json"]
    direct = json.loads(run(*args, "--direct-only").stdout)
    assert {h["kind"] for h in direct["hops"]} <= {"identity", "transformation", "aggregation"}
    assert all(h["ref"]["column"] is not None for h in direct["hops"])
    shallow = json.loads(run(*args, "--depth", "1").stdout)
    assert [(h["ref"]["relation"], h["ref"]["column"]) for h in shallow["hops"]] == [
        ("staging.stg_users", "email")
    ]


def test_trace_walks_upstream_through_aggregation() -> None:
    result = run(
        "trace",
        "marts.revenue_by_country.revenue",
        "--project-dir",
        str(EXAMPLE),
        "--direct-only",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    hops = [
        (h["ref"]["relation"], h["ref"]["column"], h["kind"])
        for h in json.loads(result.stdout)["hops"]
    ]
    assert hops == [
        ("marts.fct_orders", "paid_amount", "aggregation"),
        ("staging.stg_payments", "amount", "aggregation"),
        ("raw.payments", "amount_cents", "transformation"),
    ]


def test_trace_text_shows_indirect_inputs_of_the_rows() -> None:
    result = run("trace", "marts.revenue_by_country.revenue", "--project-dir", str(EXAMPLE))
    assert result.exit_code == 0
    assert "marts.fct_orders.payment_state" in result.stdout
    assert "filter" in result.stdout


def test_unknown_name_exits_2_with_suggestions() -> None:
    result = run("who-uses", "raw.user.emial", "--project-dir", str(EXAMPLE))
    assert result.exit_code == 2
    assert "raw.users.email" in result.stderr
    assert "Traceback" not in result.output


def test_ambiguous_short_name_lists_candidates(tmp_path: Path) -> None:
    write(
        tmp_path, "a.sql", "create table s1.users (email text); create table s2.users (email text);"
    )
    result = run("who-uses", "users.email", "--project-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "s1.users.email" in result.stderr and "s2.users.email" in result.stderr


def test_unique_suffix_and_relation_names_are_accepted() -> None:
    by_suffix = run("who-uses", "stg_users.email", "--project-dir", str(EXAMPLE))
    assert by_suffix.exit_code == 0
    relation = run("who-uses", "raw.payments", "--project-dir", str(EXAMPLE), "--format", "json")
    starts = {s["column"] for s in json.loads(relation.stdout)["start"]}
    assert starts == {"id", "order_id", "method", "amount_cents", "paid_at"}


def test_blind_spot_on_the_path_exits_3(tmp_path: Path) -> None:
    write(
        tmp_path,
        "1.sql",
        "create table raw.a (id int, email text);\n"
        "create view v1 as select * from raw.a join raw.b on a.id = b.id;",
    )
    # raw.b's columns flow into v1 through a * nobody can expand: who-uses cannot be sure
    result = run("who-uses", "raw.b.id", "--project-dir", str(tmp_path))
    assert result.exit_code == 3, result.output
    assert "blind spots" in result.stdout
    assert "1.sql:2" in result.stdout
    # raw.a's part of the * is known, so its answer is complete
    known = run("who-uses", "raw.a.email", "--project-dir", str(tmp_path))
    assert known.exit_code == 0, known.output
    assert "v1.email" in known.stdout


def test_a_failed_statement_makes_who_uses_incomplete(tmp_path: Path) -> None:
    write(tmp_path, "1.sql", "create table t (a int);\ncreate view v as select a from t;\n")
    write(tmp_path, "2.sql", "create view w as selec a frm t;\n")
    result = run("who-uses", "t.a", "--project-dir", str(tmp_path))
    assert result.exit_code == 3
    assert "2.sql:1" in result.stdout


def test_every_building_command_prints_the_coverage_line() -> None:
    for args in (
        ["graph"],
        ["who-uses", "raw.users.email"],
        ["trace", "marts.dim_users.email"],
        ["diagnostics"],
    ):
        result = run(*args, "--project-dir", str(EXAMPLE))
        assert "coverage: 19 of 19 statements parsed and analysed" in result.stderr, args


def test_graph_json_is_deterministic_and_versioned(tmp_path: Path) -> None:
    first = run("graph", "--project-dir", str(EXAMPLE)).stdout
    second = run("graph", "--project-dir", str(EXAMPLE), "-o", str(tmp_path / "g.json"))
    assert second.exit_code == 0
    assert (tmp_path / "g.json").read_text(encoding="utf-8") == first
    document = json.loads(first)
    assert document["schema_version"] == "1.2"
    assert document["coverage"]["statements"] == 19
    kinds = {e["kind"] for e in document["edges"]}
    assert {
        "identity",
        "transformation",
        "aggregation",
        "filter",
        "join",
        "group_by",
        "window",
        "conditional",
    } <= kinds


def test_graph_dot_draws_indirect_edges_dashed() -> None:
    dot = run("graph", "--project-dir", str(EXAMPLE), "--format", "dot").stdout
    assert dot.startswith("digraph lineage {")
    assert (
        '"raw.users.email" -> "staging.stg_users.email" [label="transformation", style=solid]'
        in dot
    )
    assert "style=dashed" in dot


def test_dialect_option_and_config(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.sql",
        "create table raw.t (Email text); create table m as select Email from raw.t;",
    )
    result = run(
        "who-uses", "raw.t.email", "--project-dir", str(tmp_path), "--dialect", "snowflake"
    )
    assert result.exit_code == 0, result.output
    assert "M.EMAIL" in result.stdout
    write(tmp_path, "lineage.yml", "dialect: snowflake\n")
    assert "M.EMAIL" in run("who-uses", "RAW.T.EMAIL", "--project-dir", str(tmp_path)).stdout


def test_unknown_dialect_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, "a.sql", "select 1;")
    result = run("graph", "--project-dir", str(tmp_path), "--dialect", "snowflak")
    assert result.exit_code == 2
    assert "unknown dialect 'snowflak'" in result.stderr and "snowflake" in result.stderr
    write(tmp_path, "lineage.yml", "dialect: oracel\n")
    result = run("graph", "--project-dir", str(tmp_path))
    assert result.exit_code == 2 and "lineage.yml" in result.stderr


def test_malformed_config_is_reported_with_its_line(tmp_path: Path) -> None:
    write(tmp_path, "lineage.yml", "dialect: postgres\nsql_paths: [unclosed\n")
    result = run("graph", "--project-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "lineage.yml:" in result.stderr and "Traceback" not in result.output


def test_sql_paths_limit_what_is_read(tmp_path: Path) -> None:
    write(tmp_path, "lineage.yml", "sql_paths: [models]\n")
    write(tmp_path, "models/a.sql", "create table a (x int);")
    write(tmp_path, "scratch/b.sql", "create table b (y int);")
    document = json.loads(run("graph", "--project-dir", str(tmp_path)).stdout)
    assert [r["name"] for r in document["relations"]] == ["a"]


def test_demo_runs_on_the_bundled_examples(tmp_path: Path) -> None:
    page, explorer = tmp_path / "demo.html", tmp_path / "explorer.html"
    result = run("demo", "--html", str(page), "--explorer", str(explorer))
    assert result.exit_code == 0, result.output
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert 'id="explorer-data"' in explorer.read_text(encoding="utf-8")
    assert explorer.resolve().as_uri() in result.stdout
    assert "The example's pull request" in result.stdout
    assert "app:shop.users.email is read by" in result.stdout
    assert "source.shop.app.users.email" in result.stdout
    assert "model.shop.dim_customers.v2.email" in result.stdout
    assert "blind spots on these paths" in result.stdout  # the Python model, shown, exit 0
    sql = run("demo", "--example", "sql")
    assert sql.exit_code == 0, sql.output
    assert "raw.users.email is read by" in sql.stdout and "marts.dim_users.email" in sql.stdout


@pytest.mark.parametrize(
    "command", ["graph", "who-uses", "trace", "diagnostics", "demo", "explore"]
)
def test_help_works_for_every_command(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


def test_python_dash_m_entry_point() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "lineage", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "lineage" in done.stdout
