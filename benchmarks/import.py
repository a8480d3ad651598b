"""Benchmark: import N subscribers from CSV (empty database, then full), and a filtered listing.

    /work/venv/bin/python benchmarks/import.py [--rows 100000] [--keep DIR]

The generated file has about 2% bad rows and 2% duplicates (some differing only in case or
in the Turkish dotted capital İ). The import goes into a double opt-in list, the heaviest
path: subscriber, subscription, consent record and queued confirmation per person.
Targets on a 2-core machine: import of 100,000 rows < 10 s, peak RSS < 200 MB, a filtered
`subscribers list` < 100 ms. The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from newsletter.audience import lists, roster
from newsletter.audience.csv_import import ImportOptions, import_csv
from newsletter.core import db
from newsletter.core.clock import utcnow
from newsletter.core.config import load_config

SECRET = "benchmark-secret-that-is-long-enough-0123456789"
FIRST = ["Ayşe", "Mehmet", "Zeynep", "Mustafa", "Elif", "Ömer", "İpek", "Çağla", "Şükrü",
         "Gülşen", "Ahmet", "Fatma", "Hüseyin", "Emine", "Yusuf", "Merve", "Halil", "Rabia",
         "محمد", "فاطمة", "أحمد", "عائشة", "علي", "مريم", "Omar", "Lina", "Karim",
         "Nour"]  # fmt: skip
LAST = ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın", "Öztürk", "Arslan",
        "Doğan", "Kılıç", "Aslan", "Çetin", "Koç", "Kurt", "Özdemir", "الحسن", "الخطيب",
        "Haddad", "Khalil", "Nasser", "Saleh"]  # fmt: skip
CITIES = ["Gaziantep", "Şanlıurfa", "Hatay", "Kilis", "Mersin", "Adana", "İstanbul", "İzmir",
          "Ankara", "Kahramanmaraş", "Mardin", "Osmaniye"]  # fmt: skip
ORGS = ["", "", "Kızılay", "IOM", "UNHCR", "Belediye", "Sivil Toplum Derneği"]
LANGS = ["tr", "tr", "tr", "ar", "ar", "en", ""]
BAD = ["no-at-sign.example.com", "iki..nokta@example.com", "boşluk var@example.com",
       "eksik@alanadi", "@example.com", "x@-tire.example.com"]  # fmt: skip


def _domains(rng: random.Random) -> list[str]:
    base = ["gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "yandex.com.tr",
            "örnek.com.tr", "şirket.com.tr", "kurum.org.tr", "belediye.bel.tr"]  # fmt: skip
    return base + [f"org{i}.example.org" for i in range(300)] + [f"ağ{i}.com.tr" for i in range(50)]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    domains = _domains(rng)
    emitted: list[str] = []
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["E-posta", "Ad Soyad", "Dil", "Kurum", "Şehir", "Kaynak"])
        for i in range(rows):
            roll = rng.random()
            if roll < 0.02:
                email = rng.choice(BAD)
            elif roll < 0.04 and emitted:
                email = _variant(rng.choice(emitted), rng)
            else:
                local = rng.choice([f"user{i}", f"kisi.{i}", f"İ{i}", f"ali.{i}"])
                email = f"{local}@{rng.choice(domains)}"
                emitted.append(email)
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            writer.writerow([email, name, rng.choice(LANGS), rng.choice(ORGS),
                             rng.choice(CITIES), "2025 etkinlikleri"])  # fmt: skip


def _variant(email: str, rng: random.Random) -> str:
    """The same address written differently: upper case, or İ written lower with a dot."""
    return email.upper() if rng.random() < 0.5 else email.replace("İ", "i\u0307")


def _timed_import(engine, path: Path) -> tuple[float, dict]:  # type: ignore[no-untyped-def]
    start, cpu = time.perf_counter(), time.process_time()
    with db.session_scope(engine) as session:
        report = import_csv(session, SECRET, path, ImportOptions("aylik-tr"), utcnow())
    report = report.as_dict()
    report["cpu_s"] = time.process_time() - cpu
    return time.perf_counter() - start, report


def _list_ms(engine) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Median of 5 runs of the service behind `subscribers list`, first page of 50."""
    cases = {
        "list+status": roster.Filters("aylik-tr", "unconfirmed"),
        "list+language": roster.Filters("aylik-tr", None, "ar"),
        "status+language": roster.Filters(None, "unconfirmed", "tr"),
        "list+search": roster.Filters("aylik-tr", None, None, "yilmaz"),
    }
    out = {}
    with db.session_scope(engine) as session:
        for label, filters in cases.items():
            out[label] = _median_ms(lambda f=filters: roster.listing(session, f, limit=50))
            print(f"  list {label:<16} {out[label]:>7.1f} ms")
        deep = _median_ms(lambda: roster.listing(session, cases["list+status"], offset=50_000))
        print(f"  (page at offset 50,000: {deep:.1f} ms; not a target)")
    return out


def _median_ms(call) -> float:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    return round(sorted(timings)[2], 1)


def _cli_list_ms(config: Path) -> float | None:
    """The whole command in-process (config, database check, query, output), warm."""
    try:
        from typer.testing import CliRunner

        from newsletter.cli.main import app
    except ImportError as exc:  # another part of the tree may be mid-change
        print(f"  (CLI not timed: {exc})")
        return None
    runner = CliRunner()
    args = ["--config", str(config), "subscribers", "list", "--list", "aylik-tr",
            "--status", "unconfirmed", "--language", "tr", "--json"]  # fmt: skip

    def run() -> None:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output

    run()
    ms = _median_ms(run)
    print(f"  `subscribers list --list --status --language --json` in-process: {ms:.1f} ms")
    return ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="Work in this folder and keep it.")
    args = parser.parse_args()
    os.environ.setdefault("NEWSLETTER_SECRET_KEY", SECRET)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="nl-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "newsletter.toml").write_text(
        f'[database]\nurl = "sqlite:///{folder / "bench.db"}"\n', encoding="utf-8"
    )
    (folder / "bench.db").unlink(missing_ok=True)
    engine = db.make_engine(load_config(folder / "newsletter.toml", environ={}))
    db.upgrade(engine)
    with db.session_scope(engine) as session:
        lists.create(session, "aylik-tr", "Aylık Bülten", utcnow(), default_language="tr")
    path = folder / "subscribers.csv"
    generate(path, args.rows)
    print(f"{args.rows} rows in {path} ({path.stat().st_size / 1e6:.1f} MB)")
    first_s, first = _timed_import(engine, path)
    print(f"  import (empty db)  {first_s:6.2f} s  (CPU {first['cpu_s']:.2f} s)  "
          f"added {first['added']}, rejected {first['rejected']}, "
          f"duplicates {first['skipped_duplicate']}")  # fmt: skip
    again_s, again = _timed_import(engine, path)
    print(f"  import (full db)   {again_s:6.2f} s  (CPU {again['cpu_s']:.2f} s)  "
          f"unchanged {again['unchanged']}, added {again['added']}")  # fmt: skip
    timings = _list_ms(engine)
    _cli_list_ms(folder / "newsletter.toml")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS           {peak_mb:6.1f} MB")
    scale = 100_000 / args.rows
    figures = {
        "import_s_100k": round(first_s * scale, 2),
        "reimport_s_100k": round(again_s * scale, 2),
        "peak_rss_mb": round(peak_mb, 1),
        "list_ms": max(timings.values()),
    }
    engine.dispose()
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    sys.stdout.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
