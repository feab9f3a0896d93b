#!/usr/bin/env bash
# `make demo`: the built-in study (examples/demo.yaml) into demo-out/.
set -euo pipefail
BPEL=${1:-build/bpel}
cd "$(dirname "$0")/.."
"$BPEL" --version
"$BPEL" study examples/demo.yaml --threads "$(nproc)"
echo
echo "Open demo-out/report.html (figures and numbers next to the paper's)."
