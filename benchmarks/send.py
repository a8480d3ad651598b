"""Send benchmark: N recipients of a 12-block issue to a local SMTP sink, ledger included.

In the same run, a raw baseline sends as many prebuilt messages of the same size with plain
smtplib over the same number of connections. Prints messages/s of both, their ratio and the
peak RSS; the last line is one JSON object.

    python benchmarks/send.py                      # 20,000 recipients
    python benchmarks/send.py --recipients 100000
    python benchmarks/send.py --synchronous NORMAL # the cost of the ledger's durability

The ledger runs SQLite with ``synchronous=FULL`` (core/db.py: a commit survives a power cut,
so a row marked ``sending`` never reverts to ``queued`` and goes out twice);
``--synchronous NORMAL`` measures the same send without it, to show what FULL costs.

The sink is Postfix's smtp-sink (``/usr/sbin/smtp-sink``), else an aiosmtpd sink.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("NEWSLETTER_SECRET_KEY", "benchmark-secret-key-0123456789-abcdefghijklmnop")

import sqlalchemy as sa  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402

from newsletter.compose import issues  # noqa: E402
from newsletter.compose.placements import add_blocks  # noqa: E402
from newsletter.core import db  # noqa: E402
from newsletter.core.clock import utcnow  # noqa: E402
from newsletter.core.config import load_config  # noqa: E402
from newsletter.core.models import MailingList, Subscriber  # noqa: E402
from newsletter.delivery import ledger, sender  # noqa: E402
from newsletter.delivery.composer import Composer, Recipient  # noqa: E402
from newsletter.delivery.send_settings import message_settings  # noqa: E402
from newsletter.library import blocks  # noqa: E402

PLACES = [
    "Hatay",
    "Gaziantep",
    "Şanlıurfa",
    "İzmir",
    "Kilis",
    "Mersin",
    "Adana",
    "Van",
    "Ankara",
    "İstanbul",
    "Kahramanmaraş",
    "Malatya",
]
NAMES = ["Ayşe", "Mehmet", "Şule", "Çağrı", "Gülşen", "İsmail", "Özge", "Ümit", ""]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink(port: int) -> Any:
    binary = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
    if os.path.exists(binary):
        user = ["-u", "root"] if os.geteuid() == 0 else []
        proc = subprocess.Popen(
            [binary, *user, f"127.0.0.1:{port}", "1000"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return ("smtp-sink", proc)
            except OSError:
                time.sleep(0.02)
        proc.kill()

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    return ("aiosmtpd", controller)


def stop_sink(sink: Any) -> None:
    kind, handle = sink
    if kind == "smtp-sink":
        handle.terminate()
        handle.wait()
    else:
        handle.stop()


def make_issue(session: Any, config: Any) -> int:
    """A 12-block issue through the real compose pipeline (blocks → issue → render → freeze)."""
    now = utcnow()
    ids = []
    for i, place in enumerate(PLACES):
        area = config.library.areas[i % len(config.library.areas)].slug
        body = (f"{place}’da yürütülen çalışmalar sürüyor. " * 12 + "\n\n") * 3
        block = blocks.create(
            session,
            config.library,
            {
                "title": f"{place}’da “yeni” toplum merkezi açıldı",
                "body": body,
                "summary": f"{place} ve çevresinde {100 + i} aileye destek verildi.",
                "area": area,
                "status": "ready",
                "language": "tr",
                "event_date": date(2026, 11, 1 + i),
                "link_url": f"https://example.org/haber/{i}",
                "link_label": "Devamını okuyun",
            },
            now,
        )
        ids.append(block.id)
    issue = issues.create(
        session,
        config,
        title="Kasım 2026",
        now=now,
        language="tr",
        subject="Kasım 2026 bülteni: sahadan haberler",
    )
    add_blocks(session, config, issue.id, ids, "bench", now)
    issues.transition(session, issue.id, "in_review", "bench", now)
    issues.transition(session, issue.id, "approved", "bench", now)
    issues.freeze(session, issue.id, now, config)
    return issue.id or 0


def add_audience(engine: Any, n: int) -> None:
    now = utcnow()
    with db.session_scope(engine) as s:
        s.add(MailingList(slug="genel", name="Genel", opt_in="single", created_at=now))
        s.flush()
        conn = s.connection()
        for start in range(0, n, 10000):
            people = [
                {
                    "email": f"kisi{i:06d}@example.org",
                    "email_ascii": f"kisi{i:06d}@example.org",
                    "name": NAMES[i % len(NAMES)],
                    "language": "tr",
                    "status": "active",
                    "attributes": {},
                    "created_at": now,
                    "updated_at": now,
                    "organisation": "",
                    "smtputf8": False,
                }
                for i in range(start, min(n, start + 10000))
            ]
            columns = set(Subscriber.__table__.c.keys())
            people = [{k: v for k, v in p.items() if k in columns} for p in people]
            conn.execute(sa.insert(Subscriber.__table__), people)
        conn.execute(
            sa.text(
                "INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, "
                "confirmed_at) SELECT id, 1, 'confirmed', :now, :now FROM subscribers"
            ),
            {"now": now.replace(tzinfo=None)},
        )


def raw_baseline(
    port: int, messages: int, size_message: bytes, connections: int, per_connection: int
) -> float:
    """Plain smtplib: the same number of prebuilt messages over the same connections."""

    def work(count: int, offset: int) -> None:
        conn = smtplib.SMTP("127.0.0.1", port)
        for i in range(count):
            if i and i % per_connection == 0:
                conn.quit()
                conn = smtplib.SMTP("127.0.0.1", port)
            conn.sendmail("news@example.org", [f"kisi{offset + i:06d}@example.org"], size_message)
        conn.quit()

    share = messages // connections
    threads = [threading.Thread(target=work, args=(share, i * share)) for i in range(connections)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return share * connections / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=20000)
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--per-connection", type=int, default=1000)
    parser.add_argument("--synchronous", choices=("FULL", "NORMAL"), default="FULL")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="nl-bench-"))
    port = free_port()
    sink = start_sink(port)
    try:
        (folder / "newsletter.toml").write_text(
            f'[database]\nurl = "sqlite:///{folder / "bench.db"}"\n'
            '[sending]\ntransport = "smtp"\nfrom_address = "news@example.org"\n'
            'from_name = "Örnek Kuruluş"\n'
            f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
            f"pool_size = {args.connections}\n"
            f"max_messages_per_connection = {args.per_connection}\n"
            '[public]\nbase_url = "https://news.example.org"\n',
            encoding="utf-8",
        )
        config = load_config(folder / "newsletter.toml")
        engine = db.make_engine(config)
        if args.synchronous != "FULL":  # after db.py's own pragmas, for the comparison
            sa.event.listen(engine, "connect", lambda c, _r: c.execute(
                f"PRAGMA synchronous={args.synchronous}"))  # fmt: skip
        db.upgrade(engine)
        with db.session_scope(engine) as s:
            issue_id = make_issue(s, config)
            snaps = issues.snapshots(s, issue_id)
        add_audience(engine, args.recipients)

        sample = Composer(message_settings(config), issue_id, snaps, "tr").compose(
            Recipient(1, 1, 1, "kisi000001@example.org", "kisi000001@example.org", "Ayşe", "tr"),
            utcnow(),
        )
        # The raw baseline runs before and after the send, so a change in the machine's
        # load during the run does not favour either side.
        raw = [
            raw_baseline(
                port, args.recipients // 2, sample.data, args.connections, args.per_connection
            )
        ]

        began = time.perf_counter()
        with db.session_scope(engine) as s:
            send_id = ledger.start_send(s, issue_id, ["genel"], utcnow(), config).id
        queued = time.perf_counter() - began
        result = sender.run_send(engine, config, send_id, utcnow)
        elapsed = time.perf_counter() - began
        assert result.status == "done" and result.progress.sent == args.recipients, result
        send_per_s = args.recipients / elapsed

        raw.append(
            raw_baseline(
                port,
                args.recipients - args.recipients // 2,
                sample.data,
                args.connections,
                args.per_connection,
            )
        )
        raw_per_s = sum(raw) / len(raw)
    finally:
        stop_sink(sink)
        shutil.rmtree(folder, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"sink: {sink[0]}; message size {len(sample.data) / 1024:.1f} KB; "
        f"{args.connections} connections"
    )
    print(f"ledger rows written in {queued:.2f} s (included below)")
    print(f"newsletter send: {send_per_s:,.0f} messages/s ({elapsed:.1f} s)")
    print(
        f"raw smtplib:     {raw_per_s:,.0f} messages/s (before {raw[0]:,.0f}, after {raw[1]:,.0f})"
    )
    print(f"ratio {send_per_s / raw_per_s:.2f}; peak RSS {peak:.0f} MB")
    print(
        json.dumps(
            {
                "recipients": args.recipients,
                "synchronous": args.synchronous,
                "send_per_s": round(send_per_s, 1),
                "raw_per_s": round(raw_per_s, 1),
                "ratio": round(send_per_s / raw_per_s, 3),
                "peak_rss_mb": round(peak, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
