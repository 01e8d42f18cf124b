"""A pull request in the application repository: `lineage diff` sees, through the analytics
repository's published state file, which dbt models and consumers its migration breaks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from lineage import projects
from lineage.cli import main
from lineage.config import load_config
from lineage.report.graph_formats import graph_json

FIXTURES = Path(__file__).parent.parent / "fixtures"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ada",
    "GIT_AUTHOR_EMAIL": "ada@shop.example",
    "GIT_COMMITTER_NAME": "Ada",
    "GIT_COMMITTER_EMAIL": "ada@shop.example",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_SYSTEM": os.devnull,
}
APP_YML = """\
applications:
  - {name: shop, path: db/migrations, source: app, ingestion: fivetran}
downstream: lineage-state.json   # fetched from the analytics repository's CI, not committed
"""


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def test_an_application_pull_request_sees_the_dbt_models_it_breaks(tmp_path: Path) -> None:
    shop = FIXTURES / "shop"
    state = graph_json(projects.build(shop, load_config(shop)))
    app = tmp_path / "shop-app"
    shutil.copytree(FIXTURES / "shop_app" / "shop" / "db" / "migrations", app / "db" / "migrations")
    (app / "lineage.yml").write_text(APP_YML, encoding="utf-8")
    (app / ".gitignore").write_text("lineage-state.json\n", encoding="utf-8")
    git(app, "init", "-q", "-b", "main")
    git(app, "add", "-A")
    git(app, "commit", "-q", "-m", "schema")
    (app / "lineage-state.json").write_text(state, encoding="utf-8")  # CI fetched it
    (app / "db" / "migrations" / "V13__drop_users_email.sql").write_text(
        "ALTER TABLE users DROP COLUMN email;\n", encoding="utf-8"
    )
    cwd = Path.cwd()
    os.chdir(app)
    try:
        result = CliRunner().invoke(main, ["diff", "--base", "main", "--format", "json"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [(c["kind"], c["ref"]["column"]) for c in report["changes"]] == [
        ("column_removed", "email")
    ]
    assert report["changes"][0]["location"] == {
        "path": "db/migrations/V13__drop_users_email.sql",
        "line": 1,
    }
    breaks = {
        (a["ref"]["relation"], a["ref"]["column"]): a["location"]
        for a in report["affected"]
        if a["severity"] == "breaks" and a["direct"]
    }
    # the analytics repository's staging model and snapshot still select `email`
    assert breaks[("model.shop.stg_app__users", "email")] == {
        "path": "models/staging/app/stg_app__users.sql",
        "line": 13,
    }
    assert ("snapshot.shop.snap_app__users", "email") in breaks
    consumers = {c["id"] for c in report["consumers"] if c["severity"] == "breaks"}
    assert "exposure.shop.churn_dashboard" in consumers
