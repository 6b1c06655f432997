"""Every system message of the catalogue is sent by something: a key nobody sends would be
a message administrators edit for nothing (as «Nouveau message dans un groupe» was)."""

from __future__ import annotations

from pathlib import Path

from notifications.system_messages.catalogue import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
CODE = ("programs", "notifications", "scheduling", "workspace", "feedback", "reports", "web")
CATALOGUE_FILE = ROOT / "notifications" / "system_messages" / "catalogue.py"


def test_every_catalogue_key_is_sent_somewhere():
    sources = "\n".join(
        path.read_text()
        for folder in CODE
        for path in (ROOT / folder).rglob("*.py")
        if path != CATALOGUE_FILE and "migrations" not in path.parts
    )
    unsent = [d.key for d in CATALOGUE if f'"{d.key}"' not in sources]
    assert unsent == []
    assert "group_message" not in {d.key for d in CATALOGUE}
