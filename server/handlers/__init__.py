"""Request handlers, one module per resource. Each is thin: read validated inputs,
open the tenant transaction, call generated queries, return a response model."""
