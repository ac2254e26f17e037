"""Gradio's allowed-path check applies to file inputs under ``mount_gradio_app``: a client
with the page token cannot name a file elsewhere on the computer as a note "upload"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("gradio")

from closer.ui.guard import Guard  # noqa: E402

TOKEN = "file-input-test-token-0123456789"
WORD = "Gooseberrymantle"


def test_a_path_outside_the_upload_folder_is_not_taken_as_an_upload(
    guided_services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.testclient import TestClient

    from closer.ui import create_app, notes_panel
    from closer.ui.server import build_server_app

    received: list[str | None] = []  # what the note handler was given, if it ran at all
    monkeypatch.setattr(notes_panel, "add_note", lambda _m, upload: received.append(upload))

    outside = tmp_path / "elsewhere" / "private.md"
    outside.parent.mkdir()
    outside.write_text(f"My private diary mentions {WORD} on every page. " * 10)
    demo = create_app(guided_services)
    demo.queue(default_concurrency_limit=1)
    guard = Guard(token=TOKEN, port=7999)
    app = build_server_app(demo, guard, allowed_paths=[], services=guided_services)
    headers = {"Host": "127.0.0.1:7999", "Authorization": f"token {TOKEN}"}
    with TestClient(app, base_url="http://127.0.0.1:7999") as client:
        info = client.get("/gradio_api/info", headers=headers).json()
        uploads = [
            name
            for name, endpoint in info["named_endpoints"].items()
            if any(p.get("component") == "File" for p in endpoint["parameters"])
        ]
        assert uploads, info["named_endpoints"].keys()
        file_data = {"path": str(outside), "meta": {"_type": "gradio.FileData"}}
        call = client.post(
            f"/gradio_api/call{uploads[0]}", headers=headers, json={"data": [file_data]}
        )
        assert call.status_code == 200, call.text
        event_id = call.json()["event_id"]
        stream = client.get(f"/gradio_api/call{uploads[0]}/{event_id}", headers=headers)
    assert "event: error" in stream.text, stream.text
    assert received == []  # refused before the handler: no copy of it was made
    home = guided_services.settings.home
    held = [p for p in home.rglob("*") if p.is_file() and WORD.encode() in p.read_bytes()]
    assert held == []
    assert json.dumps(file_data)  # the request was well formed
