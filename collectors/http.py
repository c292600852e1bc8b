"""The one retry loop every collector's HTTP goes through: timeouts, bounded retries, clear errors.

Retries only what can heal by itself (429, 5xx, dropped connections); waits honour Retry-After
and the IETF RateLimit header (`"api";r=0;t=55`, as the Hub sends) but never exceed
settings.http_max_wait_s. A host that cannot be reached at all is not retried: that is offline.
Works with any client whose responses have .status_code and .headers (httpx, huggingface_hub's).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import httpx

from collectors.runs import SourceError, SourceUnreachable
from collectors.settings import Settings

RETRY_STATUSES = {429, 500, 502, 503, 504}
_RATELIMIT_RESET = re.compile(r";\s*t=(\d+)")


def _retry_wait_s(response: Any | None, attempt: int, settings: Settings) -> float:
    wait = settings.http_backoff_s * (2**attempt)
    if response is not None:
        retry_after = response.headers.get("Retry-After", "").strip()
        reset = _RATELIMIT_RESET.search(response.headers.get("RateLimit", ""))
        if retry_after.isdigit():
            wait = float(retry_after)
        elif reset:
            wait = float(reset.group(1))
    return wait


_ERRNO = re.compile(r"\[Errno -?\d+\] [^'\")\]]+")


def _root_cause(exc: BaseException) -> str:
    """The OS's words for a failed connection, not the wrapping libraries' whole chain."""
    found = _ERRNO.search(str(exc))
    return found.group(0).strip() if found else str(exc)


def send_with_retries(send: Callable[[], Any], settings: Settings, *, what: str, target: str,
                      unreachable: tuple[type[BaseException], ...],
                      transient: tuple[type[BaseException], ...],
                      sleep: Callable[[float], None] = time.sleep) -> Any:
    """Call send() until it returns a non-retryable response; return that response.

    Raises SourceUnreachable when nothing answers, SourceError when retries or the wait bound run out.
    """
    problem = ""
    for attempt in range(settings.http_retries + 1):
        response = None
        try:
            response = send()
        except unreachable as exc:
            raise SourceUnreachable(f"{what}: cannot reach {target} ({_root_cause(exc)})") from None
        except transient as exc:
            problem = f"{type(exc).__name__}: {exc}"
        else:
            if response.status_code not in RETRY_STATUSES:
                return response
            problem = f"HTTP {response.status_code}"
        if attempt < settings.http_retries:
            wait = _retry_wait_s(response, attempt, settings)
            if wait > settings.http_max_wait_s:
                raise SourceError(f"{what}: {problem}; the advised wait of {wait:.0f} s exceeds "
                                  f"OMO_HTTP_MAX_WAIT_S ({settings.http_max_wait_s:.0f} s)")
            sleep(wait)
    raise SourceError(f"{what}: {target} failed after {settings.http_retries + 1} attempt(s): {problem}")


def get_bytes(url: str, settings: Settings, *, what: str,
              sleep: Callable[[float], None] = time.sleep) -> bytes:
    """GET url and return the body, or raise SourceError / SourceUnreachable naming `what`."""
    with httpx.Client(timeout=settings.http_timeout_s, follow_redirects=True,
                      headers={"User-Agent": "open-model-observatory"}) as client:
        response = send_with_retries(lambda: client.get(url), settings, what=what, target=url,
                                     unreachable=(httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol),
                                     transient=(httpx.TransportError,), sleep=sleep)
    if response.status_code != 200:
        raise SourceError(f"{what}: {url} answered HTTP {response.status_code}")
    return response.content


class Answer:
    """An exception-raising client's outcome as a response, so send_with_retries can judge it:
    status 200 with the value, or the client's error status, headers and exception."""

    def __init__(self, status_code: int, headers: Any, value: Any = None, error: BaseException | None = None):
        self.status_code, self.headers, self.value, self.error = status_code, headers, value, error
