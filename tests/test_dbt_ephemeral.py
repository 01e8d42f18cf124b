"""Folding ephemeral models: lineage passes through them to their readers."""

from __future__ import annotations

from lineage.build import analyse_files
from lineage.dbt_ephemeral import fold_ephemeral
from lineage.sources.sql_scripts import SourceFile

SQL = """
create table src (id int, amount int, status text, region text);
create view eph as select id, amount * 100 as cents, region from src where status = 'paid';
create view mart as select id, cents, sum(cents) over (partition by region) as regional from eph;
"""


def _edges(sql: str, ephemeral: set[str]) -> set[tuple[str, str, str]]:
    project = fold_ephemeral(analyse_files([SourceFile("m.sql", sql)], "postgres"), ephemeral)
    assert all(r.name not in ephemeral for r in project.relations)
    return {
        (f"{e.target.relation}.{e.target.column or '*'}", str(e.source), e.kind.value)
        for e in project.edges
    }


def test_paths_through_an_ephemeral_model_become_direct_edges() -> None:
    assert _edges(SQL, {"eph"}) == {
        ("mart.id", "src.id", "identity"),
        ("mart.cents", "src.amount", "transformation"),
        ("mart.regional", "src.amount", "aggregation"),
        ("mart.regional", "src.region", "window"),
        # the ephemeral model's WHERE decides the rows of the model reading it
        ("mart.*", "src.status", "filter"),
    }


def test_ephemeral_blind_spots_move_to_the_readers() -> None:
    sql = "create view eph as select * from unknown_table;\ncreate view mart as select x from eph;"
    project = fold_ephemeral(analyse_files([SourceFile("m.sql", sql)], "postgres"), {"eph"})
    targets = {str(b.target) for b in project.blind_spots}
    assert "mart" in targets
    assert not any(b.target.relation == "eph" for b in project.blind_spots)
