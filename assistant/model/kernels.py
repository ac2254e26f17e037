"""Which llama.cpp CPU kernels a GGUF file may run on here, found out in a child process.

On some CPUs llama.cpp's extra CPU buffer types (the AMX / repacked kernels) crash inside
``llama_decode`` on quantised weights as soon as a batch holds more than one token: a
segmentation fault that would take the whole app down.  So before a file is loaded in this
process, a child process loads it and decodes a multi-token batch, first with the default
kernels, then, if the child died, with ``use_extra_bufts = False``.  The verdict is kept in
the data folder, keyed by the file's identity, llama.cpp's version and the CPU, so the probe
runs once per file and machine.  ``Llama(...)`` has no argument for the setting; it is set on
the model parameters llama-cpp-python asks llama.cpp for (see ``kernel_params``).

Run as ``python -m assistant.model.kernels FILE on|off`` it is the probe itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.messages import ModelLoadError

PROBE_TIMEOUT_S = 120
PROBE_PROMPT = "The quick brown fox jumps over the lazy dog, and then it rests in the sun."
_VERDICTS_FILE = "model-kernels.json"
_PATCH_LOCK = threading.Lock()
_MEMO: dict[str, KernelChoice] = {}


class ModelCrashedError(ModelLoadError):
    """llama.cpp died on this file with every kernel set: the app carries on without it."""


@dataclass(frozen=True)
class KernelChoice:
    extra_bufts: bool  # False: llama.cpp's extra CPU buffer types are switched off
    reason: str  # one line for the banner and ``closer model info``

    @property
    def label(self) -> str:
        kernels = "default CPU kernels" if self.extra_bufts else "safe CPU kernels"
        return f"{kernels} ({self.reason})" if self.reason else kernels


@contextlib.contextmanager
def kernel_params(extra_bufts: bool) -> Iterator[None]:
    """While a ``Llama`` is built inside this block, its model parameters say
    ``use_extra_bufts = extra_bufts`` (a no-op on a llama.cpp without the field)."""
    import llama_cpp.llama as llama_module

    original = llama_module.llama_cpp.llama_model_default_params
    if extra_bufts:
        yield
        return

    def safe_defaults() -> Any:
        params = original()
        if hasattr(params, "use_extra_bufts"):
            params.use_extra_bufts = False
        return params

    with _PATCH_LOCK:  # the patch is process-wide: one load at a time while it stands
        llama_module.llama_cpp.llama_model_default_params = safe_defaults
        try:
            yield
        finally:
            llama_module.llama_cpp.llama_model_default_params = original


def choose_kernels(path: Path, home: Path | None, mode: str = "auto") -> KernelChoice:
    """The kernels ``path`` loads with here: ``mode`` "default" or "safe" forces a set;
    "auto" probes in a child process (once per file and machine, remembered in ``home``)."""
    if mode == "default":
        return KernelChoice(True, "chosen in the settings")
    if mode == "safe":
        return KernelChoice(False, "chosen in the settings")
    key = file_key(path)
    if key in _MEMO:
        return _MEMO[key]
    saved = _load_verdicts(home).get(key)
    if saved is not None:
        choice = KernelChoice(bool(saved["extra_bufts"]), str(saved["reason"]))
    else:
        probed = _probe_both(path)
        if probed is None:  # the file fails to load at all: the load in this process says why
            return KernelChoice(True, "")
        choice = probed
        _save_verdict(home, key, choice)
    _MEMO[key] = choice
    return choice


def _probe_both(path: Path) -> KernelChoice | None:
    """The kernels that survive; None when the child failed without crashing (a file
    llama.cpp refuses is not a kernel problem)."""
    first = run_probe(path, extra_bufts=True)
    if first is None:
        return KernelChoice(True, "")
    if first.startswith("exit"):
        return None
    second = run_probe(path, extra_bufts=False)
    if second is None:
        return KernelChoice(False, f"the default ones crashed on this file: {first}")
    raise ModelCrashedError(
        f"llama.cpp crashed on {path.name} with both kernel sets ({first}; then {second}), "
        "so Closer carries on in guided mode. Another GGUF file, or an F16 copy of this one, "
        "may work: pass --model PATH."
    )


def probe_command(path: Path, extra_bufts: bool) -> list[str]:
    return [
        sys.executable,
        "-m",
        "assistant.model.kernels",
        str(path),
        "on" if extra_bufts else "off",
    ]


def run_probe(path: Path, *, extra_bufts: bool) -> str | None:
    """None when a child loaded ``path`` and decoded a batch; else how the child ended."""
    command = probe_command(path, extra_bufts)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, env=env
        )
    except subprocess.TimeoutExpired:
        return f"no answer within {PROBE_TIMEOUT_S} s"
    if done.returncode == 0 and done.stdout.strip().endswith("ok"):
        return None
    if done.returncode < 0:
        return f"signal {-done.returncode}"
    last = (done.stderr.strip().splitlines() or ["no message"])[-1]
    return f"exit {done.returncode}: {last[:160]}"


def file_key(path: Path) -> str:
    """The file (size, time, first and last MiB), llama.cpp's version and this CPU."""
    stat = path.stat()
    digest = hashlib.sha256(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    with path.open("rb") as file:
        digest.update(file.read(1 << 20))
        file.seek(max(stat.st_size - (1 << 20), 0))
        digest.update(file.read(1 << 20))
    digest.update(_llama_version().encode())
    digest.update(f"{platform.machine()}:{_cpu_flags()}".encode())
    return digest.hexdigest()[:32]


def _llama_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("llama_cpp_python")
    except PackageNotFoundError:
        return "unknown"


def _cpu_flags() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith(("flags", "Features")):
                return hashlib.sha256(line.encode()).hexdigest()[:16]
    except OSError:
        pass
    return platform.processor()


def _load_verdicts(home: Path | None) -> dict[str, dict[str, object]]:
    if home is None:
        return {}
    try:
        data = json.loads((home / _VERDICTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save_verdict(home: Path | None, key: str, choice: KernelChoice) -> None:
    if home is None or not home.is_dir():
        return
    verdicts = _load_verdicts(home)
    verdicts[key] = {"extra_bufts": choice.extra_bufts, "reason": choice.reason}
    target = home / _VERDICTS_FILE
    temporary = target.with_suffix(".tmp")
    try:
        fd = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(verdicts, file, indent=1)
        os.replace(temporary, target)
    except OSError:
        pass  # not remembered: the next start probes again, which is slower, not wrong


def _probe_main(path: str, switch: str) -> int:
    """Load ``path`` and decode a multi-token batch plus a few generated tokens."""
    import llama_cpp

    with kernel_params(switch == "on"):
        llm = llama_cpp.Llama(model_path=path, n_ctx=256, n_batch=64, verbose=False)
    tokens = llm.tokenize(PROBE_PROMPT.encode("utf-8"), add_bos=True, special=False)
    for _ in llm.generate(tokens, temp=0.0):
        break
    print("ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_probe_main(sys.argv[1], sys.argv[2]))
