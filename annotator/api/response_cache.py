"""Repeated reads of unchanged data, nearly free: an ETag per answer, 304s, and compressed bodies cached.

    tag = response_cache.etag_of("annotations", track.pk, window, stamps)
    return response_cache.not_modified(request, tag) or response_cache.cached_json(request, tag, build)

The ETag is a digest of what the body is made from (for a track's frames: each row's frame, job and
`updated_at`, annotator/api/frame_ranges.py), so any write that changes the body changes the tag.
The cache is keyed by the tag and the encoding: a write never has to invalidate it, the next read
simply asks for another key, and the entries nobody asks for any more leave by TTL or by the cache's
own bound (Redis maxmemory, the file cache's MAX_ENTRIES). The stored body is the gzip the
middleware would send (annotator/compression.py), so a hit costs neither the JSON nor the gzip.
`Cache-Control: private, no-cache` lets a browser keep the body and revalidate it with
If-None-Match on every read, without any code in the page.
"""

import hashlib
import logging

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.text import compress_string

log = logging.getLogger(__name__)

CACHE_SECONDS = 600  # an entry outlives a user's back-and-forth over a clip; stale ones are never served anyway
MAX_CACHED_BYTES = 4 * 1024 * 1024  # larger bodies are built per request rather than crowding the cache out
MIN_GZIP_BYTES = 200  # as GZipMiddleware: shorter bodies are sent as they are


def etag_of(*parts) -> str:
    """Return a weak ETag digesting `parts` (their str()): the same parts, the same tag, in any process."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=16).hexdigest()
    # weak: the gzip and the plain body share it (RFC 9110 8.8.1), as GZipMiddleware makes tags weak
    return f'W/"{digest}"'


def with_validators(response, etag: str):
    """Set the ETag, and ask browsers to keep the body but revalidate it before each use."""
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def not_modified(request, etag: str) -> HttpResponse | None:
    """Return a 304 (or 412 for a failed If-Match) when the request's preconditions say so, else None."""
    headers = with_validators(HttpResponse(), etag)
    answer = get_conditional_response(request, etag=etag, response=headers)
    return None if answer is headers else answer


def cached_json(request, etag: str, build) -> HttpResponse:
    """Answer the JSON bytes that `build()` makes for `etag`, from the cache when another read made them."""
    accepts_gzip = bool(re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))
    key = f"json-body:{etag}:{'gzip' if accepts_gzip else 'identity'}"
    entry = _get(key)  # (Content-Encoding or "", body)
    if entry is None:
        body = build()
        encoding = ""
        if accepts_gzip and len(body) >= MIN_GZIP_BYTES:
            body, encoding = compress_string(body, max_random_bytes=GZipMiddleware.max_random_bytes), "gzip"
        entry = (encoding, body)
        if len(body) <= MAX_CACHED_BYTES:
            _set(key, entry)
    encoding, body = entry
    response = HttpResponse(body, content_type="application/json")
    if encoding:
        response["Content-Encoding"] = encoding  # GZipMiddleware leaves an encoded body alone
    return with_validators(response, etag)


# The cache only saves work: when it is unreachable a read is built as if it had missed.
def _get(key: str) -> tuple[str, bytes] | None:
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - any backend's failure
        log.warning("the response cache cannot be read; building the body", exc_info=True)
        return None


def _set(key: str, entry: tuple[str, bytes]) -> None:
    try:
        cache.set(key, entry, CACHE_SECONDS)
    except Exception:  # noqa: BLE001 - any backend's failure
        log.warning("the response cache cannot be written", exc_info=True)
