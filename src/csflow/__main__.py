"""``python -m csflow``: the command line, which lives in :mod:`csflow.cli`."""

from __future__ import annotations

from csflow.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    raise SystemExit(main())
