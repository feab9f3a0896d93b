#!/bin/bash
# check_kpm.sh — `bpel kpm` end to end on the 256-atom glass of tests/data
# (minimised first): files and headers, ∫g = 1, agreement with the dense
# spectrum (--dense), the same seed gives the same file, another seed a
# different one; refusals and usage errors.
set -u
BPEL=${BPEL:?}
SRC=${BPEL_SOURCE_DIR:?}
T=${BPEL_TEST_TMP:-/tmp}/check_kpm
rm -rf "$T"
mkdir -p "$T"
cd "$T" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
json() { python3 -c "import json,sys; d=json.load(open('$1')); print($2)"; }
export BPEL_NO_PROGRESS=1

grep -q "usage: bpel kpm" <<< "$("$BPEL" kpm --help)" || fail "kpm --help"
"$BPEL" --help | grep -q "kpm" || fail "kpm missing from bpel --help"

# the data file is a 300 K snapshot: refused, naming the file and the force
"$BPEL" kpm "$SRC/tests/data/cuzr_glass_256.data" --out refused > log 2> err && fail "a non-minimum was accepted"
grep -q "cuzr_glass_256.data.*not an energy minimum: max |F| = " err || fail "refusal message: $(cat err)"
[ ! -e refused/summary.json ] || fail "summary written for a non-minimum"

"$BPEL" minimize "$SRC/tests/data/cuzr_glass_256.data" --out glass.data --ftol 1e-10 > min.log 2>&1 || fail "minimize"
"$BPEL" kpm glass.data --out k --moments 256 --vectors 32 --dense --bp-window 3:15 > log 2> err || { cat log err; fail "kpm run"; }
for f in vdos_kpm.csv summary.json fig_kpm_vdos.png fig_kpm_vdos.svg; do [ -s "k/$f" ] || fail "missing k/$f"; done
head -1 k/vdos_kpm.csv | grep -q "^bin_lo_radps,bin_hi_radps,omega_radps,nu_THz,g_per_radps,g_err_per_radps,g_over_omega2_per_radps3,g_over_omega2_err_per_radps3,kernel_sigma_radps,g_dense_per_radps,g_dense_kernel_per_radps$" ||
    fail "vdos_kpm.csv header: $(head -1 k/vdos_kpm.csv)"
# ∫g = 1 from the file; the histogram of the exact modes integrates to 1 too
awk -F, 'NR > 1 { s += $5 * ($2 - $1); h += $10 * ($2 - $1) } END { exit !(s > 0.999999 && s < 1.000001 && h > 0.999999 && h < 1.000001) }' \
    k/vdos_kpm.csv || fail "integral of g"
json k/summary.json "d['kpm']['moments'] == 256 and d['kpm']['random_vectors'] == 32 and d['kpm']['modes_normalised_over'] == 765" |
    grep -q True || fail "parameters in the summary"
json k/summary.json "abs(d['kpm']['integral_g'] - 1) < 1e-9 and d['time_s']['kpm_moments'] > 0 and d['kpm']['passes_over_hessian'] == 2 * 128 + 40" |
    grep -q True || fail "integral, timings, passes in the summary"
# the dense comparison: errors consistent with the exact spectrum through the same kernel
json k/summary.json "0.3 < d['dense_comparison']['chi2_per_bin'] < 2.5 and d['dense_comparison']['bins_beyond_4_sigma'] <= 2" |
    grep -q True || fail "KPM vs dense: $(json k/summary.json "d['dense_comparison']")"
json k/summary.json "d['quality']['dense_comparison.chi2_per_bin']['verdict'] == 'ok'" | grep -q True || fail "dense quality verdict"
json k/summary.json "3 <= d['boson_peak']['omega_radps'] <= 15 and d['boson_peak']['height_err_per_radps3'] > 0" |
    grep -q True || fail "boson peak in the window with an error"
# the error band in the file: every bin inside the spectrum has g_err > 0
awk -F, 'NR > 1 && $3 > 10 && $3 < 40 && !($6 > 0) { bad = 1 } END { exit bad }' k/vdos_kpm.csv || fail "g_err missing"

# reproducible by seed (any thread count), different for another seed
"$BPEL" kpm glass.data --out a --moments 64 --vectors 4 --seed 5 --threads 1 --no-figures > /dev/null 2>&1 || fail "seed 5"
"$BPEL" kpm glass.data --out b --moments 64 --vectors 4 --seed 5 --threads 2 --no-figures > /dev/null 2>&1 || fail "seed 5 again"
"$BPEL" kpm glass.data --out c --moments 64 --vectors 4 --seed 6 --no-figures > /dev/null 2>&1 || fail "seed 6"
[ ! -e a/fig_kpm_vdos.png ] || fail "--no-figures wrote a figure"
paste -d, a/vdos_kpm.csv b/vdos_kpm.csv | awk -F, 'NR > 1 { d = $5 - $14; if (d < 0) d = -d; if (d > 1e-9) bad = 1 } END { exit bad }' ||
    fail "same seed, different g"
cmp -s a/vdos_kpm.csv c/vdos_kpm.csv && fail "another seed gave the same g"
"$BPEL" kpm glass.data --out gs --moments 64 --vectors 4 --gaussian --no-figures > /dev/null 2>&1 || fail "--gaussian"
json gs/summary.json "d['kpm']['vector_distribution']" | grep -q gaussian || fail "gaussian not recorded"

# usage errors
for bad in "--moments 3" "--vectors 1" "--bin-width 0" "--bp-window 5" "--threads 0" "--solver magic" "--seed -1"; do
    "$BPEL" kpm glass.data --out x $bad > log 2> err; [ $? -eq 2 ] || fail "'$bad' should be a usage error"
done
"$BPEL" kpm glass.data > log 2> err; [ $? -eq 2 ] || fail "--out is required"
"$BPEL" kpm nonexistent.data --out x > log 2> err && fail "missing file accepted"
grep -q "nonexistent.data" err || fail "missing file not named"
echo "kpm: ok"
