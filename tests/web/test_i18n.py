"""The French catalogue is complete and the compiled file matches it."""

from __future__ import annotations

import subprocess
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[2] / "web" / "locale" / "fr" / "LC_MESSAGES"


def test_every_string_has_a_french_translation(tmp_path):
    compiled = tmp_path / "django.mo"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(compiled), str(CATALOGUE / "django.po")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr
    # `make messages` was run after the last change to the catalogue.
    assert compiled.read_bytes() == (CATALOGUE / "django.mo").read_bytes()
