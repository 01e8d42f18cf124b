"""Post the impact report as one sticky comment on a GitHub pull request, and keep it current.

The comment is found again by the hidden marker on its first line (`COMMENT_MARKER`, written by
`lineage diff --format md`) and by its author: the user the token acts as, or, for a GitHub
App's installation token such as the workflow's `GITHUB_TOKEN` (which cannot ask who it is),
a bot. A person's comment that happens to start with the marker is never overwritten.

Standard library only. Every request has a timeout; server errors, dropped connections and
rate limits are retried a bounded number of times with a short, growing wait. The token is sent
only to the API's own host and never appears in a message.
"""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from lineage import __version__
from lineage.errors import LineageError, UsageError
from lineage.report.impact_markdown import COMMENT_MARKER

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
#: GitHub refuses longer comment bodies ("Body is too long (maximum is 65536 characters)").
MAX_BODY_CHARACTERS = 65_536
TIMEOUT_SECONDS = 30.0
ATTEMPTS = 4
#: The longest wait before a retry; GitHub asking for a longer one ends the run instead.
MAX_WAIT_SECONDS = 60.0
MAX_PAGES = 100  # of 100 comments each
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_LINK = re.compile(r'<(?P<url>[^>]*)>\s*;\s*rel="(?P<rel>[^"]*)"')


class GitHubError(LineageError):
    """GitHub could not be reached, or kept failing after the retries (exit code 1)."""


class GitHubAccessError(GitHubError):
    """GitHub refused the request: the token, the repository or the pull request is wrong, or
    the token lacks a permission (exit code 2, like any bad request)."""

    exit_code = UsageError.exit_code


@dataclass(frozen=True)
class PullRequest:
    """The pull request to comment on: `acme/shop` and `12`."""

    repository: str
    number: int

    @property
    def name(self) -> str:
        return f"{self.repository}#{self.number}"


@dataclass(frozen=True)
class Connection:
    """Where the API is and how to talk to it. `sleep` and `clock` are replaceable in tests."""

    api_url: str  # without a trailing slash
    token: str = field(repr=False)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    attempts: int = ATTEMPTS
    timeout: float = TIMEOUT_SECONDS


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


@dataclass(frozen=True)
class _Response:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class _Transient(Exception):
    """A failure worth retrying. `maybe_done`: GitHub may have carried the request out."""

    def __init__(self, reason: str, wait: float | None, maybe_done: bool) -> None:
        super().__init__(reason)
        self.reason, self.wait, self.maybe_done = reason, wait, maybe_done


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
        number = _event_pull_request(environ.get("GITHUB_EVENT_PATH", ""))
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


def _event_pull_request(path: str) -> int | None:
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
        except _Transient as transient:  # only a creation that may have happened
            _wait_before_retry(connection, transient, attempt, f"comment on {pull.name}")
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
    response = _request(connection, "GET", f"{connection.api_url}/user", purpose)
    if response.status == 401:
        raise _refusal(connection, response, purpose, None)
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
    """The pull request's comments, oldest first, page after page (`Link: rel="next"`)."""
    purpose = f"list the comments of {pull.name}"
    url: str | None = (
        f"{connection.api_url}/repos/{pull.repository}/issues/{pull.number}/comments?per_page=100"
    )
    pages = 0
    while url is not None:
        pages += 1
        if pages > MAX_PAGES:
            raise GitHubError(f"{pull.name} has more than {MAX_PAGES * 100:,} comments")
        response = _successful(connection, _request(connection, "GET", url, purpose), purpose)
        page = response.json()
        if not isinstance(page, list):
            raise GitHubError(f"GitHub did not answer a list of comments when asked to {purpose}")
        yield from (comment for comment in page if isinstance(comment, dict))
        url = _next_page(response.headers.get("link", ""), connection.api_url)


def _next_page(link: str, api_url: str) -> str | None:
    for match in _LINK.finditer(link):
        if "next" in match["rel"].split():
            if not _same_origin(match["url"], api_url):
                raise GitHubError(
                    f"GitHub's next page of comments is on another host ({match['url']}): "
                    "the token is only sent to GITHUB_API_URL"
                )
            return match["url"]
    return None


def _same_origin(url: str, api_url: str) -> bool:
    ours, theirs = urllib.parse.urlsplit(api_url), urllib.parse.urlsplit(url)
    return (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc)


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
    response = _request(connection, method, url, purpose, {"body": body}, repeatable=repeatable)
    written = _successful(connection, response, purpose).json()
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


# -- HTTP ------------------------------------------------------------------------------------


def _request(
    connection: Connection,
    method: str,
    url: str,
    purpose: str,
    payload: Mapping[str, Any] | None = None,
    *,
    repeatable: bool = True,
) -> _Response:
    """One API call with its retries. A request that must not be repeated blindly (creating a
    comment) hands a failure GitHub may have acted on back to the caller instead."""
    attempt = 1
    while True:
        try:
            return _attempt(connection, method, url, payload)
        except _Transient as transient:
            if transient.maybe_done and not repeatable:
                raise
            _wait_before_retry(connection, transient, attempt, purpose)
        attempt += 1


def _wait_before_retry(
    connection: Connection, transient: _Transient, attempt: int, purpose: str
) -> None:
    if attempt >= connection.attempts:
        raise GitHubError(
            f"could not {purpose}: {transient.reason}; gave up after {attempt} attempts, "
            "try again later"
        )
    wait = transient.wait if transient.wait is not None else float(2 ** (attempt - 1))
    if wait > MAX_WAIT_SECONDS:
        raise GitHubError(
            f"could not {purpose}: {transient.reason}, and GitHub asks to wait "
            f"{wait:.0f} seconds: try again later"
        )
    connection.sleep(wait)


def _attempt(
    connection: Connection, method: str, url: str, payload: Mapping[str, Any] | None
) -> _Response:
    """Send once; raise `_Transient` for what is worth retrying, return anything else."""
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method)
    for name, value in _headers(connection, data is not None).items():
        request.add_header(name, value)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=connection.timeout) as answer:
            response = _Response(answer.status, _lower(answer.headers), answer.read())
    except urllib.error.HTTPError as error:
        with error:
            response = _Response(error.code, _lower(error.headers), error.read())
    except (http.client.HTTPException, OSError) as error:  # refused, reset, timed out
        host = urllib.parse.urlsplit(url).netloc
        reason = getattr(error, "reason", None) or error
        raise _Transient(f"cannot reach {host}: {reason}", None, True) from None
    transient = _transient(response, connection.clock)
    if transient is not None:
        raise transient
    return response


def _headers(connection: Connection, has_body: bool) -> dict[str, str]:
    headers = {
        "Authorization": f"Bearer {connection.token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": API_VERSION,
        "User-Agent": f"lineage/{__version__}",
    }
    if has_body:
        headers["Content-Type"] = "application/json; charset=utf-8"
    return headers


def _lower(headers: Any) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in headers.items()} if headers else {}


def _transient(response: _Response, clock: Callable[[], float]) -> _Transient | None:
    """Server errors (GitHub may have acted) and rate limits (it did not)."""
    headers, status = response.headers, response.status
    if status >= 500:
        return _Transient(f"GitHub answered {status}", _retry_after(headers), True)
    if status not in (403, 429):
        return None
    if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset"):
        reset = headers["x-ratelimit-reset"]
        wait = max(0.0, float(reset) - clock()) if reset.isdigit() else None
        return _Transient("the token's API rate limit is used up", wait, False)
    if "retry-after" in headers or b"secondary rate limit" in response.body.lower():
        wait = _retry_after(headers)
        return _Transient("GitHub's secondary rate limit", 60.0 if wait is None else wait, False)
    return None


def _retry_after(headers: Mapping[str, str]) -> float | None:
    try:
        return max(0.0, float(headers["retry-after"]))
    except (KeyError, ValueError):
        return None


def _successful(connection: Connection, response: _Response, purpose: str) -> _Response:
    if 200 <= response.status < 300:
        return response
    raise _refusal(connection, response, purpose, response.headers.get("location"))


def _refusal(
    connection: Connection, response: _Response, purpose: str, location: str | None
) -> GitHubError:
    """A sentence for a refused request, saying what to change."""
    status = response.status
    said = _github_message(connection, response)
    if status == 401:
        return GitHubAccessError(
            f"GitHub refused the token ({status}{said}): it is invalid or expired; pass a "
            "valid one (the action's `github-token` input, or the variable named by --token-env)"
        )
    if status == 403:
        return GitHubAccessError(
            f"the token may not {purpose} ({status}{said}): give the workflow "
            "`permissions: pull-requests: write`; pull requests from forks only get a "
            "read-only token"
        )
    if status == 404:
        return GitHubAccessError(
            f"GitHub found nothing to {purpose} ({status}{said}): check GITHUB_REPOSITORY "
            "and the pull request number, and that the token can see the repository"
        )
    if 300 <= status < 400:
        return GitHubAccessError(
            f"GitHub redirected the request to {purpose} to {location or 'another address'}: "
            "set GITHUB_REPOSITORY to the repository's current owner/name"
        )
    return GitHubAccessError(f"GitHub refused to {purpose} ({status}{said})")


def _github_message(connection: Connection, response: _Response) -> str:
    """`: <GitHub's message>`, shortened, on one line, without the token."""
    answer = response.json()
    message = answer.get("message") if isinstance(answer, dict) else None
    if not isinstance(message, str) or not message.strip():
        return ""
    message = " ".join(message.replace(connection.token, "***").split())[:200]
    return f": {message}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Never follow a redirect: it could carry the Authorization header to another host."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None
