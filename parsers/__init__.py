"""Pure functions: the bytes of one source document → validated ``schema`` records. No I/O, no graph."""
