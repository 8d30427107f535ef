"""sqlc process plugin: generates typed asyncpg + pydantic code from sqlc's analysis.

sqlc.yaml runs it as `codegen/sqlc-gen-asyncpg` (`python3 -m codegen`) with
`format: json`. It uses only the standard library, since it runs under whatever
python3 is on PATH. Modules:

- protocol: the GenerateRequest/GenerateResponse JSON, parsed into dataclasses
- types:    PostgreSQL type names (every spelling sqlc reports) -> Python types
- naming:   class, function, constant and field names (with a singularizer for tables)
- pysource: literals, docstrings, imports and `__all__` in the house style
- render:   the files: `__init__.py`, `models.py`, one module per query file
"""
