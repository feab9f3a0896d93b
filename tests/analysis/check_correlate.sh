#!/bin/bash
# check_correlate.sh — `bpel correlate` end to end on a synthetic fcc sample
# with two fields sharing a smooth component: every output is written, the
# optimal L is the argmax of |r| in the table, and broken inputs fail with
# messages naming the file, line and problem.
set -u
BPEL=${BPEL:?}
T=${BPEL_TEST_TMP:-/tmp}/check_correlate
rm -rf "$T"
mkdir -p "$T"
cd "$T" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

cat > gen.awk <<'EOF'
BEGIN {
  srand(seed); a = 3.6; L = nc * a; n = 4 * nc * nc * nc
  print "synthetic fcc for bpel correlate" > data
  print "" > data
  print n " atoms" > data
  print "2 atom types" > data
  print "0 " L " xlo xhi" > data; print "0 " L " ylo yhi" > data; print "0 " L " zlo zhi" > data
  print "" > data; print "Masses" > data; print "" > data
  print "1 63.546" > data; print "2 91.224" > data
  print "" > data; print "Atoms # atomic" > data; print "" > data
  print "id,I_BP_per_radps3,dQ_eV" > tab
  split("0 0 0 0.5 0.5 0 0.5 0 0.5 0 0.5 0.5", b, " ")
  id = 0; pi = 3.141592653589793; k = 2 * pi / (L / 2)
  for (i = 0; i < nc; i++) for (j = 0; j < nc; j++) for (l = 0; l < nc; l++) for (m = 0; m < 4; m++) {
    id++
    x = (i + b[3*m+1]) * a + 0.2 * (rand() - 0.5)
    y = (j + b[3*m+2]) * a + 0.2 * (rand() - 0.5)
    z = (l + b[3*m+3]) * a + 0.2 * (rand() - 0.5)
    print id, (rand() < 0.5 ? 1 : 2), x, y, z > data
    smooth = sin(k * x) * sin(k * y) * sin(k * z)
    g1 = 0; g2 = 0; for (q = 0; q < 12; q++) { g1 += rand(); g2 += rand() }
    inv = 2 + smooth + 0.5 * (g1 - 6)
    printf "%d,%.8g,%.8g\n", id, 1 / (inv > 0.3 ? inv : 0.3), 0.5 * (2 + smooth) + 0.3 * (g2 - 6) > tab
  }
}
EOF
awk -v seed=3 -v nc=7 -v data=glass.data -v tab=both.csv -f gen.awk || fail "generator"

"$BPEL" correlate --help > help.txt || fail "--help"
grep -q -- "--lmax" help.txt || fail "help lacks --lmax"

"$BPEL" correlate glass.data --table both.csv --x I_BP_per_radps3:inv --y dQ_eV --lmax 8 --bootstrap 200 \
    --seed 5 --elements Cu,Zr --out out > run.txt 2> run.err || { cat run.err; fail "correlate run"; }
for f in correlation_vs_L.csv binned.csv autocorrelation.csv groups.csv coarse_grained.csv correlate.xyz summary.json; do
    [ -s "out/$f" ] || fail "missing out/$f"
done
for f in fig2_groups fig3_pearson_vs_L fig4a_density fig4b_binned fig5a-d_maps fig5e_autocorrelation; do
    [ "$(stat -c %s "out/$f.png")" -gt 5000 ] || fail "out/$f.png too small"
    [ "$(head -c 4 "out/$f.png" | od -An -tx1 | tr -d ' \n')" = "89504e47" ] || fail "out/$f.png is not a PNG"
    grep -q "<svg" "out/$f.svg" || fail "out/$f.svg is not SVG"
done
# The optimum in summary.json is the argmax of |r| in the table, and beats L = 0.
Lopt=$(sed -n 's/.*"optimal_L":[[:space:]]*\([-0-9.e+]*\).*/\1/p' out/summary.json)
[ -n "$Lopt" ] || fail "summary.json lacks optimal_L"
best=$(awk -F, 'NR > 1 { a = $2 < 0 ? -$2 : $2; if (a > m) { m = a; L = $1 } } END { print L }' out/correlation_vs_L.csv)
awk -v a="$Lopt" -v b="$best" 'BEGIN { exit !(a == b) }' || fail "optimal_L $Lopt but table argmax $best"
awk -F, 'NR == 2 { r0 = $2 } NR > 2 && $2 > r0 + 0.1 { ok = 1 } END { exit !ok }' out/correlation_vs_L.csv ||
    fail "coarse-graining does not raise r above the raw value"
awk -F, 'NR > 1 && !($3 <= $2 && $2 <= $4) { bad = 1 } END { exit bad }' out/correlation_vs_L.csv ||
    fail "r outside its bootstrap interval"
n=$(awk 'NR == 3 { print $1 }' glass.data)
[ "$(($(wc -l < out/coarse_grained.csv) - 1))" = "$n" ] || fail "coarse_grained.csv rows"
head -1 out/coarse_grained.csv | grep -q "^id,type,inv_I_BP_per_radps3,dQ_eV,inv_I_BP_per_radps3_CG,dQ_eV_CG$" ||
    fail "coarse_grained.csv header: $(head -1 out/coarse_grained.csv)"
grep -q '"r_at_e-3"' out/summary.json || fail "summary lacks r_at_e-3"
grep -q 'Properties=species:S:1:pos:R:3:id:I:1:type:I:1:inv_I_BP_per_radps3:R:1' out/correlate.xyz ||
    fail "xyz header"
# Same seed, same answer, whatever the number of threads.
OMP_NUM_THREADS=1 "$BPEL" correlate glass.data --x both.csv:I_BP_per_radps3:inv --y both.csv:dQ_eV --lmax 8 --bootstrap 200 \
    --seed 5 --out out2 > /dev/null 2>&1 || fail "second run"
cmp -s out/correlation_vs_L.csv out2/correlation_vs_L.csv || fail "not reproducible with the same seed"
# Block bootstrap: the same r, wider intervals once coarse-grained, recorded in the summary.
"$BPEL" correlate glass.data --table both.csv --x I_BP_per_radps3:inv --y dQ_eV --lmax 8 --bootstrap 200 \
    --block 6 --out out3 > /dev/null 2>&1 || fail "--block run"
grep -q '"bootstrap_unit":[[:space:]]*"spatial blocks"' out3/summary.json || fail "block bootstrap not in summary"
paste -d, out/correlation_vs_L.csv out3/correlation_vs_L.csv | awk -F, 'NR > 1 {
    if ($2 != $7) bad = 1; if ($1 >= 3 && ($9 - $8) > ($4 - $3)) wider++; n++ } END { exit bad || wider < n / 2 }' ||
    fail "block bootstrap: r must match and intervals widen"
expect_fail_block() { "$BPEL" correlate glass.data --table both.csv --x I_BP_per_radps3 --y dQ_eV --block 20 --out bad 2>&1 | grep -q "need at least 4"; }
expect_fail_block || fail "--block larger than the box"

# Broken inputs: non-zero exit and a message naming the problem.
expect_fail() { # message-fragment, then the command
    local want=$1; shift
    "$@" > err.out 2>&1 && fail "succeeded: $*"
    grep -qF -- "$want" err.out || { cat err.out; fail "message lacks '$want'"; }
}
sed '5s/^4,/99999,/' both.csv > badid.csv
expect_fail "badid.csv:5: id 99999 is not an atom of glass.data" \
    "$BPEL" correlate glass.data --x badid.csv:I_BP_per_radps3 --y both.csv:dQ_eV --out bad
head -n 50 both.csv > short.csv
expect_fail "atoms of glass.data are missing from the table" \
    "$BPEL" correlate glass.data --x short.csv:I_BP_per_radps3 --y both.csv:dQ_eV --out bad
"$BPEL" correlate glass.data --x short.csv:I_BP_per_radps3 --y both.csv:dQ_eV --allow-missing --lmax 4 \
    --bootstrap 0 --bin-size 10 --out partial > /dev/null 2> partial.err || { cat partial.err; fail "--allow-missing"; }
sed '7s/,[^,]*$/,nan/' both.csv > nan.csv
expect_fail "nan.csv:7: column 'dQ_eV': value 'nan' is not finite" \
    "$BPEL" correlate glass.data --x both.csv:I_BP_per_radps3 --y nan.csv:dQ_eV --out bad
expect_fail "no column 'dQ'" "$BPEL" correlate glass.data --x both.csv:I_BP_per_radps3 --y both.csv:dQ --out bad
sed '9s/,[^,]*$//' both.csv > ragged.csv
expect_fail "ragged.csv:9: 2 fields, the header has 3" \
    "$BPEL" correlate glass.data --x ragged.csv:I_BP_per_radps3 --y both.csv:dQ_eV --out bad
# Without --lmax the default range shrinks to what the box allows (Gaussian weights reach 1.34 L).
"$BPEL" correlate glass.data --table both.csv --x I_BP_per_radps3 --y dQ_eV --gaussian --bootstrap 0 \
    --out gauss > /dev/null 2> gauss.err || { cat gauss.err; fail "--gaussian with the default range"; }
grep -q "using L <= 9" gauss.err || { cat gauss.err; fail "default range not reduced to the box"; }
[ "$(tail -1 gauss/correlation_vs_L.csv | cut -d, -f1)" = "9" ] || fail "last L of the reduced range"
expect_fail "lower --lmax" "$BPEL" correlate glass.data --table both.csv --x I_BP_per_radps3 --y dQ_eV --lmax 20 --out bad
expect_fail "no file and there is no --table" "$BPEL" correlate glass.data --x I_BP_per_radps3 --y dQ_eV --out bad
expect_fail "--out is required" "$BPEL" correlate glass.data --table both.csv --x I_BP_per_radps3 --y dQ_eV
echo "check_correlate: ok ($(cat run.txt | head -1))"
