"""Where a server's time goes under load: py-spy samples it while bench/load.py drives one operation.

    .venv/bin/python bench/profile.py [--operation list-50-messages] [--concurrency 32] [--seconds 10]
                                      [--contestant server|floor] [--top 25]

Starts a fresh embedded PostgreSQL with the benchmark's data (smaller by
default: --orgs 20, --messages 30000), one server process (`python -m server
--workers 1`, or the floor), and samples it with py-spy (`record --format raw
--idle`: on-CPU and waiting stacks, 250 samples a second) for the measuring
time. Writes bench/results/profile-<contestant>-<operation>.txt: collapsed
stacks (flame graph input, one line per stack), and profile-<...>.md: the
functions with the most samples where they are on the stack (inclusive) and at
its top (self).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH, OPERATIONS, RESULTS, ROOT, free_port, seed, targets, wait_ready

from tools import db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operation", default="list-50-messages", choices=[op[0] for op in OPERATIONS])
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--contestant", choices=("server", "floor"), default="server")
    parser.add_argument("--orgs", type=int, default=20)
    parser.add_argument("--messages", type=int, default=30_000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    py_spy = Path(sys.executable).parent / "py-spy"
    tmp = Path(tempfile.mkdtemp(prefix="ajc-profile-"))
    tmp.chmod(0o755)
    admin = db.start_embedded(tmp / "pg")
    server = None
    try:
        asyncio.run(db.create_database(admin, "bench"))
        url = db.with_database(admin, "bench")
        db.migrate(url)
        key_dir = tmp / "dev-jwt"
        target_file = tmp / "targets.json"
        target_file.write_text(json.dumps(targets(asyncio.run(seed(url, orgs=args.orgs, messages=args.messages)), key_dir)))
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "PORT": str(port), "DEV_JWT_DIR": str(key_dir), "POOL_MIN_SIZE": "10"}
        command = (
            [sys.executable, "-m", "server", "--no-migrate", "--workers", "1"]
            if args.contestant == "server"
            else [sys.executable, str(BENCH / "floor.py"), "--port", str(port), "--database-url", url,
                  "--key-dir", str(key_dir)]
        )
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        asyncio.run(wait_ready(f"http://127.0.0.1:{port}", server))
        raw = tmp / "profile.txt"
        spy = subprocess.Popen([str(py_spy), "record", "--pid", str(server.pid), "--format", "raw", "--rate", "250",
                                "--duration", str(int(args.seconds)), "--output", str(raw), "--nonblocking"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        load = subprocess.run([sys.executable, str(BENCH / "load.py"), "--url", f"http://127.0.0.1:{port}",
                               "--targets", str(target_file), "--operation", args.operation, "--concurrency",
                               str(args.concurrency), "--seconds", str(args.seconds + 1), "--warmup", "0"],
                              capture_output=True, text=True, check=True)
        spy.wait(60)
        print(load.stdout.strip())
        out = RESULTS / f"profile-{args.contestant}-{args.operation}.txt"
        shutil.copy(raw, out)
        report = [f"# py-spy profile: {args.contestant}, {args.operation}, concurrency {args.concurrency}", "",
                  f"`bench/profile.py --contestant {args.contestant} --operation {args.operation} "
                  f"--concurrency {args.concurrency} --seconds {args.seconds:g}`; load: {load.stdout.strip()}", ""]
        inclusive: collections.Counter[str] = collections.Counter()
        own: collections.Counter[str] = collections.Counter()
        total = 0
        for line in raw.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            n = int(count)
            total += n
            frames = [f.split(" (")[0] + " (" + f.split(" (")[1].split(":")[0].rsplit("/", 1)[-1] + ")" if " (" in f
                      else f for f in stack.split(";")]
            for frame in set(frames):
                inclusive[frame] += n
            own[frames[-1]] += n
        report.append(f"{total} samples (on CPU, 250 a second); collapsed stacks in {out.name}")
        for title, counter in (("inclusive", inclusive), ("self", own)):
            report += ["", f"## {title}", "", "```"]
            report += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in counter.most_common(args.top)]
            report.append("```")
        summary = out.with_suffix(".md")
        summary.write_text("\n".join(report) + "\n")
        print("\n".join(report))
        print(f"wrote {summary.relative_to(ROOT)} and {out.relative_to(ROOT)}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(15)
        db.stop_embedded(tmp / "pg")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
