"""Benchmark: how long the CLI takes to start, side by side with importing Typer alone.

    .venv/bin/python benchmarks/startup.py [--runs 5] [--list-runs 3]

Three commands, each run RUNS times as a fresh subprocess, taking turns so that other load on
the machine falls on all of them alike:

- `python -c "import typer"`: the floor, an interpreter that only imports Typer;
- `newsletter --help`: imports no command module, only the root group's table;
- `newsletter blocks list`: one real command, on a small fresh database (a few blocks, made
  by this script in a temporary folder).

Target: `newsletter --help` within 2.5x of `import typer`. Each figure is the median wall time
in milliseconds (`blocks list`, ten times slower, runs LIST_RUNS times) so that the whole
benchmark takes a few seconds. The last line is one JSON object with the figures:
{"help_ms": …, "typer_import_ms": …, "ratio": …, "blocks_list_ms": …}
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from newsletter.core import db
from newsletter.core.clock import utcnow
from newsletter.core.config import load_config
from newsletter.library import blocks as library

TARGET_RATIO = 2.5


def environment() -> dict[str, str]:
    """This process's environment without the developer's NEWSLETTER_* settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith("NEWSLETTER_")}


def newsletter(*args: str) -> list[str]:
    return [sys.executable, "-m", "newsletter", *args]


def run_ms(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Wall time of one fresh subprocess, failing loudly if the command fails."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def make_database(folder: Path, blocks: int = 5) -> None:
    """newsletter.toml and a migrated SQLite database in FOLDER, holding a few blocks.

    Made in this process: a second faster than `newsletter init` and `blocks add` subprocesses.
    """
    path = folder / "newsletter.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{folder / "newsletter.db"}"\n', "utf-8")
    config = load_config(path)
    engine = db.make_engine(config)
    db.upgrade(engine)
    with db.session_scope(engine) as session:
        for n in range(1, blocks + 1):
            fields = {"title": f"Story {n}", "body": f"What happened in week {n}."}
            library.create(session, config.library, fields, utcnow())
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="Runs of the fast commands.")
    parser.add_argument("--list-runs", type=int, default=3, help="Runs of `blocks list`.")
    args = parser.parse_args()
    env = environment()
    commands = {
        "typer_import_ms": [sys.executable, "-c", "import typer"],
        "help_ms": newsletter("--help"),
        "blocks_list_ms": newsletter("blocks", "list"),
    }
    with tempfile.TemporaryDirectory(prefix="newsletter-startup-") as tmp:
        folder = Path(tmp)
        make_database(folder)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for turn in range(max(args.runs, args.list_runs)):
            for name, command in commands.items():
                if turn < (args.list_runs if name == "blocks_list_ms" else args.runs):
                    times[name].append(run_ms(command, folder, env))
    figures = {name: round(statistics.median(values), 1) for name, values in times.items()}
    ratio = round(figures["help_ms"] / figures["typer_import_ms"], 2)
    for name, command in commands.items():
        runs = ", ".join(f"{t:.0f}" for t in times[name])
        print(f"{name:16} {figures[name]:7.1f} ms  median of [{runs}]  {' '.join(command[1:])}")
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(f"help / import typer: {ratio}x ({verdict} the {TARGET_RATIO}x target)")
    print(
        json.dumps(
            {
                "help_ms": figures["help_ms"],
                "typer_import_ms": figures["typer_import_ms"],
                "ratio": ratio,
                "blocks_list_ms": figures["blocks_list_ms"],
            }
        )
    )


if __name__ == "__main__":
    main()
