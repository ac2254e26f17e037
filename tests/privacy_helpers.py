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


def describe_attempts(attempts: list[dict[str, str]]) -> str:
    return "\n\n".join(f"{a['kind']} {a['target']} (pid {a['pid']})\n{a['stack']}" for a in attempts)


# -- shared, slow-to-build data -----------------------------------------------------------
def build_indexed_home(home: Path) -> Path:
    """A data dir with the converted embedding model and the guidance index (built once)."""
    from assistant.config import load_settings
    from assistant.retrieval import KnowledgeBase

    settings = load_settings(home=home)
    KnowledgeBase(settings).ensure_index()
    return home


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
