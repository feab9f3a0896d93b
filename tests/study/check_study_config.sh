#!/usr/bin/env bash
# `bpel study` rejects descriptions with unknown keys, wrong types or
# impossible values, naming file and line, before running anything.
set -u
BPEL=${BPEL:?}; T=${BPEL_TEST_TMP:-.}/study_config; mkdir -p "$T"
fails=0; n=0
expect() { # NAME PATTERN FILE
  n=$((n+1))
  local out rc; out=$("$BPEL" study "$3" --out "$T/never" 2>&1 >/dev/null); rc=$?
  if [ $rc -eq 0 ] || [ $rc -ge 128 ] || ! printf '%s' "$out" | grep -Eq -- "$2"; then
    echo "FAIL $1: exit $rc, '$out' !~ /$2/"; fails=$((fails+1))
  else echo "ok   $1: $out"; fi
  if [ -e "$T/never" ]; then echo "FAIL $1: created output"; fails=$((fails+1)); rm -rf "$T/never"; fi
}
printf 'name: x\nglass:\n  atoms: 100\n  cooling_rate: [1e12]\n' > "$T/typo.yaml"
expect unknown_key "typo.yaml:4: unknown key 'cooling_rate' in glass" "$T/typo.yaml"
printf 'name: x\nglass:\n  atoms: many\n' > "$T/type.yaml"
expect wrong_type "type.yaml:3: 'atoms' must be a number, got 'many'" "$T/type.yaml"
printf 'name: x\nglass:\n  cooling_rates: [-5]\n' > "$T/neg.yaml"
expect negative_rate "neg.yaml:3: 'cooling_rates' = -5 outside" "$T/neg.yaml"
printf 'name: x\nanalyses:\n  artn:\n    searchs: 3\n' > "$T/nested.yaml"
expect nested_unknown "nested.yaml:4: unknown key 'searchs' in artn" "$T/nested.yaml"
printf 'name: [x\n' > "$T/broken.yaml"
expect broken_yaml "broken.yaml:[0-9]+: YAML error" "$T/broken.yaml"
printf 'analyses:\n  modes: maybe\n' > "$T/bool.yaml"
expect bad_bool "bool.yaml:2: 'modes' must be true or false, got 'maybe'" "$T/bool.yaml"
expect missing "nothere.yaml: cannot open" "$T/nothere.yaml"
printf 'name: x\nglass:\n  compositions: [Cu64Ni36]\n' > "$T/ni.yaml"
expect element_not_in_potential "ni.yaml: composition 'Cu64Ni36': element Ni is not in the potential .*CuZr_mm.eam.fs \\(it has Cu, Zr\\)" "$T/ni.yaml"
printf 'name: x\nanalyses:\n  modes:\n    options: "--max-omega 15 --bp-window=3:20"\n' > "$T/bpwin.yaml"
expect bp_window_above_max_omega "bpwin.yaml:4: modes options .*: the boson-peak window's top 20 rad/ps lies above 15 rad/ps" "$T/bpwin.yaml"
# the shipped examples are valid descriptions (--check parses without running)
for f in "$BPEL_SOURCE_DIR"/examples/*.yaml; do
  n=$((n+1))
  out=$("$BPEL" study "$f" --check 2>&1); rc=$?
  if [ $rc -ne 0 ]; then echo "FAIL example $f: $out"; fails=$((fails+1)); else echo "ok   example $(basename "$f") parses"; fi
done
# --resume is accepted as the rerun it already is
n=$((n+1))
out=$("$BPEL" study "$BPEL_SOURCE_DIR/examples/demo.yaml" --resume --check 2>&1); rc=$?
if [ $rc -ne 0 ]; then echo "FAIL --resume: $out"; fails=$((fails+1)); else echo "ok   study --resume accepted"; fi
echo "$((n-fails)) passed, $fails failed"
[ $fails -eq 0 ]
