"""The aiohttp REST server (SPEC section 5). It calls the generated query functions in gen/."""
