"""``--home`` on a folder of the person's own (it holds something Closer did not write) leaves
its mode alone; a folder Closer creates, or one holding only Closer's files, is 0700."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_closer


def test_an_existing_home_keeps_its_mode_and_a_new_one_is_private(tmp_path: Path) -> None:
    mine = tmp_path / "my-folder"
    mine.mkdir()
    (mine / "shopping-list.txt").write_text("eggs\n")
    mine.chmod(0o755)
    result = run_closer("--home", str(mine), "sessions", "list", home=mine)
    assert result.returncode == 0, result.stderr
    assert mine.stat().st_mode & 0o777 == 0o755
    assert (mine / "conversations.sqlite").stat().st_mode & 0o777 == 0o600
    fresh = tmp_path / "fresh" / "closer"
    result = run_closer("--home", str(fresh), "sessions", "list", home=fresh)
    assert result.returncode == 0, result.stderr
    assert fresh.stat().st_mode & 0o777 == 0o700
