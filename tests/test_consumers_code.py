"""Application code scanner: SQL literals in code that read known warehouse relations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lineage.entities import ConsumerKind, DiagnosticCode, Location
from lineage.sources.consumers.code_scan import scan_code

KNOWN = {"analytics.marts.product_affinity", "analytics.marts.fct_orders"}


def known(name: str) -> bool:
    return name.lower() in KNOWN


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return path


def flat(sql: str) -> str:
    return " ".join(sql.split())


def found(root: Path) -> list[tuple[str, str, int, str]]:
    result = scan_code(root, known, "postgres")
    return [
        (c.id, c.name, c.location.line if c.location else 0, flat(c.sql[0][0]))
        for c in result.consumers
    ]


def problems(root: Path) -> list[tuple[str, DiagnosticCode]]:
    result = scan_code(root, known, "postgres")
    return [(str(d.location), d.code) for d in result.diagnostics]


PYTHON = '''
import logging
from textwrap import dedent
from sqlalchemy import text

log = logging.getLogger(__name__)


class Recommendations:
    def similar(self, conn, product_id):
        query = text(dedent("""
            SELECT other_product_id, score
            FROM analytics.marts.product_affinity
            WHERE product_id = :product_id
        """))
        log.info("select an option from the list")
        return conn.execute(query, {"product_id": product_id})

    def recent(self, conn, user_id):
        return conn.execute(f"SELECT * FROM analytics.marts.fct_orders WHERE user_id = {user_id}")


def cart(conn):
    # "SELECT * FROM analytics.marts.product_affinity" in a comment
    conn.execute("SELECT id, qty FROM cart_items WHERE user_id = %s")
    raise ValueError("With love, from the team: select a country")


def broken(conn):
    return conn.execute("SELECT score FROM analytics.marts.product_affinity WHERE")

MESSAGE = ("Please select a country "
           "from the list")
'''


def test_python(tmp_path: Path) -> None:
    write(tmp_path, "app/recs.py", PYTHON)
    assert found(tmp_path) == [
        (
            "code.app/recs.py:10",
            "Recommendations.similar",
            10,
            "SELECT other_product_id, score FROM analytics.marts.product_affinity "
            "WHERE product_id = :product_id",
        ),
        (
            "code.app/recs.py:19",
            "Recommendations.recent",
            19,
            "SELECT * FROM analytics.marts.fct_orders WHERE user_id = :lineage_param",
        ),
    ]
    result = scan_code(tmp_path, known, "postgres")
    assert result.consumers[0].kind is ConsumerKind.FEATURE
    assert result.consumers[0].origin == "code"
    assert result.consumers[0].sql[0][1] == Location("app/recs.py", 10)
    assert problems(tmp_path) == [("app/recs.py:29", DiagnosticCode.PARSE_ERROR)]
    assert "analytics.marts.product_affinity" in result.diagnostics[0].message


TYPESCRIPT = """
import { sql } from "./db";

// const q = "SELECT * FROM analytics.marts.product_affinity";
/* "SELECT * FROM analytics.marts.product_affinity" */
export async function recommend(productId: string) {
  const rows = await sql`
    SELECT other_product_id
    FROM analytics.marts.product_affinity
    WHERE product_id = ${productId} AND label = ${`x${"}"}`}
  `;
  console.log("select a product from the list", `with ${rows.length} rows`);
  await db.query('SELECT * FROM sessions WHERE id = $1');
  const q = "SELECT user_id " +
    "FROM analytics.marts.fct_orders";
  return db.query("WITH x AS (SELECT * FROM analytics.marts.product_affinity WHERE) SELECT 1");
}
"""


def test_typescript(tmp_path: Path) -> None:
    write(tmp_path, "web/src/recommend.ts", TYPESCRIPT)
    assert found(tmp_path) == [
        (
            "code.web/src/recommend.ts:6",
            "web/src/recommend.ts:6",
            6,
            "SELECT other_product_id FROM analytics.marts.product_affinity "
            "WHERE product_id = :lineage_param AND label = :lineage_param",
        ),
        (
            "code.web/src/recommend.ts:13",
            "web/src/recommend.ts:13",
            13,
            "SELECT user_id FROM analytics.marts.fct_orders",
        ),
    ]
    assert problems(tmp_path) == [("web/src/recommend.ts:15", DiagnosticCode.PARSE_ERROR)]


GO = """
package recs

// query := "SELECT * FROM analytics.marts.product_affinity"
const affinity = `
SELECT other_product_id, score
FROM analytics.marts.product_affinity
WHERE product_id = $1`

func Recent(db *sql.DB) {
	log.Printf("select from %s with care", "x")
	db.Query("SELECT id FROM users WHERE email = $1")
	db.Query("SELECT score FROM analytics.marts.product_affinity ORDER BY")
	r := '"'
	db.Query("SELECT * FROM analytics.marts.fct_orders")
}
"""


def test_go(tmp_path: Path) -> None:
    write(tmp_path, "svc/recs.go", GO)
    assert found(tmp_path) == [
        (
            "code.svc/recs.go:4",
            "svc/recs.go:4",
            4,
            "SELECT other_product_id, score FROM analytics.marts.product_affinity "
            "WHERE product_id = $1",
        ),
        ("code.svc/recs.go:14", "svc/recs.go:14", 14, "SELECT * FROM analytics.marts.fct_orders"),
    ]
    assert problems(tmp_path) == [("svc/recs.go:12", DiagnosticCode.PARSE_ERROR)]


JAVA = '''
package shop;

/** Reads "SELECT * FROM analytics.marts.product_affinity" in a comment. */
public class Recommender {
    private static final String AFFINITY = """
        SELECT other_product_id
        FROM analytics.marts.product_affinity
        WHERE product_id = ?
        """;

    void run() {
        logger.warn("Please select a valid option from the menu");
        jdbc.query("SELECT name FROM customers WHERE id = ?");
        jdbc.query("SELECT user_id, total " +
                   "FROM analytics.marts.fct_orders " + "WHERE total > 0");
        jdbc.query("SELECT FROM analytics.marts.product_affinity WHERE WHERE");
        char c = '"';
    }
}
'''


def test_java(tmp_path: Path) -> None:
    write(tmp_path, "src/main/java/shop/Recommender.java", JAVA)
    name = "src/main/java/shop/Recommender.java"
    assert found(tmp_path) == [
        (
            f"code.{name}:5",
            f"{name}:5",
            5,
            "SELECT other_product_id FROM analytics.marts.product_affinity WHERE product_id = ?",
        ),
        (
            f"code.{name}:14",
            f"{name}:14",
            14,
            "SELECT user_id, total FROM analytics.marts.fct_orders WHERE total > 0",
        ),
    ]
    assert problems(tmp_path) == [(f"{name}:16", DiagnosticCode.PARSE_ERROR)]


RUBY = """
# sql = "SELECT * FROM analytics.marts.product_affinity"
=begin
"SELECT * FROM analytics.marts.fct_orders"
=end
class Recommender
  def similar(product_id)
    connection.select_all(<<~SQL, 'recs')
      SELECT other_product_id
      FROM analytics.marts.product_affinity
      WHERE product_id = #{product_id}
    SQL
  end

  def other
    flash[:notice] = "Please select a plan with care"
    User.find_by_sql('SELECT * FROM users WHERE id = 1')
    q = %q(SELECT user_id FROM analytics.marts.fct_orders)
    x = 10 % (3)
    bad = "SELECT FROM analytics.marts.product_affinity WHERE"
  end
end
"""


def test_ruby(tmp_path: Path) -> None:
    write(tmp_path, "app/models/recommender.rb", RUBY)
    name = "app/models/recommender.rb"
    assert found(tmp_path) == [
        (
            f"code.{name}:7",
            f"{name}:7",
            7,
            "SELECT other_product_id FROM analytics.marts.product_affinity "
            "WHERE product_id = :lineage_param",
        ),
        (f"code.{name}:17", f"{name}:17", 17, "SELECT user_id FROM analytics.marts.fct_orders"),
    ]
    assert problems(tmp_path) == [(f"{name}:19", DiagnosticCode.PARSE_ERROR)]


QUERY = 'q = "SELECT * FROM analytics.marts.product_affinity"\n'


def test_skipped_places(tmp_path: Path) -> None:
    for name in (
        "tests/test_recs.py",
        "app/test_recs.py",
        "app/recs_test.go",
        "web/recs.spec.ts",
        "node_modules/lib/index.py",
        ".venv/lib/site.py",
        "build/out.py",
        "vendor/x.py",
        "app/notes.txt",
    ):
        write(tmp_path, name, QUERY)
    write(tmp_path, "app/recs.py", QUERY)
    assert [c[0] for c in found(tmp_path)] == ["code.app/recs.py:1"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlinks_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, "secret.py", QUERY)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "linked.py").symlink_to(outside / "secret.py")
    (root / "linked_dir").symlink_to(outside, target_is_directory=True)
    assert found(root) == []


def test_huge_file_skipped_with_diagnostic(tmp_path: Path) -> None:
    write(tmp_path, "app/big.py", QUERY + "# " + "x" * 2000 + "\n")
    result = scan_code(tmp_path, known, "postgres", max_file_bytes=1000)
    assert result.consumers == ()
    assert [(str(d.location), d.code) for d in result.diagnostics] == [
        ("app/big.py:1", DiagnosticCode.FILE_TOO_LARGE)
    ]


def test_invalid_python_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "app/bad.py", "def f(:\n    pass\n")
    assert problems(tmp_path) == [("app/bad.py:1", DiagnosticCode.PARSE_ERROR)]


def test_deterministic_order(tmp_path: Path) -> None:
    write(tmp_path, "b/z.py", QUERY)
    write(tmp_path, "a/y.go", "var q = `SELECT * FROM analytics.marts.fct_orders`\n")
    write(tmp_path, "a/x.py", "# x\n" + QUERY + QUERY)
    first = scan_code(tmp_path, known, "postgres")
    assert [c.id for c in first.consumers] == [
        "code.a/x.py:2",
        "code.a/x.py:3",
        "code.a/y.go:1",
        "code.b/z.py:1",
    ]
    assert scan_code(tmp_path, known, "postgres") == first


def test_cte_names_and_unknown_tables(tmp_path: Path) -> None:
    write(
        tmp_path,
        "app/q.py",
        'A = "WITH product_affinity AS (SELECT 1 AS x) SELECT * FROM product_affinity"\n'
        'B = "WITH a AS (SELECT * FROM analytics.marts.product_affinity) SELECT * FROM a"\n'
        'C = "select an option"\n',
    )
    assert [c[0] for c in found(tmp_path)] == ["code.app/q.py:2"]
    assert problems(tmp_path) == []


def test_sql_files_of_the_application_are_scanned(tmp_path: Path) -> None:
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "reco.sql").write_text(
        "-- the recommendation query\n"
        "select related_product_id from analytics.marts.product_affinity where product_id = 1;\n"
        "select * from orders;\n",
        encoding="utf-8",
    )
    found = scan_code(tmp_path, lambda name: name == "analytics.marts.product_affinity", "postgres")
    assert [(c.id, c.location.line if c.location else 0) for c in found.consumers] == [
        ("code.queries/reco.sql:2", 2)
    ]
