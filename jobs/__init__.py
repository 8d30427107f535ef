"""Background jobs (SPEC section 6): retention, embedding worker, scheduler."""
