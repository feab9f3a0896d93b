#!/usr/bin/env bash
# check_artn.sh — `bpel artn` campaigns: identical results whatever the
# thread or MPI rank count, and a campaign killed with SIGKILL (plus a torn
# last record) resumes to exactly the uninterrupted result. Uses a small
# Cu–Zr glass made and minimised by LAMMPS.
set -euo pipefail
: "${BPEL:?}" "${BPEL_TEST_TMP:?}"
T="$BPEL_TEST_TMP/check_artn"
rm -rf "$T"; mkdir -p "$T"; cd "$T"
command -v lmp >/dev/null || { echo "lmp not found: skipped"; exit 0; }
POT=/usr/share/lammps/potentials/CuZr_mm.eam.fs
[ -n "${LAMMPS_POTENTIALS:-}" ] && POT="$LAMMPS_POTENTIALS/CuZr_mm.eam.fs"
cat > glass.in <<EOF2
units metal
atom_style atomic
lattice fcc 4.25
region b block 0 4 0 4 0 4
create_box 2 b
create_atoms 1 box
set type 1 type/fraction 2 0.5 4321
mass 1 63.546
mass 2 91.224
pair_style eam/fs
pair_coeff * * $POT Cu Zr
velocity all create 2500 1
fix 1 all nvt temp 2500 2500 0.1
timestep 0.002
run 1000
fix 1 all nvt temp 2500 300 0.1
run 1000
unfix 1
minimize 0 1e-10 20000 100000
write_data glass.data
EOF2
lmp -sf opt -in glass.in -log none -screen none

"$BPEL" artn --help | grep -q -- "--resume"
# usage errors: non-zero exit, one line naming the problem
if "$BPEL" artn glass.data --out x --searches 0 2>err.txt; then echo "accepted --searches 0"; exit 1; fi
grep -q "searches" err.txt
if "$BPEL" artn glass.data --out x --atoms 99999 2>err.txt; then echo "accepted a missing id"; exit 1; fi
grep -q "99999" err.txt

ARGS=(glass.data --atoms 3,17,40 --searches 2 --seed 7 --no-connect)
strip() { cut -d, -f1-10,12- "$1"; } # events.csv without nothing run-dependent (all columns but fmax_full kept)
"$BPEL" artn "${ARGS[@]}" --out serial > serial.txt
"$BPEL" artn "${ARGS[@]}" --threads 2 --out threads > /dev/null
cmp serial/events.csv threads/events.csv
cmp serial/atoms.csv threads/atoms.csv
[ "$(wc -l < serial/events.csv)" -eq 7 ]
head -1 serial/atoms.csv | grep -q '^id,type,element,dq_mean_eV'
grep -q '"searches_tried":	6' serial/summary.json

if command -v mpirun >/dev/null; then
  mpirun --allow-run-as-root --oversubscribe -np 2 "$BPEL" artn "${ARGS[@]}" --out mpi > /dev/null
  cmp serial/events.csv mpi/events.csv
  cmp serial/atoms.csv mpi/atoms.csv
fi

# kill -9 in the middle, add a torn record, resume
"$BPEL" artn "${ARGS[@]}" --out killed > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  [ -s killed/events.log ] && [ "$(wc -l < killed/events.log)" -ge 2 ] && break
  sleep 0.05
done
kill -9 $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
printf 'ev 40 1 accepted 0.1 -1 -1 12 12 0.01' >> killed/events.log   # torn: no END
"$BPEL" artn "${ARGS[@]}" --resume --out killed > /dev/null
cmp serial/events.csv killed/events.csv
cmp serial/atoms.csv killed/atoms.csv
[ "$(grep -c ' END$' killed/events.log)" -eq 6 ]
echo "check_artn: ok"
