#!/usr/bin/env bash
# `make bench`: every benchmark, each running its peer (LAMMPS, bare LAPACK)
# and bpel side by side and printing the ratios. Medians of several runs.
set -eu
BPEL=$(readlink -f "${1:-build/bpel}")
cd "$(dirname "$0")"
echo "== MD: bpel md vs lmp -sf opt (NVE, NPT)";      bash bench_md.sh "$BPEL"
echo "== quench: bpel quench vs LAMMPS fix npt";      bash bench_quench.sh "$BPEL"
echo "== modes: bpel modes vs bare LAPACK dsyevd";    bash bench_modes.sh "$BPEL"
echo "== ARTn: force calls, success, cost vs size";   bash bench_artn.sh "$BPEL"
