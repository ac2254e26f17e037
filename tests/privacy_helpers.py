"""Privacy test helpers: a socket guard (in this process and in subprocesses) and shared data.

``EgressGuard`` patches ``socket.socket.connect`` / ``connect_ex`` / ``sendto``,
``socket.create_connection``, ``socket.getaddrinfo`` and the ``gethostby*`` lookups so that a
connection to anything but loopback, or a DNS lookup of any outside host, is recorded and
raises ``EgressBlocked``.  Recording happens before raising, so a library that swallows the
error (telemetry clients do) still fails the test.

Subprocesses are guarded by ``guard_env(tmp)``: it writes a ``sitecustomize.py`` that loads
this file and installs the guard at interpreter start, and points ``PYTHONPATH`` at it.  Each
blocked attempt is appended as one JSON line to the file named by ``CLOSER_EGRESS_LOG``.

This module imports only the standard library at top level, because the subprocess guard
loads it before anything else.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import socket
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LOG_ENV = "CLOSER_EGRESS_LOG"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


class EgressBlocked(OSError):
    """A connection or lookup that would have left the machine."""


def is_local_host(host: Any) -> bool:
    """True for loopback addresses and names, and for "no host" (a local bind)."""
    if host is None or host == "":
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%", 1)[0].lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _address_host(address: Any) -> Any:
    """The host part of a socket address; None for Unix sockets (always local)."""
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return None
    if isinstance(address, tuple) and address:
        return address[0]
    return address


class EgressGuard:
    """Context manager: block and record every non-loopback connection and outside lookup."""

    def __init__(self, log_path: str | os.PathLike[str] | None = None) -> None:
        self.attempts: list[dict[str, str]] = []
        self.log_path = Path(log_path) if log_path else None
        self._saved: dict[tuple[Any, str], Any] = {}
        self._lock = threading.Lock()

    # -- recording ------------------------------------------------------------------------
    def _block(self, kind: str, target: Any) -> None:
        stack = "".join(traceback.format_stack(limit=12)[:-2])
        record = {"kind": kind, "target": repr(target), "pid": str(os.getpid()), "stack": stack}
        with self._lock:
            self.attempts.append(record)
            if self.log_path is not None:
                with self.log_path.open("a", encoding="utf-8") as log:
                    log.write(json.dumps(record) + "\n")
        raise EgressBlocked(f"egress blocked by the privacy test guard: {kind} {target!r}")

    # -- patching -------------------------------------------------------------------------
    def _patch(self, owner: Any, name: str, replacement: Any) -> None:
        self._saved[(owner, name)] = getattr(owner, name)
        setattr(owner, name, replacement)

    def install(self) -> EgressGuard:
        guard = self
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        real_sendto = socket.socket.sendto
        real_create_connection = socket.create_connection
        real_getaddrinfo = socket.getaddrinfo
        lookups = {n: getattr(socket, n) for n in ("gethostbyname", "gethostbyname_ex")}
        real_gethostbyaddr = socket.gethostbyaddr

        def connect(sock: socket.socket, address: Any) -> Any:
            if sock.family != getattr(socket, "AF_UNIX", None) and not is_local_host(
                _address_host(address)
            ):
                guard._block("connect", address)
            return real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> Any:
            if sock.family != getattr(socket, "AF_UNIX", None) and not is_local_host(
                _address_host(address)
            ):
                guard._block("connect_ex", address)
            return real_connect_ex(sock, address)

        def sendto(sock: socket.socket, data: Any, *args: Any) -> Any:
            address = args[-1]
            if sock.family != getattr(socket, "AF_UNIX", None) and not is_local_host(
                _address_host(address)
            ):
                guard._block("sendto", address)
            return real_sendto(sock, data, *args)

        def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
            if not is_local_host(_address_host(address)):
                guard._block("create_connection", address)
            return real_create_connection(address, *args, **kwargs)

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            if not is_local_host(host) and not _is_any_address(host):
                guard._block("getaddrinfo", host)
            return real_getaddrinfo(host, *args, **kwargs)

        def make_lookup(name: str) -> Any:
            real = lookups[name]

            def lookup(host: Any) -> Any:
                if not is_local_host(host):
                    guard._block(name, host)
                return real(host)

            return lookup

        def gethostbyaddr(host: Any) -> Any:
            if not is_local_host(host):
                guard._block("gethostbyaddr", host)
            return real_gethostbyaddr(host)

        self._patch(socket.socket, "connect", connect)
        self._patch(socket.socket, "connect_ex", connect_ex)
        self._patch(socket.socket, "sendto", sendto)
        self._patch(socket, "create_connection", create_connection)
        self._patch(socket, "getaddrinfo", getaddrinfo)
        self._patch(socket, "gethostbyaddr", gethostbyaddr)
        for name in lookups:
            self._patch(socket, name, make_lookup(name))
        return self

    def uninstall(self) -> None:
        for (owner, name), original in reversed(list(self._saved.items())):
            setattr(owner, name, original)
        self._saved.clear()

    def __enter__(self) -> EgressGuard:
        return self.install()

    def __exit__(self, *exc: object) -> None:
        self.uninstall()


def _is_any_address(host: Any) -> bool:
    """The wildcard address is a bind, not a lookup; binding it is checked elsewhere."""
    return str(host) in {"0.0.0.0", "::"}


# -- subprocesses -------------------------------------------------------------------------
_SITECUSTOMIZE = '''\
"""Installed by tests/privacy_helpers.py: guard every socket of this interpreter."""
import importlib.util as _util
import os as _os

_spec = _util.spec_from_file_location("_closer_egress_guard", {path!r})
_module = _util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
_module.EgressGuard(_os.environ.get({env!r})).install()
if _os.environ.get({env!r}):  # proof that this interpreter is guarded
    with open(_os.environ[{env!r}] + ".installed", "a") as _file:
        _file.write(f"{{_os.getpid()}}\\n")
'''


def guard_env(folder: Path, env: dict[str, str] | None = None) -> tuple[dict[str, str], Path]:
    """Environment for a guarded subprocess, and the JSON-lines log it writes attempts to."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(
        _SITECUSTOMIZE.format(path=str(Path(__file__).resolve()), env=LOG_ENV), encoding="utf-8"
    )
    log = folder / "egress.jsonl"
    log.touch()
    merged = dict(env or os.environ)
    merged["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(folder), merged.get("PYTHONPATH", "")) if p
    )
    merged[LOG_ENV] = str(log)
    return merged, log


def read_attempts(log: Path) -> list[dict[str, str]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]


def guarded_pids(log: Path) -> set[int]:
    """Processes that installed the guard (each guarded interpreter writes its pid)."""
    marker = Path(f"{log}.installed")
    if not marker.exists():
        return set()
    return {int(line) for line in marker.read_text(encoding="utf-8").split()}


def describe_attempts(attempts: list[dict[str, str]]) -> str:
    return "\n\n".join(
        f"{a['kind']} {a['target']} (pid {a['pid']})\n{a['stack']}" for a in attempts
    )


# -- shared, slow-to-build data (built once per test process) -----------------------------
_SHARED: dict[str, Path] = {}


def _shared_dir() -> Path:
    if "root" not in _SHARED:
        import atexit
        import tempfile

        root = Path(tempfile.mkdtemp(prefix="closer-privacy-shared-"))
        atexit.register(shutil.rmtree, root, True)
        _SHARED["root"] = root
    return _SHARED["root"]


def tiny_model() -> Path:
    """A real (random-weight) llama GGUF that llama.cpp loads and streams from."""
    if "model" not in _SHARED:
        from benchmarks.tiny_gguf import write_tiny_llama

        _SHARED["model"] = write_tiny_llama(_shared_dir() / "tiny.gguf")
    return _SHARED["model"]


def copy_home(source: Path, target: Path) -> Path:
    """Copy a prepared data dir (modes included) to a test's own ``CLOSER_HOME``."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, copy_function=shutil.copy2)
    return target


def file_modes(root: Path) -> dict[str, int]:
    """Permission bits of every file and folder under ``root`` (``root`` itself included)."""
    modes = {".": root.stat().st_mode & 0o777}
    for path in root.rglob("*"):
        modes[str(path.relative_to(root))] = path.lstat().st_mode & 0o777
    return modes


def too_open(root: Path) -> list[str]:
    """Everything under ``root`` that anyone but the owner can read, write or enter."""
    return sorted(f"{name}: {oct(mode)}" for name, mode in file_modes(root).items() if mode & 0o077)


def python() -> str:
    return sys.executable


# -- running the app ----------------------------------------------------------------------
def run_cli(
    *args: str,
    home: Path,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
    umask: int | None = None,
    timeout: float = 600,
) -> Any:
    """Run ``closer`` as a person would; bytes in, text out (undecodable bytes replaced)."""
    import subprocess

    full_env = {**(env or os.environ), "CLOSER_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "closer", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=timeout,
        env=full_env,
        cwd=REPO,
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
    )
    result.stdout = result.stdout.decode("utf-8", "replace")
    result.stderr = result.stderr.decode("utf-8", "replace")
    return result


def run_tiny_chat(
    home: Path,
    script: Path,
    env: dict[str, str] | None = None,
    umask: int | None = None,
) -> tuple[Any, list[dict[str, Any]]]:
    """A two-turn batch conversation with the tiny GGUF (and retrieval, when ``home`` has an
    index), as a person would run it; the process result and its JSON rows."""
    script.write_text(
        "my chest is tight and I keep rehearsing what I will say\n"
        "I breathed slowly, I feel calmer now\n",
        encoding="utf-8",
    )
    result = run_cli(
        "chat", "--model", str(tiny_model()), "--script", str(script), "--json",
        home=home, env=env, umask=umask,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result, rows


def kill_loop_module() -> Any:
    """scripts/kill_loop.py as a module: its ``Server`` and Gradio HTTP ``call`` are reused."""
    import importlib.util

    if "kill_loop" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "kill_loop", REPO / "scripts" / "kill_loop.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["kill_loop"] = module
        spec.loader.exec_module(module)
    return sys.modules["kill_loop"]


def listening_addresses(pid: int) -> list[str]:
    """The local addresses of TCP sockets ``pid`` is listening on (from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                found.append(_proc_address(fields[1]))
    return found


def _proc_address(field: str) -> str:
    hex_ip, hex_port = field.split(":")
    raw = bytes.fromhex(hex_ip)
    if len(raw) == 4:
        ip = ipaddress.IPv4Address(raw[::-1])
    else:  # four little-endian 32-bit words
        ip = ipaddress.IPv6Address(b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4)))
    return f"{ip}:{int(hex_port, 16)}"


class UiServer:
    """``closer ui`` in a subprocess for a test: started, ready, stopped, log readable."""

    def __init__(
        self,
        home: Path,
        model: Path | str,
        log: Path,
        env: dict[str, str],
        umask: int | None = None,
    ) -> None:
        loop = kill_loop_module()
        self._loop = loop
        self.server = loop.Server(home, Path(model), loop.free_port(), log, env, umask=umask)
        self.log = log

    def __enter__(self) -> UiServer:
        try:
            self.server.wait_ready()
        except Exception:
            self.server.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    @property
    def url(self) -> str:
        """The bare origin (no token): what the page's requests are compared against."""
        return self.server.url

    @property
    def address(self) -> str:
        """The address with the page token, as ``closer ui`` prints it."""
        return self.server.address

    def open(self, path: str) -> Any:
        """GET ``path`` with the page token."""
        return self.server.open(path)

    @property
    def pid(self) -> int:
        return self.server.process.pid

    def turn(self, text: str, thread: str = "") -> tuple[str, list[Any], list[str]]:
        """Send one message; (thread id, final outputs, streamed reply texts)."""
        streamed: list[str] = []
        for event, data in self._loop.call(
            self.url, "on_send", [text, thread, "self"], self.server.token
        ):
            if event == "error":
                raise AssertionError(f"the server answered with an error: {data}")
            if event == "generating":
                streamed.append(self._loop.reply_text(data))
            if event == "complete":
                return str(data[0]), data, streamed
        raise AssertionError("the stream ended without a result")

    def load(self, thread: str) -> list[Any]:
        for event, data in self._loop.call(self.url, "on_load", [thread], self.server.token):
            if event == "complete":
                return data
        raise AssertionError("on_load gave no result")

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")
