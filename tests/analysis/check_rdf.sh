#!/bin/bash
# check_rdf.sh — `bpel rdf` and `bpel pmf` end to end on a perfect fcc
# crystal (first shell at a/√2 with 12 neighbours), and their errors.
set -u
BPEL=${BPEL:?}
T=${BPEL_TEST_TMP:-/tmp}/check_rdf
rm -rf "$T"
mkdir -p "$T"
cd "$T" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

# Cu3Zr-like ordering on fcc: corner atoms type 2, face centres type 1.
awk -v nc=6 -v a=3.8 'BEGIN {
  L = nc * a; n = 4 * nc * nc * nc
  print "fcc L1_2 test crystal\n"; print n " atoms"; print "2 atom types"
  print "0 " L " xlo xhi"; print "0 " L " ylo yhi"; print "0 " L " zlo zhi"
  print "\nMasses\n"; print "1 63.546"; print "2 91.224"; print "\nAtoms # atomic\n"
  split("0 0 0 0.5 0.5 0 0.5 0 0.5 0 0.5 0.5", b, " "); id = 0
  for (i = 0; i < nc; i++) for (j = 0; j < nc; j++) for (l = 0; l < nc; l++) for (m = 0; m < 4; m++)
    print ++id, (m == 0 ? 2 : 1), (i + b[3*m+1]) * a, (j + b[3*m+2]) * a, (l + b[3*m+3]) * a
}' > fcc.data

"$BPEL" rdf --help > /dev/null || fail "rdf --help"
"$BPEL" pmf --help > /dev/null || fail "pmf --help"
"$BPEL" rdf fcc.data --rmax 8 --dr 0.01 --out rdf > rdf.txt 2>&1 || { cat rdf.txt; fail "rdf run"; }
for f in rdf.csv rdf.json rdf.png rdf.svg; do [ -s "rdf/$f" ] || fail "missing rdf/$f"; done
head -1 rdf/rdf.csv | grep -q "^r_A,g_total,n_total,g_CuCu,g_CuZr,g_ZrZr,n_CuCu,n_CuZr,n_ZrCu,n_ZrZr$" ||
    fail "rdf.csv header: $(head -1 rdf/rdf.csv)"
# First shell at a/sqrt(2) = 2.687 Å: the bin [2.68, 2.69); 12 neighbours before 3.2 Å.
awk -F, 'NR > 1 && $1 > 3.1 && $1 < 3.2 { if ($3 < 11.999 || $3 > 12.001) bad = 1; seen = 1 } END { exit bad || !seen }' \
    rdf/rdf.csv || fail "coordination 12 in the first shell"
# L1_2: a Zr atom has 12 Cu neighbours and no Zr; a Cu atom 8 Cu and 4 Zr.
awk -F, 'NR > 1 && $1 > 3.1 && $1 < 3.2 { if ($7 != 8 || $8 != 4 || $9 != 12 || $10 != 0) bad = 1 } END { exit bad }' \
    rdf/rdf.csv || fail "partial coordination numbers of L1_2"
grep -q '"first_peak_r":[[:space:]]*2.685' rdf/rdf.json || fail "first peak position: $(grep first_peak_r rdf/rdf.json | head -1)"

# A perfect crystal has no well to fit (g is a set of spikes): a clear error.
expect_fail() {
    local want=$1; shift
    "$@" > err.out 2>&1 && fail "succeeded: $*"
    grep -qF -- "$want" err.out || { cat err.out; fail "message lacks '$want'"; }
}
expect_fail "usable bins within 0.05 Å of the minimum" "$BPEL" pmf fcc.data --dr 0.01 --halfwidth 0.05 --out bad

# Gaussian displacements of s1 = 0.08 Å per component: the first peak of g is a
# Gaussian in r of width s = sqrt(2)·s1 (times 1/r), so w = -kT ln g has the
# curvature k = kT/s² - kT/r0² = 2.016 eV/Å² at 300 K and its minimum at
# r0 = R0 - s²/R0 = 2.682 Å (R0 = a/√2). The ±0.15 Å window keeps counting noise small.
"$BPEL_SOURCE_DIR/scripts/thermal_fcc.sh" thermal.data
"$BPEL" pmf thermal.data --rmax 8 --dr 0.01 --halfwidth 0.15 --temperature 300 --out pmf > pmf.txt 2>&1 ||
    { cat pmf.txt; fail "pmf run"; }
k=$(sed -n '/"parabola"/,/}/s/.*"k":[[:space:]]*\([-0-9.e+]*\).*/\1/p' pmf/pmf.json)
r0=$(sed -n '/"parabola"/,/}/s/.*"r0":[[:space:]]*\([-0-9.e+]*\).*/\1/p' pmf/pmf.json)
awk -v k="$k" 'BEGIN { exit !(k > 0.9 * 2.016 && k < 1.1 * 2.016) }' || fail "curvature k = $k, expected 2.016 eV/Å^2"
awk -v r="$r0" 'BEGIN { exit !(r > 2.672 && r < 2.692) }' || fail "well at r0 = $r0, expected 2.682 Å"
"$BPEL" pmf thermal.data --rmax 8 --dr 0.01 --halfwidth 0.05 --pair Cu-Zr --out pmf2 > /dev/null 2>&1 || fail "pmf Cu-Zr"
for f in pmf.csv pmf.json fig10_pmf.png fig10_pmf.svg; do [ -s "pmf/$f" ] || fail "missing pmf/$f"; done
[ "$(head -c 4 pmf/fig10_pmf.png | od -An -tx1 | tr -d ' \n')" = "89504e47" ] || fail "fig10_pmf.png is not a PNG"
grep -q '"pair":[[:space:]]*"Cu-Zr"' pmf2/pmf.json || fail "pair in pmf.json"
grep -q '"temperature_K":[[:space:]]*300' pmf/pmf.json || fail "temperature in pmf.json"

expect_fail "reaches the periodic images" "$BPEL" rdf fcc.data --rmax 30 --out bad
expect_fail "'Ni' is not a species or type" "$BPEL" pmf fcc.data --pair Cu-Ni --out bad
expect_fail "expected total or A-B" "$BPEL" pmf fcc.data --pair CuZr --out bad
expect_fail "--temperature must be positive" "$BPEL" pmf fcc.data --temperature -5 --out bad
echo "check_rdf: ok (k = $k eV/Å^2, r0 = $r0 Å)"
