"""The terminal, as a person uses it: batch mode, resume after a kill, bad input, sessions."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, json_rows, run_closer
from tests.test_flow import ACCEPTANCE

BATCH_KEYS = {"turn", "user", "reply", "stage", "blocking", "escalation", "sources"}


def write_script(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_batch_mode_acceptance(tmp_path: Path, indexed_home: Path) -> None:
    script = write_script(tmp_path / "talk.txt", [message for message, _ in ACCEPTANCE])
    done = run_closer("chat", "--script", str(script), "--json", home=indexed_home)
    assert done.returncode == 0, done.stderr
    rows = json_rows(done.stdout)
    assert [row["stage"] for row in rows] == [stage for _, stage in ACCEPTANCE]
    assert all(row.keys() >= BATCH_KEYS for row in rows)
    assert rows[3]["blocking"] and rows[0]["blocking"] == []
    assert all(row["escalation"] is None for row in rows)
    # Replies are grounded: each carries the cards it drew on.
    for row in rows:
        assert row["sources"] and row["sources"][0].keys() >= {"id", "title", "source"}


def test_bad_input_gets_clear_replies_not_tracebacks(tmp_path: Path, indexed_home: Path) -> None:
    lines = [
        "",
        "   ",
        "x" * 200_000,
        "my chest\x07 is \x1b[31mtight\x1b[0m",
        "אני מרגיש בודד مرحبا 你好 😀👩‍👩‍👧",
    ]
    script = write_script(tmp_path / "bad.txt", lines)
    done = run_closer("chat", "--script", str(script), "--json", home=indexed_home)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    rows = json_rows(done.stdout)
    assert len(rows) == len(lines)
    assert all(row["reply"].strip() for row in rows)
    assert "empty" in rows[0]["reply"]
    assert any("characters long" in notice for notice in rows[2]["notices"])
    assert "\x1b" not in rows[3]["user"] and "\x07" not in rows[3]["user"]
    assert "你好" in rows[4]["user"]


def test_invalid_utf8_in_a_script_file_is_replaced(tmp_path: Path, indexed_home: Path) -> None:
    script = tmp_path / "bytes.txt"
    script.write_bytes(b"I feel \xff\xfe lonely\n")
    done = run_closer("chat", "--script", str(script), "--json", home=indexed_home)
    assert done.returncode == 0, done.stderr
    assert "\ufffd" in json_rows(done.stdout)[0]["user"]


def test_a_killed_process_loses_no_earlier_turn(indexed_home: Path) -> None:
    env = {**os.environ, "CLOSER_HOME": str(indexed_home), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "closer", "chat", "--script", "-", "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert process.stdin and process.stdout
    rows = []
    for message, _ in ACCEPTANCE[:3]:
        process.stdin.write(message + "\n")
        process.stdin.flush()
        rows.append(json.loads(process.stdout.readline()))
    process.stdin.write(ACCEPTANCE[3][0] + "\n")
    process.stdin.flush()
    os.kill(process.pid, signal.SIGKILL)  # mid-turn, or just after: either way
    process.wait()
    session = rows[0]["session"]

    shown = run_closer("sessions", "show", session, home=indexed_home)
    assert shown.returncode == 0, shown.stderr
    for message, _ in ACCEPTANCE[:3]:
        assert message in shown.stdout
    for row in rows:
        assert row["reply"] in shown.stdout

    resumed = run_closer("chat", "--resume", session, home=indexed_home, stdin="exit\n")
    assert resumed.returncode == 0, resumed.stderr
    assert all(message in resumed.stdout for message, _ in ACCEPTANCE[:3])


def test_resume_of_an_unknown_session_is_a_clear_error(indexed_home: Path) -> None:
    done = run_closer("chat", "--resume", "nope", home=indexed_home, stdin="")
    assert done.returncode == 2
    assert "no saved conversation 'nope'" in done.stderr
    assert "Traceback" not in done.stderr


def test_interactive_chat_shows_the_stage(indexed_home: Path) -> None:
    done = run_closer(
        "chat", home=indexed_home, stdin="my chest is tight, I keep rehearsing\nexit\n"
    )
    assert done.returncode == 0, done.stderr
    assert "[Regulation]" in done.stdout
    assert "closer chat --resume" in done.stdout


def test_sessions_list_show_export_delete(tmp_path: Path, indexed_home: Path) -> None:
    script = write_script(tmp_path / "talk.txt", [message for message, _ in ACCEPTANCE])
    done = run_closer("chat", "--script", str(script), "--json", home=indexed_home)
    rows = json_rows(done.stdout)
    session = rows[0]["session"]

    listed = run_closer("sessions", "list", home=indexed_home)
    assert session in listed.stdout and "my chest is tight" in listed.stdout

    out = tmp_path / "plan.md"
    exported = run_closer("sessions", "export", session, "--out", str(out), home=indexed_home)
    assert exported.returncode == 0, exported.stderr
    plan = out.read_text(encoding="utf-8")
    assert "I don't matter to you" in plan and "ten minutes after dinner tonight" in plan

    assert run_closer("sessions", "delete", session, home=indexed_home).returncode == 0
    gone = run_closer("sessions", "show", session, home=indexed_home)
    assert gone.returncode == 2 and "no saved conversation" in gone.stderr
