"""The explorer document's compact encodings round-trip exactly (lineage.explorer_encoding)."""

from __future__ import annotations

import pytest

from lineage.explorer_encoding import (
    PLACEHOLDER,
    expand_template,
    expression_template,
    resolve_names,
    shared_names,
)


@pytest.mark.parametrize(
    ("text", "inputs", "aliases"),
    [
        ("coalesce(orders.amount, 0) / 100.0", ["amount"], ["orders"]),
        ("o.id = u.id", ["id", "id"], ["o", "u"]),  # two inputs of one name: either position
        ("db.schema.tbl.col + x.col", ["col"], ["tbl", "x"]),  # the last two parts qualify
        ("orders.amount_usd * rates.rate", ["amount", "rate"], ["rates"]),  # no partial names
        ("'orders.amount' || orders.amount", ["amount"], ["orders", "orders"]),  # literal too
        ("a$b.c$d + 1", ["c$d"], ["a$b"]),
        ("amount", ["amount"], []),
    ],
)
def test_templates_restore_the_expression(text: str, inputs: list[str], aliases: list[str]) -> None:
    template, used = expression_template(text, inputs)
    assert used == aliases
    assert template.count(PLACEHOLDER) == len(aliases)
    assert expand_template(template, used, inputs) == text


def test_templates_of_the_same_shape_are_one_string() -> None:
    first, _ = expression_template("sum(orders.amount)", ["amount"])
    second, _ = expression_template("sum(payments.total)", ["total"])
    assert first == second


def test_a_text_holding_the_placeholder_is_kept_as_it_is() -> None:
    text = f"a.b {PLACEHOLDER}"
    assert expression_template(text, ["b"]) == (text, [])


def test_shared_names_follow_chains_and_keep_a_name_on_cycles() -> None:
    # columns 0..4; 1 copies 0, 2 copies 1 (same name 7); 3 and 4 copy each other (name 9)
    names = [7, 7, 7, 9, 9, 8]
    first_direct = [-1, 0, 1, 4, 3, 0]
    encoded = shared_names(names, first_direct)
    assert encoded[:3] == [7, 0, 0]
    assert sorted(encoded[3:5]) == [0, 9]  # one member of the cycle keeps its name
    assert encoded[5] == 8  # another name than its input's
    assert resolve_names(encoded, first_direct, rows=set()) == names
