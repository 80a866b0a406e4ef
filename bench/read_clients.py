"""The concurrent-read clients of bench/long_video.py: readers of a track's annotations and a small-request timer.

    small, reads = run_clients("processes", url, token, paths, seconds=30, readers=8, revalidate=False)

`threads`: the readers and the timer are threads of the calling process, as the bench first did:
the timer's client code shares one GIL with the readers', which a user on another machine does
not. `processes`: each reader and the timer is its own OS process (forked before any of them opens
a connection), sharing only the CPUs; on one machine the readers' clients may then take more of
them from the server. docs/benchmarks.md compares the two.
"""

import multiprocessing
import threading
import time

import httpx
from tqdm import tqdm

SMALL_PATH = "/api/projects/"
SMALL_EVERY_S = 0.1


def _client(url: str, token: str, timeout: float) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Token {token}"}, timeout=timeout)


def read_loop(url: str, token: str, paths: list[str], revalidate: bool, stop, out: list) -> None:
    """Read `paths` in a closed loop until `stop` is set, appending each read's milliseconds to `out`.

    With `revalidate`, send back the ETag last got for a path (If-None-Match), as a browser's HTTP cache does.
    """
    etags = {}
    with _client(url, token, 120) as api:
        while not stop.is_set():
            for path in paths:
                t0 = time.perf_counter()
                headers = {"Accept-Encoding": "gzip"}
                if revalidate and path in etags:
                    headers["If-None-Match"] = etags[path]
                # raw bytes, not decoded: the client's gunzip would compete for the same two cores
                with api.stream("GET", path, headers=headers) as r:
                    for _ in r.iter_raw():
                        pass
                    if "ETag" in r.headers:
                        etags[path] = r.headers["ETag"]
                out.append((time.perf_counter() - t0) * 1000)


def time_loop(url: str, token: str, stop, out: list) -> None:
    """GET SMALL_PATH every SMALL_EVERY_S until `stop` is set, appending each request's milliseconds to `out`."""
    with _client(url, token, 30) as api:
        while not stop.is_set():
            t0 = time.perf_counter()
            api.get(SMALL_PATH).raise_for_status()
            out.append((time.perf_counter() - t0) * 1000)
            stop.wait(SMALL_EVERY_S)


def run_clients(mode: str, url: str, token: str, paths: list[str], seconds: float, readers: int,
                revalidate: bool = False) -> tuple[list[float], list[float]]:
    """Latencies (ms) of the timer's small requests and of the readers' reads over `seconds`."""
    run = _in_threads if mode == "threads" else _in_processes
    return run(url, token, paths, seconds, readers, revalidate)


def _in_threads(url, token, paths, seconds, readers, revalidate):
    stop, reads, small = threading.Event(), [], []
    threads = [threading.Thread(target=read_loop, args=(url, token, paths, revalidate, stop, reads))
               for _ in range(readers)]
    threads.append(threading.Thread(target=time_loop, args=(url, token, stop, small)))
    for t in threads:
        t.start()
    _wait(seconds, f"{readers} readers (threads)")
    stop.set()
    for t in threads:
        t.join()
    return small, reads


def _in_processes(url, token, paths, seconds, readers, revalidate):
    # fork: the children need nothing pickled and start in milliseconds; each opens its own client
    ctx = multiprocessing.get_context("fork")
    go, stop, results = ctx.Event(), ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_child, args=("read", url, token, paths, revalidate, go, stop, results))
             for _ in range(readers)]
    procs.append(ctx.Process(target=_child, args=("small", url, token, paths, revalidate, go, stop, results)))
    for p in procs:
        p.start()
    go.set()  # all forked: start together
    _wait(seconds, f"{readers} readers (processes)")
    stop.set()
    small, reads = [], []
    for _ in procs:  # drain before join: a child blocks on exit until its queued list is read
        role, values = results.get(timeout=180)
        (small if role == "small" else reads).extend(values)
    for p in procs:
        p.join()
    return small, reads


def _child(role, url, token, paths, revalidate, go, stop, results) -> None:
    out = []
    go.wait()
    try:
        if role == "small":
            time_loop(url, token, stop, out)
        else:
            read_loop(url, token, paths, revalidate, stop, out)
    finally:
        results.put((role, out))


def _wait(seconds: float, what: str) -> None:
    for _ in tqdm(range(int(seconds)), desc=what, unit="s"):
        time.sleep(1)
