"""What every job starts with: logging, the server's configuration from the environment, and system transactions.

    config = job_config(parser)
    async with system_transaction(conn): ...   # a transaction of the job's connection acting as app_system

One log line format for all jobs (on standard error), the settings the server
reads (a bad one is the parser's error, naming the variable), and DATABASE_URL
defaulting to the embedded database under .data/pg (started if need be), as
for `make run`.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from gen import Connection, tenancy
from server.config import Config, ConfigError


def job_config(parser: argparse.ArgumentParser) -> Config:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    try:
        config = Config.from_env()
    except ConfigError as exc:
        parser.error(str(exc))
    if not config.database_url:
        from tools import db

        config = dataclasses.replace(config, database_url=db.database_url())
    return config


@asynccontextmanager
async def system_transaction(conn: Connection) -> AsyncIterator[Connection]:
    """A transaction of the job's own connection acting as app_system until it ends."""
    async with conn.transaction():
        await tenancy.enter_system(conn)
        yield conn
