#!/bin/bash
# check_tg.sh — `bpel tg` on a real cooling curve and on curves that cannot
# give a Tg. LAMMPS cools a 512-atom Cu50Zr50 liquid under NPT (2000 -> 300 K
# at 3e13 K/s); bpel's Tg from its V(T) must agree with an independent
# two-line fit of the same data (tests/tg_two_lines.py, fixed glass and
# liquid ranges) within bpel's own 95 % interval and 150 K. A liquid-only
# curve (the same run above 1300 K), a too-short one and a pure-noise one
# must be "not determined", with no number in tg.json.
set -u
BPEL=${BPEL:?}
SRC=${BPEL_SOURCE_DIR:?}
T=${BPEL_TEST_TMP:-.}/tg
rm -rf "$T"; mkdir -p "$T"; cd "$T" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
command -v lmp >/dev/null || { echo "lmp not found: skipped"; exit 0; }
POT=${LAMMPS_POTENTIALS:-/usr/share/lammps/potentials}/CuZr_mm.eam.fs
cat > cool.in <<EOI
units metal
atom_style atomic
boundary p p p
read_data $SRC/tests/data/cuzr_glass_256.data
replicate 2 1 1
pair_style eam/fs
pair_coeff * * $POT Cu Zr
velocity all create 2000 7 mom yes rot yes dist gaussian
timestep 0.002
fix 1 all npt temp 2000 2000 0.1 iso 0 0 1.0
run 1000
unfix 1
fix 1 all npt temp 2000 300 0.1 iso 0 0 1.0
variable t equal temp
variable v equal vol
fix 2 all print 20 "\${t},\${v}" file vt.csv screen no title "temp_K,volume_A3"
run 28400
EOI
lmp -in cool.in -log none -screen none || fail "lmp cooling run"
[ "$(wc -l < vt.csv)" -gt 1000 ] || fail "cooling log too short"

"$BPEL" tg vt.csv --out tg > tg.txt 2>&1 || { cat tg.txt; fail "bpel tg"; }
cat tg.txt
ref=$(python3 "$SRC/tests/tg_two_lines.py" vt.csv 25 300:600,1300:2000) || fail "independent fit"
python3 - "$ref" tg/tg.json <<'EOP' || fail "Tg disagrees with the independent two-line fit"
import json, sys
ref = float(sys.argv[1]); j = json.load(open(sys.argv[2]))
tg, lo, hi = j["Tg_K"], j["Tg_95_lo_K"], j["Tg_95_hi_K"]
print(f"bpel Tg {tg:.0f} K (95 %: {lo:.0f}-{hi:.0f}, {j['quality']['Tg_K']['verdict']}); independent two-line fit {ref:.0f} K")
assert tg is not None and lo <= ref <= hi and abs(tg - ref) < 150
assert j["quality"]["Tg_K"]["verdict"] in ("ok", "weak")
EOP
# given ranges: the same two lines as the independent fit, to 1e-6 K
"$BPEL" tg vt.csv --out tgr --glass-range 300:600 --liquid-range 1300:2000 > tgr.txt 2>&1 || fail "tg with ranges"
python3 - "$ref" tgr/tg.json <<'EOP' || fail "given-range Tg differs from the independent fit"
import json, sys
assert abs(json.load(open(sys.argv[2]))["Tg_K"] - float(sys.argv[1])) < 1e-4
EOP

not_determined() { # name file
  "$BPEL" tg "$2" --out "$1" > "$1.txt" 2>&1 || { cat "$1.txt"; fail "$1: tg failed instead of 'not determined'"; }
  grep -q "Tg not determined" "$1.txt" || { cat "$1.txt"; fail "$1: a Tg was reported"; }
  python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j['Tg_K'] is None and j['quality']['Tg_K']['verdict']=='not determined'" \
      "$1/tg.json" || fail "$1: tg.json holds a number"
}
awk -F, 'NR==1 || $1 > 1300' vt.csv > liquid.csv
not_determined liquid liquid.csv
awk -F, 'NR==1 || ($1 > 800 && $1 < 920)' vt.csv > short.csv
not_determined short short.csv
awk 'BEGIN{ print "temp_K,volume_A3"; srand(3); for (T=2000; T>=300; T-=2) printf "%g,%.6f\n", T, 9000 + 400*(rand()-0.5) }' > noise.csv
not_determined noise noise.csv
echo "tg: ok"
