"""Test fixtures of the scheduling capability: an approved issue ready to schedule, a list with
confirmed subscribers, and a worker subprocess helper."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from newsletter.audience import lists, roster
from newsletter.compose import issues, placements
from newsletter.core.config import Config
from newsletter.core.db import session_scope
from newsletter.library import blocks

# A fixed "now" for the controllable clock: two days before the issue's send time.
T0 = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)

STORIES = [
    (
        "Gaziantep’te meslek kursu açıldı",
        "Şehitkamil’deki yeni atölyede 40 kişi kaynak ve elektrik eğitimi alıyor.",
        "economic-recovery",
    ),
    (
        "İzmir’de gençlik buluşması",
        "Karşıyaka’da “Birlikte Üretelim” adlı buluşmaya 120 genç katıldı.",
        "social-cohesion",
    ),
]


@dataclass
class ReadyIssue:
    issue_id: int
    list_slug: str
    emails: list[str]


def make_ready_issue(
    engine: Engine, config: Config, recipients: int = 3, slug: str = "ortaklar", now=T0
) -> ReadyIssue:
    """An approved issue with two ready blocks, and a single opt-in list of confirmed people."""
    with session_scope(engine) as s:
        if lists.find(s, slug) is None:
            lists.create(s, slug, "Ortaklar ve gönüllüler", now, opt_in="single")
        emails = [f"okur{i}@example.org" for i in range(recipients)]
        for i, email in enumerate(emails):
            roster.add(s, config.secret_key, email, now, name=f"Okur Çağrı {i}",
                       list_slugs=[slug], consent_source="admin test")  # fmt: skip
        block_ids = []
        for title, body, area in STORIES:
            block = blocks.create(
                s, config.library,
                {"title": title, "body": body, "summary": body, "area": area, "status": "ready",
                 "event_date": (now - timedelta(days=3)).date()},
                now,
            )  # fmt: skip
            block_ids.append(block.id)
        issue = issues.create(
            s, config, title="Kasım 2026 bülteni", now=now, author="ayşe",
            subject="Kasım’da sahadan haberler", preheader="Gaziantep ve İzmir’den kısa notlar",
            issue_date=now.date(),
        )  # fmt: skip
        placements.add_blocks(s, config, issue.id, block_ids, "ayşe", now)
        issues.submit(s, issue.id, "ayşe", now)
        issues.approve(s, config, issue.id, "mehmet", now)
        return ReadyIssue(issue.id, slug, emails)


@pytest.fixture
def ready_issue(engine: Engine, config: Config) -> Callable[..., ReadyIssue]:
    def make(**kw) -> ReadyIssue:
        return make_ready_issue(engine, config, **kw)

    return make


# --- Real worker processes ----------------------------------------------------------------------


@dataclass
class WorkerProcess:
    """A `newsletter worker` subprocess whose log goes to a file (a pipe could fill and block)."""

    proc: subprocess.Popen
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_started(self, timeout: float = 30) -> WorkerProcess:
        wait_for(lambda: "event=worker.started" in self.log, timeout, "the worker to start")
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start `newsletter --config PATH worker` processes; any still running are killed after."""
    started: list[WorkerProcess] = []

    def start(config_path: Path, env: dict[str, str] | None = None) -> WorkerProcess:
        log_path = tmp_path / f"worker-{len(started) + 1}.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "newsletter", "--config", str(config_path), "worker"],
                stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
                env={**os.environ, **(env or {})},
            )  # fmt: skip
        started.append(WorkerProcess(proc, log_path))
        return started[-1]

    yield start
    for worker in started:
        if worker.proc.poll() is None:
            worker.proc.kill()
            worker.proc.wait(timeout=10)


def wait_for(condition: Callable[[], bool], timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)
