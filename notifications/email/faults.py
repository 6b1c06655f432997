"""Crash points for the outbox's fault tests (tests/live/test_outbox_faults.py).

With `TANDEM_CRASH_AT=<point>:<n>` in its environment, a process kills its whole process
group (SIGKILL: a worker cluster and its children, as a machine dying would) the n-th time
it reaches <point>. The
variable is read once, at import; unset — always, outside those tests — a crash point is
one comparison. The points: "queued" (a row committed, its job not yet queued),
"claimed" (a row claimed, nothing sent yet), "sent" (sent, not yet recorded).
"""

from __future__ import annotations

import os
import signal

_point, _, _nth = os.environ.get("TANDEM_CRASH_AT", "").partition(":")
_remaining = int(_nth) if _point and _nth.isdigit() else 0


def crash_point(name: str) -> None:
    global _remaining
    if _remaining and name == _point:
        _remaining -= 1
        if not _remaining:
            os.killpg(os.getpgrp(), signal.SIGKILL)
