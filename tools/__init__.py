"""Developer and operator tooling: database lifecycle, code generation, SQL lint."""
