"""Templates from pull requests are untrusted: every escape attempt fails as a diagnostic."""

from __future__ import annotations

import time

import pytest
from test_render import make_node, make_renderer

from lineage.entities import DiagnosticCode

ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ self._TemplateReference__context }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ lipsum.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ config.__class__ }}",
    "{{ config.__class__.__init__.__globals__ }}",
    "{{ ref.__globals__ }}",
    "{{ ref.__self__ }}",
    "{{ ref.__func__.__globals__ }}",
    "{{ modules.re.__builtins__ }}",
    "{{ modules.re.__dict__ }}",
    "{{ modules._members }}",
    "{{ modules.datetime.datetime.mro() }}",
    "{{ modules.datetime.datetime.__subclasses__() }}",
    "{{ adapter._session }}",
    "{{ adapter.dispatch.__self__ }}",
    "{{ exceptions._session.node }}",
    "{{ api.Relation._session }}",
    "{{ this.__class__.__init__.__globals__ }}",
    "{{ dbt_utils._binder }}",
    "{{ dbt_utils.star.__call__.__globals__ }}",
    "{{ ref('orders').__dataclass_fields__ }}",
    "{{ (1).__class__.__base__.__subclasses__() }}",
    "{{ [].__class__.__base__ }}",
    "{{ dict.__class__ }}",
    "{{ range.__self__ }}",
    "{{ '{0.__class__}'.format('') }}",
    "{{ '{0.__class__.__mro__}'.format_map({'0': ''}) }}",
    "{{ ''|attr('__class__') }}",
    "{{ (''|attr('__class__')).__mro__ }}",
    "{% set x = ''['__class__'] %}{{ x.__mro__ }}",
    "{% import 'os' as os %}",
    "{% include '/etc/passwd' %}",
    "{% extends '/etc/passwd' %}",
    "{{ open('/etc/passwd').read() }}",
    "{{ __import__('os').system('id') }}",
    "{{ import('os') }}",
    "{{ os.environ }}",
    "{{ env_var.__globals__ }}",
    "{{ ref }}",
    "{{ config }}",
    "{{ adapter }}",
    "{{ modules.re }}",
    "{{ modules.re.compile('a') }}",
    "{{ dbt_utils }}",
    "{{ graph.nodes.__class__ }}",
]

HOGS = [
    "{{ range(10**10) | list }}",
    "{{ 'a' * 10**10 }}",
    "{{ 'a' * 1000000 * 1000 }}",
    "{{ [1] * 10**9 }}",
    "{{ 2 ** 100000000 }}",
    "{% set n = 10 ** 10000 %}{{ n * n * n * n * n * n * n * n * n * n * n * n * n * n }}",
    "{{ '%0999999999d' % 1 }}",
    "{{ '{:>999999999}'.format(1) }}",
    "{{ 'a'.center(10**9) }}",
    "{{ 'a'.ljust(10**9) }}",
    "{{ 'a'|center(10**9) }}",
    "{{ ('a' * 1000000).replace('', 'bbbbbb') }}",
    "{{ ('x' * 1000000)|replace('x', 'yyyyyyyy') }}",
    "{{ range(100000)|join('x' * 100000) }}",
    "{{ ('x' * 1000000).join(range(100000)) }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "{% set ns = namespace(s='ab') %}{% for i in range(64) %}"
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "{% set ns = namespace(s='ab') %}{% for i in range(64) %}"
    "{% set ns.s = ns.s + ns.s %}{% endfor %}",
    "{% set a = [1] %}{% for i in range(64) %}{% do a.extend(a) %}{% endfor %}",
    "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "{% set a = [1] * 1000 %}{% set b = [a] * 1000 %}{% set c = [b] * 1000 %}{{ c }}",
    "{% set a = [1] * 1000 %}{% set b = [a] * 1000 %}{% set c = [b] * 1000 %}{{ c|string }}",
    "{% set a = ['x'] * 1000 %}{% set b = [a] * 1000 %}{{ tojson([b] * 1000) }}",
    "{{ modules.itertools.product(range(1000), repeat=10) | list }}",
    "{{ modules.itertools.count() | list }}",
    "{{ modules.itertools.repeat(1, 10**10) | list }}",
    "{{ modules.re.match('(a+)+$', 'a' * 40 ~ 'b') }}",
    "{% for i in modules.itertools.count() %}{% endfor %}",
    "{{ fromyaml('a: &a [x,x,x,x,x,x,x,x,x]\\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\\n"
    "c: [*b,*b,*b]') }}",
    "{% for i in range(100000) %}{{ 'x' * 100000 }}{% endfor %}",
    "{% set s %}{% for i in range(100000) %}{{ 'x' * 100000 }}{% endfor %}{% endset %}"
    "{{ s|length }}",
    "{{ range(100000)|batch(10**9, 'x')|list }}",
]

SECRETS = ("__class__", "__globals__", "<function", "<bound", "<module", "object at 0x",
           "os.environ", "root:", "Session", "Settings", "lineage.render")  # fmt: skip


def _check_safe(template: str, expect_failure: bool) -> None:
    renderer = make_renderer()
    node = make_node(template)
    for result in (renderer.parse(node), renderer.render(node, {})):
        sql = getattr(result, "sql", None)
        if sql is not None:
            assert not any(secret in sql for secret in SECRETS), sql
            assert len(sql) <= 2_000_000
        if expect_failure:
            assert sql is None
            assert result.diagnostics, template
            assert {d.code for d in result.diagnostics} <= {
                DiagnosticCode.ANALYSIS_ERROR, DiagnosticCode.PARSE_ERROR,
            }  # fmt: skip


@pytest.mark.parametrize("template", ESCAPES)
def test_escape_attempts_fail_safely(template: str) -> None:
    _check_safe(template, expect_failure=True)


@pytest.mark.parametrize("template", HOGS)
def test_resource_hogs_are_stopped(template: str) -> None:
    start = time.monotonic()
    _check_safe(template, expect_failure="fromyaml" not in template)
    assert time.monotonic() - start < 30


def test_nothing_sensitive_in_diagnostics_or_output() -> None:
    renderer = make_renderer(env={"HOME_SECRET": "hunter2"})
    node = make_node("{{ env_var('OTHER', 'x') }} {{ target }} {{ model.name }}")
    result = renderer.render(node, {})
    assert result.sql is not None and "hunter2" not in result.sql


def test_templates_cannot_mutate_shared_data() -> None:
    renderer = make_renderer(vars={"things": [1]})
    node = make_node(
        "{% set t = var('things') %}{% do t.append(2) %}"
        "{% do graph.nodes.update({'x': 1}) %}{{ var('things') }}"
    )
    result = renderer.render(node, {})
    assert result.sql is None  # graph is read-only
    ok = renderer.render(
        make_node("{% set t = var('things') %}{% do t.append(2) %}{{ var('things') }}"), {}
    )
    assert ok.sql == "[1]"


def test_a_failing_node_does_not_affect_the_next() -> None:
    renderer = make_renderer()
    assert renderer.render(make_node("{{ 'a' * 10**10 }}"), {}).sql is None
    assert (
        renderer.render(make_node("{% for i in range(10) %}{{ i }}{% endfor %}"), {}).sql
        == "0123456789"
    )
