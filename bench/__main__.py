"""Run every benchmark: `python -m bench`.

A benchmark is a module bench/<name>.py with a top-level `def main()`. Each one runs in
its own subprocess (`python -m bench.<name>`), one after another, so their event loops,
clients and settings never meet. Exits non-zero if any of them fails.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from bench._common import machine_line

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent


def defines_main(path: Path) -> bool:
    """True when the module has a top-level main(); read with ast, never imported."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "main"
        for node in tree.body
    )


def discover() -> list[str]:
    return [
        path.stem
        for path in sorted(BENCH_DIR.glob("*.py"))
        if path.stem != "__main__" and defines_main(path)
    ]


def main() -> int:
    print(machine_line(), flush=True)
    failed: list[str] = []
    for name in discover():
        print(f"--- bench.{name}", flush=True)
        result = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=PROJECT_DIR)
        if result.returncode != 0:
            print(f"--- bench.{name} FAILED (exit {result.returncode})", flush=True)
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
