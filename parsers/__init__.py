"""Pure functions: the bytes of one source document → validated ``schema`` records. No I/O, no graph."""

# Bumped whenever a parser change can change its output: cached parses of older versions are redone.
PARSER_VERSION = "5"
