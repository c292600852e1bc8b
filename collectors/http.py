"""The one HTTP fetch every non-SDK collector uses: timeouts, bounded retries, clear errors.

Retries only what can heal by itself (429, 5xx, dropped connections); waits honour Retry-After
and RateLimit-Reset but never exceed settings.http_max_wait_s.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from collectors.runs import SourceError, SourceUnreachable
from collectors.settings import Settings

RETRY_STATUSES = {429, 500, 502, 503, 504}


def _retry_wait_s(response: httpx.Response | None, attempt: int, settings: Settings) -> float:
    wait = settings.http_backoff_s * (2**attempt)
    if response is not None:
        for header in ("Retry-After", "RateLimit-Reset", "X-RateLimit-Reset-After"):
            value = response.headers.get(header)
            if value and value.strip().isdigit():
                wait = float(value)
                break
    return min(wait, settings.http_max_wait_s)


def get_bytes(url: str, settings: Settings, *, what: str,
              sleep: Callable[[float], None] = time.sleep) -> bytes:
    """GET url and return the body, or raise SourceError / SourceUnreachable naming `what`."""
    last_problem = ""
    with httpx.Client(timeout=settings.http_timeout_s, follow_redirects=True,
                      headers={"User-Agent": "open-model-observatory"}) as client:
        for attempt in range(settings.http_retries + 1):
            response = None
            try:
                response = client.get(url)
            except (httpx.ConnectError, httpx.UnsupportedProtocol) as exc:
                # Nothing answered: offline, DNS failure or nothing listening. Retrying won't help.
                raise SourceUnreachable(f"{what}: cannot reach {url} ({exc})") from None
            except httpx.TransportError as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    return response.content
                last_problem = f"HTTP {response.status_code}"
                if response.status_code not in RETRY_STATUSES:
                    break
            if attempt < settings.http_retries:
                sleep(_retry_wait_s(response, attempt, settings))
    raise SourceError(f"{what}: {url} failed after {attempt + 1} attempt(s): {last_problem}")
