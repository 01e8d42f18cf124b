"""Post the impact report as one sticky comment on a GitHub pull request, and keep it current.

The comment is found again by the hidden marker on its first line (`COMMENT_MARKER`, written by
`lineage diff --format md`) and by its author: the user the token acts as, or, for a GitHub
App's installation token such as the workflow's `GITHUB_TOKEN` (which cannot ask who it is),
a bot. A person's comment that happens to start with the marker is never overwritten.

Requests, retries, errors, redirects and pages are `lineage.github_api`'s work.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from lineage.errors import UsageError
from lineage.github_api import (
    Connection,
    GitHubError,
    Transient,
    paginated,
    refusal,
    request,
    successful,
    wait_before_retry,
)
from lineage.report.impact_markdown import COMMENT_MARKER

DEFAULT_API_URL = "https://api.github.com"
#: GitHub refuses longer comment bodies ("Body is too long (maximum is 65536 characters)").
MAX_BODY_CHARACTERS = 65_536
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class PullRequest:
    """The pull request to comment on: `acme/shop` and `12`."""

    repository: str
    number: int

    @property
    def name(self) -> str:
        return f"{self.repository}#{self.number}"


class CommentAction(Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class CommentOutcome:
    """What `publish_comment` did (or, in a dry run, would do)."""

    action: CommentAction
    pull: PullRequest
    comment_id: int | None  # None for a comment a dry run would create
    url: str | None
    dry_run: bool = False

    def describe(self) -> str:
        """One line for a person: `updated the impact comment on acme/shop#12: URL`."""
        where = f"the impact comment on {self.pull.name}"
        link = f": {self.url}" if self.url else ""
        if self.action is CommentAction.UNCHANGED:
            return f"{where} is already up to date{link}"
        if self.dry_run:
            verb = "create" if self.action is CommentAction.CREATED else "update"
            return f"dry run: would {verb} {where}{link}"
        return f"{self.action.value} {where}{link}"


# -- the request: file, pull request, connection ---------------------------------------------


def check_comment_body(body: str, source: str) -> None:
    """Refuse a body GitHub would reject or that could not be found again on the next run."""
    if not body.startswith(COMMENT_MARKER):
        raise UsageError(
            f"{source} does not start with the marker {COMMENT_MARKER}: write it with "
            "`lineage diff --format md`, so the comment can be found and updated next time"
        )
    if len(body) > MAX_BODY_CHARACTERS:
        raise UsageError(
            f"{source} has {len(body):,} characters, and a GitHub comment holds at most "
            f"{MAX_BODY_CHARACTERS:,}: publish the full report as an artifact and comment "
            "a shorter one"
        )


def read_comment_body(path: Path) -> str:
    """The Markdown of `path`, byte for byte, checked with `check_comment_body`."""
    try:
        body = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None
    check_comment_body(body, str(path))
    return body


def pull_request_from_environment(
    environ: Mapping[str, str], number: int | None
) -> PullRequest | None:
    """The pull request named by `number`, else by the event file of GitHub Actions
    (`pull_request.number` in GITHUB_EVENT_PATH); None when there is none (a push, a local run).

    >>> pull_request_from_environment({"GITHUB_REPOSITORY": "acme/shop"}, 12)
    PullRequest(repository='acme/shop', number=12)
    """
    if number is None:
        number = _event_pullrequest(environ.get("GITHUB_EVENT_PATH", ""))
    if number is None:
        return None
    repository = environ.get("GITHUB_REPOSITORY", "")
    if not _REPOSITORY.fullmatch(repository):
        shown = f"is {repository!r}" if repository else "is not set"
        raise UsageError(
            f"GITHUB_REPOSITORY {shown}: set it to the repository as owner/name "
            "(GitHub Actions sets it)"
        )
    return PullRequest(repository, number)


def _event_pullrequest(path: str) -> int | None:
    if not path:
        return None
    try:
        event = json.loads(Path(path).read_bytes())
    except OSError as error:
        raise UsageError(
            f"cannot read the event file {path} (GITHUB_EVENT_PATH): {error.strerror or error}"
        ) from None
    except ValueError:
        raise UsageError(f"the event file {path} (GITHUB_EVENT_PATH) is not JSON") from None
    pull = event.get("pull_request") if isinstance(event, dict) else None
    if pull is None:
        return None
    number = pull.get("number") if isinstance(pull, dict) else None
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise UsageError(f"the event file {path} has a pull_request without a number: pass --pr N")
    return number


def connection_from_environment(
    environ: Mapping[str, str], token_env: str = "GITHUB_TOKEN"
) -> Connection:
    """The API (GITHUB_API_URL, default https://api.github.com) and the token read from the
    environment variable `token_env`."""
    token = environ.get(token_env, "").strip()
    if not token:
        raise UsageError(
            f"no token: the environment variable {token_env} is not set or empty; in a "
            "workflow, pass it with `env: GITHUB_TOKEN: ${{ github.token }}`"
        )
    api_url = (environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    parts = urllib.parse.urlsplit(api_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UsageError(f"GITHUB_API_URL is not an http(s) address: {api_url!r}")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise UsageError(
            f"GITHUB_API_URL must use https: the token would travel unencrypted to {api_url}"
        )
    return Connection(api_url, token)


# -- publishing ------------------------------------------------------------------------------


def publish_comment(
    connection: Connection, pull: PullRequest, body: str, *, dry_run: bool = False
) -> CommentOutcome:
    """Make the sticky comment on `pull` read `body`: update it, create it, or leave it alone
    when it already does. A dry run reads the comments but writes nothing.

    A creation that failed with a server error may still have happened, so it is not simply
    sent again: the comments are listed anew first, and the comment is found if it exists.

    Example: `publish_comment(connection_from_environment(os.environ),
    PullRequest("acme/shop", 12), body).describe()` is `created the impact comment on
    acme/shop#12: https://github.com/acme/shop/pull/12#issuecomment-1` the first time, and
    `the impact comment on acme/shop#12 is already up to date: ...` when run again.
    """
    check_comment_body(body, "the comment")
    author = _token_login(connection)
    attempt = 1
    while True:
        try:
            return _publish_once(connection, pull, body, author, dry_run)
        except Transient as transient:  # only a creation that may have happened
            wait_before_retry(connection, transient, attempt, f"comment on {pull.name}")
        attempt += 1


def _publish_once(
    connection: Connection, pull: PullRequest, body: str, author: str | None, dry_run: bool
) -> CommentOutcome:
    found = next((c for c in _comments(connection, pull) if _is_ours(c, author)), None)
    if found is None:
        if dry_run:
            return CommentOutcome(CommentAction.CREATED, pull, None, None, dry_run=True)
        return _create(connection, pull, body)
    comment_id, url = _comment_id(found), _text(found.get("html_url"))
    if _text(found.get("body")).replace("\r\n", "\n") == body.replace("\r\n", "\n"):
        return CommentOutcome(CommentAction.UNCHANGED, pull, comment_id, url, dry_run)
    if dry_run:
        return CommentOutcome(CommentAction.UPDATED, pull, comment_id, url, dry_run=True)
    return _update(connection, pull, comment_id, body)


def _token_login(connection: Connection) -> str | None:
    """The login the token acts as; None for an installation token, which may not ask."""
    purpose = "identify the token's user"
    response = request(connection, "GET", f"{connection.api_url}/user", purpose)
    if response.status == 401:
        raise refusal(connection, response, purpose, None)
    answer = response.json()
    if response.status == 200 and isinstance(answer, dict):
        login = answer.get("login")
        return login if isinstance(login, str) and login else None
    return None  # 403 "Resource not accessible by integration": a GitHub App's token


def _is_ours(comment: Mapping[str, Any], author: str | None) -> bool:
    """A comment starting with the marker, written by `author` (by a bot when unknown)."""
    user = comment.get("user")
    user = user if isinstance(user, dict) else {}
    if not _text(comment.get("body")).startswith(COMMENT_MARKER):
        return False
    if author is not None:
        return bool(user.get("login") == author)
    return bool(user.get("type") == "Bot")


def _comments(connection: Connection, pull: PullRequest) -> Iterator[Mapping[str, Any]]:
    """The pull request's comments, oldest first."""
    purpose = f"list the comments of {pull.name}"
    url = f"{connection.api_url}/repos/{pull.repository}/issues/{pull.number}/comments?per_page=100"
    return paginated(connection, url, purpose, pull.name, "comments")


def _create(connection: Connection, pull: PullRequest, body: str) -> CommentOutcome:
    url = f"{connection.api_url}/repos/{pull.repository}/issues/{pull.number}/comments"
    return _write(connection, pull, "POST", url, body, f"comment on {pull.name}")


def _update(
    connection: Connection, pull: PullRequest, comment_id: int, body: str
) -> CommentOutcome:
    url = f"{connection.api_url}/repos/{pull.repository}/issues/comments/{comment_id}"
    return _write(
        connection, pull, "PATCH", url, body, f"update comment {comment_id} on {pull.name}"
    )


def _write(
    connection: Connection, pull: PullRequest, method: str, url: str, body: str, purpose: str
) -> CommentOutcome:
    """POST (not repeated blindly: it may have worked) or PATCH the comment."""
    repeatable = method != "POST"
    response = request(connection, method, url, purpose, {"body": body}, repeatable=repeatable)
    written = successful(connection, response, purpose).json()
    written = written if isinstance(written, dict) else {}
    action = CommentAction.UPDATED if repeatable else CommentAction.CREATED
    return CommentOutcome(action, pull, _comment_id(written), _text(written.get("html_url")))


def _comment_id(comment: Mapping[str, Any]) -> int:
    value = comment.get("id")
    if not isinstance(value, int) or isinstance(value, bool):
        raise GitHubError("GitHub answered a comment without a numeric id")
    return value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
