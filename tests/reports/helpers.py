"""Reading a downloaded report back, as Excel or a script would."""

from __future__ import annotations

import csv
import io
from typing import Any

BOM = "\ufeff"


def body(response: Any) -> bytes:
    """The whole streamed body (the async stream, read synchronously by the test client)."""
    return b"".join(response)


def read_csv(response: Any, *, delimiter: str = ",") -> list[list[str]]:
    data = body(response)
    text = data.decode("utf-8")
    assert text.startswith(BOM), text[:20]
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=delimiter))
