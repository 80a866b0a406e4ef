"""One writer thread per job: chunks are encoded and written while the tracker goes on.

    writes = BackgroundWrites(max_pending=2)
    for result in writes.submit(write_chunk, records):   # results of writes that finished, in order
        apply(result)
    for result in writes.drain():                         # wait for the rest
        apply(result)
    writes.close()

A frame's RLE encoding and a chunk's database round trips (lock, upsert, progress) take the
tracking thread's time when done inline; here they overlap the next frames. Writes run one at
a time in submission order, so chunks land as before. At most `max_pending` writes wait, so
memory stays bounded and progress lags by at most that many chunks. An exception in a write
comes back from the next submit or drain, on the tracking thread. The thread has its own
database connection (Django's are per thread); close() closes it.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from django.db import connection


class BackgroundWrites:
    def __init__(self, max_pending: int = 2) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="propagation-writer")
        self._pending: deque[Future] = deque()
        self._max_pending = max_pending

    def submit(self, fn: Callable[..., Any], *args) -> list[Any]:
        """Queue `fn(*args)` on the writer thread; return the results of writes already finished."""
        self._pending.append(self._executor.submit(fn, *args))
        done = []
        while self._pending and (self._pending[0].done() or len(self._pending) > self._max_pending):
            done.append(self._pending.popleft().result())
        return done

    def drain(self) -> list[Any]:
        """Wait for every queued write; return their results in order."""
        done = []
        while self._pending:
            done.append(self._pending.popleft().result())
        return done

    def close(self) -> None:
        """Wait for queued writes (their errors are dropped: the caller is already ending) and stop."""
        for future in self._pending:
            future.exception()
        self._pending.clear()
        # resolved on the writer thread: `connection` is a per-thread proxy
        self._executor.submit(lambda: connection.close()).result()
        self._executor.shutdown(wait=True)
