"""`make bench`: every scenario against a fresh embedded PostgreSQL; JSON, Markdown and PNG charts in bench/results/.

    .venv/bin/python bench/run.py [--only rest|workers|seed002|rows] [--rounds 3] [--seconds 2]
                                  [--orgs 100] [--messages 300000] [--baseline DIR]

Scenarios (see bench/README.md):

- rest: this server (one worker), the floor (bench/floor.py), FastAPI +
  SQLAlchemy (bench/peer_fastapi.py) and the SQL alone (bench/load.py --sql) on
  get-conversation, list-50-messages and create-message, at concurrency 1 and 32.
  --baseline DIR adds the server of another checkout (e.g. `git archive` of an
  older commit) as "server (baseline)", measured in the same rounds.
- workers: this server with one worker against two (`--workers`), at concurrency 32.
- seed002: seed 002's operations (create a session, store a memory, query
  memories, a batch of 10) on this server, their p99 against the seed's targets.
- rows: bench/rows_bench.py (what turning rows into models costs).

Every server is its own process; each measurement is a load generator process
of its own (bench/load.py) over loopback. Rounds are interleaved: each round
measures every contestant once per operation and concurrency, in an order that
rotates between rounds, so drift on the shared machine hits all alike. Each
number reported is the median of the rounds, with the spread (min..max);
ratios are taken within a round, then their median.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BENCH,
    OPERATIONS,
    RESULTS,
    ROOT,
    SEED002,
    SEED002_NOT_SERVED,
    dump,
    free_port,
    machine,
    seed,
    targets,
    wait_ready,
)

from tools import db

PY = sys.executable
SCENARIOS = ("rest", "workers", "seed002", "rows")
REST = [op[0] for op in OPERATIONS]
ORDER = REST + [op[0] for op in SEED002]


@dataclass
class Contestant:
    name: str
    command: list[str] | None  # None: the SQL-only client (no server)
    cwd: Path = ROOT
    env: dict[str, str] = field(default_factory=dict)
    ready: str = "/readyz"
    url: str = ""
    process: subprocess.Popen[bytes] | None = None


def server(name: str, port: int, env: dict[str, str], *extra: str, cwd: Path = ROOT) -> Contestant:
    return Contestant(name, [PY, "-m", "server", "--no-migrate", *extra], cwd=cwd, env={**env, "PORT": str(port)},
                      url=f"http://127.0.0.1:{port}")


def script(name: str, path: str, port: int, env: dict[str, str]) -> Contestant:
    command = [PY, str(BENCH / path), "--port", str(port), "--database-url", env["DATABASE_URL"],
               "--key-dir", env["DEV_JWT_DIR"], "--pool", env["POOL_MAX_SIZE"]]
    return Contestant(name, command, url=f"http://127.0.0.1:{port}")


def start(contestants: list[Contestant], logs: Path) -> None:
    for c in contestants:
        if c.command is None:
            continue
        env = {**os.environ, **c.env}
        if c.cwd != ROOT:
            env["PYTHONPATH"] = str(c.cwd)
        with (logs / f"{c.name.replace(' ', '_')}.log").open("ab") as log:  # a pipe nobody reads would block it
            c.process = subprocess.Popen(c.command, cwd=c.cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    for c in contestants:
        if c.process is not None:
            try:
                asyncio.run(wait_ready(c.url, c.process, c.ready))
            except SystemExit as exc:
                log = (logs / f"{c.name.replace(' ', '_')}.log").read_text()[-3000:]
                raise SystemExit(f"{c.name}: {exc}\n{log}") from None


def stop(contestants: list[Contestant]) -> None:
    for c in contestants:
        if c.process is not None and c.process.poll() is None:
            c.process.terminate()
    for c in contestants:
        if c.process is not None:
            try:
                c.process.wait(15)
            except subprocess.TimeoutExpired:
                c.process.kill()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children (a server's workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def measure(c: Contestant, operation: str, concurrency: int, target_file: Path, database_url: str,
            seconds: float) -> dict[str, Any]:
    command = [PY, str(BENCH / "load.py"), "--targets", str(target_file), "--operation", operation,
               "--concurrency", str(concurrency), "--seconds", str(seconds)]
    command += ["--sql", database_url] if c.command is None else ["--url", c.url]
    before = cpu_seconds(c.process.pid) if c.process is not None else None
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{c.name} {operation} c={concurrency}: {done.stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    # The server's own CPU per request: what the machine's other work cannot blur (it only delays it).
    if before is not None and c.process is not None:
        result["cpu_ms_per_request"] = (cpu_seconds(c.process.pid) - before) * 1000 / max(1, result["sent"])
    return result


def rounds_of(contestants: list[Contestant], operations: list[str], concurrencies: tuple[int, ...], rounds: int,
              target_file: Path, database_url: str, seconds: float) -> list[dict[str, Any]]:
    """Every measurement: {round, operation, concurrency, contestant, rps, p50_ms, ...}."""
    found = []
    for r in range(rounds):
        order = contestants[r % len(contestants):] + contestants[: r % len(contestants)]
        for name in operations:
            for concurrency in concurrencies:
                for c in order:
                    result = measure(c, name, concurrency, target_file, database_url, seconds)
                    found.append({"round": r, "operation": name, "concurrency": concurrency, "contestant": c.name,
                                  **result})
                    print(f"round {r + 1}/{rounds} {name:17} c={concurrency:<3} {c.name:22} {result['rps']:8.0f} req/s"
                          f"  p50 {result['p50_ms']:6.2f} ms  p99 {result['p99_ms']:6.2f} ms", flush=True)
    return found


def aggregate(measurements: list[dict[str, Any]], floor: str | None) -> list[dict[str, Any]]:
    """Per (operation, concurrency, contestant): medians, spread and the ratio to `floor` (per round, then median)."""
    keys = sorted({(m["operation"], m["concurrency"], m["contestant"]) for m in measurements},
                  key=lambda k: (ORDER.index(k[0]), k[1]))
    by = {(m["operation"], m["concurrency"], m["contestant"], m["round"]): m for m in measurements}
    rows = []
    for op, conc, name in keys:
        mine = [m for m in measurements if (m["operation"], m["concurrency"], m["contestant"]) == (op, conc, name)]
        ratios = [m["rps"] / by[(op, conc, floor, m["round"])]["rps"] for m in mine
                  if (op, conc, floor, m["round"]) in by]
        p99_ratios = [m["p99_ms"] / by[(op, conc, floor, m["round"])]["p99_ms"] for m in mine
                      if (op, conc, floor, m["round"]) in by]
        p50_deltas = [m["p50_ms"] - by[(op, conc, floor, m["round"])]["p50_ms"] for m in mine
                      if (op, conc, floor, m["round"]) in by]
        rps = [m["rps"] for m in mine]
        cpu = [m["cpu_ms_per_request"] for m in mine if "cpu_ms_per_request" in m]
        cpu_ratios = [m["cpu_ms_per_request"] / by[(op, conc, floor, m["round"])]["cpu_ms_per_request"] for m in mine
                      if "cpu_ms_per_request" in m and "cpu_ms_per_request" in by.get((op, conc, floor, m["round"]), {})]
        rows.append({
            "cpu_ms": statistics.median(cpu) if cpu else None,
            "cpu_ratio_to_floor": statistics.median(cpu_ratios) if cpu_ratios else None,
            "operation": op, "concurrency": conc, "contestant": name,
            "rps": statistics.median(rps), "rps_min": min(rps), "rps_max": max(rps),
            "p50_ms": statistics.median(m["p50_ms"] for m in mine),
            "p99_ms": statistics.median(m["p99_ms"] for m in mine),
            "p99_min": min(m["p99_ms"] for m in mine), "p99_max": max(m["p99_ms"] for m in mine),
            "ratio_to_floor": statistics.median(ratios) if ratios else None,
            "p99_ratio_to_floor": statistics.median(p99_ratios) if p99_ratios else None,
            "p50_minus_floor_ms": statistics.median(p50_deltas) if p50_deltas else None,
        })
    return rows


def ratio_between(measurements: list[dict[str, Any]], a: str, b: str, op: str, conc: int) -> float | None:
    by = {(m["contestant"], m["round"]): m["rps"] for m in measurements
          if m["operation"] == op and m["concurrency"] == conc}
    ratios = [by[(a, r)] / by[(b, r)] for (name, r) in by if name == a and (b, r) in by]
    return statistics.median(ratios) if ratios else None


# --- report ---------------------------------------------------------------------------------------


def caption(meta: dict[str, Any]) -> str:
    m = meta["machine"]
    v = m["versions"]
    return (f"{m['cpu']}, {m['cores']} cores, {m['os']}; Python {m['python']}, PostgreSQL 18 (embedded, Unix socket); "
            f"aiohttp {v['aiohttp']}, asyncpg {v['asyncpg']}, pydantic {v['pydantic']}, fastapi {v['fastapi']}, "
            f"sqlalchemy {v['sqlalchemy']}, uvicorn {v['uvicorn']}\n"
            f"data: {meta['orgs']} organizations, {meta['messages']:,} messages; {meta['rounds']} interleaved rounds of "
            f"{meta['seconds']} s each, median and min..max; pools of {meta['pool']}; "
            f"command: {meta['command']}")


def chart(path: Path, title: str, rows: list[dict[str, Any]], value: str, low: str | None, high: str | None,
          ylabel: str, meta: dict[str, Any], contestants: list[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = sorted({(r["operation"], r["concurrency"]) for r in rows}, key=lambda k: (ORDER.index(k[0]), k[1]))
    fig, ax = plt.subplots(figsize=(12, 6.2))
    width = 0.8 / max(1, len(contestants))
    for i, name in enumerate(contestants):
        xs, ys, errs = [], [], [[], []]
        for g, (op, conc) in enumerate(groups):
            row = next((r for r in rows if (r["operation"], r["concurrency"], r["contestant"]) == (op, conc, name)), None)
            if row is None:
                continue
            xs.append(g + (i - (len(contestants) - 1) / 2) * width)
            ys.append(row[value])
            errs[0].append(row[value] - row[low] if low else 0)
            errs[1].append(row[high] - row[value] if high else 0)
        bars = ax.bar(xs, ys, width, label=name, yerr=errs if low else None, capsize=2)
        ax.bar_label(bars, fmt="%.0f" if value == "rps" else "%.1f", fontsize=6, padding=1)
    ax.set_xticks(range(len(groups)), [f"{op}\nc={conc}" for op, conc in groups], fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.text(0.01, 0.01, caption(meta), fontsize=6.5, va="bottom", wrap=True)
    fig.subplots_adjust(bottom=0.2)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown(meta: dict[str, Any], results: dict[str, Any], charts: list[str]) -> str:
    lines = [f"# Benchmarks, {meta['started']}", "", caption(meta).replace("\n", "  \n"), ""]
    rest = results.get("rest")
    if rest:
        lines += ["## REST: this server against the floor, FastAPI + SQLAlchemy, and the SQL alone", "",
                  "| operation | c | contestant | req/s (min..max) | ratio to floor | p50 ms | p99 ms | p99 / floor "
                  "| server CPU ms/request | CPU / floor |",
                  "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for r in rest["summary"]:
            ratio = "" if r["ratio_to_floor"] is None else f"{r['ratio_to_floor']:.2f}"
            p99r = "" if r["p99_ratio_to_floor"] is None else f"{r['p99_ratio_to_floor']:.2f}"
            cpu = "" if r.get("cpu_ms") is None else f"{r['cpu_ms']:.3f}"
            cpur = "" if r.get("cpu_ratio_to_floor") is None else f"{r['cpu_ratio_to_floor']:.2f}"
            lines.append(f"| {r['operation']} | {r['concurrency']} | {r['contestant']} | {r['rps']:.0f} "
                         f"({r['rps_min']:.0f}..{r['rps_max']:.0f}) | {ratio} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} "
                         f"| {p99r} | {cpu} | {cpur} |")
        lines += ["", "### Targets", "", "| target | operation | measured | met |", "| --- | --- | ---: | --- |"]
        for t in rest["targets"]:
            lines.append(f"| {t['target']} | {t['operation']} | {t['measured']} | {'yes' if t['met'] else 'NO'} |")
        lines.append("")
    workers = results.get("workers")
    if workers:
        lines += ["## Every core: one worker against two (`python -m server --workers N`)", "",
                  "| operation | c | workers | req/s (min..max) | p50 ms | p99 ms | 2 workers / 1 |",
                  "| --- | ---: | --- | ---: | ---: | ---: | ---: |"]
        for r in workers["summary"]:
            ratio = "" if r["ratio_to_floor"] is None or r["contestant"] == workers["base"] else f"{r['ratio_to_floor']:.2f}"
            lines.append(f"| {r['operation']} | {r['concurrency']} | {r['contestant']} | {r['rps']:.0f} "
                         f"({r['rps_min']:.0f}..{r['rps_max']:.0f}) | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {ratio} |")
        lines.append("")
    checklist = results.get("seed002")
    if checklist:
        lines += ["## Seed 002's latency targets at p99 (this server, one worker)", "",
                  "| operation | target p99 | c | p99 ms (min..max) | margin | met |", "| --- | ---: | ---: | ---: | ---: | --- |"]
        for t in checklist["checklist"]:
            if t["p99_ms"] is None:
                lines.append(f"| {t['operation']} | < {t['target_ms']:.0f} ms | | {t['note']} | | not measured |")
                continue
            lines.append(f"| {t['operation']} | < {t['target_ms']:.0f} ms | {t['concurrency']} | {t['p99_ms']:.1f} "
                         f"({t['p99_min']:.1f}..{t['p99_max']:.1f}) | {t['target_ms'] - t['p99_ms']:+.1f} ms | "
                         f"{'yes' if t['met'] else 'NO'} |")
        lines.append("")
    rows = results.get("rows")
    if rows:
        lines += ["## Rows into models (bench/rows_bench.py)", "", "```", rows["output"].strip(), "```", ""]
    lines += ["## Charts", ""] + [f"![{c}]({c})" for c in charts] + [""]
    return "\n".join(lines)


def rest_targets(measurements: list[dict[str, Any]], summary: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for op, *_ in OPERATIONS:
        row32 = next((r for r in summary if (r["operation"], r["concurrency"], r["contestant"]) == (op, 32, "server")), None)
        row1 = next((r for r in summary if (r["operation"], r["concurrency"], r["contestant"]) == (op, 1, "server")), None)
        if row32:
            found.append({"target": "req/s >= 0.9 x floor at c=32", "operation": op,
                          "measured": f"{row32['ratio_to_floor']:.2f} x", "met": row32["ratio_to_floor"] >= 0.9})
            found.append({"target": "p99 <= 1.2 x floor at c=32", "operation": op,
                          "measured": f"{row32['p99_ratio_to_floor']:.2f} x", "met": row32["p99_ratio_to_floor"] <= 1.2})
        if row1:
            found.append({"target": "p50 <= floor + 0.3 ms at c=1", "operation": op,
                          "measured": f"{row1['p50_minus_floor_ms']:+.2f} ms", "met": row1["p50_minus_floor_ms"] <= 0.3})
        if row32 and row32.get("cpu_ratio_to_floor") is not None:
            found.append({"target": "(context) server CPU per request / floor's at c=32", "operation": op,
                          "measured": f"{row32['cpu_ratio_to_floor']:.2f} x", "met": row32["cpu_ratio_to_floor"] <= 1 / 0.9})
        vs = ratio_between(measurements, "server", "fastapi+sqlalchemy", op, 32)
        if vs is not None:
            found.append({"target": ">= 3 x FastAPI + SQLAlchemy at c=32", "operation": op, "measured": f"{vs:.2f} x",
                          "met": vs >= 3})
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=SCENARIOS, help="run one scenario (default: all)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0, help="measuring time of each measurement")
    parser.add_argument("--orgs", type=int, default=100)
    parser.add_argument("--messages", type=int, default=300_000)
    parser.add_argument("--pool", type=int, default=10, help="connection pool size of every server (per worker)")
    parser.add_argument("--baseline", type=Path, help="also measure the server of this checkout (rest scenario)")
    parser.add_argument("--no-fastapi", action="store_true", help="leave the FastAPI peer out")
    args = parser.parse_args()
    scenarios = [args.only] if args.only else list(SCENARIOS)
    started = datetime.now(UTC)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    meta = {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(), "orgs": args.orgs,
        "messages": args.messages, "rounds": args.rounds, "seconds": args.seconds, "pool": args.pool,
        "command": "make bench" + (f" only={args.only}" if args.only else "")
        + (f" baseline={args.baseline}" if args.baseline else "")
        if os.environ.get("MAKELEVEL") else " ".join(["bench/run.py", *sys.argv[1:]]),
    }
    results: dict[str, Any] = {}
    charts: list[str] = []
    clock = time.monotonic()

    if "rows" in scenarios:
        print("== rows", flush=True)
        done = subprocess.run([PY, str(BENCH / "rows_bench.py"), "--no-write"], capture_output=True, text=True,
                              cwd=ROOT)
        if done.returncode != 0:
            raise SystemExit(done.stderr[-2000:])
        results["rows"] = {"output": done.stdout}
        print(done.stdout, flush=True)

    http = [s for s in scenarios if s in ("rest", "workers", "seed002")]
    if http:
        tmp = Path(tempfile.mkdtemp(prefix="ajc-bench-"))
        tmp.chmod(0o755)
        data = tmp / "pg"
        admin = db.start_embedded(data)
        contestants: list[Contestant] = []
        try:
            asyncio.run(db.create_database(admin, "bench"))
            url = db.with_database(admin, "bench")
            db.migrate(url)
            print(f"== seeding {args.orgs} organizations, {args.messages:,} messages", flush=True)
            seeded = asyncio.run(seed(url, orgs=args.orgs, messages=args.messages))
            key_dir = tmp / "dev-jwt"
            target_file = tmp / "targets.json"
            target_file.write_text(json.dumps(targets(seeded, key_dir)))
            env = {"DATABASE_URL": url, "HOST": "127.0.0.1", "DEV_JWT_DIR": str(key_dir),
                   "POOL_MAX_SIZE": str(args.pool), "POOL_MIN_SIZE": str(args.pool),
                   "WORKSPACES_DIR": str(tmp / "workspaces")}
            for name in ("CLERK_JWT_KEY", "CLERK_JWKS_URL", "ACCESS_LOG"):
                os.environ.pop(name, None)

            if "rest" in scenarios:
                print("== rest", flush=True)
                contestants = [server("server", free_port(), env, "--workers", "1"),
                               script("floor", "floor.py", free_port(), env)]
                if args.baseline:
                    contestants.append(server("server (baseline)", free_port(), env, cwd=args.baseline.resolve()))
                if not args.no_fastapi:
                    contestants.append(script("fastapi+sqlalchemy", "peer_fastapi.py", free_port(), env))
                contestants.append(Contestant("sql only", None))
                start(contestants, tmp)
                found = rounds_of(contestants, REST, (1, 32), args.rounds, target_file, url, args.seconds)
                stop(contestants)
                summary = aggregate(found, "floor")
                results["rest"] = {"measurements": found, "summary": summary, "targets": rest_targets(found, summary),
                                   "contestants": [c.name for c in contestants]}
                names = [c.name for c in contestants]
                for value, title, ylabel, low, high, file in (
                    ("rps", "REST: requests per second (higher is better)", "requests/s", "rps_min", "rps_max",
                     "rest_rps"),
                    ("p99_ms", "REST: p99 latency (lower is better)", "ms", "p99_min", "p99_max", "rest_p99"),
                    ("p50_ms", "REST: median latency (lower is better)", "ms", None, None, "rest_p50"),
                ):
                    png = f"{stamp}-{file}.png"
                    chart(RESULTS / png, title, summary, value, low, high, ylabel, meta, names)
                    charts.append(png)

            if "workers" in scenarios:
                print("== workers", flush=True)
                contestants = [server("1 worker", free_port(), env, "--workers", "1"),
                               server("2 workers", free_port(), env, "--workers", "2")]
                start(contestants, tmp)
                found = rounds_of(contestants, REST, (32,), args.rounds, target_file, url, args.seconds)
                stop(contestants)
                summary = aggregate(found, "1 worker")
                results["workers"] = {"measurements": found, "summary": summary, "base": "1 worker"}
                png = f"{stamp}-workers.png"
                chart(RESULTS / png, "One worker against two: requests per second", summary, "rps", "rps_min",
                      "rps_max", "requests/s", meta, ["1 worker", "2 workers"])
                charts.append(png)
            if "seed002" in scenarios:
                print("== seed002", flush=True)
                contestants = [server("server", free_port(), env, "--workers", "1")]
                start(contestants, tmp)
                names = [op[0] for op in SEED002]
                found = rounds_of(contestants, names, (1, 32), args.rounds, target_file, url, args.seconds)
                stop(contestants)
                summary = aggregate(found, None)
                checklist: list[dict[str, Any]] = []
                for name, *_, target_ms in SEED002:
                    for row in (r for r in summary if r["operation"] == name):
                        checklist.append({"operation": name, "target_ms": target_ms, "concurrency": row["concurrency"],
                                          "p99_ms": row["p99_ms"], "p99_min": row["p99_min"], "p99_max": row["p99_max"],
                                          "met": row["p99_ms"] < target_ms})
                for name, note, target_ms in SEED002_NOT_SERVED:
                    checklist.append({"operation": name, "target_ms": target_ms, "p99_ms": None, "note": note})
                results["seed002"] = {"measurements": found, "summary": summary, "checklist": checklist}
                png = f"{stamp}-seed002_p99.png"
                chart(RESULTS / png, "Seed 002's operations: p99 latency (targets: session 100, memory store 50, "
                      "query 100, batch of 10 500 ms)", summary, "p99_ms", "p99_min", "p99_max", "ms", meta, ["server"])
                charts.append(png)
        finally:
            stop(contestants)
            db.stop_embedded(data)
            shutil.rmtree(tmp, ignore_errors=True)

    meta["minutes"] = round((time.monotonic() - clock) / 60, 1)
    dump(RESULTS / f"{stamp}.json", {"meta": meta, "results": results})
    (RESULTS / f"{stamp}.md").write_text(markdown(meta, results, charts))
    print(f"wrote bench/results/{stamp}.json, {stamp}.md and {len(charts)} charts ({meta['minutes']} min)")


if __name__ == "__main__":
    main()
