#!/usr/bin/env python3
"""Crash loop: kill -9 the UI server while a reply streams, restart, and check nothing was lost.

Each round starts ``closer ui`` (the real server, the real model file), finishes one turn
through Gradio's HTTP API, starts another, and sends SIGKILL after a few streamed pieces of
its reply.  With the server dead, it checks the SQLite file directly:

* ``PRAGMA integrity_check`` is ``ok``;
* every turn completed before a kill is still in the conversation, with its reply;
* the turn that was streaming is either whole (message and reply) or absent, never a user
  message without its reply.

The last round restarts the server once more and reads the conversation back through the
page's own load endpoint, as a reload would.  Prints one line per kill and a summary ending in
``turns lost: N``; exits non-zero if anything was lost, half-written or corrupt.

    python3 scripts/kill_loop.py --kills 20
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

START_TIMEOUT = 600.0
TURN_TIMEOUT = 600.0


@dataclass
class Tally:
    kills: int = 0
    mid_stream: int = 0
    completed: list[str] = field(default_factory=list)
    in_flight_whole: int = 0
    in_flight_absent: int = 0
    half_written: int = 0
    integrity_failures: int = 0
    lost: set[str] = field(default_factory=set)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One ``closer ui`` process on 127.0.0.1."""

    def __init__(
        self,
        home: Path,
        model: Path,
        port: int,
        log: Path,
        env: dict[str, str],
        umask: int | None = None,
    ) -> None:
        self.url = f"http://127.0.0.1:{port}"
        # A fixed page token (CLOSER_UI_TOKEN), so every restart answers to the same one.
        self.token = secrets.token_urlsafe(24)
        self.address = f"{self.url}/?token={self.token}"
        self.log = log
        command = [
            sys.executable,
            "-m",
            "closer",
            "ui",
            "--port",
            str(port),
            "--no-browser",
            "--model",
            str(model),
        ]
        full_env = {
            **env,
            "CLOSER_HOME": str(home),
            "PYTHONUNBUFFERED": "1",
            "CLOSER_UI_TOKEN": self.token,
        }
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                command,
                cwd=REPO,
                env=full_env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
            )

    def wait_ready(self) -> float:
        started = time.monotonic()
        while time.monotonic() - started < START_TIMEOUT:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self.log}")
            try:
                with self.open("/gradio_api/info", timeout=5) as reply:
                    if reply.status == 200:
                        return time.monotonic() - started
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"server did not answer within {START_TIMEOUT:.0f}s; see {self.log}")

    def open(self, path: str, timeout: float = 60) -> Any:
        """GET ``path`` with the page token (the page refuses requests without it)."""
        return urllib.request.urlopen(
            urllib.request.Request(self.url + path, headers=auth_header(self.token)),
            timeout=timeout,
        )

    def kill9(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=60)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9()


def auth_header(token: str) -> dict[str, str]:
    return {"Authorization": f"token {token}"} if token else {}


def call(url: str, endpoint: str, data: list[Any], token: str = "") -> Iterator[tuple[str, Any]]:
    """Gradio's HTTP API: POST the inputs, then read the server-sent events as (event, data)."""
    body = json.dumps({"data": data}).encode("utf-8")
    request = urllib.request.Request(
        f"{url}/gradio_api/call/{endpoint}",
        data=body,
        headers={"Content-Type": "application/json", **auth_header(token)},
    )
    with urllib.request.urlopen(request, timeout=60) as reply:
        event_id = json.load(reply)["event_id"]
    result = urllib.request.Request(
        f"{url}/gradio_api/call/{endpoint}/{event_id}", headers=auth_header(token)
    )
    with urllib.request.urlopen(result, timeout=TURN_TIMEOUT) as stream:
        event = ""
        for raw in stream:
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                payload = line.split(":", 1)[1].strip()
                yield event, json.loads(payload) if payload else None
                if event in ("complete", "error"):
                    return


def reply_text(outputs: Any) -> str:
    """The assistant's text so far, from a streamed outputs list (chat is the second output)."""
    if not isinstance(outputs, list) or len(outputs) < 2 or not isinstance(outputs[1], list):
        return ""
    chat = outputs[1]
    if not chat or chat[-1].get("role") != "assistant":
        return ""
    parts = chat[-1].get("content") or []
    if isinstance(parts, str):
        return parts
    return "".join(p.get("text", "") for p in parts if isinstance(p, dict))


def complete_turn(server: Server, text: str, thread: str) -> str:
    """Send one message and read its reply to the end; returns the thread id."""
    for event, data in call(server.url, "on_send", [text, thread, "self"], server.token):
        if event == "error":
            raise RuntimeError(f"the server answered with an error: {data}")
        if event == "complete":
            return str(data[0])
    raise RuntimeError("the stream ended without a result")


def kill_mid_reply(server: Server, text: str, thread: str, pieces: int) -> bool:
    """Send a message, SIGKILL the server after ``pieces`` streamed pieces; True if mid-stream."""
    seen = 0
    try:
        for event, data in call(server.url, "on_send", [text, thread, "self"], server.token):
            if event == "generating" and reply_text(data):
                seen += 1
                if seen >= pieces:
                    server.kill9()
                    return True
            if event in ("complete", "error"):
                break
    except OSError:
        pass  # the connection drops when the server dies
    server.kill9()
    return False


def saved_turns(home: Path, thread: str) -> list[dict[str, str]]:
    """The conversation as saved, read with the app's own code (server is dead)."""
    from assistant.config import load_settings
    from graphs.runner import Conversation
    from graphs.services import open_history

    services = open_history(load_settings(home=home))
    try:
        return list(Conversation(services, thread_id=thread).history())
    finally:
        services.store.close()


def integrity(db: Path) -> str:
    connection = sqlite3.connect(db)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


def check(home: Path, thread: str, tally: Tally, in_flight: str) -> tuple[str, bool]:
    """Verify the saved conversation after a kill: a one-line verdict, and whether the
    in-flight turn was saved (whole)."""
    verdict = []
    status = integrity(home / "conversations.sqlite")
    if status != "ok":
        tally.integrity_failures += 1
    verdict.append(f"integrity {status}")
    messages = saved_turns(home, thread)
    roles = [m["role"] for m in messages]
    paired = all(
        roles[i] == "user"
        and i + 1 < len(roles)
        and roles[i + 1] == "assistant"
        and messages[i + 1]["content"].strip()
        for i in range(0, len(roles), 2)
    )
    users = [m["content"] for m in messages if m["role"] == "user"]
    missing = [text for text in tally.completed if text not in users]
    tally.lost.update(missing)
    if not paired:
        tally.half_written += 1
        verdict.append("HALF-WRITTEN turn found")
    if in_flight in users:
        tally.in_flight_whole += 1
        verdict.append("in-flight turn saved whole")
    else:
        tally.in_flight_absent += 1
        verdict.append("in-flight turn absent")
    verdict.append(f"{len(users)} turns saved, {len(missing)} lost")
    return "; ".join(verdict), in_flight in users


def run(args: argparse.Namespace) -> int:
    random.seed(args.seed)
    work = Path(tempfile.mkdtemp(prefix="closer-kill-loop-"))
    home = Path(args.home) if args.home else work / "home"
    if args.seed_home:
        shutil.copytree(args.seed_home, home, dirs_exist_ok=True)
    model = Path(args.model) if args.model else None
    if model is None:
        from benchmarks.tiny_gguf import write_tiny_llama

        model = write_tiny_llama(work / "tiny.gguf")
    env = dict(os.environ)
    log = work / "server.log"
    tally = Tally()
    thread = ""
    print(f"kill loop: {args.kills} kills, data in {home}, model {model}, log {log}", flush=True)
    for round_no in range(1, args.kills + 1):
        server = Server(home, model, free_port(), log, env)
        try:
            ready = server.wait_ready()
            text = f"round {round_no}: my chest gets tight when I think about our talk tonight"
            thread = complete_turn(server, text, thread)
            tally.completed.append(text)
            in_flight = f"round {round_no}: I breathed slowly and I feel a little calmer now"
            pieces = random.randint(1, args.max_pieces)
            mid = kill_mid_reply(server, in_flight, thread, pieces)
        finally:
            server.stop()
        tally.kills += 1
        tally.mid_stream += int(mid)
        when = f"after {pieces} streamed piece(s)" if mid else "after the reply ended"
        verdict, saved_whole = check(home, thread, tally, in_flight)
        if saved_whole:
            tally.completed.append(in_flight)  # saved: it must survive later kills too
        print(
            f"kill {round_no}/{args.kills}: started in {ready:.1f}s; killed {when}; {verdict}",
            flush=True,
        )
    reload_ok = reload_check(home, model, log, env, thread, tally)
    print(
        f"\nkills: {tally.kills} ({tally.mid_stream} during a streamed reply)\n"
        f"turns completed before a kill: {len(tally.completed)}\n"
        f"in-flight turns saved whole: {tally.in_flight_whole}, absent: {tally.in_flight_absent}\n"
        f"half-written turns: {tally.half_written}\n"
        f"integrity_check failures: {tally.integrity_failures}\n"
        f"history shown after a final restart: {'all turns' if reload_ok else 'INCOMPLETE'}\n"
        f"turns lost: {len(tally.lost)}",
        flush=True,
    )
    for text in sorted(tally.lost):
        print(f"  lost: {text}")
    bad = tally.lost or tally.half_written or tally.integrity_failures or not reload_ok
    if not args.keep and not bad:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if bad else 0


def reload_check(
    home: Path, model: Path, log: Path, env: dict[str, str], thread: str, tally: Tally
) -> bool:
    """Restart once more and load the conversation the way a page reload does."""
    server = Server(home, model, free_port(), log, env)
    try:
        server.wait_ready()
        shown = ""
        for event, data in call(server.url, "on_load", [thread], server.token):
            if event == "complete":
                shown = json.dumps(data[1], ensure_ascii=False)
        # The page escapes Markdown punctuation ("round 1: ..." shows as "round 1\\: ...").
        plain = shown.replace("\\\\", "")
        return all(text.replace(":", "") in plain.replace(":", "") for text in tally.completed)
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--model", help="chat GGUF (default: a tiny random-weight one)")
    parser.add_argument("--home", help="data dir to use (default: a new temp dir)")
    parser.add_argument("--seed-home", help="copy this prepared data dir first (saves indexing)")
    parser.add_argument(
        "--max-pieces", type=int, default=6, help="kill after 1..N streamed pieces of the reply"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
