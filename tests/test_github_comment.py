"""`lineage comment`: the sticky pull-request comment, against a fake GitHub API on 127.0.0.1.

The fake answers the way api.github.com does (statuses, `Link` pagination, `/user` refused for
an installation token) and records every request; nothing here touches the network.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner, Result

from lineage import github
from lineage.cli import main
from lineage.github_api import ATTEMPTS, Connection, GitHubError
from lineage.report.impact_markdown import COMMENT_MARKER

TOKEN = "ghs_s3cr3tT0kenValue"
REPOSITORY = "acme/shop"
PR = 12
BOT = {"login": "github-actions[bot]", "type": "Bot"}
REPORT = f"{COMMENT_MARKER}\n## lineage: 1 change, Breaks\n\n- `users.email` removed\n"


@dataclass
class Recorded:
    method: str
    path: str  # with the query
    headers: dict[str, str]
    body: Any


@dataclass
class Scripted:
    """A canned answer for the next request of `method` whose path contains `path`."""

    method: str
    path: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    then_handle: bool = False  # carry the request out anyway before answering (a 502 "lie")


class FakeGitHub:
    """The part of the GitHub REST API `lineage comment` uses, recording every request.

    `login` None: the token is an installation token (`/user` answers 403), and comments it
    writes are by github-actions[bot]; otherwise a user token acting as `login`.
    """

    def __init__(self) -> None:
        self.comments: list[dict[str, Any]] = []
        self.requests: list[Recorded] = []
        self.scripted: list[Scripted] = []
        self.login: str | None = None
        self.read_only = False
        self.page_size = 100
        self.next_host: str | None = None  # serve `Link` URLs on this host instead
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def add_comment(self, body: str, user: dict[str, str] | None = None) -> dict[str, Any]:
        number = 1000 + len(self.comments)
        comment = {
            "id": number,
            "body": body,
            "user": user or BOT,
            "html_url": f"https://github.com/{REPOSITORY}/pull/{PR}#issuecomment-{number}",
        }
        self.comments.append(comment)
        return comment

    def script(self, method: str, path: str, status: int, **kwargs: Any) -> None:
        self.scripted.append(Scripted(method, path, status, **kwargs))

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in ("POST", "PATCH")]

    # -- answering -------------------------------------------------------------------------

    def answer(self, method: str, path: str, body: Any) -> tuple[int, dict[str, str], Any]:
        for scripted in self.scripted:
            if scripted.method == method and scripted.path in path:
                self.scripted.remove(scripted)
                if scripted.then_handle:
                    self.route(method, path, body)
                return scripted.status, scripted.headers, scripted.body
        return self.route(method, path, body)

    def route(self, method: str, path: str, body: Any) -> tuple[int, dict[str, str], Any]:
        parts = urlsplit(path)
        base = f"/repos/{REPOSITORY}/issues"
        if parts.path == "/user" and method == "GET":
            if self.login is None:
                return 403, {}, {"message": "Resource not accessible by integration"}
            return 200, {}, {"login": self.login, "type": "User"}
        if parts.path == f"{base}/{PR}/comments" and method == "GET":
            return self.page(parse_qs(parts.query))
        if self.read_only and method in ("POST", "PATCH"):
            return 403, {}, {"message": "Resource not accessible by integration"}
        if parts.path == f"{base}/{PR}/comments" and method == "POST":
            user = BOT if self.login is None else {"login": self.login, "type": "User"}
            return 201, {}, self.add_comment(body["body"], user)
        if parts.path.startswith(f"{base}/comments/") and method == "PATCH":
            number = int(parts.path.rsplit("/", 1)[1])
            found = [c for c in self.comments if c["id"] == number]
            if found:
                found[0]["body"] = body["body"]
                return 200, {}, found[0]
        return 404, {}, {"message": "Not Found"}

    def page(self, query: dict[str, list[str]]) -> tuple[int, dict[str, str], Any]:
        number = int(query.get("page", ["1"])[0])
        start = (number - 1) * self.page_size
        headers: dict[str, str] = {}
        if start + self.page_size < len(self.comments):
            host = self.next_host or self.url
            path = f"/repos/{REPOSITORY}/issues/{PR}/comments"
            headers["Link"] = (
                f'<{host}{path}?per_page=100&page={number + 1}>; rel="next", '
                f'<{host}{path}?per_page=100&page=99>; rel="last"'
            )
        return 200, headers, self.comments[start : start + self.page_size]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def handle_any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                headers = {k.lower(): v for k, v in self.headers.items()}
                fake.requests.append(Recorded(self.command, self.path, headers, body))
                reply: tuple[int, dict[str, str], Any] = (401, {}, {"message": "Bad credentials"})
                if headers.get("authorization") == f"Bearer {TOKEN}":
                    reply = fake.answer(self.command, self.path, body)
                status, extra, answer = reply
                data = json.dumps(answer).encode() if answer is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = handle_any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        yield server


def environment(fake: FakeGitHub, **overrides: str | None) -> dict[str, str | None]:
    """The environment GitHub Actions gives a step, every other GitHub variable unset."""
    env: dict[str, str | None] = {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_API_URL": fake.url,
        "GITHUB_EVENT_PATH": None,
        "LINEAGE_TOKEN": None,
        "NO_PROXY": "*",
        "no_proxy": "*",
    }
    env.update(overrides)
    return env


def report_file(tmp_path: Path, text: str = REPORT) -> Path:
    path = tmp_path / "lineage-impact.md"
    path.write_bytes(text.encode("utf-8"))
    return path


def comment(fake: FakeGitHub, tmp_path: Path, *args: str, **env: str | None) -> Result:
    report = args[0] if args and args[0].endswith(".md") else str(report_file(tmp_path))
    rest = args[1:] if args and args[0].endswith(".md") else args
    return CliRunner().invoke(
        main, ["comment", report, *rest], env=environment(fake, **env), catch_exceptions=False
    )


def connection(fake: FakeGitHub, sleeps: list[float]) -> Connection:
    return Connection(fake.url, TOKEN, sleep=sleeps.append, clock=lambda: 1000.0)


PULL = github.PullRequest(REPOSITORY, PR)


# -- creating, updating, leaving alone ---------------------------------------------------------


def test_creates_the_comment_when_there_is_none(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_comment("Looks good to me", {"login": "alice", "type": "User"})
    result = comment(fake, tmp_path, "--pr", str(PR))
    assert result.exit_code == 0, result.output
    [post] = fake.writes()
    assert post.method == "POST"
    assert post.path == f"/repos/{REPOSITORY}/issues/{PR}/comments"
    assert post.body == {"body": REPORT}
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert post.headers["accept"] == "application/vnd.github+json"
    assert post.headers["x-github-api-version"] == "2022-11-28"
    assert post.headers["user-agent"].startswith("lineage/")
    assert post.headers["content-type"].startswith("application/json")
    assert [c["body"] for c in fake.comments] == ["Looks good to me", REPORT]
    assert result.stdout == (
        f"created the impact comment on {REPOSITORY}#{PR}: "
        f"https://github.com/{REPOSITORY}/pull/{PR}#issuecomment-1001\n"
    )


def test_updates_the_marked_comment_on_the_second_page(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.page_size = 2
    fake.add_comment("first!", {"login": "alice", "type": "User"})
    fake.add_comment(f"{COMMENT_MARKER}\nquoted by a person", {"login": "bob", "type": "User"})
    fake.add_comment("a bot's other comment")
    ours = fake.add_comment(f"{COMMENT_MARKER}\n## lineage: an older report\n")
    fake.add_comment(f"{COMMENT_MARKER}\na later duplicate")
    result = comment(fake, tmp_path, "--pr", str(PR))
    assert result.exit_code == 0, result.output
    listed = [r.path for r in fake.requests if r.method == "GET" and "comments" in r.path]
    assert listed == [
        f"/repos/{REPOSITORY}/issues/{PR}/comments?per_page=100",
        f"/repos/{REPOSITORY}/issues/{PR}/comments?per_page=100&page=2",
    ]
    [patch] = fake.writes()
    assert (patch.method, patch.path) == ("PATCH", f"/repos/{REPOSITORY}/issues/comments/1003")
    assert patch.body == {"body": REPORT}
    assert ours["body"] == REPORT
    bodies = [c["body"] for c in fake.comments]
    assert bodies[:3] == [
        "first!",
        f"{COMMENT_MARKER}\nquoted by a person",
        "a bot's other comment",
    ]
    assert bodies[4] == f"{COMMENT_MARKER}\na later duplicate"
    assert result.stdout.startswith(f"updated the impact comment on {REPOSITORY}#{PR}: ")


def test_with_a_user_token_only_that_users_comment_is_ours(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    fake.login = "ci-robot"
    fake.add_comment(f"{COMMENT_MARKER}\nby the workflow token")
    fake.add_comment(f"{COMMENT_MARKER}\nby mallory", {"login": "mallory", "type": "User"})
    mine = fake.add_comment(f"{COMMENT_MARKER}\nold", {"login": "ci-robot", "type": "User"})
    result = comment(fake, tmp_path, "--pr", str(PR))
    assert result.exit_code == 0, result.output
    [patch] = fake.writes()
    assert patch.path.endswith(f"/comments/{mine['id']}")
    assert [c["body"] for c in fake.comments][:2] == [
        f"{COMMENT_MARKER}\nby the workflow token",
        f"{COMMENT_MARKER}\nby mallory",
    ]


def test_an_unchanged_comment_is_left_alone(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_comment(REPORT)
    result = comment(fake, tmp_path, "--pr", str(PR))
    assert result.exit_code == 0, result.output
    assert fake.writes() == []
    assert "already up to date" in result.stdout


def test_running_twice_posts_once(fake: FakeGitHub, tmp_path: Path) -> None:
    assert comment(fake, tmp_path, "--pr", str(PR)).exit_code == 0
    assert comment(fake, tmp_path, "--pr", str(PR)).exit_code == 0
    report_file(tmp_path, REPORT + "\n- one more\n")
    assert (
        comment(fake, tmp_path, str(tmp_path / "lineage-impact.md"), "--pr", str(PR)).exit_code == 0
    )
    assert [w.method for w in fake.writes()] == ["POST", "PATCH"]
    assert [c["body"] for c in fake.comments] == [REPORT + "\n- one more\n"]


def test_dry_run_reads_but_writes_nothing(fake: FakeGitHub, tmp_path: Path) -> None:
    result = comment(fake, tmp_path, "--pr", str(PR), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"dry run: would create the impact comment on {REPOSITORY}#{PR}\n"
    fake.add_comment(f"{COMMENT_MARKER}\nold")
    result = comment(fake, tmp_path, "--pr", str(PR), "--dry-run")
    assert result.stdout.startswith(f"dry run: would update the impact comment on {REPOSITORY}#")
    assert fake.writes() == []


# -- where the pull request comes from ---------------------------------------------------------


def test_the_pull_request_number_comes_from_the_event_file(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "pull_request": {"number": PR}}))
    result = comment(fake, tmp_path, GITHUB_EVENT_PATH=str(event))
    assert result.exit_code == 0, result.output
    [post] = fake.writes()
    assert post.path == f"/repos/{REPOSITORY}/issues/{PR}/comments"


@pytest.mark.parametrize("event", [None, {"ref": "refs/heads/main", "commits": []}])
def test_outside_a_pull_request_nothing_is_called(
    fake: FakeGitHub, tmp_path: Path, event: dict[str, Any] | None
) -> None:
    path = tmp_path / "event.json"
    if event is not None:
        path.write_text(json.dumps(event))
    result = comment(fake, tmp_path, GITHUB_EVENT_PATH=str(path) if event else None)
    assert result.exit_code == 0, result.output
    assert "not a pull request" in result.stdout
    assert fake.requests == []


def test_the_token_can_come_from_another_variable(fake: FakeGitHub, tmp_path: Path) -> None:
    result = comment(
        fake, tmp_path, "--pr", str(PR), "--token-env", "LINEAGE_TOKEN",
        GITHUB_TOKEN="not-this-one", LINEAGE_TOKEN=TOKEN,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(fake.writes()) == 1


# -- errors: a sentence, an exit code, never the token -----------------------------------------


def test_a_bad_token_is_refused_with_a_sentence(fake: FakeGitHub, tmp_path: Path) -> None:
    result = comment(fake, tmp_path, "--pr", str(PR), GITHUB_TOKEN="ghp_wrongTokenValue")
    assert result.exit_code == 2
    assert "GitHub refused the token (401: Bad credentials): it is invalid or expired" in (
        result.output
    )
    assert "ghp_wrongTokenValue" not in result.output
    assert fake.writes() == []


def test_a_read_only_token_is_told_which_permission_to_give(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    fake.read_only = True
    result = comment(fake, tmp_path, "--pr", str(PR))
    assert result.exit_code == 2
    assert result.output == (
        f"error: the token may not comment on {REPOSITORY}#{PR} (403: Resource not accessible "
        "by integration): give the workflow `permissions: pull-requests: write`; pull requests "
        "from forks only get a read-only token\n"
    )


def test_an_unknown_pull_request_is_a_404_with_what_to_check(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    result = comment(fake, tmp_path, "--pr", "99")
    assert result.exit_code == 2
    assert (
        f"error: GitHub found nothing to list the comments of {REPOSITORY}#99 (404: Not Found): "
        "check GITHUB_REPOSITORY and the pull request number" in result.output
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GITHUB_TOKEN": None}, "no token: the environment variable GITHUB_TOKEN is not set"),
        ({"GITHUB_REPOSITORY": None}, "GITHUB_REPOSITORY is not set"),
        ({"GITHUB_REPOSITORY": "acme/shop/../x"}, "GITHUB_REPOSITORY is 'acme/shop/../x'"),
        ({"GITHUB_API_URL": "http://github.example.com/api/v3"}, "must use https"),
        ({"GITHUB_API_URL": "ftp://github.example.com"}, "is not an http(s) address"),
    ],
)
def test_a_bad_environment_is_a_usage_error_before_any_call(
    fake: FakeGitHub, tmp_path: Path, env: dict[str, str | None], message: str
) -> None:
    result = comment(fake, tmp_path, "--pr", str(PR), **env)
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and message in result.output
    assert fake.requests == []


def test_a_body_over_githubs_limit_is_refused(fake: FakeGitHub, tmp_path: Path) -> None:
    limit = github.MAX_BODY_CHARACTERS
    exactly = report_file(tmp_path, COMMENT_MARKER + "é" * (limit - len(COMMENT_MARKER)))
    assert comment(fake, tmp_path, str(exactly), "--pr", str(PR)).exit_code == 0
    over = report_file(tmp_path, COMMENT_MARKER + "é" * (limit - len(COMMENT_MARKER) + 1))
    fake.requests.clear()
    result = comment(fake, tmp_path, str(over), "--pr", str(PR))
    assert result.exit_code == 2
    assert "has 65,537 characters, and a GitHub comment holds at most 65,536" in result.output
    assert fake.requests == []


def test_a_file_without_the_marker_is_refused(fake: FakeGitHub, tmp_path: Path) -> None:
    result = comment(fake, tmp_path, str(report_file(tmp_path, "## hand-written\n")))
    assert result.exit_code == 2
    assert f"does not start with the marker {COMMENT_MARKER}" in result.output
    assert fake.requests == []


def test_the_token_never_appears_in_any_output(fake: FakeGitHub, tmp_path: Path) -> None:
    outputs = [comment(fake, tmp_path, "--pr", str(PR)).output]
    fake.script("GET", "/comments", 403, body={"message": f"token {TOKEN} is not allowed"})
    outputs.append(comment(fake, tmp_path, "--pr", str(PR)).output)
    outputs.append(comment(fake, tmp_path, "--pr", str(PR), "--dry-run").output)
    fake.read_only = True
    fake.comments.clear()
    outputs.append(comment(fake, tmp_path, "--pr", str(PR)).output)
    assert "***" in outputs[1]
    assert all(TOKEN not in output for output in outputs), outputs
    assert all(TOKEN[4:12] not in output for output in outputs)


# -- retries -----------------------------------------------------------------------------------


def test_a_502_is_retried_then_succeeds(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.script("GET", "/comments", 502, headers={"Retry-After": "0"}, body={"message": "x"})
    result = comment(fake, tmp_path, "--pr", str(PR))
    assert result.exit_code == 0, result.output
    listings = [r for r in fake.requests if r.method == "GET" and "/comments" in r.path]
    assert len(listings) == 2
    assert len(fake.writes()) == 1


def test_retries_wait_longer_each_time_and_are_bounded(fake: FakeGitHub) -> None:
    for _ in range(ATTEMPTS):
        fake.script("GET", "/comments", 503)
    sleeps: list[float] = []
    with pytest.raises(GitHubError) as raised:
        github.publish_comment(connection(fake, sleeps), PULL, REPORT)
    assert sleeps == [1.0, 2.0, 4.0]
    assert raised.value.exit_code == 1
    assert str(raised.value) == (
        f"could not list the comments of {REPOSITORY}#{PR}: GitHub answered 503; gave up after "
        "4 attempts, try again later"
    )
    assert fake.writes() == []


def test_a_secondary_rate_limit_waits_as_asked(fake: FakeGitHub) -> None:
    fake.script(
        "POST", "/comments", 403, headers={"Retry-After": "3"},
        body={"message": "You have exceeded a secondary rate limit."},
    )  # fmt: skip
    sleeps: list[float] = []
    outcome = github.publish_comment(connection(fake, sleeps), PULL, REPORT)
    assert outcome.action is github.CommentAction.CREATED
    assert sleeps == [3.0]
    assert [w.method for w in fake.writes()] == ["POST", "POST"]
    assert len(fake.comments) == 1


def test_a_used_up_rate_limit_waits_until_the_reset(fake: FakeGitHub) -> None:
    fake.script(
        "GET", "/comments", 403,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1020"},
        body={"message": "API rate limit exceeded"},
    )  # fmt: skip
    sleeps: list[float] = []
    github.publish_comment(connection(fake, sleeps), PULL, REPORT)
    assert sleeps == [20.0]  # the fake clock says 1000


def test_a_wait_longer_than_a_minute_ends_the_run(fake: FakeGitHub) -> None:
    fake.script("GET", "/comments", 429, headers={"Retry-After": "3600"})
    with pytest.raises(GitHubError, match="GitHub asks to wait 3600 seconds"):
        github.publish_comment(connection(fake, []), PULL, REPORT)


def test_a_creation_that_failed_but_happened_is_not_posted_twice(fake: FakeGitHub) -> None:
    fake.script("POST", "/comments", 502, then_handle=True)
    sleeps: list[float] = []
    outcome = github.publish_comment(connection(fake, sleeps), PULL, REPORT)
    assert [c["body"] for c in fake.comments] == [REPORT]
    assert [w.method for w in fake.writes()] == ["POST"]
    assert outcome.action is github.CommentAction.UNCHANGED
    assert sleeps == [1.0]


def test_an_unreachable_api_is_an_error_after_the_retries() -> None:
    with socket.socket() as unused:  # a free port nothing listens on
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}"
    sleeps: list[float] = []
    dead = Connection(url, TOKEN, sleep=sleeps.append, timeout=2)
    with pytest.raises(GitHubError, match=r"cannot reach 127\.0\.0\.1:\d+: .*4 attempts"):
        github.publish_comment(dead, PULL, REPORT)
    assert sleeps == [1.0, 2.0, 4.0]


def test_a_redirect_is_not_followed(fake: FakeGitHub, tmp_path: Path) -> None:
    moved = "https://api.github.com/repositories/42/issues/12/comments"
    fake.script("GET", "/comments", 301, headers={"Location": moved})
    result = comment(fake, tmp_path, "--pr", str(PR))
    assert result.exit_code == 2
    assert result.output == (
        f"error: GitHub redirected the request to list the comments of {REPOSITORY}#{PR} to "
        f"{moved}: set GITHUB_REPOSITORY to the repository's current owner/name\n"
    )
    assert len(fake.requests) == 2  # /user, then the listing: the redirect is not followed


def test_the_token_is_not_sent_to_another_host(fake: FakeGitHub) -> None:
    fake.page_size = 1
    fake.add_comment("one")
    fake.add_comment("two")
    fake.next_host = "http://localhost:1"
    with pytest.raises(GitHubError, match="next page of comments is on another host"):
        github.publish_comment(connection(fake, []), PULL, REPORT)
    assert len([r for r in fake.requests if "/comments" in r.path]) == 1
