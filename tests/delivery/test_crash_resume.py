"""kill -9 in the middle of a real send, then resume: nobody lost, nobody mailed twice.

The only exception allowed is the message each connection had in flight at the kill: its row
stays "sending", is reported as possibly sent, and is never sent again.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from newsletter.core import db
from tests.plugins.delivery import ScriptedHandler, add_people, make_issue, make_list, people

POOL = 2
N = 160


@pytest.mark.slow
def test_kill_9_mid_send_then_resume(cli, engine: Engine, config_path: Path, smtp_factory):
    with db.session_scope(engine) as s:
        issue_id = make_issue(s).id
        add_people(s, make_list(s, "genel"), people(N))
    handler = ScriptedHandler(data_delay=0.01)
    server = smtp_factory(handler)
    text = config_path.read_text().replace("[sending]\n", '[sending]\ntransport = "smtp"\n')
    config_path.write_text(text + server.toml(pool_size=POOL))

    command = [
        sys.executable,
        "-m",
        "newsletter",
        "--config",
        str(config_path),
        "issues",
        "send",
        str(issue_id),
        "--list",
        "genel",
        "--yes",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(server.messages) < N // 4:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, "the send did not get going"
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(0.2)  # let the server finish a message whose data had fully arrived
    before = len(server.messages)
    assert before < N, "the kill came too late to test anything"

    resumed = cli("issues", "resume", str(issue_id))
    report = json.loads(cli("issues", "report", str(issue_id), "--json").stdout)
    # 4: finished, but with possibly-sent rows left for a person to settle.
    assert resumed.exit_code == (4 if report["possibly_sent"] else 0), resumed.stderr

    received = collections.Counter(r for m in server.messages for r in m.rcpt_tos)
    everyone = {p[0] for p in people(N)}
    possibly = {r["email"] for r in report["possibly_sent"]}
    assert len(possibly) <= POOL
    assert report["status"] == "done"
    assert report["counts"]["sent"] + len(possibly) == N
    assert report["counts"]["queued"] == report["counts"]["failed"] == 0
    assert all(count == 1 for count in received.values()), "someone was mailed twice"
    assert everyone - possibly <= set(received), "someone was never mailed"
    assert all(r["reason"] == "" or "possibly" in r["reason"] for r in report["possibly_sent"])
    human = cli("issues", "report", str(issue_id)).stdout
    if possibly:
        assert "Possibly sent (in flight when a run stopped; not sent again):" in human
