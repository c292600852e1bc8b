"""Collectors: one module per source. Each has fetch_* (network only) and normalise_* (pure)
functions; collectors.pipeline chains fetch -> normalise -> land -> load for every source."""
