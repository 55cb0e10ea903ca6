"""A bounded local load test of the web page: N clients at once against `tracuu serve`.

    python bench/web_load.py --index /path/to/viwiki-index            # 20 clients, 30 s
    python bench/web_load.py --index IDX --clients 5 --seconds 10 --out /tmp/load
    python bench/web_load.py --index IDX --think 5 --out /tmp/load   # readers, not robots

Starts `tracuu serve` on a free port of localhost over --index (or uses --url, which
must be a loopback address), warms it with one request, then runs --clients threads for
--seconds: each asks the search page for the queries of --queries (the 200 of
bench/queries/viwiki.tsv by default: keywords, phrases, with and without diacritics), in
an order of its own, and opens the best document of every --open-every-th result page,
as an archivist would. (In one shared order, clients bunch up behind a slow query and
then follow each other into the results the server keeps: with two server processes
that made half the pages "kept", not searched.)
By default a client asks again as soon as it has its page (the hardest reading of "20 at
once"); --think makes it wait that many seconds after each page, as a reader does. A
page's time runs from sending the request to the last byte of the answer (keep-alive
connections, like a browser's). An error is a failed connection, a status other than 200
or a page that does not end in </html>. Writes web_load.md and web_load.json to --out.

Targets: page time p95 <= 150 ms, no errors. Exit 0 when both are met, 1 otherwise.
Only the standard library talks to the server (threads + http.client).
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import random
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from common import BENCH_DIR, DEFAULT_RESULTS, REPO_ROOT, load_tracuu, log
from measure import dir_size, load_average, nproc, percentile

TARGET_P95_MS = 150.0
TIMEOUT_S = 30.0  # one request; a slower answer is an error
DOCUMENT_LINK = re.compile(r'<h3><a href="(/doc/[^"]+)">')


TIMING = re.compile(r"(\w+);dur=([\d.]+)")
PARTS = ("wait", "search", "mark", "render")  # the server's Server-Timing parts
KINDS = {
    "search": "search page, searched",
    "kept": "search page, results kept",
    "document": "document page",
}


@dataclass
class Sample:
    kind: str  # "search", "kept" (a search page from results kept) or "document"
    ms: float
    error: str | None = None
    server: dict[str, float] = field(default_factory=dict)  # Server-Timing parts


@dataclass
class Tally:
    """Every client's samples, gathered under one lock."""

    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


def fetch(conn: http.client.HTTPConnection, path: str, kind: str) -> tuple[Sample, str]:
    """One GET on a kept-alive connection (or a new one where the server closed it after
    its last answer, as tracuu serve -w N does: the connecting is counted): its sample
    and the page."""
    t0 = time.perf_counter()
    for attempt in (1, 2):
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read().decode("utf-8", "replace")
            break
        except (OSError, http.client.HTTPException) as exc:
            conn.close()  # the next request reconnects
            # the server closes a connection idle for 5 s: a browser then asks again on a
            # new one, and so does this client (once, the time counted)
            stale = isinstance(exc, (http.client.RemoteDisconnected, ConnectionResetError))
            if attempt == 1 and stale:
                continue
            ms = (time.perf_counter() - t0) * 1000
            return Sample(kind, ms, f"{type(exc).__name__}: {exc}"), ""
    sample = Sample(kind, (time.perf_counter() - t0) * 1000)
    timing = response.getheader("Server-Timing") or ""
    sample.server = {name: float(ms) for name, ms in TIMING.findall(timing)}
    if response.status != 200:
        sample.error = f"HTTP {response.status} on {path[:80]}"
    elif not body.rstrip().endswith("</html>"):
        sample.error = f"truncated page on {path[:80]}"
    return sample, body


def connect(url: str, timeout: float) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)


@dataclass(frozen=True)
class Plan:
    """What every client does: the queries, each client in its own order, until the
    deadline."""

    url: str
    queries: list[str]
    deadline: float  # time.perf_counter() at which the clients stop
    open_every: int  # every n-th result page is followed by its best document (0: never)
    think: float  # seconds a client waits after each page, as a reader would


def client(number: int, plan: Plan, tally: Tally) -> None:
    """One user: search, now and then open the best document, until the deadline."""
    conn = connect(plan.url, TIMEOUT_S)
    order = random.Random(number).sample(plan.queries, len(plan.queries))
    i = 0
    try:
        while time.perf_counter() < plan.deadline:
            query = order[i % len(order)]
            sample, page = fetch(conn, "/?" + urlencode({"q": query}), "search")
            if "kept" in sample.server:  # the server kept this query's results from before
                sample.kind = "kept"
            tally.add(sample)
            time.sleep(plan.think)
            link = DOCUMENT_LINK.search(page)
            i += 1
            opens = plan.open_every and i % plan.open_every == 0
            if link and opens and time.perf_counter() < plan.deadline:
                tally.add(fetch(conn, unescape(link[1]), "document")[0])
                time.sleep(plan.think)
    finally:
        conn.close()


def warm_up(url: str, query: str) -> list[float]:
    """The first pages, not counted: the server opens the index and loads the segmenter."""
    conn = connect(url, 120)
    times = []
    try:
        for path in ("/", "/?" + urlencode({"q": query})):
            sample, _ = fetch(conn, path, "warm-up")
            if sample.error:
                sys.exit(f"web_load.py: the server fails before the test: {sample.error}")
            times.append(round(sample.ms, 1))
    finally:
        conn.close()
    return times


def run_load(plan: Plan, clients: int) -> Tally:
    tally = Tally()
    threads = [threading.Thread(target=client, args=(n, plan, tally)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(plan.deadline - time.perf_counter() + TIMEOUT_S + plan.think + 5)
    return tally


def summary(samples: list[Sample], seconds: float) -> dict:
    times = [s.ms for s in samples]
    errors = [s.error for s in samples if s.error]
    server = {
        f"{part}_p50_ms": round(percentile([s.server.get(part, 0.0) for s in samples], 50), 1)
        for part in PARTS
    }
    server |= {
        f"{part}_p95_ms": round(percentile([s.server.get(part, 0.0) for s in samples], 95), 1)
        for part in PARTS
    }
    return {
        "requests": len(samples),
        "requests_per_s": round(len(samples) / seconds, 1),
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "max_ms": round(max(times, default=float("nan")), 1),
        "errors": len(errors),
        "first_errors": sorted(set(errors))[:5],
        "server": server,
    }


def read_queries(path: Path) -> list[str]:
    load_tracuu()
    from tracuu.output import decode_input, read_topics

    topics = read_topics(decode_input(path.read_bytes(), "queries file"))
    return [t.query for t in topics if t.query]


def corpus_size(index: Path) -> dict:
    load_tracuu()
    from tracuu import Archive

    with Archive(index) as archive:
        stats = archive.stats()
    return {
        "documents": stats.documents,
        "paragraphs": stats.paragraphs,
        "corpus": Path(stats.corpus).name,  # the folder, not where this machine keeps it
        "corpus_mb": round(dir_size(Path(stats.corpus)) / 2**20, 1),
        "index_mb": round(stats.size_bytes / 2**20, 1),
    }


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@contextmanager
def server(args: argparse.Namespace) -> Iterator[str]:
    """The address to load: --url, or a `tracuu serve` started here for the run."""
    if args.url:
        host = urlsplit(args.url).hostname or ""
        if host != "localhost" and not _is_loopback(host):
            sys.exit(f"web_load.py: {args.url} is not on this machine (loopback only)")
        yield args.url.rstrip("/") + "/"
        return
    sys.path.insert(0, str(REPO_ROOT / "tests"))
    from browser import serving  # the same start-up as the browser test

    workers = ["--workers", str(args.workers)] if args.workers else []
    with serving(args.index, *workers) as (url, _):
        yield url


def measure(args: argparse.Namespace) -> dict:
    queries = read_queries(args.queries)
    with server(args) as url:
        log(f"web_load: {url}, {args.clients} clients for {args.seconds:g} s")
        warm = warm_up(url, queries[0])
        started = time.time()
        deadline = time.perf_counter() + args.seconds
        plan = Plan(url, queries, deadline, args.open_every, args.think)
        tally = run_load(plan, args.clients)
    samples = tally.samples
    by_kind = {k: summary([s for s in samples if s.kind == k], args.seconds) for k in KINDS}
    everything = summary(samples, args.seconds)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M", time.localtime(started)),
        "clients": args.clients,
        "seconds": args.seconds,
        "queries": len(queries),
        "queries_file": str(args.queries),
        "open_every": args.open_every,
        "think_s": args.think,
        "workers": args.workers,
        "index": corpus_size(args.index),
        "cpus": nproc(),
        "load_average_after": load_average(),
        "warm_up_ms": warm,
        "all_pages": everything,
        **by_kind,
        "target_p95_ms": TARGET_P95_MS,
        "met": everything["p95_ms"] <= TARGET_P95_MS and everything["errors"] == 0,
    }


def markdown(r: dict) -> str:
    idx = r["index"]
    rows = [("all pages", r["all_pages"]), *((title, r[kind]) for kind, title in KINDS.items())]
    lines = [
        "# Web page under load (bench/web_load.py)",
        "",
        f"{r['date']}: {r['clients']} clients at once for {r['seconds']:g} s against `tracuu serve"
        f"{' -w ' + str(r['workers']) if r.get('workers') else ''}` on localhost ({r['cpus']} CPUs, shared with the clients; load average after "
        f"{r['load_average_after']}). Index: {idx['documents']:,} documents, "
        f"{idx['paragraphs']:,} paragraphs ({idx['corpus_mb']} MB of files in {idx['corpus']}; "
        f"index {idx['index_mb']} MB). "
        f"Queries: the {r['queries']} of `{Path(r['queries_file']).name}`, each client in its "
        f"own order; every "
        f"{r['open_every']}th result page is followed by its best document; a client waits "
        f"{r['think_s']:g} s after each page.",
        "",
        "| pages | requests | requests/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in rows:
        lines.append(
            f"| {name} | {s['requests']} | {s['requests_per_s']} | {s['p50_ms']} | {s['p95_ms']} "
            f"| {s['p99_ms']} | {s['max_ms']} | {s['errors']} |"
        )
    lines += [
        "",
        "Where a page's time went, from the server's Server-Timing header (p50 / p95 ms):",
        "waiting for the searcher inside a server process (about 0: a process answers one request at a time and",
        "takes the next one only when free), searching, marking the words of the documents shown, rendering;",
        "the rest of a page time is queueing for a free server process (with several, each answer closes its",
        "connection and the next one waits in the kernel's queue), the framework and the network.",
        "",
        "| pages | wait | search | mark | render |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, s in rows:
        t = s["server"]
        cells = [f"{t[f'{part}_p50_ms']} / {t[f'{part}_p95_ms']}" for part in PARTS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    verdict = "met" if r["met"] else "NOT met"
    lines += ["", f"Target: p95 <= {r['target_p95_ms']:g} ms and no errors: **{verdict}**."]
    for e in r["all_pages"]["first_errors"]:
        lines.append(f"- error: {e}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="index folder to serve")
    parser.add_argument("--queries", type=Path, default=BENCH_DIR / "queries" / "viwiki.tsv")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--open-every", type=int, default=4, help="0: search pages only")
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds each client waits after a page"
    )
    parser.add_argument("--url", help="an already running tracuu serve on this machine")
    parser.add_argument("--workers", type=int, help="tracuu serve -w (default: its own)")
    parser.add_argument("--out", type=Path, default=DEFAULT_RESULTS)
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 200 or not 0 < args.seconds <= 600 or not 0 <= args.think <= 60:
        parser.error("--clients 1..200, --seconds 0..600, --think 0..60: a bounded test")
    result = measure(args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "web_load.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    (args.out / "web_load.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
