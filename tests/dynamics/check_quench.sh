#!/bin/bash
# check_quench.sh — `bpel quench` end to end:
#  1. a 256-atom Cu50Zr50 quench (3 ps melt at 2000 K, 2e14 K/s) gives a glass:
#     the radial distribution function (computed by LAMMPS `compute rdf` on the
#     result) has no crystalline peaks beyond the first shell and tends to 1;
#     the same test rejects a B2 CuZr crystal (positive control);
#  2. its energy per atom and density lie within the spread of LAMMPS runs of
#     the same protocol (fix npt melt/ramp, minimize), run here;
#  3. a quench killed with SIGTERM and resumed ends bitwise identical (data
#     file and log) to an uninterrupted one, with the same thread count;
#  4. impossible inputs fail with clear messages.
set -u
BPEL=${BPEL:?}
T=${BPEL_TEST_TMP:-.}/quench
rm -rf "$T"; mkdir -p "$T"; cd "$T" || exit 1
POT=/usr/share/lammps/potentials/CuZr_mm.eam.fs
[ -n "${LAMMPS_POTENTIALS:-}" ] && [ -f "$LAMMPS_POTENTIALS/CuZr_mm.eam.fs" ] && POT=$LAMMPS_POTENTIALS/CuZr_mm.eam.fs
fail() { echo "FAIL: $*"; exit 1; }
# passive waiting: the runs share two cores with other jobs; spinning threads would starve them
export OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive BPEL_NO_PROGRESS=1

# --- 4. bad input -------------------------------------------------------------
expect_error() { # expect_error "pattern" args...
    local pat=$1; shift
    "$BPEL" quench "$@" >out.txt 2>err.txt && fail "quench $* succeeded"
    grep -qi -- "$pat" err.txt || { cat err.txt; fail "quench $*: message lacks '$pat'"; }
}
expect_error "add up to 90" --composition Cu50Zr40 --atoms 300 --rate 1e14 --out x.data
expect_error "not in the potential" --composition Cu50Xe50 --atoms 300 --rate 1e14 --out x.data
expect_error "expected an element" --composition 50Cu50Zr --atoms 300 --rate 1e14 --out x.data
expect_error "not a percentage" --composition Cu-10Zr110 --atoms 300 --rate 1e14 --out x.data
expect_error "rate" --composition Cu50Zr50 --atoms 300 --rate 0 --out x.data
expect_error "rate" --composition Cu50Zr50 --atoms 300 --rate -1e12 --out x.data
expect_error "final temperature" --composition Cu50Zr50 --atoms 300 --rate 1e14 --final-temperature 0 --out x.data
expect_error "final temperature" --composition Cu50Zr50 --atoms 300 --rate 1e14 --final-temperature -5 --out x.data
expect_error "melt temperature" --composition Cu50Zr50 --atoms 300 --rate 1e14 --melt-temperature -1 --out x.data
expect_error "twice the potential cutoff" --composition Cu50Zr50 --atoms 40 --rate 1e14 --out x.data
expect_error "too few" --composition Cu99.9Zr0.1 --atoms 300 --rate 1e14 --out x.data
expect_error "required" --composition Cu50Zr50 --atoms 300 --out x.data
expect_error "invalid value" --composition Cu50Zr50 --atoms 3x00 --rate 1e14 --out x.data
grep -q "2 ns" <<< "$("$BPEL" quench --help)" || fail "--help does not state the paper's melt time"
echo "bad input: ok"

# --- 1. glass -------------------------------------------------------------------
"$BPEL" quench --composition Cu50Zr50 --natoms 256 --rate 2e14 --melt-time 3 --seed 7 --thermo 0 \
    --out glass.data >quench.txt 2>&1 || { cat quench.txt; fail "quench failed"; }
[ -s glass.log.csv ] && [ -s glass.json ] || fail "missing log or summary"
head -1 glass.log.csv | grep -q "step,time_ps,stage,temp_K,press_bar,volume_A3,pe_eV" || fail "log header"
grep -q '"minimisation_converged":	true' glass.json || fail "minimisation did not converge"
[ "$(awk '/atoms$/{print $1}' glass.data)" = 256 ] || fail "atom count"
rdf_check() { # rdf_check FILE -> prints "max_g_beyond_shell mean_g_tail"
    cat > rdf.in <<EOR
units metal
atom_style atomic
read_data $1
pair_style eam/fs
pair_coeff * * $POT Cu Zr
compute r all rdf 150 cutoff 7.5
fix f all ave/time 1 1 1 c_r[*] file rdf.txt mode vector
run 0
EOR
    lmp -nocite -log none -screen none -in rdf.in >/dev/null 2>&1 || fail "LAMMPS rdf"
    awk 'NR>4 && $2>3.6 {if($3>m)m=$3} NR>4 && $2>6.5 {s+=$3;n++} END{printf "%.3f %.3f\n", m, s/n}' rdf.txt
}
is_glass() { awk -v m="$1" -v t="$2" 'BEGIN{exit !(m < 2.0 && t > 0.85 && t < 1.15)}'; }
read -r gmax gtail < <(rdf_check glass.data)
echo "glass: max g(r > 3.6 A) = $gmax, mean g(6.5-7.5 A) = $gtail"
is_glass "$gmax" "$gtail" || fail "quenched sample shows crystalline order"
# positive control: a B2 CuZr crystal (a = 3.26 A), 4x4x4 cells = 128 atoms
cat > b2.in <<EOR
units metal
atom_style atomic
lattice custom 3.26 a1 1 0 0 a2 0 1 0 a3 0 0 1 basis 0 0 0 basis 0.5 0.5 0.5
region b block 0 5 0 5 0 5
create_box 2 b
create_atoms 1 box basis 2 2
mass 1 63.546
mass 2 91.224
write_data b2.data
EOR
lmp -nocite -log none -screen none -in b2.in >/dev/null 2>&1 || fail "LAMMPS b2"
read -r cmax ctail < <(rdf_check b2.data)
echo "B2 crystal: max g(r > 3.6 A) = $cmax, mean g(6.5-7.5 A) = $ctail"
is_glass "$cmax" "$ctail" && fail "the glass criterion does not reject a crystal"

# --- 2. against LAMMPS, same protocol ----------------------------------------------
E=$(grep energy_per_atom_eV glass.json | sed 's/.*:\s*//; s/,//')
D=$(grep density_g_per_cm3 glass.json | sed 's/.*:\s*//; s/,//')
for seed in 11 12; do
cat > q$seed.in <<EOR
units metal
atom_style atomic
lattice fcc 4.09
region b block 0 4 0 4 0 4
create_box 2 b
create_atoms 1 box
set type 1 type/ratio 2 0.5 $seed
mass 1 63.546
mass 2 91.224
pair_style eam/fs
pair_coeff * * $POT Cu Zr
neighbor 1.0 bin
timestep 0.002
velocity all create 2000 $seed dist gaussian
fix 1 all npt temp 2000 2000 0.1 iso 0 0 1
run 1500
unfix 1
fix 1 all npt temp 2000 1 0.1 iso 0 0 1
run 4998
unfix 1
minimize 0 1e-10 100000 1000000
print "RESULT \$(pe/atoms:%.10f) \$(mass(all)/vol*1.66053906660:%.6f)" file r$seed.txt
EOR
done
# the same protocol: 3 ps melt, 2000 K -> 1 K at 2e14 K/s = 9.995 ps = 4998 steps
( lmp -nocite -log none -screen none -in q11.in > l11.txt 2>&1 ) &
lmp -nocite -log none -screen none -in q12.in > l12.txt 2>&1
wait
read -r E1 D1 < <(awk '/^RESULT/{print $2, $3}' r11.txt)
read -r E2 D2 < <(awk '/^RESULT/{print $2, $3}' r12.txt)
[ -n "$E1" ] && [ -n "$E2" ] || fail "LAMMPS quench failed"
echo "energy/atom (eV): bpel $E, LAMMPS $E1 $E2;  density (g/cm3): bpel $D, LAMMPS $D1 $D2"
awk -v e="$E" -v a="$E1" -v b="$E2" 'BEGIN{lo=(a<b?a:b)-0.015; hi=(a>b?a:b)+0.015; exit !(e>lo && e<hi)}' \
    || fail "energy per atom outside the LAMMPS range +- 0.015 eV"
awk -v e="$D" -v a="$D1" -v b="$D2" 'BEGIN{lo=(a<b?a:b)*0.985; hi=(a>b?a:b)*1.015; exit !(e>lo && e<hi)}' \
    || fail "density outside the LAMMPS range +- 1.5 %"

# --- 3. killed and resumed = uninterrupted ------------------------------------------
args=(--composition Cu50Zr50 --atoms 256 --rate 2e15 --melt-time 1 --seed 3 --thermo 0 --log-every 50
      --restart-every 500 --threads 2)
"$BPEL" quench "${args[@]}" --out full.data >/dev/null 2>&1 || fail "uninterrupted quench"
"$BPEL" quench "${args[@]}" --out part.data --restart part.rst >part.txt 2>&1 &
pid=$!
for _ in $(seq 1 400); do
    [ -f part.log.csv ] && [ "$(wc -l < part.log.csv)" -ge 15 ] && break
    sleep 0.02
done
kill -TERM $pid
wait $pid
st=$?
[ $st -eq 143 ] || { cat part.txt; fail "interrupted quench exit status $st (expected 143)"; }
[ -f part.rst ] || fail "no restart written on SIGTERM"
grep -q "resume" part.txt || fail "no resume hint"
"$BPEL" quench --resume part.rst >/dev/null 2>&1 || fail "resume failed"
cmp full.data part.data || fail "resumed quench differs from the uninterrupted one"
cmp full.log.csv part.log.csv || fail "resumed log differs"
[ -f part.rst ] && fail "restart file left behind after completion"
echo "kill + resume: bitwise identical"
echo "all ok"
