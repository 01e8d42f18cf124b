"""Bad input never stops a run: each problem is a diagnostic with file:line and the rest of
the project is still analysed."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lineage.build import analyse_files, build_project
from lineage.cli import main
from lineage.entities import ColumnRef, DiagnosticCode, Project
from lineage.graph import LineageGraph
from lineage.sources.sql_scripts import SourceFile, decode

GOOD = (
    "create table raw.users (id int, email text);\ncreate view v as select email from raw.users;\n"
)


def _codes(project: Project) -> dict[str, set[DiagnosticCode]]:
    found: dict[str, set[DiagnosticCode]] = {}
    for diagnostic in project.diagnostics:
        found.setdefault(str(diagnostic.location), set()).add(diagnostic.code)
    return found


def _still_analysed(project: Project) -> None:
    edges = {(str(e.target), str(e.source)) for e in project.edges}
    assert ("v.email", "raw.users.email") in edges


def test_unparsable_statement_is_reported_at_its_line_and_the_file_goes_on() -> None:
    text = (
        GOOD
        + "\n\ncreate table broken as select from where;\n"
        + "create view w as select id from raw.users;\n"
    )
    project = analyse_files([SourceFile("a.sql", text)], "postgres")
    assert DiagnosticCode.PARSE_ERROR in _codes(project)["a.sql:5"]
    _still_analysed(project)
    assert ("w.id", "raw.users.id") in {(str(e.target), str(e.source)) for e in project.edges}
    assert project.coverage.statements == 4 and project.coverage.statements_analysed == 3


def test_parse_error_line_points_inside_a_multi_line_statement() -> None:
    text = "create view v as\nselect a,\n  b +\nfrom t;\n"
    project = analyse_files([SourceFile("m.sql", text)], "postgres")
    [diagnostic] = project.diagnostics
    assert diagnostic.code is DiagnosticCode.PARSE_ERROR
    assert diagnostic.location.line in {3, 4}


def test_unterminated_string_keeps_the_other_statements() -> None:
    text = GOOD + "select 'never closed;\n"
    project = analyse_files([SourceFile("s.sql", text)], "postgres")
    assert any(d.code is DiagnosticCode.PARSE_ERROR for d in project.diagnostics)
    _still_analysed(project)


def test_statement_sqlglot_reads_only_as_a_command() -> None:
    text = (
        GOOD
        + "create view w as selec a frm t;\n"
        + "create function f() returns int as $$ select 1 $$ language sql;\n"
    )
    project = analyse_files([SourceFile("c.sql", text)], "postgres")
    codes = _codes(project)
    assert DiagnosticCode.PARSE_ERROR in codes["c.sql:3"]
    assert codes.get("c.sql:4", {DiagnosticCode.UNSUPPORTED_STATEMENT}) <= {
        DiagnosticCode.UNSUPPORTED_STATEMENT
    }
    _still_analysed(project)


def test_empty_and_comment_only_files() -> None:
    project = analyse_files(
        [
            SourceFile("empty.sql", ""),
            SourceFile("blank.sql", "  \n\n"),
            SourceFile("comments.sql", "-- nothing here\n/* at all */\n"),
            SourceFile("good.sql", GOOD),
        ],
        "postgres",
    )
    codes = _codes(project)
    assert DiagnosticCode.EMPTY_FILE in codes["empty.sql:1"]
    assert DiagnosticCode.EMPTY_FILE in codes["blank.sql:1"]
    _still_analysed(project)


def test_non_utf8_bytes_are_reported_with_their_line(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_bytes(
        GOOD.encode() + b"-- caf\xe9\ncreate view w as select id from raw.users;\n"
    )
    project = build_project(tmp_path)
    [diagnostic] = [d for d in project.diagnostics if d.code is DiagnosticCode.UNREADABLE_FILE]
    assert str(diagnostic.location) == "a.sql:3"
    assert "0xe9" in diagnostic.message
    _still_analysed(project)


def test_decode_accepts_a_byte_order_mark() -> None:
    text, problem = decode("bom.sql", b"\xef\xbb\xbfselect 1")
    assert text == "select 1" and problem is None


def test_a_10_mb_file_is_reported_not_analysed(tmp_path: Path) -> None:
    (tmp_path / "1_good.sql").write_text(GOOD, encoding="utf-8")
    big = "insert into raw.users values " + ",".join(f"({i}, 'u{i}@x.io')" for i in range(500_000))
    (tmp_path / "2_dump.sql").write_text(big + ";\n", encoding="utf-8")
    assert (tmp_path / "2_dump.sql").stat().st_size > 10_000_000
    project = build_project(tmp_path)
    assert DiagnosticCode.FILE_TOO_LARGE in _codes(project)["2_dump.sql:1"]
    _still_analysed(project)


def test_a_huge_statement_under_the_file_limit_is_reported() -> None:
    big = "insert into raw.users values " + ",".join(f"({i}, 'u{i}@x.io')" for i in range(80_000))
    project = analyse_files([SourceFile("a.sql", GOOD), SourceFile("b.sql", big)], "postgres")
    assert DiagnosticCode.PARSE_ERROR in _codes(project)["b.sql:1"]
    _still_analysed(project)


def test_a_table_nobody_defined_is_reported_once_and_still_traced() -> None:
    text = (
        "create view v as select e.email from ext.contacts e;\n"
        "create view w as select e.id from ext.contacts e;\n"
    )
    project = analyse_files([SourceFile("a.sql", text)], "postgres")
    unknown = [d for d in project.diagnostics if d.code is DiagnosticCode.UNKNOWN_RELATION]
    assert [str(d.location) for d in unknown] == ["a.sql:1"]
    assert "ext.contacts" in unknown[0].message
    edges = {(str(e.target), str(e.source)) for e in project.edges}
    assert {("v.email", "ext.contacts.email"), ("w.id", "ext.contacts.id")} <= edges


def test_unknown_dialect_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["graph", "--project-dir", str(tmp_path), "--dialect", "postgress"]
    )
    assert result.exit_code == 2
    assert "unknown dialect 'postgress'" in result.stderr and "postgres" in result.stderr
    assert "Traceback" not in result.output


def test_one_bad_file_among_good_ones_via_the_cli(tmp_path: Path) -> None:
    (tmp_path / "1.sql").write_text(GOOD, encoding="utf-8")
    (tmp_path / "2.sql").write_bytes(b"\x00\xff\xfe garbage ;;; select (((")
    (tmp_path / "3.sql").write_text("create view w as select email from v;\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["who-uses", "raw.users.email", "--project-dir", str(tmp_path)]
    )
    assert "Traceback" not in result.output
    assert "w.email" in result.stdout
    assert result.exit_code == 3  # the unparsed file might read the column: said, not hidden
    assert "2.sql:1" in result.stdout


def test_deterministic_output_for_the_same_input(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text(
        GOOD + "create view z as select * from v, raw.users;\n", encoding="utf-8"
    )
    runs = [
        CliRunner().invoke(main, ["graph", "--project-dir", str(tmp_path)]).stdout for _ in range(2)
    ]
    assert runs[0] == runs[1] and runs[0]


def test_ambiguous_column_names_its_candidates() -> None:
    text = "create view v as select email from ext.a join ext.b on a.id = b.id;\n"
    project = analyse_files([SourceFile("a.sql", text)], "postgres")
    [ambiguous] = [d for d in project.diagnostics if d.code is DiagnosticCode.AMBIGUOUS_COLUMN]
    assert str(ambiguous.location) == "a.sql:1"
    assert "email" in ambiguous.message and "a" in ambiguous.message and "b" in ambiguous.message
    assert [str(b.target) for b in project.blind_spots] == ["v.email"]


def test_a_dbt_project_is_not_misread_silently(tmp_path: Path) -> None:
    (tmp_path / "dbt_project.yml").write_text("name: shop\n", encoding="utf-8")
    (tmp_path / "m.sql").write_text("select id from {{ ref('users') }}", encoding="utf-8")
    project = build_project(tmp_path)
    codes = _codes(project)
    assert DiagnosticCode.CONFIG_ERROR in codes["dbt_project.yml:1"]
    assert DiagnosticCode.PARSE_ERROR in codes["m.sql:1"]


def test_configured_paths_that_are_missing_or_outside_are_reported(tmp_path: Path) -> None:
    project_dir = tmp_path / "project"
    (project_dir / "models").mkdir(parents=True)
    (project_dir / "models" / "a.sql").write_text(GOOD, encoding="utf-8")
    (tmp_path / "secret.sql").write_text("create table leaked (x int);", encoding="utf-8")
    (project_dir / "lineage.yml").write_text(
        "sql_paths: [models, nowhere, ../secret.sql]\n", encoding="utf-8"
    )
    project = build_project(project_dir)
    messages = [d.message for d in project.diagnostics if d.code is DiagnosticCode.CONFIG_ERROR]
    assert any("'nowhere' does not exist" in m for m in messages)
    assert any("'../secret.sql' is outside the project" in m for m in messages)
    assert project.relation("leaked") is None
    _still_analysed(project)


def test_symlinked_sql_files_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.sql"
    outside.write_text("create table leaked (x int);", encoding="utf-8")
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    (project_dir / "a.sql").write_text(GOOD, encoding="utf-8")
    (project_dir / "link.sql").symlink_to(outside)
    project = build_project(project_dir)
    assert project.relation("leaked") is None
    _still_analysed(project)


def test_an_unwritable_output_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text(GOOD, encoding="utf-8")
    target = tmp_path / "missing-dir" / "out.json"
    result = CliRunner().invoke(main, ["graph", "--project-dir", str(tmp_path), "-o", str(target)])
    assert result.exit_code == 2
    assert "cannot write" in result.stderr and "internal error" not in result.output


def test_max_file_bytes_must_be_a_number(tmp_path: Path) -> None:
    (tmp_path / "lineage.yml").write_text("max_file_bytes: true\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["graph", "--project-dir", str(tmp_path)])
    assert result.exit_code == 2 and "max_file_bytes" in result.stderr


def test_opaque_commands_are_sorted_by_whether_they_can_move_data() -> None:
    text = GOOD + "call refresh_everything();\nvacuum raw.users;\n"
    project = analyse_files([SourceFile("c.sql", text)], "postgres")
    by_line = {d.location.line: d for d in project.diagnostics}
    assert by_line[3].code is DiagnosticCode.UNSUPPORTED_STATEMENT
    assert by_line[3].severity.name == "WARNING"  # CALL may move data: a blind spot
    assert by_line[4].severity.name == "INFO"  # VACUUM moves none: listed, not counted
    answer = LineageGraph(project).downstream([ColumnRef("raw.users", "email")])
    assert [d.location.line for d in answer.unanalysed] == [3]
