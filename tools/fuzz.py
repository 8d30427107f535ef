"""Contract-fuzz the served API with the schemathesis CLI, from its own /openapi.json and nothing else.

    python -m tools.fuzz [--max-examples N] [--seed S] [--report DIR] [--workers N]

Why: tests/pipeline/test_contract.py runs schemathesis through its Python API with
help from the test (real cursors, fresh Idempotency-Keys, a derandomized and
fixed set of examples), so it proves the document and the server agree on the
cases it steers. This tool asks the other question: what does an outside client
generator see when all it has is the document? It runs `st run` with the default
checks and phases, no hooks and no schemathesis.toml, random data (a new seed
each run unless --seed), against the real server process. Two settings differ
from the defaults: no made-up credentials (the admin token is the credential),
and an operation keeps going after a failure so it gets all its examples (see
schemathesis_command).

What it does, in order, and undoes whatever happens (errors, Ctrl-C, SIGTERM):

 1. starts a throwaway embedded PostgreSQL in a temporary directory and creates
    and migrates a database in it (tools.db, as the test suite does);
 2. starts `python -m server --no-migrate` on a free loopback port, in development
    mode (its signing key in the temporary directory), with a CLERK_WEBHOOK_SECRET
    so /webhooks/clerk answers unsigned probes with its documented invalid_signature
    problem rather than 503 webhooks_not_configured;
 3. mints an admin token of user_fuzz in org_fuzz with the development key and
    calls GET /v1/me once, so the user and the organization exist;
 4. runs `st run <url>/openapi.json` with that token, --max-examples (default 50),
    the seed (printed), --workers, and writes JUnit XML, a VCR cassette and the
    NDJSON event stream into a directory of its own under --report (default
    .data/fuzz/, git-ignored), beside the CLI output (st-output.txt), the
    server's log, the document as served (openapi.json) and run.json (seed,
    command without the token, commit, durations, exit status);
 5. stops the server and the database, removes the temporary directory and exits
    with schemathesis's exit status (0: no failure; 1: failures; 2+: errors;
    130 when interrupted, after schemathesis has written what it had).

Re-running with the printed --seed and the same --max-examples and --workers 1
generates the same cases, as far as they do not depend on the server's answers
(the stateful phase reuses the ids it is given). Hypothesis's example database
is off, so no earlier run's failures are replayed into a new one.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import IO

from tools import db as dbtools

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_REPORT_DIR = ROOT / ".data" / "fuzz"
DEFAULT_MAX_EXAMPLES = 50
DEFAULT_WORKERS = 1
DATABASE = "fuzz"
USER = "user_fuzz"
ORG = "org_fuzz"
TOKEN_TTL = 7 * 24 * 3600
REPORT_FORMATS = "junit,vcr,ndjson"
# Settings of the caller's environment that would change what the server or schemathesis does.
CLEARED_ENV = (
    "CLERK_JWT_KEY",
    "CLERK_JWKS_URL",
    "CLERK_ISSUER",
    "CLERK_AUTHORIZED_PARTIES",
    "HOST",
    "PORT",
)
SERVER_START_SECONDS = 60.0
STOP_SECONDS = 15.0


@dataclass(frozen=True)
class Options:
    max_examples: int
    seed: int
    seed_given: bool
    report: Path
    workers: int


def parse_args(argv: Sequence[str] | None = None) -> Options:
    """The command line, validated; the seed is drawn at random when none is given."""
    parser = argparse.ArgumentParser(prog="python -m tools.fuzz", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--max-examples", type=positive, default=DEFAULT_MAX_EXAMPLES, metavar="N",
        help=f"test cases per operation and phase (default {DEFAULT_MAX_EXAMPLES})",
    )
    parser.add_argument("--seed", type=int, help="schemathesis's random seed (default: a new random one, printed)")
    parser.add_argument(
        "--report", type=Path, default=DEFAULT_REPORT_DIR, metavar="DIR",
        help="directory the run's report directory is created in (default .data/fuzz/)",
    )
    parser.add_argument(
        "--workers", type=positive, default=DEFAULT_WORKERS, metavar="N",
        help=f"concurrent schemathesis workers (default {DEFAULT_WORKERS})",
    )
    args = parser.parse_args(argv)
    seed_given = args.seed is not None
    seed = args.seed if seed_given else random.SystemRandom().randrange(2**31)
    return Options(args.max_examples, seed, seed_given, args.report.resolve(), args.workers)


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def free_port() -> int:
    """A loopback port nobody listens on now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def webhook_secret() -> str:
    """A Svix signing secret, whsec_<base64 of 32 random bytes>."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def run_directory(report: Path, seed: int, now: datetime | None = None) -> Path:
    """report/<UTC time>-seed<seed>: one directory per run, so runs do not overwrite each other."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return report / f"{stamp}-seed{seed}"


def schemathesis_command(url: str, token: str, options: Options, out: Path, config_file: Path) -> list[str]:
    """The `st run` command line: default checks and phases, reports into out."""
    return [
        str(BIN / "st"),
        "--config-file", str(config_file),
        "run", f"{url}/openapi.json",
        "--header", f"Authorization: Bearer {token}",
        "--max-examples", str(options.max_examples),
        "--seed", str(options.seed),
        "--workers", str(options.workers),
        "--generation-database", "none",
        # The token above is the credential. Left on, schemathesis adds every security scheme's parameter
        # with a made-up value, so an operation open to bearer OR X-API-Key is sent both and answers
        # 401 ambiguous_credentials (most of its cases never reach the route). ignored_auth still runs.
        "--generation-with-security-parameters", "false",
        # Without it an operation stops at its first failure (a random cursor fails at once), far short of
        # --max-examples; with it every operation gets them all and each distinct failure is reported.
        "--continue-on-failure",
        "--report", REPORT_FORMATS,
        "--report-dir", str(out),
        "--report-junit-path", str(out / "junit.xml"),
        "--report-vcr-path", str(out / "cassette.yaml"),
        "--report-ndjson-path", str(out / "events.ndjson"),
        "--no-color",
    ]


def redact(command: Sequence[str]) -> list[str]:
    return ["Authorization: Bearer <token>" if arg.startswith("Authorization:") else arg for arg in command]


def say(message: str) -> None:
    print(f"[fuzz] {message}", flush=True)


class Interrupted(Exception):
    """SIGTERM, turned into an exception so every cleanup runs."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(f"signal {signum}")


@contextmanager
def embedded_database(tmp: Path) -> Iterator[str]:
    """A migrated database of a throwaway embedded PostgreSQL under tmp; its URL."""
    data = tmp / "pg"
    say("starting the embedded PostgreSQL")
    try:
        admin = dbtools.start_embedded(data)
        asyncio.run(dbtools.create_database(admin, DATABASE, recreate=True))
        url = dbtools.with_database(admin, DATABASE)
        say("migrating")
        dbtools.migrate(url)
        yield url
    finally:
        say("stopping the embedded PostgreSQL")
        dbtools.stop_embedded(data)


@contextmanager
def server_process(database_url: str, tmp: Path, log: Path) -> Iterator[str]:
    """The real server (python -m server) on a free loopback port, in development mode; its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(
        DATABASE_URL=database_url,
        DEV_JWT_DIR=str(tmp / "dev-jwt"),
        WORKSPACES_DIR=str(tmp / "workspaces"),
        CLERK_WEBHOOK_SECRET=webhook_secret(),
        PYTHONUNBUFFERED="1",
    )
    command = [sys.executable, "-m", "server", "--no-migrate", "--port", str(port), "--host", "127.0.0.1"]
    url = f"http://127.0.0.1:{port}"
    say(f"starting the server on {url} (log: {log})")
    with log.open("wb") as out:
        # A session of its own: a Ctrl-C reaches this process only, which stops the server last.
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until_healthy(url, proc)
            yield url
        finally:
            say("stopping the server")
            stop(proc)


def wait_until_healthy(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode} before answering /healthz")
        with suppress(OSError):
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer /healthz within {SERVER_START_SECONDS:.0f} s")


def stop(proc: subprocess.Popen[bytes] | subprocess.Popen[str], sig: int = signal.SIGTERM) -> int:
    """Signal proc, give it STOP_SECONDS to exit, then kill it; its exit status."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def admin_token(tmp: Path) -> str:
    """A long-lived token of USER, admin of ORG, signed with the server's development key."""
    from server.pipeline.devkeys import ensure_key_pair, mint_token

    key = ensure_key_pair(tmp / "dev-jwt")
    return mint_token(key, user=USER, org=ORG, role="admin", slug=None, ttl=TOKEN_TTL)


def provision(url: str, token: str) -> dict[str, object]:
    """GET /v1/me once: the server creates the user, the organization and the membership."""
    request = urllib.request.Request(f"{url}/v1/me", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body: dict[str, object] = json.loads(response.read())
            return body
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"GET /v1/me answered {exc.code}: {exc.read().decode(errors='replace')}") from None


def run_schemathesis(command: list[str], cwd: Path, transcript: Path) -> int:
    """Run command, echoing its output and copying it to transcript; its exit status.

    On Ctrl-C or SIGTERM schemathesis is sent one SIGINT, so it stops and writes
    its summary and reports, and is killed if it has not exited STOP_SECONDS later.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMATHESIS_")}
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    tee = threading.Thread(target=copy_lines, args=(proc.stdout, transcript), daemon=True)
    tee.start()
    try:
        proc.wait()
    except (KeyboardInterrupt, Interrupted):
        say("interrupted: stopping schemathesis")
        stop(proc, signal.SIGINT)
        raise
    finally:
        stop(proc)
        tee.join(STOP_SECONDS)
    return proc.returncode


def copy_lines(source: IO[str], transcript: Path) -> None:
    with transcript.open("w") as out:
        for line in source:
            sys.stdout.write(line)
            sys.stdout.flush()
            out.write(line)


def source_state() -> str:
    """The commit the run served, with `+changes` when files differ from it (another edit may be under way)."""
    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    out = run_directory(options.report, options.seed)
    out.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _on_sigterm)
    say(f"seed {options.seed} ({'given' if options.seed_given else 'random'}), "
        f"{options.max_examples} examples per operation, {options.workers} worker(s)")
    say(f"reports: {out}")
    tmp = Path(tempfile.mkdtemp(prefix="ajc-fuzz-"))
    # The embedded server runs as its own system user when this runs as root: it must reach tmp/pg.
    tmp.chmod(0o755)
    started = time.monotonic()
    status = 2
    record: dict[str, object] = {
        "seed": options.seed, "max_examples": options.max_examples, "workers": options.workers, "source": source_state(),
    }
    try:
        with embedded_database(tmp) as database_url, server_process(database_url, tmp, out / "server.log") as url:
            token = admin_token(tmp)
            me = provision(url, token)
            # The document as served this run: the failures are read against it.
            with urllib.request.urlopen(f"{url}/openapi.json", timeout=30) as response:
                (out / "openapi.json").write_bytes(response.read())
            say(f"provisioned {USER} in {ORG}: {json.dumps(me, separators=(',', ':'))}")
            config_file = tmp / "schemathesis.toml"
            config_file.write_text("# empty: the defaults, whatever the current directory holds\n")
            command = schemathesis_command(url, token, options, out, config_file)
            record["command"] = redact(command)
            say("running " + " ".join(redact(command)))
            fuzz_started = time.monotonic()
            status = run_schemathesis(command, tmp, out / "st-output.txt")
            record["schemathesis_seconds"] = round(time.monotonic() - fuzz_started, 1)
    except (KeyboardInterrupt, Interrupted):
        say("interrupted")
        status = 130
    except (RuntimeError, OSError, SystemExit) as exc:
        say(f"error: {exc}")
        status = 2
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        record["exit_status"] = status
        record["total_seconds"] = round(time.monotonic() - started, 1)
        (out / "run.json").write_text(json.dumps(record, indent=2) + "\n")
    say(f"schemathesis exit status {status}; {record['total_seconds']} s in all; "
        f"seed {options.seed}; reports in {out}")
    return status


if __name__ == "__main__":
    sys.exit(main())
