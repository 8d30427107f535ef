"""Entry point: `python3 -m codegen /plugin.CodegenService/Generate < request.json > response.json`."""

from __future__ import annotations

import json
import sys

from codegen.protocol import GenerateError, Request, Response
from codegen.render import generate

METHOD = "/plugin.CodegenService/Generate"


def main(argv: list[str]) -> int:
    if argv[1:] != [METHOD]:
        print(f"sqlc-gen-asyncpg: sqlc runs this plugin as `{argv[0]} {METHOD}` with the request on stdin", file=sys.stderr)
        return 2
    try:
        request = Request.parse(json.load(sys.stdin))
        files = generate(request)
    except GenerateError as exc:
        print(f"sqlc-gen-asyncpg:\n{exc}", file=sys.stderr)
        return 1
    sys.stdout.write(Response(files).to_json())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
