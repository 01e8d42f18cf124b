"""Every case in tests/cases/*.sql: the engine's edges must equal the expected set exactly."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from casefile import Case, read_cases

from lineage.build import analyse_files
from lineage.entities import ColumnRef, Project, Severity
from lineage.sources.sql_scripts import SourceFile

CASES = sorted(
    (case for path in (Path(__file__).parent / "cases").glob("*.sql") for case in read_cases(path)),
    key=lambda c: (c.path, c.line),
)


def _ref(ref: ColumnRef) -> str:
    return f"{ref.relation}.*" if ref.column is None else str(ref)


def _edges(project: Project) -> set[tuple[str, str, str]]:
    return {(_ref(e.target), _ref(e.source), e.kind.value) for e in project.edges}


def mismatch(case: Case) -> str | None:
    """What differs between the case's expectations and the engine's answer, or None."""
    project = analyse_files([SourceFile(f"{case.name}.sql", case.sql)], case.dialect)
    actual = _edges(project)
    problems = []
    if actual != case.edges:
        problems.append(
            f"missing: {sorted(case.edges - actual)}\nextra: {sorted(actual - case.edges)}"
        )
    codes = {d.code.value for d in project.diagnostics if d.severity >= Severity.WARNING}
    if codes != set(case.diagnostics):
        problems.append(f"diagnostics: expected {sorted(case.diagnostics)}, got {sorted(codes)}")
    blind = {_ref(b.target) for b in project.blind_spots}
    if blind != set(case.blind):
        problems.append(f"blind spots: expected {sorted(case.blind)}, got {sorted(blind)}")
    if not problems:
        return None
    details = "\n".join(str(d) for d in project.diagnostics)
    return f"{case.path}:{case.line}\n" + "\n".join(problems) + f"\n{details}"


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 150
    assert sum(1 for c in CASES if c.limitation) <= 5, "known limitations are the exception"
    assert len({(c.path, c.name) for c in CASES}) == len(CASES), "case names repeat in a file"


def _param(case: Case) -> object:
    marks = [pytest.mark.xfail(reason=case.limitation, strict=True)] if case.limitation else []
    return pytest.param(case, marks=marks, id=f"{Path(case.path).stem}:{case.name}")


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case: Case) -> None:
    problem = mismatch(case)
    assert problem is None, problem


def test_the_comparison_catches_a_wrong_kind_an_extra_edge_and_a_missing_diagnostic() -> None:
    case = Case(
        "probe",
        "probe.sql",
        1,
        "postgres",
        "create table a (x int, y int); create table b as select x, y + 1 as z from a;",
        frozenset({("b.x", "a.x", "identity"), ("b.z", "a.y", "transformation")}),
        frozenset(),
        frozenset(),
    )
    assert mismatch(case) is None
    assert mismatch(replace(case, edges=case.edges - {("b.x", "a.x", "identity")})) is not None
    wrong_kind = (case.edges - {("b.z", "a.y", "transformation")}) | {("b.z", "a.y", "identity")}
    assert mismatch(replace(case, edges=wrong_kind)) is not None
    assert mismatch(replace(case, diagnostics=frozenset({"unknown-relation"}))) is not None
    assert mismatch(replace(case, blind=frozenset({"b.*"}))) is not None
