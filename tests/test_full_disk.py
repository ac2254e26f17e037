"""A really full disk (a small tmpfs, filled): ``closer ingest`` and ``closer chat`` say so in
one line, and ``closer sessions list`` still lists what was saved.  Needs permission to
mount a tmpfs (root in the test container); skipped otherwise."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_closer


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m,mode=0700", "tmpfs", str(disk)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield disk
    finally:  # lazily: an in-process run may still hold a file open
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> None:
    with (disk / "filler").open("wb") as filler:
        try:
            while True:
                filler.write(b"\0" * (1 << 20))
                filler.flush()
        except OSError:
            pass
    assert shutil.disk_usage(disk).free < 1 << 20


def test_a_full_disk_gets_one_line_and_saved_conversations_still_list(
    indexed_home: Path, small_disk: Path, tmp_path: Path
) -> None:
    home = small_disk / "home"
    shutil.copytree(indexed_home, home)
    said = run_closer("chat", "--script", "-", "--json", home=home, stdin="hello there\n")
    assert said.returncode == 0, said.stderr
    note = tmp_path / "note.md"
    note.write_text("When we argue about the Velvetcrane I go quiet and leave. " * 15)
    fill(small_disk)

    ingest = run_closer("ingest", str(note), home=home)
    chat = run_closer("chat", "--script", "-", "--json", home=home, stdin="hi again\n")
    for result in (ingest, chat):
        assert result.returncode == 2, (result.stdout, result.stderr)
        assert "Traceback" not in result.stderr and "full" in result.stderr.splitlines()[-1]
    listed = run_closer("sessions", "list", home=home)
    assert listed.returncode == 0, listed.stderr
    assert "hello there" in listed.stdout and "hi again" not in listed.stdout
