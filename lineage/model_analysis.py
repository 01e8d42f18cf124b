"""One dbt model's SQL analysed as a pure function, and its result replayed into a build.

`analyse_model` reads a model's rendered SQL knowing only the columns of the relations it
reads (`ModelJob.schemas`): split, parse, qualify, column walk. It touches no shared state, so
it runs in a worker process or in-process alike, and its result (`ModelAnalysis`: plain values,
no syntax trees) can be cached. `apply_model` replays into the build's `Recorder` exactly the
calls the in-process analysis of a model makes, in the same order.

`encode_analysis` / `decode_analysis` turn a `ModelAnalysis` into compact JSON and back. The
decoder is strict and executes nothing: a cache file may come from anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlglot import exp
from sqlglot.errors import SqlglotError

from lineage.build import parse_statement
from lineage.entities import DiagnosticCode, EdgeKind, RelationKind
from lineage.sql.columns import query_lineage
from lineage.sql.prepare import prepare
from lineage.sql.reads import OutputColumn, Problem, QueryLineage, Read
from lineage.sql.recorder import Recorder
from lineage.sql.split import split_statements
from lineage.sql.statements import _RowTarget, _write

#: Failure kinds of `ModelAnalysis.failure` (the split one carries its reason after the colon).
SPLIT_FAILURE = "split: "
NOT_A_SELECT = "not-a-select"
ERROR_FAILURE = "error: "

#: Version of the JSON encoding; a value of another version does not decode.
ENCODING_VERSION = 1

#: Exceptions an analysis may raise on SQL the engine cannot handle (as `lineage.build` does).
ANALYSIS_ERRORS = (
    SqlglotError,
    RecursionError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
)

Schemas = tuple[tuple[str, tuple[str, ...] | None], ...]
ParseProblem = tuple[int, str, str]


@dataclass(frozen=True)
class ModelJob:
    """What analysing one model needs: its rendered SQL, the dialect, and the columns
    (`catalog.columns_of`) of the relations it reads, by engine name, sorted by name."""

    sql: str
    dialect: str
    schemas: Schemas

    def provided(self) -> dict[str, tuple[str, ...] | None]:
        """The schemas by engine name."""
        return dict(self.schemas)


@dataclass(frozen=True)
class ModelAnalysis:
    """What analysing one model found, as plain values.

    `failure`: None, `split: <reason>`, `not-a-select` or `error: <exception>`. `problems`:
    (line, DiagnosticCode value, message) from parsing. `asked`: the relations whose columns
    the analysis asked for, in call order (duplicates kept). `prepare_error`: qualifying
    failed. `lineage`: the column lineage, when it could be computed.
    """

    failure: str | None
    line: int
    problems: tuple[ParseProblem, ...]
    asked: tuple[str, ...]
    prepare_error: str | None
    lineage: QueryLineage | None


def analyse_model(job: ModelJob) -> ModelAnalysis:
    """Analyse a model's rendered SQL as the definition of a relation. Never raises for SQL
    the engine cannot handle: that becomes an `error:` failure."""
    asked: list[str] = []
    try:
        return _analyse(job, asked)
    except ANALYSIS_ERRORS as error:
        return ModelAnalysis(failure_text(error), 1, (), tuple(asked), None, None)


def failure_text(error: BaseException) -> str:
    """The `error:` failure for an exception: its type and the first line of its message."""
    lines = str(error).strip().splitlines()
    detail = lines[0][:300] if lines else "no detail"
    return f"{ERROR_FAILURE}{type(error).__name__}: {detail}"


def _analyse(job: ModelJob, asked: list[str]) -> ModelAnalysis:
    split = split_statements(job.sql, job.dialect)
    statements = [s for s in split.statements if s.sql.strip()]
    if split.error or len(statements) != 1:
        reason = split.error or f"its compiled SQL holds {len(statements)} statements, not one"
        return ModelAnalysis(SPLIT_FAILURE + reason, 1, (), (), None, None)
    scratch = Recorder(job.dialect)  # collects the parser's diagnostics only
    tree = parse_statement(scratch, statements[0], job.sql)
    problems = [(d.location.line, d.code.value, d.message) for d in scratch.diagnostics]
    if not isinstance(tree, exp.Query):
        if tree is not None:
            problems.append(
                (1, DiagnosticCode.PARSE_ERROR.value, "a model must compile to a SELECT")
            )
        return ModelAnalysis(NOT_A_SELECT, 1, tuple(problems), (), None, None)
    line = statements[0].line
    prepared = prepare(tree, job.dialect, _columns_of(job, asked))
    if prepared.error:
        return ModelAnalysis(None, line, tuple(problems), tuple(asked), prepared.error, None)
    lineage = query_lineage(prepared.query, prepared.tables.get, job.dialect, line)
    return ModelAnalysis(None, line, tuple(problems), tuple(asked), None, lineage)


def _columns_of(job: ModelJob, asked: list[str]) -> Callable[[str], list[str] | None]:
    provided = job.provided()

    def columns_of(name: str) -> list[str] | None:
        asked.append(name)
        found = provided.get(name)
        return list(found) if found is not None else None

    return columns_of


def apply_model(recorder: Recorder, name: str, kind: RelationKind, analysis: ModelAnalysis) -> bool:
    """Record `analysis` as the definition of relation `name`: the same recorder calls, in the
    same order, as analysing the SQL against the recorder itself. True if it was analysed."""
    for line, code, message in analysis.problems:
        recorder.diagnose(line, DiagnosticCode(code), message)
    failure = analysis.failure
    if failure is not None:
        blind = "its compiled SQL could not be parsed"
        if failure.startswith(SPLIT_FAILURE):
            reason = failure[len(SPLIT_FAILURE) :]
            recorder.diagnose(1, DiagnosticCode.PARSE_ERROR, f"cannot read the model: {reason}")
        elif failure.startswith(ERROR_FAILURE):
            detail = failure[len(ERROR_FAILURE) :]
            message = f"model could not be analysed ({detail})"
            recorder.diagnose(analysis.line, DiagnosticCode.ANALYSIS_ERROR, message)
            blind = "its compiled SQL could not be analysed"
        relation = recorder.define(name, kind, 1, [], columns_known=False)
        recorder.blind_spot((relation.id, None), blind, 1)
        return False
    line = analysis.line
    for read in analysis.asked:
        recorder.relation_for_read(read, line)
    lineage = analysis.lineage
    if analysis.prepare_error is not None or lineage is None:
        recorder.diagnose(line, DiagnosticCode.ANALYSIS_ERROR, analysis.prepare_error or "")
        relation = recorder.define(name, kind, line, [], columns_known=False)
        recorder.blind_spot((relation.id, None), "its defining query could not be analysed", line)
        return False
    for problem in lineage.problems:
        recorder.diagnose(problem.line, problem.code, problem.message)
    names = [o.name for o in lineage.outputs]
    columns = [(o.name, None, recorder.location(o.line or line)) for o in lineage.outputs]
    relation = recorder.define(name, kind, line, columns, lineage.columns_known)
    _write(recorder, lineage, relation, names, line, _RowTarget.RELATION)
    return True


# -- JSON encoding ---------------------------------------------------------------------------


def encode_analysis(analysis: ModelAnalysis) -> bytes:
    """Compact JSON (UTF-8) of `analysis`; `decode_analysis` reads it back."""
    lineage = analysis.lineage
    value = [
        ENCODING_VERSION,
        analysis.failure,
        analysis.line,
        [list(p) for p in analysis.problems],
        list(analysis.asked),
        analysis.prepare_error,
        None if lineage is None else _encode_lineage(lineage),
    ]
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _encode_lineage(lineage: QueryLineage) -> list[Any]:
    return [
        [
            [o.name, [_encode_read(r) for r in o.reads], list(o.blind), o.line,
             list(o.blind_upstream)]
            for o in lineage.outputs
        ],
        [_encode_read(r) for r in lineage.rows],
        [[p.code.value, p.message, p.line] for p in lineage.problems],
        lineage.columns_known,
        list(lineage.star_upstream),
    ]  # fmt: skip


def _encode_read(read: Read) -> list[Any]:
    return [read.relation, read.column, read.kind.value, read.expression, read.line,
            list(read.inner)]  # fmt: skip


class AnalysisDecodeError(ValueError):
    """A stored value that is not a valid encoded `ModelAnalysis`."""


def decode_analysis(data: bytes) -> ModelAnalysis:
    """The `ModelAnalysis` encoded in `data`; AnalysisDecodeError for anything else."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise AnalysisDecodeError(f"not JSON: {error}") from None
    version, failure, line, problems, asked, prepare_error, lineage = _items(value, 7)
    if version != ENCODING_VERSION or isinstance(version, bool):
        raise AnalysisDecodeError(f"encoding version {version!r}, expected {ENCODING_VERSION}")
    return ModelAnalysis(
        _optional_text(failure),
        _number(line),
        tuple(_parse_problem(p) for p in _list(problems)),
        _texts(asked),
        _optional_text(prepare_error),
        None if lineage is None else _decode_lineage(lineage),
    )


def _parse_problem(value: Any) -> ParseProblem:
    line, code, message = _items(value, 3)
    return _number(line), _code(code).value, _text(message)


def _decode_lineage(value: Any) -> QueryLineage:
    outputs, rows, problems, columns_known, star_upstream = _items(value, 5)
    return QueryLineage(
        tuple(_decode_output(o) for o in _list(outputs)),
        tuple(_decode_read(r) for r in _list(rows)),
        tuple(_decode_problem(p) for p in _list(problems)),
        _flag(columns_known),
        _texts(star_upstream),
    )


_EDGE_KINDS = {kind.value: kind for kind in EdgeKind}


def _decode_output(value: Any) -> OutputColumn:
    name, reads, blind, line, blind_upstream = _items(value, 5)
    return OutputColumn(
        _text(name),
        tuple([_decode_read(r) for r in _list(reads)]),
        _texts(blind),
        _number(line),
        _texts(blind_upstream),
    )


def _decode_read(value: Any) -> Read:
    if type(value) is list and len(value) == 6:  # the common, valid case, checked at once
        relation, column, kind, expression, line, inner = value
        if (
            type(relation) is str
            and type(column) is str
            and type(kind) is str
            and type(expression) is str
            and type(line) is int
            and type(inner) is list
            and all(type(item) is str for item in inner)
            and kind in _EDGE_KINDS
        ):
            return Read(relation, column, _EDGE_KINDS[kind], expression, line, tuple(inner))
    relation, column, kind, expression, line, inner = _items(value, 6)
    try:
        edge_kind = EdgeKind(_text(kind))
    except ValueError:
        raise AnalysisDecodeError(f"unknown edge kind {kind!r}") from None
    return Read(
        _text(relation), _text(column), edge_kind, _text(expression), _number(line), _texts(inner)
    )


def _decode_problem(value: Any) -> Problem:
    code, message, line = _items(value, 3)
    return Problem(_code(code), _text(message), _number(line))


def _code(value: Any) -> DiagnosticCode:
    try:
        return DiagnosticCode(_text(value))
    except ValueError:
        raise AnalysisDecodeError(f"unknown diagnostic code {value!r}") from None


def _items(value: Any, count: int) -> list[Any]:
    items = _list(value)
    if len(items) != count:
        raise AnalysisDecodeError(f"expected {count} items, found {len(items)}")
    return items


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise AnalysisDecodeError(f"expected a list, found {type(value).__name__}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise AnalysisDecodeError(f"expected a string, found {type(value).__name__}")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _texts(value: Any) -> tuple[str, ...]:
    items = _list(value)
    if all(type(item) is str for item in items):
        return tuple(items)
    return tuple(_text(v) for v in items)


def _number(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnalysisDecodeError(f"expected an integer, found {type(value).__name__}")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise AnalysisDecodeError(f"expected true or false, found {type(value).__name__}")
    return value
