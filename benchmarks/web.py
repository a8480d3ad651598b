"""Benchmark: latency of the public pages served by uvicorn on loopback, one client in sequence.

    /work/venv/bin/python benchmarks/web.py [--requests 300]

A temporary SQLite database holds two public lists, 2,000 subscribers and 24 published issues.
Each page is requested N times over keep-alive HTTP; the figures are the median and 95th
percentile in milliseconds. Target on a 2-core machine: every page's p95 < 50 ms. The last
line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from sqlmodel import select

from newsletter.audience import lists, subscriptions, tokens
from newsletter.core import db
from newsletter.core.clock import utcnow
from newsletter.core.config import load_config
from newsletter.core.models import Issue, IssueSnapshot, Send, Subscription
from newsletter.rendering.personalise import markers

SECRET = "benchmark-secret-that-is-long-enough-0123456789"
M = markers()


def _config(folder: Path):
    path = folder / "newsletter.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{folder / "bench.db"}"\n'
        "[web]\nrate_limit_per_ip_per_hour = 1000000\nrate_limit_per_address_per_hour = 1000000\n",
        encoding="utf-8",
    )
    return load_config(path, environ={"NEWSLETTER_SECRET_KEY": SECRET})


def _seed(engine, now) -> int:
    html = (
        "<!doctype html><html><body>"
        + "<p>Gaziantep’te “yeni” meslek kursları başladı; çalışmalar sürüyor.</p>" * 60
        + f'<a href="{M["view_online_url"]}">Web</a>'
        + f'{M["if_unsubscribe_url"]}<a href="{M["unsubscribe_url"]}">Çık</a>{M["end"]}'
        + "</body></html>"
    )
    with db.session_scope(engine) as s:
        lists.create(s, "aylik", "Aylık Bülten", now, visibility="public")
        lists.create(s, "etkinlik", "Etkinlikler", now, visibility="public", opt_in="single")
        for i in range(2000):
            subscriptions.subscribe(
                s, SECRET, f"kisi{i:05d}@example.org", "Ayşe", "tr", ["aylik"], "bench",
                None, None, "consent", "v1", now,
            )  # fmt: skip
        for sub in s.exec(select(Subscription)):
            sub.status = "confirmed"
        last = 0
        for n in range(24):
            issue = Issue(title=f"Sayı {n}", subject=f"Bülten {n}", language="tr", status="sent")
            s.add(issue)
            s.flush()
            s.add(IssueSnapshot(issue_id=issue.id, language="tr", subject=f"Bülten {n}",
                                html=html, text="Bülten"))  # fmt: skip
            s.add(Send(issue_id=issue.id, lists=["aylik"], status="done", started_at=now,
                       finished_at=now))  # fmt: skip
            last = issue.id or 0
    return last


def _serve(config) -> tuple[str, uvicorn.Server, threading.Thread]:
    from newsletter.web.app import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port,
                                           log_level="warning"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    return f"http://127.0.0.1:{port}", server, thread


def _measure(client: httpx.Client, n: int, method: str, url: str, **kw) -> dict[str, float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.request(method, url, **kw)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code >= 400:
            sys.exit(f"{method} {url}: HTTP {response.status_code}")
    times.sort()
    return {"median_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    os.environ["NEWSLETTER_SECRET_KEY"] = SECRET
    with tempfile.TemporaryDirectory() as tmp:
        config = _config(Path(tmp))
        engine = db.make_engine(config)
        db.upgrade(engine)
        now = utcnow()
        issue_id = _seed(engine, now)
        unsub = tokens.make(SECRET, "unsubscribe", 1, 1, now=now)
        prefs = tokens.make(SECRET, "preferences", 2, now=now)
        url, server, thread = _serve(config)
        figures: dict[str, dict[str, float]] = {}
        with httpx.Client(base_url=url) as client:
            page = client.get("/subscribe").text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            form = {"csrf_token": csrf, "email": "yeni@example.org", "language": "tr",
                    "lists": "aylik", "consent": "yes"}  # fmt: skip
            n = args.requests
            figures["subscribe_page"] = _measure(client, n, "GET", "/subscribe")
            figures["subscribe_post"] = _measure(client, n, "POST", "/subscribe", data=form)
            figures["archive_index"] = _measure(client, n, "GET", "/archive")
            figures["archive_issue"] = _measure(client, n, "GET", f"/archive/{issue_id}")
            figures["archive_feed"] = _measure(client, n, "GET", "/archive/feed.atom")
            figures["unsubscribe_page"] = _measure(client, n, "GET", f"/unsubscribe/{unsub}")
            one_click = {"List-Unsubscribe": "One-Click"}
            figures["one_click_post"] = _measure(
                client, n, "POST", f"/unsubscribe/{unsub}", data=one_click
            )
            figures["preferences_page"] = _measure(client, n, "GET", f"/preferences/{prefs}")
        server.should_exit = True
        thread.join(10)
        engine.dispose()
    for name, values in figures.items():
        print(f"{name:18} median {values['median_ms']:7.2f} ms   p95 {values['p95_ms']:7.2f} ms")
    worst = max(v["p95_ms"] for v in figures.values())
    print(json.dumps({"requests_per_page": args.requests, "worst_p95_ms": worst, **figures}))


if __name__ == "__main__":
    main()
