#!/bin/bash
# check_readme.sh — the README's command lines run as written, at a small
# size: every `bpel …` and `mpirun … bpel …` line of its shell blocks (with
# continuation lines joined) is run in order in one folder, with `bpel` on
# PATH, after shrinking only the sizes (atoms, cooling rate, melt time,
# searches, ranks); the commands, options and file names are the README's.
set -u
BPEL=${BPEL:?}
SRC=${BPEL_SOURCE_DIR:?}
T=${BPEL_TEST_TMP:-.}/readme
rm -rf "$T"; mkdir -p "$T/bin"; cd "$T" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
ln -s "$BPEL" bin/bpel
export PATH="$PWD/bin:$PATH" OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive BPEL_NO_PROGRESS=1

# the command lines of the README's ```sh blocks
awk '/^```sh/{f=1; next} /^```/{f=0} f' "$SRC/README.md" |
  awk '{ if (sub(/\\$/, "")) { buf = buf $0; next } print buf $0; buf = "" }' |
  grep -E '^(bpel|mpirun) ' > commands.txt
[ "$(wc -l < commands.txt)" -ge 4 ] || fail "found only $(wc -l < commands.txt) bpel commands in the README"

n=0
while IFS= read -r line; do
  small=$(printf '%s\n' "$line" | sed -E \
      -e 's/--natoms [0-9]+/--natoms 200/' \
      -e 's/--rate [0-9.e+]+/--rate 1e14/' \
      -e 's/--melt-time [0-9.]+/--melt-time 2/' \
      -e 's/--searches [0-9]+/--searches 1 --atoms fraction:0.3/' \
      -e 's/^mpirun -np [0-9]+/mpirun --allow-run-as-root --oversubscribe -np 2/' \
      -e 's/#.*$//')
  n=$((n+1))
  echo "\$ $small"
  bash -c "$small" < /dev/null > "cmd$n.out" 2> "cmd$n.err" || { tail -5 "cmd$n.err"; fail "README command $n: $line"; }
done < commands.txt
[ -s corr/summary.json ] && [ -s corr_connected/summary.json ] || fail "correlate outputs"
echo "readme: ok ($n commands)"
