"""Every row of a real SQLite file, to show that a refused command wrote nothing at all."""

from __future__ import annotations

import sqlite3
from pathlib import Path

Tables = dict[str, list[tuple[object, ...]]]


def all_rows(db: Path) -> Tables:
    """Every row of every table, read through a separate connection to the file.

    No table is left out: an audit line, a tracked message or a cache row would all be leaks.
    """
    with sqlite3.connect(db) as conn:
        names = [
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return {
            name: sorted(conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
            for name in names
        }


def rows_a_command_writes(db: Path) -> Tables:
    """Every table but `deliveries`, the receipt of a request claimed before its command is read.

    A receipt holds a hash of the request and an expiry, nothing the command did; a refused
    command's request is claimed like any other, so a replay of it is not refused twice.
    """
    tables = all_rows(db)
    tables.pop("deliveries", None)
    return tables
