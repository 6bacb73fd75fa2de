"""SQLite state of the reference server: directory, calendars, events and mailboxes (stdlib sqlite3)."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY, upn TEXT NOT NULL UNIQUE COLLATE NOCASE, display_name TEXT NOT NULL,
    password TEXT NOT NULL, kind TEXT NOT NULL, tenant_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS groups (
    id TEXT PRIMARY KEY, display_name TEXT NOT NULL, mail TEXT NOT NULL, members TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS apps (
    client_id TEXT PRIMARY KEY, name TEXT NOT NULL, secret TEXT NOT NULL,
    delegated TEXT NOT NULL, roles TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS calendar_groups (
    id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, name TEXT NOT NULL, is_default INTEGER NOT NULL,
    change_key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS calendars (
    id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, calendar_group_id TEXT, name TEXT NOT NULL,
    is_default INTEGER NOT NULL, change_key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, calendar_id TEXT NOT NULL, ical_uid TEXT NOT NULL,
    is_organizer INTEGER NOT NULL, folder TEXT NOT NULL, visible_at REAL NOT NULL,
    cancel_visible_at REAL, hidden_master INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL,
    doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_owner ON events (owner_id, folder);
CREATE INDEX IF NOT EXISTS events_ical ON events (ical_uid);
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, folder TEXT NOT NULL, visible_at REAL NOT NULL,
    received REAL NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS messages_owner ON messages (owner_id, folder);
"""


class Store:
    """One SQLite connection (in memory, or a WAL file) guarded by a lock; writes go through transaction()."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = str(path) if path else ":memory:"
        self._lock = threading.RLock()
        self._connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._connection.row_factory = sqlite3.Row
        if path:
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA busy_timeout=5000")
        self._connection.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the connection (the file keeps the state)."""
        with self._lock:
            self._connection.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """An IMMEDIATE transaction: everything inside commits together or not at all."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """All rows of a read query."""
        with self._lock:
            return self._connection.execute(sql, params).fetchall()

    def row(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        """The first row of a read query, or None."""
        with self._lock:
            found: sqlite3.Row | None = self._connection.execute(sql, params).fetchone()
            return found

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row:
        """The first row of a read query that must find one (LookupError otherwise: a server bug)."""
        found = self.row(sql, params)
        if found is None:
            raise LookupError(f"no row for {sql!r}")
        return found

    def meta(self, key: str) -> str | None:
        """A value stored under `key` in the meta table."""
        found = self.row("SELECT value FROM meta WHERE key = ?", (key,))
        return str(found["value"]) if found else None


def doc_of(row: sqlite3.Row) -> dict[str, Any]:
    """The JSON document column of an events/messages row."""
    document: dict[str, Any] = json.loads(row["doc"])
    return document


# built once: json.dumps with options builds an encoder per call
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dump(document: dict[str, Any]) -> str:
    """Serialise a document for the doc column."""
    return _ENCODER.encode(document)
