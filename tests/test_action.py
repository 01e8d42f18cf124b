"""action.yml: its shape, then its own `run:` scripts executed in bash, step by step, the way the
runner executes a composite action.

`${{ ... }}` expressions are substituted from the inputs (with the action's defaults) and a
GitHub context given by each test. The `uses:` step (actions/setup-python) is checked, not run.
A stub `lineage` on PATH stands in for `lineage diff` (it writes the report files and exits as a
test asks), a stub `python` records `pip install`; `lineage comment` is the real command,
posting to the fake GitHub API of test_github_comment.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_github_comment import PR, REPOSITORY, TOKEN, FakeGitHub

from lineage.examples import apply_pull_request, copy_example
from lineage.report.impact_markdown import COMMENT_MARKER

ROOT = Path(__file__).parent.parent
ACTION = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
BASE_SHA = "4f1c2a9e8b7d6c5f4e3a2b1c0d9e8f7a6b5c4d3e"
MARKDOWN = f"{COMMENT_MARKER}\n## lineage: `users.email` removed: Breaks 3 models\n"

LINEAGE_STUB = """#!{python}
import json, os, sys

args = sys.argv[1:]
if args[:1] == ["comment"]:
    os.execv({python!r}, [{python!r}, "-m", "lineage", *args])
with open(os.environ["STUB_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(args) + "\\n")
if os.environ.get("STUB_REAL_DIFF"):
    os.execv({python!r}, [{python!r}, "-m", "lineage", *args])
if os.environ.get("STUB_ERROR"):
    sys.exit("error: the base ref is not a commit of this repository")
texts = {{
    "md": os.environ["STUB_MARKDOWN"],
    "json": json.dumps({{"verdict": {{"worst": os.environ["STUB_WORST"] or None}}}}),
    "sarif": json.dumps({{"version": "2.1.0", "runs": []}}),
    "html": "<!DOCTYPE html><title>lineage</title>",
}}
outputs = [(args[args.index("--format") + 1], args[args.index("-o") + 1])]
outputs += [
    tuple(value.split("=", 1)) for flag, value in zip(args, args[1:]) if flag == "--write"
]
for fmt, output in outputs:
    with open(output, "w", encoding="utf-8") as file:
        file.write(texts[fmt])
fail_on = args[args.index("--fail-on") + 1] if "--fail-on" in args else "never"
sys.exit(4 if fail_on != "never" and os.environ.get("STUB_REACHES") else 0)
"""

PYTHON_STUB = """#!{python}
import json, os, sys

if sys.argv[1:3] == ["-m", "pip"]:
    with open(os.environ["PIP_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(sys.argv[3:]) + "\\n")
    sys.exit(0)
os.execv({python!r}, [{python!r}, *sys.argv[1:]])
"""


def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return loaded


def pull_request_event(head_repository: str = REPOSITORY) -> dict[str, Any]:
    return {
        "action": "synchronize",
        "pull_request": {
            "number": PR,
            "base": {"sha": BASE_SHA, "ref": "main"},
            "head": {"sha": "9" * 40, "repo": {"full_name": head_repository}},
        },
    }


PUSH_EVENT: dict[str, Any] = {"ref": "refs/heads/main", "after": "9" * 40}


@dataclass
class ActionRun:
    exit_code: int
    failed_step: str | None
    outputs: dict[str, str]
    log: str
    diff_calls: list[list[str]]
    pip_calls: list[list[str]]
    summary: str


@dataclass
class Runner:
    """Runs action.yml's steps in `workspace` against `fake`."""

    tmp: Path
    fake: FakeGitHub
    stub: dict[str, str] = field(default_factory=dict)

    def run(
        self,
        inputs: Mapping[str, str] | None = None,
        event_name: str = "pull_request",
        event: Mapping[str, Any] | None = None,
    ) -> ActionRun:
        self.tmp.mkdir(parents=True, exist_ok=True)
        workspace = self.tmp / "workspace"
        workspace.mkdir(exist_ok=True)
        event = pull_request_event() if event is None else event
        (self.tmp / "event.json").write_text(json.dumps(event), encoding="utf-8")
        for log in ("diff.log", "pip.log", "summary.md"):
            (self.tmp / log).write_text("", encoding="utf-8")
        github = {"event_name": event_name, "event": event, "token": TOKEN}
        context = Context(action(), dict(inputs or {}), github)
        return self.execute(context, workspace)

    def execute(self, context: Context, workspace: Path) -> ActionRun:
        log, failed, code = "", None, 0
        for number, step in enumerate(context.action["runs"]["steps"]):
            if "uses" in step:
                continue
            env = self.environment() | {k: context.substitute(v) for k, v in step["env"].items()}
            outputs = self.tmp / f"output-{number}"
            outputs.write_text("", encoding="utf-8")
            script = self.tmp / f"step-{number}.sh"
            script.write_text(step["run"], encoding="utf-8")
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=workspace,
                env={**env, "GITHUB_OUTPUT": str(outputs)},
                capture_output=True,
                text=True,
                timeout=120,
            )
            log += done.stdout + done.stderr
            context.steps[step.get("id", "")] = parse_outputs(outputs.read_text("utf-8"))
            if done.returncode != 0:
                failed, code = step["name"], done.returncode
                break
        return ActionRun(
            exit_code=code,
            failed_step=failed,
            outputs={k: context.substitute(v["value"]) for k, v in context.outputs().items()},
            log=log,
            diff_calls=self.calls("diff.log"),
            pip_calls=self.calls("pip.log"),
            summary=(self.tmp / "summary.md").read_text("utf-8"),
        )

    def environment(self) -> dict[str, str]:
        stubs = self.tmp / "bin"
        stubs.mkdir(exist_ok=True)
        for name, text in (("lineage", LINEAGE_STUB), ("python", PYTHON_STUB)):
            (stubs / name).write_text(text.format(python=sys.executable), encoding="utf-8")
            (stubs / name).chmod(0o755)
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("GITHUB_", "RUNNER_", "INPUT_", "LINEAGE_", "STUB_"))
        }
        return (
            inherited
            | {
                "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}",
                "NO_PROXY": "*",
                "no_proxy": "*",
                "GITHUB_ACTIONS": "true",
                "GITHUB_REPOSITORY": REPOSITORY,
                "GITHUB_API_URL": self.fake.url,
                "GITHUB_EVENT_PATH": str(self.tmp / "event.json"),
                "GITHUB_ACTION_PATH": str(ROOT),
                "GITHUB_STEP_SUMMARY": str(self.tmp / "summary.md"),
                "STUB_LOG": str(self.tmp / "diff.log"),
                "PIP_LOG": str(self.tmp / "pip.log"),
                "STUB_MARKDOWN": MARKDOWN,
                "STUB_WORST": "breaks",
            }
            | self.stub
        )

    def calls(self, name: str) -> list[list[str]]:
        lines = (self.tmp / name).read_text("utf-8").splitlines()
        return [json.loads(line) for line in lines]


@dataclass
class Context:
    """What `${{ ... }}` can name: inputs (defaults included), github, steps.ID.outputs."""

    action: dict[str, Any]
    inputs: dict[str, str]
    github: dict[str, Any]
    steps: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.inputs) - set(self.action["inputs"])
        assert not unknown, f"not inputs of action.yml: {unknown}"

    def outputs(self) -> dict[str, Any]:
        outputs: dict[str, Any] = self.action["outputs"]
        return outputs

    def substitute(self, value: Any) -> str:
        return EXPRESSION.sub(lambda m: self.evaluate(m.group(1)), str(value))

    def evaluate(self, expression: str) -> str:
        assert re.fullmatch(r"[a-z_]+(\.[a-z_-]+)+", expression), f"not a plain name: {expression}"
        scope, *path = expression.split(".")
        if scope == "inputs":
            [name] = path
            given = self.inputs.get(name)
            return (
                given
                if given is not None
                else self.substitute(self.action["inputs"][name]["default"])
            )
        if scope == "steps":
            step, outputs, name = path
            assert outputs == "outputs"
            return self.steps.get(step, {}).get(name, "")
        assert scope == "github" and path[0] in self.github, expression
        node: Any = self.github
        for part in path:  # like GitHub: a missing property is an empty string
            node = node.get(part, "") if isinstance(node, dict) else ""
        return "" if node is None else str(node)


def parse_outputs(text: str) -> dict[str, str]:
    assert "<<" not in text, "multi-line outputs are not parsed by this test"
    return dict(line.split("=", 1) for line in text.splitlines() if line)


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        yield server


@pytest.fixture
def runner(tmp_path: Path, fake: FakeGitHub) -> Runner:
    return Runner(tmp_path, fake)


def formats(run: ActionRun) -> list[str]:
    """The formats each `lineage diff` call writes: --format, then each --write."""
    found = []
    for call in run.diff_calls:
        found.append(call[call.index("--format") + 1])
        found += [v.split("=")[0] for f, v in pairwise(call) if f == "--write"]
    return found


# -- the file ----------------------------------------------------------------------------------


def test_action_is_composite_with_documented_inputs_and_outputs() -> None:
    loaded = action()
    assert loaded["runs"]["using"] == "composite"
    assert set(loaded["inputs"]) == {
        "base", "head", "project-dir", "fail-on", "comment", "python-version", "lineage-spec",
        "github-token", "extra-args",
    }  # fmt: skip
    for name, spec in [*loaded["inputs"].items(), *loaded["outputs"].items()]:
        assert len(spec.get("description", "")) > 20, f"{name} is not described"
    assert set(loaded["outputs"]) == {
        "worst", "report-markdown", "report-json", "report-sarif", "report-html",
    }  # fmt: skip
    assert loaded["inputs"]["base"]["default"] == "${{ github.event.pull_request.base.sha }}"
    assert loaded["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert loaded["inputs"]["fail-on"]["default"] == "never"


def test_python_is_set_up_first_by_setup_python() -> None:
    first, *rest = action()["runs"]["steps"]
    assert first["uses"].startswith("actions/setup-python@")
    assert first["with"] == {"python-version": "${{ inputs.python-version }}"}
    assert all("uses" not in step for step in rest)


def test_scripts_take_inputs_from_the_environment_only() -> None:
    """A `${{ }}` pasted into a script would let a branch name or input inject shell code."""
    for step in action()["runs"]["steps"][1:]:
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], step["name"]


# -- running it --------------------------------------------------------------------------------


def test_a_pull_request_gets_the_comment_and_the_job_passes(
    runner: Runner, fake: FakeGitHub
) -> None:
    run = runner.run()
    assert (run.exit_code, run.failed_step) == (0, None), run.log
    assert formats(run) == ["md", "json", "sarif", "html"]
    common = ["diff", "--base", BASE_SHA, "--project-dir", "."]
    # one analysis writes the three reports: the project is built once per side, not thrice
    assert run.diff_calls == [
        [*common, "--format", "md", "-o", "lineage-impact.md",
         "--write", "json=lineage-impact.json", "--write", "sarif=lineage-impact.sarif",
         "--write", "html=lineage-impact.html",
         "--fail-on", "never"]
    ]  # fmt: skip
    assert [c["body"] for c in fake.comments] == [MARKDOWN]
    assert [w.path for w in fake.writes()] == [f"/repos/{REPOSITORY}/issues/{PR}/comments"]
    assert run.outputs["worst"] == "breaks"
    workspace = runner.tmp / "workspace"
    assert run.outputs["report-markdown"] == str(workspace / "lineage-impact.md")
    assert json.loads(Path(run.outputs["report-sarif"]).read_text())["version"] == "2.1.0"
    assert Path(run.outputs["report-json"]).is_file()
    assert run.pip_calls == [["install", "--disable-pip-version-check", "--quiet", str(ROOT)]]
    assert run.summary == MARKDOWN
    assert TOKEN not in run.log


def test_fail_on_fails_the_job_after_the_comment_is_posted(
    runner: Runner, fake: FakeGitHub
) -> None:
    runner.stub["STUB_REACHES"] = "1"
    run = runner.run({"fail-on": "breaks"})
    assert run.exit_code == 4
    assert run.failed_step == "Apply fail-on"
    assert "::error title=lineage::the impact reaches fail-on: breaks (worst: breaks)" in run.log
    assert [c["body"] for c in fake.comments] == [MARKDOWN]
    assert formats(run) == ["md", "json", "sarif", "html"]
    assert run.diff_calls[0][-2:] == ["--fail-on", "breaks"]
    assert len(run.diff_calls) == 1


def test_fail_on_not_reached_passes(runner: Runner, fake: FakeGitHub) -> None:
    runner.stub["STUB_WORST"] = "values"
    run = runner.run({"fail-on": "breaks"})
    assert run.exit_code == 0, run.log
    assert run.outputs["worst"] == "values"
    assert len(fake.comments) == 1


def test_a_second_run_updates_the_same_comment(runner: Runner, fake: FakeGitHub) -> None:
    assert runner.run().exit_code == 0
    runner.stub["STUB_MARKDOWN"] = MARKDOWN + "\nnow also `orders.status` renamed\n"
    assert runner.run().exit_code == 0
    assert [c["body"] for c in fake.comments] == [MARKDOWN + "\nnow also `orders.status` renamed\n"]
    assert [w.method for w in fake.writes()] == ["POST", "PATCH"]


def test_comment_false_posts_nothing(runner: Runner, fake: FakeGitHub) -> None:
    run = runner.run({"comment": "false"})
    assert run.exit_code == 0, run.log
    assert fake.requests == []
    assert formats(run) == ["md", "json", "sarif", "html"]


def test_outside_a_pull_request_nothing_is_posted(runner: Runner, fake: FakeGitHub) -> None:
    run = runner.run({"base": "origin/main"}, event_name="push", event=PUSH_EVENT)
    assert run.exit_code == 0, run.log
    assert run.diff_calls[0][:3] == ["diff", "--base", "origin/main"]
    assert "not a pull request (push)" in run.log
    assert fake.requests == []


def test_outside_a_pull_request_the_base_must_be_given(runner: Runner, fake: FakeGitHub) -> None:
    run = runner.run(event_name="push", event=PUSH_EVENT)
    assert run.exit_code == 2
    assert run.failed_step == "Report the impact of the change"
    assert "set the action's `base` input" in run.log
    assert run.diff_calls == [] and fake.requests == []


def test_a_failing_diff_stops_the_job_before_any_comment(runner: Runner, fake: FakeGitHub) -> None:
    runner.stub["STUB_ERROR"] = "1"
    run = runner.run({"fail-on": "breaks"})
    assert run.exit_code == 1
    assert run.failed_step == "Report the impact of the change"
    assert "lineage diff failed (exit status 1)" in run.log
    assert len(run.diff_calls) == 1  # nothing after the failed analysis
    assert fake.requests == []


def test_head_project_dir_and_extra_args_reach_every_diff(runner: Runner) -> None:
    inputs = {
        "head": "feature/rename-email",
        "project-dir": "analytics",
        "extra-args": "--dialect snowflake --vars '{start_date: 2024-01-01}'",
    }
    run = runner.run(inputs)
    assert run.exit_code == 0, run.log
    for call in run.diff_calls:
        assert call[1:11] == [
            "--base", BASE_SHA, "--project-dir", "analytics", "--head", "feature/rename-email",
            "--dialect", "snowflake", "--vars", "{start_date: 2024-01-01}",
        ]  # fmt: skip


def test_a_pinned_lineage_is_installed_instead(runner: Runner) -> None:
    run = runner.run({"lineage-spec": "lineage==0.1.0"})
    assert run.pip_calls == [
        ["install", "--disable-pip-version-check", "--quiet", "lineage==0.1.0"]
    ]


def test_a_token_that_cannot_comment_fails_the_job(runner: Runner, fake: FakeGitHub) -> None:
    fake.read_only = True
    run = runner.run()
    assert run.exit_code == 2
    assert run.failed_step == "Comment on the pull request"
    assert "give the workflow `permissions: pull-requests: write`" in run.log


def test_a_pull_request_from_a_fork_warns_instead(runner: Runner, fake: FakeGitHub) -> None:
    fake.read_only = True
    run = runner.run(event=pull_request_event(head_repository="someone/shop"))
    assert run.exit_code == 0, run.log
    assert "::warning title=lineage::no comment on a pull request from a fork" in run.log
    assert fake.comments == []


def test_end_to_end_on_the_example_pull_request(runner: Runner, fake: FakeGitHub) -> None:
    """The real `lineage diff` on the example's pull request as a git history: one analysis
    writes the four reports, the comment is posted, then fail-on breaks fails the job."""
    workspace = runner.tmp / "workspace"
    workspace.mkdir(parents=True)
    copy_example("lineage.shop", workspace, mark_root=False)
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b",
           "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@b"}  # fmt: skip
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", *args], cwd=workspace, env=env, check=True)
    apply_pull_request(workspace)  # the pull request, checked out as the working tree
    runner.stub["STUB_REAL_DIFF"] = "1"
    run = runner.run({"base": "main", "project-dir": "shop", "fail-on": "breaks"})
    assert (run.exit_code, run.failed_step) == (4, "Apply fail-on"), run.log
    assert run.outputs["worst"] == "breaks"
    [comment] = fake.comments
    assert comment["body"].startswith(COMMENT_MARKER)
    fix = r"read `login_email` at models/staging/app/stg\_app\_\_users.sql:13"  # Markdown-escaped
    assert fix in comment["body"]
    sarif = json.loads(Path(run.outputs["report-sarif"]).read_text("utf-8"))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    assert "shop/models/staging/app/stg_app__users.sql" in uris
    page = Path(run.outputs["report-html"]).read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'id="impact-graph"' in page
