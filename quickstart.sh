#!/usr/bin/env bash
# Set up lexgraph in .venv, refresh the store from a source config, read one provision back and build a prompt.
#   ./quickstart.sh                          live EUR-Lex sources (pipelines/sources.toml)
#   ./quickstart.sh examples/offline.toml    the corpus on disk, for a machine without internet
set -euo pipefail
cd "$(dirname "$0")"
config="${1:-pipelines/sources.toml}"

[ -x .venv/bin/lexgraph ] || { python3.11 -m venv .venv && .venv/bin/python -m pip install --quiet -e ".[dev]"; }
.venv/bin/lexgraph refresh --config "$config" --store .store
.venv/bin/lexgraph show eu/reg/2016/679/art_17 --as-of 2021-03-01 --lang en --store .store --format md
.venv/bin/lexgraph prompt "What are the rules on erasure of personal data?" --as-of 2021-03-01 --store .store --budget 2000
