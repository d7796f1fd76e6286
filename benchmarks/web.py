"""Benchmark the investigator app's answers on a generated, ingested and scanned world.

Usage: python benchmarks/web.py [--scale 0.2] [--seed 7] [--repeat 5]
Prints the median and worst time of each main page and API call (in-process, no network).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from dentrace.auth import add_user_with_random_password, get_account, issue_token
from dentrace.cases import import_alerts
from dentrace.detect import scan
from dentrace.ingest import ingest
from dentrace.store.sql import open_store
from dentrace.synth import generate_world
from dentrace.web import WebSettings, create_app


def _workspace(folder: Path, scale: float, seed: int) -> Path:
    world, workspace = folder / "world", folder / "ws"
    generate_world(world, seed=seed, scale=scale, fmt="parquet")
    customers = sorted(world.glob("customers.*"))
    known = sorted(world.glob("known.*"))
    ingest(workspace, transactions=world / "transactions",
           customers=customers[0] if customers else None, known=known[0] if known else None)
    scan(workspace)
    return workspace


def _time(client: TestClient, path: str, headers: dict[str, str], repeat: int) -> str:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        answer = client.get(path, headers=headers)
        times.append(time.perf_counter() - start)
        assert answer.status_code == 200, (path, answer.status_code)
    return f"median {statistics.median(times) * 1000:7.1f} ms, worst {max(times) * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workspace = _workspace(Path(folder), args.scale, args.seed)
        store = open_store(workspace)
        import_alerts(store, workspace / "alerts.parquet")
        add_user_with_random_password(store, "bench", "supervisor")
        token = issue_token(store, get_account(store, "bench"))
        headers = {"Authorization": f"Bearer {token}"}
        client = TestClient(create_app(workspace, settings=WebSettings(), store=store))
        queue = client.get("/api/v1/alerts?limit=500", headers=headers).json()
        top = queue["items"][0]["party_id"]
        print(f"scale {args.scale}: {queue['total']} alerts; top party {top}")
        for path in ("/api/v1/alerts?limit=50", "/alerts", f"/api/v1/parties/{top}",
                     f"/api/v1/parties/{top}/payments", f"/api/v1/parties/{top}/network",
                     f"/parties/{top}", "/api/v1/overview", "/overview"):
            print(f"{path:48s} {_time(client, path, headers, args.repeat)}")
        store.close()


if __name__ == "__main__":
    main()
