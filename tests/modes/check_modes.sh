#!/bin/bash
# check_modes.sh — `bpel modes` and `bpel hessian` end to end on fcc Cu:
# files and their headers, translations and unstable modes counted, warnings,
# refusals and usage errors.
set -u
fail() { echo "FAIL: $*"; exit 1; }
T="${BPEL_TEST_TMP:-/tmp}/check_modes.$$"
mkdir -p "$T" && cd "$T" || exit 1
trap 'rm -rf "$T"' EXIT

# fcc Cu, 3x3x3 cells (a = 3.615 A): a minimum by symmetry; amp > 0 displaces atoms
write_fcc() {
    awk -v amp="$2" 'BEGIN {
        a = 3.615; n = 3; srand(7)
        split("0 0 0 0.5 0.5 0 0.5 0 0.5 0 0.5 0.5", b, " ")
        print "fcc Cu"; print ""; print 4*n*n*n " atoms"; print "1 atom types"
        printf "0 %.10f xlo xhi\n0 %.10f ylo yhi\n0 %.10f zlo zhi\n\nMasses\n\n1 63.546\n\nAtoms # atomic\n\n", n*a, n*a, n*a
        id = 0
        for (i = 0; i < n; i++) for (j = 0; j < n; j++) for (k = 0; k < n; k++) for (q = 0; q < 4; q++) {
            id++
            printf "%d 1 %.10f %.10f %.10f\n", id, (i + b[3*q+1]) * a + amp * (2*rand()-1),
                   (j + b[3*q+2]) * a + amp * (2*rand()-1), (k + b[3*q+3]) * a + amp * (2*rand()-1)
        }
    }' > "$1"
}
write_fcc fcc.data 0
write_fcc hot.data 0.45
json() { python3 -c "import json,sys; d=json.load(open('$1')); print($2)"; }

grep -q "usage: bpel modes" <<< "$("$BPEL" modes --help)" || fail "modes --help"
"$BPEL" modes fcc.data --potential Cu_u3.eam --out out > log 2> err || { cat log err; fail "modes on fcc"; }
for f in modes.csv vdos.csv atoms.csv gi.csv atoms.xyz summary.json; do [ -s out/$f ] || fail "missing $f"; done
head -1 out/modes.csv | grep -q "^mode,eigenvalue_eV_per_A2_amu,omega_radps,nu_THz,participation_ratio" || fail "modes.csv header"
head -1 out/vdos.csv | grep -q "g_per_radps,g_over_omega2_per_radps3" || fail "vdos.csv header"
head -1 out/atoms.csv | grep -q "^id,type,element,I_BP_per_radps3,omega_BP_radps" || fail "atoms.csv header"
[ "$(wc -l < out/modes.csv)" -eq 325 ] || fail "modes.csv should have 324 modes"
[ "$(wc -l < out/atoms.csv)" -eq 109 ] || fail "atoms.csv should have 108 atoms"
[ "$(json out/summary.json "d['modes']['translations_identified']")" = 3 ] || fail "3 translations"
[ "$(json out/summary.json "d['modes']['negative_modes']")" = 0 ] || fail "no unstable modes in fcc"
[ "$(json out/summary.json "len(d['warnings'])")" = 0 ] || fail "no warnings for fcc"
json out/summary.json "abs(d['modes']['sum_eigenvalues_eV_per_A2_amu']/d['modes']['trace_D_eV_per_A2_amu']-1) < 1e-10" | grep -q True || fail "trace"
json out/summary.json "d['debye']['debye_level_per_radps3'] > 0 and d['vdos']['bin_width_radps'] == 0.5" | grep -q True || fail "debye/bin width"
head -2 out/atoms.xyz | tail -1 | grep -q "I_BP_per_radps3:R:1" || fail "xyz columns"
! grep -q warning err || fail "unexpected warning: $(cat err)"

# unminimised structure: refused by modes, vdos, gruneisen and elastic, naming the file and max |F|
for c in modes vdos gruneisen elastic; do
  arg=hot.data; out="--out refused_$c"; [ $c = vdos ] && arg=hot:hot.data; [ $c = elastic ] && out=
  "$BPEL" $c $arg --potential Cu_u3.eam $out > log 2> err && fail "$c accepted a non-minimum"
  grep -q "hot.data.*not an energy minimum: max |F| = .* eV/Å" err || fail "$c: refusal message: $(cat err)"
  [ ! -e refused_$c/summary.json ] || fail "$c wrote a summary for a non-minimum"
done
# with the explicit override: a warning and a count of unstable modes, flagged in the summary
"$BPEL" modes hot.data --potential Cu_u3.eam --out hot --bin-width 1 --broadening 0.3 --bp-window 3:20 \
    --max-initial-force inf > log 2> err || fail "modes on displaced fcc"
json hot/summary.json "d['quality']['boson_peak.omega_radps']['verdict'] == 'weak' and 'not a minimum' in d['quality']['modes.negative_modes']['reason']" | grep -q True || fail "non-minimum not flagged in the summary"
grep -q "warning: .* unstable modes" err || fail "no warning for unstable modes"
json hot/summary.json "d['modes']['negative_modes'] > 0 and len(d['warnings']) == 1" | grep -q True || fail "negative count"
json hot/summary.json "d['boson_peak']['window_radps'] == [3, 20] and d['vdos']['broadening_sigma_radps'] == 0.3" | grep -q True || fail "options not honoured"

# windowed solver
"$BPEL" modes fcc.data --potential Cu_u3.eam --out win --max-omega 20 --moduli 140:50 > log 2> err || { cat err; fail "window"; }
json win/summary.json "d['modes']['computed'] < 324 and d['debye']['K_GPa'] == 140" | grep -q True || fail "window summary"

# the windowed solver and the boson-peak window, on a minimised 256-atom Cu-Zr glass: a default window
# reaching past --max-omega is clipped to the last bin the computed modes fill (and said so), one given
# above it is refused before any work, and the clipped I_BP equals that of all modes in the same window
"$BPEL" minimize "$BPEL_SOURCE_DIR/tests/data/cuzr_glass_256.data" --out glass.data > log 2> err || { cat err; fail "minimize glass"; }
"$BPEL" modes glass.data --out gwin --max-omega 15 --no-figures > log 2> err || { cat err; fail "windowed glass"; }
grep -q "warning: the default boson-peak window's top .* clipped to 14.75 rad/ps" err || fail "clipped window not said: $(cat err)"
json gwin/summary.json "d['boson_peak']['window_radps'][1] == 14.75 and d['boson_peak']['window_default_top_radps'] > 15 and 'clipped to 14.75' in d['boson_peak']['window_choice'] and d['quality']['boson_peak.window_radps']['verdict'] == 'weak'" | grep -q True || fail "clipped window in the summary"
win=$(json gwin/summary.json "'%.17g:%.17g' % tuple(d['boson_peak']['window_radps'])")
"$BPEL" modes glass.data --out gfull --bp-window "$win" --no-figures > log 2> err || { cat err; fail "full glass"; }
python3 - gwin/atoms.csv gfull/atoms.csv <<'PY' || fail "windowed I_BP differs from all modes' I_BP in the same window"
import csv, sys
a, b = ({r['id']: float(r['I_BP_per_radps3']) for r in csv.DictReader(open(f))} for f in sys.argv[1:3])
assert a.keys() == b.keys() and all(abs(a[k] / b[k] - 1) <= 1e-6 for k in a), max(abs(a[k] / b[k] - 1) for k in a)
PY
for opt in "--max-omega 15" "--max-freq 2"; do
  "$BPEL" modes glass.data --out grefused $opt --bp-window 3:20 > log 2> err; [ $? -eq 1 ] || fail "window above $opt accepted"
  grep -q "window's top 20 rad/ps lies above 1[25].* rad/ps" err || fail "window above $opt: message $(cat err)"
  [ ! -e grefused ] || fail "window above $opt: output written"
done

# the sparse solver (spectrum slicing) end to end: the modes, g and I_BP of the dense windowed run, the
# inertia count and residual in the summary; under mpirun -np 2 the same modes as one rank; refused
# without --max-omega, and before factorising when MUMPS's estimate does not fit
"$BPEL" modes glass.data --out gsp --max-omega 15 --solver slepc --no-figures > log 2> err || { cat err; fail "slepc glass"; }
python3 - gwin gsp <<'PY' || fail "slepc differs from the dense window"
import csv, json, sys
a, b = sys.argv[1:3]
la, lb = ([float(r['eigenvalue_eV_per_A2_amu']) for r in csv.DictReader(open(d + '/modes.csv'))] for d in (a, b))
assert len(la) == len(lb) > 100, (len(la), len(lb))
assert all(abs(x - y) <= 1e-8 * max(abs(x), 1e-3 * 0.0233) for x, y in zip(la, lb)), 'eigenvalues'
ia, ib = ({r['id']: float(r['I_BP_per_radps3']) for r in csv.DictReader(open(d + '/atoms.csv'))} for d in (a, b))
assert all(abs(ia[k] / ib[k] - 1) <= 1e-6 for k in ia), 'I_BP'
ga, gb = ([float(r['g_per_radps']) for r in csv.DictReader(open(d + '/vdos.csv'))] for d in (a, b))
assert ga == gb or all(abs(x - y) < 1e-12 for x, y in zip(ga, gb)), 'g'
s = json.load(open(b + '/summary.json'))['modes']
sp = s['spectrum_slicing']
assert s['solver'] == 'slepc' and sp['max_residual_eV_per_A2_amu'] < 1e-9 and sp['unstable_modes_below_interval'] == 0
PY
if command -v mpirun > /dev/null; then
  mpirun --allow-run-as-root --oversubscribe -np 2 "$BPEL" modes glass.data --out gmpi --max-omega 15 --solver slepc \
      --no-figures > log 2> err || { cat log err; fail "slepc under mpirun -np 2"; }
  python3 - gsp gmpi <<'PY' || fail "2 ranks differ from 1"
import csv, json, sys
a, b = sys.argv[1:3]
la, lb = ([float(r['eigenvalue_eV_per_A2_amu']) for r in csv.DictReader(open(d + '/modes.csv'))] for d in (a, b))
assert len(la) == len(lb) and all(abs(x - y) <= 1e-9 * max(abs(x), 1e-4) for x, y in zip(la, lb))
ia, ib = ({r['id']: float(r['I_BP_per_radps3']) for r in csv.DictReader(open(d + '/atoms.csv'))} for d in (a, b))
assert all(abs(ia[k] / ib[k] - 1) <= 1e-6 for k in ia)
assert json.load(open(b + '/summary.json'))['modes']['spectrum_slicing']['mpi_ranks'] == 2
PY
fi
"$BPEL" modes glass.data --out x --solver slepc > log 2> err && fail "slepc without --max-omega accepted"
grep -q "give --max-omega" err || fail "slepc without a bound: message $(cat err)"
BPEL_MEMORY_LIMIT=10M "$BPEL" modes glass.data --out x --max-omega 10 --solver slepc > log 2> err && fail "slepc memory limit ignored"
grep -q "needs .* GB for each MUMPS factorisation" err || fail "slepc memory refusal: $(cat err)"

# --solver auto on a 2,048-atom glass whose dense D does not fit (BPEL_MEMORY_LIMIT between the sparse and the dense
# need): the block solver up to the default I_BP window's top, said in the summary, and the same I_BP
if command -v lmp > /dev/null; then
  printf 'units metal\natom_style atomic\nread_data glass.data\nreplicate 2 2 2\nwrite_data glass2048.data\n' > rep.in
  lmp -nocite -log none -screen none -in rep.in || fail "lmp replicate"
  BPEL_MEMORY_LIMIT=520M "$BPEL" modes glass2048.data --out gauto --no-figures > log 2> errauto || { cat errauto; fail "auto sparse"; }
  "$BPEL" modes glass2048.data --out gdense --no-figures > log 2> err || { cat err; fail "dense 2048"; }
  python3 - gauto gdense <<'PY' || fail "auto's sparse route differs from dense"
import csv, json, sys
a, b = sys.argv[1:3]
m = json.load(open(a + '/summary.json'))
assert m['modes']['solver'] == 'block' and 'auto: the dense D needs' in m['modes']['solver_choice'], m['modes']
bl = m['modes']['block_lanczos']
assert bl['max_residual_eV_per_A2_amu'] < 1e-9 and bl['unstable_modes_below_interval'] == 0, bl
wa, wb = m['boson_peak']['window_radps'], json.load(open(b + '/summary.json'))['boson_peak']['window_radps']
assert all(abs(x / y - 1) < 1e-8 for x, y in zip(wa, wb)), (wa, wb)
ia, ib = ({r['id']: float(r['I_BP_per_radps3']) for r in csv.DictReader(open(d + '/atoms.csv'))} for d in (a, b))
assert all(abs(ia[k] / ib[k] - 1) <= 1e-6 for k in ia)
PY
  # the run's log: the moduli, the counts, and a line per shift with its pairs, which add up to the modes
  grep -q '^modes: K and G by conjugate gradients' errauto || fail "no line on the moduli: $(cat errauto)"
  grep -Eq '^modes: [0-9]+ modes below [-0-9.e]+ rad/ps by inertia' errauto || fail "no line on the counts: $(cat errauto)"
  python3 - gauto errauto <<'PY' || fail "the shift lines do not add up to the modes"
import json, re, sys
m = json.load(open(sys.argv[1] + '/summary.json'))['modes']
found = [int(x) for x in re.findall(r'^modes: shift \d+ at .*?: (\d+) pairs in', open(sys.argv[2]).read(), re.M)]
assert found and sum(found) == m['computed'], (found, m['computed'])
PY
  # --block and --basis change how the modes are found, not the modes
  "$BPEL" modes glass2048.data --out gb64 --solver block --max-omega 12 --block 64 --basis 900 --no-figures > log 2> err ||
    { cat err; fail "--block 64 --basis 900"; }
  "$BPEL" modes glass2048.data --out gb16 --solver block --max-omega 12 --block 16 --no-figures > log 2> err ||
    { cat err; fail "--block 16"; }
  python3 - gb64 gb16 <<'PY' || fail "--block/--basis changed the modes"
import csv, json, sys
a, b = sys.argv[1:3]
ja, jb = (json.load(open(d + '/summary.json'))['modes']['block_lanczos'] for d in (a, b))
assert 16 < ja['block_size'] <= 64 and ja['basis_per_shift'] <= 900 and jb['block_size'] == 16, (ja, jb)
la, lb = ([float(r['eigenvalue_eV_per_A2_amu']) for r in csv.DictReader(open(d + '/modes.csv'))] for d in (a, b))
assert len(la) == len(lb) > 100 and all(abs(x - y) <= 1e-9 * max(abs(x), 1e-4) for x, y in zip(la, lb))
PY
  "$BPEL" modes glass2048.data --out x --solver block --max-omega 12 --block 0 > log 2> err && fail "--block 0 accepted"
fi

# Grüneisen at scale: the modes below --max-omega by the sparse solver give the same gamma_k (every route)
# as all modes, and the summary says gamma_i sums over those modes only
"$BPEL" gruneisen glass.data --out grall > log 2> err || { cat err; fail "gruneisen on the glass"; }
"$BPEL" gruneisen glass.data --out grsp --max-omega 12 --solver slepc > log 2> err || { cat err; fail "gruneisen --solver slepc"; }
python3 - grall grsp <<'PY' || fail "windowed sparse Grüneisen differs from all modes"
import csv, json, math, sys
a, b = (list(csv.DictReader(open(d + '/gruneisen_modes.csv'))) for d in sys.argv[1:3])
assert 40 < len(b) < len(a), (len(a), len(b))
for key in ('gamma_sorted', 'gamma_overlap', 'gamma_hf'):
    for x, y in zip(a, b):
        u, v = float(x[key]), float(y[key])
        assert (math.isnan(u) and math.isnan(v)) or abs(u - v) <= 1e-5 * max(1, abs(u)), (key, x['mode'], u, v)
m = json.load(open(sys.argv[2] + '/summary.json'))['modes']
assert m['solver'] == 'slepc' and m['max_omega_radps'] == 12 and 'only the modes' in m['restriction']
PY

# refusals and errors
BPEL_MEMORY_LIMIT=1K "$BPEL" modes fcc.data --potential Cu_u3.eam --out x --solver dsyevr > log 2> err && fail "memory limit ignored"
grep -q "needs .* bytes" err || fail "memory refusal message: $(cat err)"
[ "$(wc -l < err)" -eq 1 ] || fail "one-line error expected"
# with solver auto the sparse route is tried next, and refused in turn
BPEL_MEMORY_LIMIT=1K "$BPEL" modes fcc.data --potential Cu_u3.eam --out x > log 2> err && fail "memory limit ignored (auto)"
grep -q "needs .* GB for each MUMPS factorisation" err || fail "memory refusal message (auto): $(cat err)"
"$BPEL" modes nonexistent.data --out x > log 2> err && fail "missing file accepted"
grep -q "nonexistent.data" err || fail "missing file not named"
"$BPEL" modes fcc.data --out x --bp-window 5 > log 2> err; [ $? -eq 2 ] || fail "bad --bp-window should be a usage error"
"$BPEL" modes fcc.data --out x --solver magic > log 2> err; [ $? -eq 2 ] || fail "unknown solver should be a usage error"
"$BPEL" modes fcc.data > log 2> err; [ $? -eq 2 ] || fail "--out is required"
sed 's/^1 63.546$/1 -63.546/' fcc.data > negmass.data
"$BPEL" modes negmass.data --potential Cu_u3.eam --out x > log 2> err && fail "negative mass accepted"
grep -q -i "mass" err || fail "negative mass: no clear message ($(cat err))"
printf 'broken\n\n3 atoms\n1 atom types\n0 5 xlo xhi\n' > broken.data
"$BPEL" modes broken.data --potential Cu_u3.eam --out x > log 2> err && fail "broken data file accepted"
grep -q "broken.data" err || fail "broken data file not named"

# hessian
"$BPEL" hessian fcc.data --potential Cu_u3.eam -o H.mtx 2> err || fail "hessian"
head -1 H.mtx | grep -q "^%%MatrixMarket matrix coordinate real symmetric" || fail "mtx header"
grep -v '^%' H.mtx | head -1 | grep -q "^324 324 " || fail "mtx size"
awk '!/^%/ && NR > 1 && NF == 3 && ($1 < $2) { bad = 1 } END { exit bad }' H.mtx || fail "upper triangle entries in symmetric mtx"
"$BPEL" hessian fcc.data > log 2> err; [ $? -eq 2 ] || fail "hessian needs -o"
# Grüneisen on the crystal: every route near Cu's gamma ~ 2, files and figures
"$BPEL" gruneisen fcc.data --potential Cu_u3.eam --out gru > log 2> err || { cat err; fail "gruneisen"; }
for f in gruneisen_modes.csv gamma_ave.csv atoms.csv atoms.xyz summary.json fig11a_mode_gruneisen.png fig11b_gamma_ave.svg fig11c_ibp_vs_gamma.png; do
    [ -s gru/$f ] || fail "gruneisen: missing $f"
done
json gru/summary.json "all(1.2 < d['routes'][m]['gamma_mean_all_modes'] < 2.8 for m in ('sorted','overlap','hf'))" | grep -q True || fail "crystal gamma"
json gru/summary.json "d['re_minimised'] and d['volumes_V0'] == [0.99, 1, 1.01] and len(d['warnings']) == 0" | grep -q True || fail "gruneisen summary"
head -1 gru/atoms.csv | grep -q "^id,type,element,gamma_i,gamma_i_sorted,gamma_i_overlap,gamma_i_hf,I_BP_per_radps3" || fail "gruneisen atoms.csv header"
json gru/summary.json "abs(d['gamma_ave'] - d['routes']['hf']['gamma_mean_all_modes']) < 1e-12" | grep -q True || fail "gamma_ave"
"$BPEL" gruneisen fcc.data --out x --method bogus > log 2> err; [ $? -eq 2 ] || fail "bad --method"

# temperature series (Fig. 9)
"$BPEL" vdos cold:fcc.data hot:hot.data --potential Cu_u3.eam --out series --max-initial-force inf > log 2> err || { cat err; fail "vdos series"; }
[ -s series/fig9_vdos_temperature.png ] && [ -s series/cold/vdos.csv ] && [ -s series/hot/summary.json ] || fail "series files"
[ "$(cut -d, -f1 series/vdos_series.csv | sort -u | grep -c -E '^(cold|hot)$')" -eq 2 ] || fail "series labels"
"$BPEL" vdos fcc.data --out x > log 2> err; [ $? -eq 2 ] || fail "vdos needs LABEL:DATA"
# from earlier bpel modes directories, without recomputing
"$BPEL" vdos a:out b:hot --out series2 > log 2> err || { cat err; fail "vdos from directories"; }
cmp <(grep '^cold,' series/vdos_series.csv | cut -d, -f2-4) <(grep '^a,' series2/vdos_series.csv | cut -d, -f2-4) || fail "vdos from a directory differs"
mkdir -p bad && echo "omega,g" > bad/vdos.csv
"$BPEL" vdos a:bad --out x > log 2> err && fail "bad vdos.csv accepted"
grep -q "bad/vdos.csv:1" err || fail "bad vdos.csv not named: $(cat err)"
[ -s out/fig1b_reduced_vdos.png ] && [ -s out/fig1b_reduced_vdos.svg ] || fail "fig1b"
# elastic constants, checked by strain and relaxation
"$BPEL" minimize hot.data --potential Cu_u3.eam --ftol 1e-10 --out relaxed.data > log 2> err || { cat err; fail "minimize"; }
"$BPEL" elastic relaxed.data --potential Cu_u3.eam --check 1e-5 --json > el.json 2> err || { cat err; fail "elastic"; }
# the unminimised structure, let through, is still refused by the conjugate-gradient route
"$BPEL" elastic hot.data --potential Cu_u3.eam --max-initial-force inf > log 2> err && fail "elastic on a non-minimum"
grep -q "is the configuration a minimum" err || fail "elastic: message for a non-minimum"
json el.json "d['max_difference_GPa'] < 0.05" | grep -q True || fail "elastic check: $(cat el.json)"
# the displaced crystal relaxes back to fcc: Foiles, Baskes & Daw (PRB 33, 7983, 1986) give for this
# potential C11 = 167, C12 = 124, C44 = 76.4 GPa
json el.json "abs(d['C_GPa'][0][0]/167-1) < 0.02 and abs(d['C_GPa'][0][1]/124-1) < 0.02 and abs(d['C_GPa'][3][3]/76.4-1) < 0.02" | grep -q True || fail "Cu elastic constants"
"$BPEL" elastic fcc.data --route bogus > log 2> err; [ $? -eq 2 ] || fail "elastic --route"
echo "all modes/hessian checks passed"
