#!/bin/bash
# check_dynamics.sh — the dynamics commands from the command line:
#  md (options, thermo CSV, dump, restart: a run killed with SIGTERM and
#  resumed ends bitwise equal to an uninterrupted one; bad input), minimize
#  (tolerance reached and reported; non-convergence exit status), inherent,
#  trajectory (--atoms and --rank selection; recorded displacement checked
#  against the positions in the dump), tg (a synthetic log with a known kink).
set -u
BPEL=${BPEL:?}
SRC=${BPEL_SOURCE_DIR:?}
T=${BPEL_TEST_TMP:-.}/dynamics
rm -rf "$T"; mkdir -p "$T"; cd "$T" || exit 1
G=$SRC/tests/data/cuzr_glass_256.data
fail() { echo "FAIL: $*"; exit 1; }
# passive waiting: the runs share two cores with other jobs; spinning threads would starve them
export OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive BPEL_NO_PROGRESS=1

# --- md --------------------------------------------------------------------------------
grep -q -- "--restart-every" <<< "$("$BPEL" md --help)" || fail "md --help"
"$BPEL" md "$G" --elements Cu,Zr --steps 200 --ensemble nvt --temperature 300 --seed 5 --thermo 50 \
    --thermo-csv th.csv --dump d.dump --dump-every 100 --out md.data >md.txt 2>&1 || { cat md.txt; fail "md nvt"; }
[ "$(wc -l < th.csv)" -eq 6 ] || fail "thermo CSV rows"
head -1 th.csv | grep -q "^step,time_ps,temp_K,pe_eV,ke_eV,etotal_eV,press_bar,volume_A3,conserved_eV$" || fail "thermo CSV header"
[ "$(grep -c 'ITEM: TIMESTEP' d.dump)" -eq 3 ] || fail "dump frames"
grep -q "Velocities" md.data || fail "velocities not written"
# --temperature draws velocities at exactly T0 (step 0 row)
awk -F, 'NR==2 && ($3 < 299.999999 || $3 > 300.000001) {exit 1}' th.csv || fail "initial temperature not exact"
expect_md_error() { local pat=$1; shift
    "$BPEL" md "$@" >o.txt 2>e.txt && fail "md $* succeeded"
    grep -qi -- "$pat" e.txt || { cat e.txt; fail "md $*: message lacks '$pat'"; }; }
expect_md_error "steps" "$G" --elements Cu,Zr
expect_md_error "target-temperature" "$G" --elements Cu,Zr --steps 10 --ensemble nvt
expect_md_error "invalid value" "$G" --elements Cu,Zr --steps 10 --dt -0.001
expect_md_error "invalid value" "$G" --elements Cu,Zr --steps 10 --temperature -5
expect_md_error "invalid value" "$G" --elements Cu,Zr --steps 10 --ensemble npx
expect_md_error "not in the potential\|unknown\|Xe" "$G" --elements Cu,Xe --steps 10
expect_md_error "no such file\|cannot open" missing.data --steps 10
printf 'garbage\n' > bad.rst
expect_md_error "not a bpel restart" --resume bad.rst

# restart: uninterrupted vs killed + resumed, NPT, 2 threads
args=(--elements Cu,Zr --steps 3000 --ensemble npt --temperature 300 --seed 9 --thermo 0 --threads 2 --restart-every 500)
"$BPEL" md "$G" "${args[@]}" --restart full.rst --out full.data >/dev/null 2>&1 || fail "md uninterrupted"
"$BPEL" md "$G" "${args[@]}" --restart part.rst --out part.data --dump part.dump --dump-every 50 >part.txt 2>&1 &
pid=$!
for _ in $(seq 1 500); do
    [ -f part.dump ] && [ "$(grep -c TIMESTEP part.dump)" -ge 20 ] && break
    sleep 0.01
done
kill -TERM $pid; wait $pid; st=$?
[ $st -eq 143 ] || { cat part.txt; fail "md interrupted exit status $st"; }
"$BPEL" md --resume part.rst --out part.data >/dev/null 2>&1 || fail "md resume"
cmp full.data part.data || fail "resumed md differs from the uninterrupted run"
head -c 5000 full.rst > trunc.rst
expect_md_error "truncated or corrupt" --resume trunc.rst
echo "md: ok"

# --- minimize -------------------------------------------------------------------------
"$BPEL" minimize "$G" --elements Cu,Zr --out min.data >min.txt 2>&1 || { cat min.txt; fail "minimize"; }
awk '/^fmax_eV_per_A/{exit !($2 <= 1e-8)}' min.txt || fail "minimize did not reach 1e-8"
"$BPEL" minimize "$G" --elements Cu,Zr --out min3.data --max-iter 2 >min3.txt 2>&1; st=$?
[ $st -eq 3 ] || fail "non-converged minimisation should exit 3 (got $st)"
grep -q "did not converge" min3.txt || fail "non-convergence not reported"
"$BPEL" minimize "$G" --elements Cu,Zr --out x.data --method sd >/dev/null 2>&1 && fail "unknown method accepted"
echo "minimize: ok"

# --- inherent --------------------------------------------------------------------------
"$BPEL" inherent "$G" --elements Cu,Zr --temperatures 100,600 --time 0.2 --out inh >inh.txt 2>&1 || { cat inh.txt; fail "inherent"; }
[ -f inh/inherent_100K.data ] && [ -f inh/inherent_600K.data ] && [ -f inh/inherent.json ] || fail "inherent outputs"
[ "$(awk -F, 'NR>1 && $5==1' inh/inherent.csv | wc -l)" -eq 2 ] || fail "inherent structures not converged"
"$BPEL" inherent "$G" --elements Cu,Zr --temperatures 100,-3 --time 0.2 --out inh2 >/dev/null 2>&1 && fail "negative T accepted"
echo "inherent: ok"

# --- trajectory --------------------------------------------------------------------------
awk '/Atoms/{f=1;next} /Velocities/{f=0} f && NF>=5 {print $1","($1%7)*0.5}' "$G" | sort -t, -k1,1n > rank_body.csv
{ echo "id,I_BP_per_radps3"; cat rank_body.csv; } > rank.csv
"$BPEL" trajectory "$G" --elements Cu,Zr --rank rank.csv:I_BP_per_radps3 --top 2 --bottom 1 --element Cu \
    --time 0.1 --out tr >tr.txt 2>&1 || { cat tr.txt; fail "trajectory"; }
for f in trajectory_atoms.csv trajectory_system.csv moved_atoms.csv moved.xyz trajectory.dump fig8_anharmonicity.png \
    fig8_anharmonicity.svg inherent.data; do [ -s tr/$f ] || fail "trajectory: missing $f"; done
# 51 steps x 3 atoms, all of them Cu (type 1), with ranks 3.0 (top) and 0 (bottom)
[ "$(tail -n +2 tr/trajectory_atoms.csv | wc -l)" -eq 153 ] || fail "trajectory rows"
awk -F, 'NR>1 && $4 != 1 {exit 1}' tr/trajectory_atoms.csv || fail "--element Cu not honoured"
top=$(awk -F, 'NR>1 && $5==1 {print $3; exit}' tr/trajectory_atoms.csv)
[ "$(awk -F, -v id="$top" '$1==id {print $2}' rank.csv)" = 3 ] || fail "top atom does not have the highest rank"
# displacement of the top atom at step 50 equals |x(dump) - x(IS)| (no wrapping across the box in 0.1 ps)
read -r d_rec < <(awk -F, -v id="$top" '$1==50 && $3==id {print $7}' tr/trajectory_atoms.csv)
read -r d_dump < <(awk -v id="$top" '
    FNR==NR { if ($0 ~ /Atoms/) a=1; else if (a && NF>=5 && $1==id) {x0=$3;y0=$4;z0=$5}; next }
    /ITEM: TIMESTEP/ {getline; s=$1} /ITEM: ATOMS/ {f=1; next} /ITEM:/ {f=0}
    f && s==50 && $1==id { dx=$3-x0; dy=$4-y0; dz=$5-z0; print sqrt(dx*dx+dy*dy+dz*dz) }' tr/inherent.data tr/trajectory.dump)
awk -v a="$d_rec" -v b="$d_dump" 'BEGIN{exit !(a > 0 && (a-b < 1e-5 && b-a < 1e-5))}' \
    || fail "recorded displacement $d_rec differs from the dump's $d_dump"
"$BPEL" trajectory "$G" --elements Cu,Zr --atoms 999999 --out tr2 >/dev/null 2>e.txt && fail "unknown atom id accepted"
grep -q "no atom with id 999999" e.txt || fail "unknown id message"
echo "trajectory: ok"

# --- tg --------------------------------------------------------------------------------------
awk 'BEGIN{ print "step,time_ps,stage,temp_K,press_bar,volume_A3,pe_eV,etotal_eV,conserved_eV";
            srand(4); k=0;
            for (T=1500; T>=100; T-=1) { v = 10000 + 0.05*T + (T>700 ? 0.11*(T-700) : 0) + (rand()-0.5);
                                          printf "%d,%g,1,%g,0,%.6f,0,0,0\n", k, k*0.002, T, v; k++ }
            printf "%d,0,0,2000,0,99999,0,0,0\n", k }' > tg.log.csv
"$BPEL" tg tg.log.csv --out tg >tg.txt 2>&1 || { cat tg.txt; fail "tg"; }
awk '/Tg_K/{gsub(/,/,"",$2); exit !($2 > 680 && $2 < 720)}' tg/tg.json || { cat tg/tg.json; fail "Tg not recovered"; }
[ -s tg/tg_volume_temperature.png ] && [ -s tg/tg_vt.csv ] || fail "tg outputs"
printf 'temp_K,volume_A3\n1,2\n' > short.csv
"$BPEL" tg short.csv --out tg2 >o.txt 2>&1 || fail "tg on 1 sample: not 'not determined'"
grep -q "Tg not determined" o.txt || fail "tg on 1 sample gave a number"
printf 'temp_K,volume_A3\n' > empty.csv
"$BPEL" tg empty.csv --out tg3 >/dev/null 2>e.txt && fail "tg on no samples succeeded"
grep -q "too few" e.txt || fail "tg empty message"
echo "tg: ok"
echo "all ok"
