"""The screening log: one JSON line per decision (who asked, when, the payment's parties, the
decision, scores and reason codes) appended to ``screening.jsonl`` in the workspace."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import orjson

from dentrace.store.workspace import SCREENING_LOG_FILE as LOG_FILE

__all__ = ["LOG_FILE", "ScreeningLog", "read_log"]


class ScreeningLog:
    """Append-only JSON-lines file; each record is flushed to the OS before the answer."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._file: TextIO = self.path.open("a", encoding="utf-8")

    def record(self, decision: dict[str, Any], actor: str, origin: str) -> None:
        """Write one decision; reasons are kept as codes (their text is in the catalogue)."""
        self.record_many([(decision, actor, origin)])

    def record_many(self, decisions: list[tuple[dict[str, Any], str, str]]) -> None:
        """Write (decision, actor, origin) records with one write and one flush."""
        if not decisions:
            return
        at = datetime.now(UTC).isoformat(timespec="milliseconds")
        lines = b"".join(orjson.dumps(_entry(decision, actor, origin, at)) + b"\n"
                         for decision, actor, origin in decisions).decode("utf-8")
        with self._lock:
            self._file.write(lines)
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()


def _entry(decision: dict[str, Any], actor: str, origin: str, at: str) -> dict[str, Any]:
    return {
        "at": at, "actor": actor, "origin": origin, "txn_id": decision["txn_id"],
        "decision": decision["decision"], "score": decision["score"],
        **{f"{side}_{key}": decision[side][key] for side in ("payer", "beneficiary")
           for key in ("party_id", "score", "decision")},
        "payer_reasons": [r["code"] for r in decision["payer"]["reasons"]],
        "beneficiary_reasons": [r["code"] for r in decision["beneficiary"]["reasons"]],
    }


def read_log(path: Path) -> list[dict[str, Any]]:
    """Every record of a screening log, oldest first."""
    if not Path(path).exists():
        return []
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
