"""The GitHub REST API over HTTP: requests, retries, errors, redirects and pagination.

Standard library only. Every request has a timeout; server errors, dropped connections and
rate limits are retried a bounded number of times with a short, growing wait. A redirect is
never followed. The token is sent only to the API's own host and never appears in a message.
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
from typing import Any

from lineage import __version__
from lineage.errors import LineageError, UsageError

API_VERSION = "2022-11-28"
TIMEOUT_SECONDS = 30.0
ATTEMPTS = 4
#: The longest wait before a retry; GitHub asking for a longer one ends the run instead.
MAX_WAIT_SECONDS = 60.0
MAX_PAGES = 100  # of 100 items each (`per_page=100`)
_LINK = re.compile(r'<(?P<url>[^>]*)>\s*;\s*rel="(?P<rel>[^"]*)"')


class GitHubError(LineageError):
    """GitHub could not be reached, or kept failing after the retries (exit code 1)."""


class GitHubAccessError(GitHubError):
    """GitHub refused the request: the token, the repository or the pull request is wrong, or
    the token lacks a permission (exit code 2, like any bad request)."""

    exit_code = UsageError.exit_code


@dataclass(frozen=True)
class Connection:
    """Where the API is and how to talk to it. `sleep` and `clock` are replaceable in tests."""

    api_url: str  # without a trailing slash
    token: str = field(repr=False)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    attempts: int = ATTEMPTS
    timeout: float = TIMEOUT_SECONDS


@dataclass(frozen=True)
class Response:
    """GitHub's answer to one request."""

    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class Transient(Exception):
    """A failure worth retrying. `maybe_done`: GitHub may have carried the request out."""

    def __init__(self, reason: str, wait: float | None, maybe_done: bool) -> None:
        super().__init__(reason)
        self.reason, self.wait, self.maybe_done = reason, wait, maybe_done


# -- requests ------------------------------------------------------------------------------


def request(
    connection: Connection,
    method: str,
    url: str,
    purpose: str,
    payload: Mapping[str, Any] | None = None,
    *,
    repeatable: bool = True,
) -> Response:
    """One API call with its retries. A request that must not be repeated blindly (creating a
    comment) hands a failure GitHub may have acted on back to the caller instead."""
    attempt = 1
    while True:
        try:
            return _attempt(connection, method, url, payload)
        except Transient as transient:
            if transient.maybe_done and not repeatable:
                raise
            wait_before_retry(connection, transient, attempt, purpose)
        attempt += 1


def wait_before_retry(
    connection: Connection, transient: Transient, attempt: int, purpose: str
) -> None:
    """Wait before the attempt after `attempt`; a `GitHubError` when none is left or GitHub
    asks for a longer wait than `MAX_WAIT_SECONDS`."""
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
) -> Response:
    """Send once; raise `Transient` for what is worth retrying, return anything else."""
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    outgoing = urllib.request.Request(url, data=data, method=method)
    for name, value in _headers(connection, data is not None).items():
        outgoing.add_header(name, value)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(outgoing, timeout=connection.timeout) as answer:
            response = Response(answer.status, _lower(answer.headers), answer.read())
    except urllib.error.HTTPError as error:
        with error:
            response = Response(error.code, _lower(error.headers), error.read())
    except (http.client.HTTPException, OSError) as error:  # refused, reset, timed out
        host = urllib.parse.urlsplit(url).netloc
        reason = getattr(error, "reason", None) or error
        raise Transient(f"cannot reach {host}: {reason}", None, True) from None
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


def _transient(response: Response, clock: Callable[[], float]) -> Transient | None:
    """Server errors (GitHub may have acted) and rate limits (it did not)."""
    headers, status = response.headers, response.status
    if status >= 500:
        return Transient(f"GitHub answered {status}", _retry_after(headers), True)
    if status not in (403, 429):
        return None
    if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset"):
        reset = headers["x-ratelimit-reset"]
        wait = max(0.0, float(reset) - clock()) if reset.isdigit() else None
        return Transient("the token's API rate limit is used up", wait, False)
    if "retry-after" in headers or b"secondary rate limit" in response.body.lower():
        wait = _retry_after(headers)
        return Transient("GitHub's secondary rate limit", 60.0 if wait is None else wait, False)
    return None


def _retry_after(headers: Mapping[str, str]) -> float | None:
    try:
        return max(0.0, float(headers["retry-after"]))
    except (KeyError, ValueError):
        return None


def successful(connection: Connection, response: Response, purpose: str) -> Response:
    """`response` if GitHub did what was asked (2xx); otherwise its refusal is raised."""
    if 200 <= response.status < 300:
        return response
    raise refusal(connection, response, purpose, response.headers.get("location"))


def refusal(
    connection: Connection, response: Response, purpose: str, location: str | None
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


def _github_message(connection: Connection, response: Response) -> str:
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


# -- pagination ----------------------------------------------------------------------------


def paginated(
    connection: Connection, url: str, purpose: str, holder: str, noun: str
) -> Iterator[Mapping[str, Any]]:
    """The objects of a list, oldest first, page after page (`Link: rel="next"`), at most
    `MAX_PAGES` pages of 100 (`url` asks for `per_page=100`). `holder` and `noun` name what
    is listed in a message: `acme/shop#12`, `comments`."""
    pages = 0
    next_url: str | None = url
    while next_url is not None:
        pages += 1
        if pages > MAX_PAGES:
            raise GitHubError(f"{holder} has more than {MAX_PAGES * 100:,} {noun}")
        response = successful(connection, request(connection, "GET", next_url, purpose), purpose)
        page = response.json()
        if not isinstance(page, list):
            raise GitHubError(f"GitHub did not answer a list of {noun} when asked to {purpose}")
        yield from (item for item in page if isinstance(item, dict))
        next_url = _next_page(response.headers.get("link", ""), connection.api_url, noun)


def _next_page(link: str, api_url: str, noun: str) -> str | None:
    for match in _LINK.finditer(link):
        if "next" in match["rel"].split():
            if not _same_origin(match["url"], api_url):
                raise GitHubError(
                    f"GitHub's next page of {noun} is on another host ({match['url']}): "
                    "the token is only sent to GITHUB_API_URL"
                )
            return match["url"]
    return None


def _same_origin(url: str, api_url: str) -> bool:
    ours, theirs = urllib.parse.urlsplit(api_url), urllib.parse.urlsplit(url)
    return (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc)
