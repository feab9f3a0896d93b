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
"$BPEL_SOURCE_DIR/scripts/lammps_glass.sh" 4 glass.data

"$BPEL" artn --help > help.txt # (not piped into grep -q: pipefail would see SIGPIPE)
"$BPEL" artn --help-params > params.txt
grep -q -- "--resume" help.txt
grep -q -- "--help-params" help.txt
if grep -q -- "lanczos_check.max_iter" help.txt; then echo "--help lists every parameter"; exit 1; fi
grep -q -- "lanczos_check.max_iter" params.txt
grep -q -- "climb_lanczos_fperp" params.txt
if "$BPEL" artn glass.data --out x --param push_step 2>err.txt; then echo "accepted --param without =VALUE"; exit 1; fi
grep -q "NAME=VALUE" err.txt
if "$BPEL" artn glass.data --out x --param bogus=1 2>err.txt; then echo "accepted an unknown parameter"; exit 1; fi
grep -q "bogus" err.txt
grep -q -- "region.grow_force" params.txt
if "$BPEL" artn glass.data --out x --param region.bogus=1 2>err.txt; then echo "accepted an unknown region parameter"; exit 1; fi
grep -q "bogus" err.txt
if "$BPEL" artn glass.data --out x --param region.shell=-1 2>err.txt; then echo "accepted a negative shell"; exit 1; fi
grep -q "shell" err.txt
# usage errors: non-zero exit, one line naming the problem
if "$BPEL" artn glass.data --out x --searches 0 2>err.txt; then echo "accepted --searches 0"; exit 1; fi
grep -q "searches" err.txt
if "$BPEL" artn glass.data --out x --atoms 99999 2>err.txt; then echo "accepted a missing id"; exit 1; fi
grep -q "99999" err.txt

ARGS=(glass.data --atoms 3,40 --searches 2 --seed 7 --no-connect)
strip() { cut -d, -f1-10,12- "$1"; } # events.csv without nothing run-dependent (all columns but fmax_full kept)
"$BPEL" artn "${ARGS[@]}" --out serial > serial.txt
"$BPEL" artn "${ARGS[@]}" --threads 2 --out threads > /dev/null
cmp serial/events.csv threads/events.csv
cmp serial/atoms.csv threads/atoms.csv
[ "$(wc -l < serial/events.csv)" -eq 5 ]
head -1 serial/atoms.csv | grep -q '^id,type,element,dq_mean_eV,dq_std_eV,n_converged,n_tried,dq_connected_mean_eV,n_connected$'
head -1 serial/events.csv | grep -q '^row,atom,search,status,dq_eV,e_saddle_eV,e_final_eV,'
# events.csv is plain CSV (no quoted field with commas): every row has the header's field count
awk -F, 'NR == 1 { n = NF } NF != n || /"/ { bad = 1 } END { exit bad }' serial/events.csv
grep -q '"searches_tried":	4' serial/summary.json

# a folder holding a campaign is not reused without --resume or --overwrite;
# --resume refuses other inputs and names the one that differs
head -1 serial/events.log | grep -q '^# bpel-artn-campaign 3 glass=.* atoms=3,40 searches=2 seed=7 params='
if "$BPEL" artn "${ARGS[@]}" --out serial > /dev/null 2> err.txt; then echo "started afresh over a campaign"; exit 1; fi
grep -q -- "--overwrite" err.txt
if "$BPEL" artn glass.data --atoms 3,40 --searches 3 --seed 7 --no-connect --resume --out serial > /dev/null 2> err.txt; then
  echo "resumed with other --searches"; exit 1; fi
grep -q "different searches" err.txt
if "$BPEL" artn glass.data --atoms 3,40 --searches 2 --seed 8 --no-connect --resume --out serial > /dev/null 2> err.txt; then
  echo "resumed with another --seed"; exit 1; fi
grep -q "different seed" err.txt
if "$BPEL" artn glass.data --atoms 3,41 --searches 2 --seed 7 --no-connect --resume --out serial > /dev/null 2> err.txt; then
  echo "resumed with other --atoms"; exit 1; fi
grep -q "different atoms" err.txt
if "$BPEL" artn "${ARGS[@]}" --param push_step=0.3 --resume --out serial > /dev/null 2> err.txt; then
  echo "resumed with another search parameter"; exit 1; fi
grep -q "different params" err.txt
if "$BPEL" artn "${ARGS[@]}" --region 6 --resume --out serial > /dev/null 2> err.txt; then
  echo "resumed with another region"; exit 1; fi
grep -q "different params" err.txt
# a log of an older format is not continued, and says so
mkdir -p old && sed '1s/campaign 3 /campaign 2 /' serial/events.log > old/events.log
if "$BPEL" artn "${ARGS[@]}" --resume --out old > /dev/null 2> err.txt; then echo "resumed an older log"; exit 1; fi
grep -q "older log format" err.txt
"$BPEL" artn "${ARGS[@]}" --resume --out serial > /dev/null   # the same inputs: nothing left to do
cmp serial/events.csv threads/events.csv
"$BPEL" artn "${ARGS[@]}" --overwrite --out serial > /dev/null
cmp serial/events.csv threads/events.csv

if command -v mpirun >/dev/null; then
  mpirun --allow-run-as-root --oversubscribe -np 2 "$BPEL" artn "${ARGS[@]}" --out mpi > /dev/null
  cmp serial/events.csv mpi/events.csv
  cmp serial/atoms.csv mpi/atoms.csv
fi

# a failed search is tried again from fresh kicks (--param attempts): under a
# budget too small for most searches, one kick per search against three. A
# search accepted at its first kick is the same either way; the others spend
# more force calls (every kick counted) and some end at a saddle.
"$BPEL" artn glass.data --atoms 3,40,77,120 --searches 2 --seed 7 --no-connect --threads 2 --param max_calls=400 \
   --param attempts=1 --out once > /dev/null
"$BPEL" artn glass.data --atoms 3,40,77,120 --searches 2 --seed 7 --no-connect --threads 2 --param max_calls=400 \
   --out thrice > /dev/null
head -1 once/events.csv | grep -q ',moved_most,kicks$'
awk -F, 'NR > 1 && $20 != 1 { bad = 1 } END { exit bad }' once/events.csv
grep -q ',over_budget,' once/events.csv
paste -d'|' once/events.csv thrice/events.csv | awk -F'|' 'NR > 1 {
    split($1, a, ","); split($2, b, ",")
    if (a[4] == "accepted") { if (b[4] != "accepted" || a[5] != b[5] || a[8] != b[8] || b[20] != 1) bad = 1 }
    else { if (b[20] < 2 || b[8] <= a[8]) bad = 1; if (b[4] == "accepted") rescued++ }
    if (a[4] == "over_budget" && a[8] > 400 + 60) bad = 1
  } END { exit bad || !rescued }'
grep -q '"kicks_tried"' thrice/summary.json

# every accepted saddle re-evaluated by LAMMPS (read_dump of its frame on top
# of the glass): the same energy and every force component below 0.05 eV/Å
nacc=$(grep -c ',accepted,' serial/events.csv || true)
[ "$nacc" -ge 1 ] || { echo "no accepted saddle to check"; exit 1; }
for step in $(awk -F, '$4=="accepted"{print $1}' serial/events.csv); do
  es=$(awk -F, -v r="$step" '$1==r{print $6}' serial/events.csv)
  cat > reeval.in <<EOF2
units metal
atom_style atomic
read_data glass.data
pair_style eam/fs
pair_coeff * * $POT Cu Zr
read_dump serial/saddles.dump $step x y z
variable ax atom abs(fx)
variable ay atom abs(fy)
variable az atom abs(fz)
compute fm all reduce max v_ax v_ay v_az
thermo_style custom step pe c_fm[1] c_fm[2] c_fm[3]
run 0
print "RESULT \$(pe:%.8f) \$(c_fm[1]:%.6f) \$(c_fm[2]:%.6f) \$(c_fm[3]:%.6f)"
EOF2
  lmp -in reeval.in -log none -screen reeval.out > /dev/null
  read -r _ pe f1 f2 f3 < <(grep '^RESULT' reeval.out)
  awk -v pe="$pe" -v es="$es" -v f1="$f1" -v f2="$f2" -v f3="$f3" -v s="$step" 'BEGIN {
    d = pe - es; if (d < 0) d = -d
    if (d > 1e-5) { printf "saddle %s: LAMMPS energy %s vs bpel %s\n", s, pe, es; exit 1 }
    if (f1 >= 0.05 || f2 >= 0.05 || f3 >= 0.05) { printf "saddle %s: LAMMPS max force %s %s %s\n", s, f1, f2, f3; exit 1 } }'
done

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
[ "$(grep -c ' END$' killed/events.log)" -eq 4 ]
# with the relaxations: the connection is recorded, final minima are dumped,
# and each flag agrees with an independent LAMMPS relaxation from the saddle
"$BPEL" artn glass.data --atoms 3,40,77,120,160,200 --searches 3 --seed 7 --out connect > connect.txt
awk -F, 'NR == 2 && $4 == "accepted" && ($16 == 0 || $16 == 1) { ok = 1 } END { exit !ok }' connect/events.csv
nacc=$(grep -c ',accepted,' connect/events.csv)
[ "$(grep -c TIMESTEP connect/minima.dump)" -eq "$nacc" ]
grep -q '^connected to the initial minimum: ' connect.txt
grep -q '"connected_fraction":' connect/summary.json
python3 "$BPEL_SOURCE_DIR/tests/artn_connect_check.py" glass.data connect "$POT" lmp
# at least one connected and one disconnected saddle, so both answers were checked
awk -F, '$4 == "accepted" { c[$16]++ } END { exit !(c[0] >= 1 && c[1] >= 1) }' connect/events.csv

# the default: every atom of the glass moves in every search; saddle frames
# are whole configurations with types
nat=$(awk '/ atoms$/ { print $1; exit }' glass.data)
awk -F, -v n="$nat" 'NR == 1 { for (k = 1; k <= NF; k++) if ($k == "region_atoms") c = k; next }
  { rows++; if ($c != n) bad = 1 } END { exit !(c && rows == 4 && !bad) }' serial/events.csv
grep -q '"region":	"all"' serial/summary.json
grep -q '^ITEM: ATOMS id type x y z$' serial/saddles.dump
awk -v n="$nat" '/^ITEM: NUMBER OF ATOMS/ { getline; if ($1 != n) bad = 1; k++ } END { exit !(k >= 1 && !bad) }' serial/saddles.dump
# --region X: the opt-in moving region inside a frozen glass; the last --region wins.
# (components-only saddle test here: on this 256-atom glass the longer climb to
# the force-norm test lets the region grow to the whole glass)
"$BPEL" artn glass.data --atoms 3,40 --searches 1 --seed 7 --no-connect --region 6 --param saddle_norm=0 \
   --out region > /dev/null
grep -q '"region_radius_A":	6' region/summary.json
awk -F, -v n="$nat" 'NR == 1 { for (k = 1; k <= NF; k++) if ($k == "region_atoms") c = k; next }
  { if ($c >= n) bad = 1 } END { exit !(c && !bad) }' region/events.csv
"$BPEL" artn glass.data --atoms 3 --searches 1 --seed 7 --no-connect --region all --region 5 --out last > /dev/null
grep -q '"region_radius_A":	5' last/summary.json
"$BPEL" artn glass.data --atoms 3 --searches 1 --seed 7 --no-connect --region 5 --region all --out last2 > /dev/null
grep -q '"region":	"all"' last2/summary.json
# store_disp: only atoms displaced more than 0.2 Å are logged and dumped
"$BPEL" artn glass.data --atoms 40 --searches 1 --seed 7 --no-connect --param store_disp=0.2 --out small > /dev/null
grep -q ',accepted,' small/events.csv || { echo "store_disp test: no accepted saddle to look at"; exit 1; }
awk -v n="$nat" '/^ITEM: NUMBER OF ATOMS/ { getline; if ($1 >= n || $1 < 1) bad = 1; k++ } END { exit !(k >= 1 && !bad) }' small/saddles.dump
for v in -1 inf nan; do
  if "$BPEL" artn glass.data --out x --param store_disp=$v 2>err.txt; then echo "accepted store_disp=$v"; exit 1; fi
  grep -q "store_disp" err.txt
done

# the slowest-ascent method runs on the same machinery
"$BPEL" artn glass.data --atoms 3 --searches 1 --seed 7 --no-connect --method lowest --out lowest > /dev/null
grep -q '"method":	"lowest"' lowest/summary.json
[ "$(wc -l < lowest/events.csv)" -eq 2 ]
echo "check_artn: ok"
