"""CODEOWNERS: GitHub's matching rules, and owners for consumers that declare none."""

from __future__ import annotations

from pathlib import Path

from lineage import projects
from lineage.config import load_config
from lineage.owners import read_codeowners

RULES = """# comment
*                     @org/everyone
*.sql                 @org/sql-people
/models/              @org/analytics   # anchored directory
docs/                 docs@example.com
apps/**/api/          @org/api
/app/reco.py          @org/reco reco@example.com
"""


def _repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").write_text(RULES, encoding="utf-8")
    return tmp_path


def test_last_matching_rule_wins_with_gitignore_patterns(tmp_path: Path) -> None:
    owners = read_codeowners(_repo(tmp_path))
    assert owners is not None

    def who(path: str) -> str:
        return str(owners.owner_of(tmp_path / path))

    assert who("README.md") == "@org/everyone"
    assert who("scripts/load.sql") == "@org/sql-people"
    assert who("models/staging/users.sql") == "@org/analytics"  # later than *.sql
    assert who("sub/models/x.sql") == "@org/sql-people"  # /models/ is anchored
    assert who("guide/docs/a.md") == "docs@example.com"  # unanchored directory
    assert who("apps/shop/v1/api/h.py") == "@org/api"
    assert who("app/reco.py") == "@org/reco <reco@example.com>"


def test_no_codeowners_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    assert read_codeowners(tmp_path) is None


def test_consumers_without_owners_get_codeowners(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    project = repo / "dbt"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: shop\nversion: '1'\n", encoding="utf-8")
    (project / "models" / "m.sql").write_text("select 1 as id, 'a' as name", encoding="utf-8")
    (project / "lineage.yml").write_text("consumers:\n  code: [../app]\n", encoding="utf-8")
    (repo / "app").mkdir()
    (repo / "app" / "reco.py").write_text(
        'QUERY = "select id, name from analytics.dbt.m"\n', encoding="utf-8"
    )
    built = projects.build(project, load_config(project))
    [consumer] = built.consumers
    assert consumer.id == "code:../app/reco.py:1"
    assert str(consumer.owner) == "@org/reco <reco@example.com>"
