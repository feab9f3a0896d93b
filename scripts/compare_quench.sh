#!/usr/bin/env bash
# compare_quench.sh OLD_BPEL NEW_BPEL [WORKDIR] — run the same small
# preparations with two bpel binaries and compare what they write:
#  1. `bpel quench` with several option sets: data file, CSV log and JSON
#     summary byte for byte, stdout with the wall times blanked, stderr and
#     the exit status;
#  2. refused inputs: stderr and exit status;
#  3. a quench killed with SIGTERM by one binary and resumed by the other
#     (old -> new, new -> new): data file and log byte-identical to an
#     uninterrupted run of the old binary;
#  4. `bpel md` with checkpoints (NPT): data file, thermo CSV and dump, and an
#     old md checkpoint resumed by the new binary.
# Exit status 0 when everything is identical.
set -u
OLD=$(readlink -f "${1:?usage: compare_quench.sh OLD_BPEL NEW_BPEL [WORKDIR]}")
NEW=$(readlink -f "${2:?usage: compare_quench.sh OLD_BPEL NEW_BPEL [WORKDIR]}")
W=${3:-$(mktemp -d)}
mkdir -p "$W" && cd "$W" || exit 1
export OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive BPEL_NO_PROGRESS=1
nfail=0
ok() { echo "same  $*"; }
bad() { echo "DIFF  $*"; nfail=$((nfail + 1)); }
same() { # same LABEL FILE_A FILE_B
    if cmp -s "$2" "$3"; then ok "$1"; else bad "$1 ($2 vs $3)"; diff "$2" "$3" | head -5; fi
}
# stdout without the wall times of the MD and minimisation lines
untimed() { sed -E 's/ in [0-9.]+ s/ in T s/; s/: [0-9.e+]+ atom-steps\/s/: R atom-steps\/s/' "$1"; }

run_case() { # run_case NAME ARGS... (each binary in its own folder)
    local name=$1; shift
    for v in old new; do
        local bin=$OLD; [ $v = new ] && bin=$NEW
        rm -rf "$v/$name"; mkdir -p "$v/$name"
        (cd "$v/$name" && "$bin" quench "$@" > stdout.txt 2> stderr.txt; echo $? > status.txt)
    done
    for f in old/$name/*; do
        local b; b=$(basename "$f")
        case $b in
            stdout.txt) if cmp -s <(untimed "$f") <(untimed "new/$name/$b"); then ok "$name/$b (wall times blanked)"; else
                            bad "$name/$b"; diff <(untimed "$f") <(untimed "new/$name/$b") | head -5; fi ;;
            *) same "$name/$b" "$f" "new/$name/$b" ;;
        esac
    done
    [ "$(ls old/$name | wc -l)" = "$(ls new/$name | wc -l)" ] || bad "$name: other files: $(ls new/$name | tr '\n' ' ')"
}

run_case cu50_200 --composition Cu50Zr50 --natoms 200 --rate 1e14 --melt-time 2 --out g.data
run_case cu64_250_hold --composition Cu64Zr36 --natoms 250 --rate 2e14 --melt-time 1 --hold-time 0.4 --seed 7 \
    --thermo 100 --log-every 20 --log q.csv --out g.data
run_case cu36_220_sync --composition Cu36Zr64 --natoms 220 --rate 5e14 --melt-time 0.5 --restart-every 300 \
    --thermo 250 --pressure 100 --tdamp 0.2 --pdamp 2 --out sub.glass.data
run_case loose_ftol --composition Cu50Zr50 --natoms 210 --rate 1e15 --melt-time 0.3 --ftol 1e-3 --dt 0.001 \
    --thermo 0 --out g.data
# refused inputs
run_case bad_rate --composition Cu50Zr50 --natoms 300 --rate 0 --out x.data
run_case bad_comp --composition Cu50Zr40 --natoms 300 --rate 1e14 --out x.data
run_case bad_box --composition Cu50Zr50 --natoms 100 --rate 1e14 --melt-time 2 --out x.data
run_case bad_final --composition Cu50Zr50 --natoms 300 --rate 1e14 --final-temperature 3000 --out x.data
run_case missing --composition Cu50Zr50 --natoms 300 --out x.data
run_case bad_dt --composition Cu50Zr50 --natoms 300 --rate 1e14 --out x.data --dt -1

# --- killed by one binary, resumed by the other ---------------------------------
args=(--composition Cu50Zr50 --natoms 256 --rate 2e15 --melt-time 1 --seed 3 --thermo 0 --log-every 50
      --restart-every 500 --threads 2)
rm -rf kill; mkdir -p kill; cd kill || exit 1
"$OLD" quench "${args[@]}" --out full.data > /dev/null 2>&1 || bad "uninterrupted old quench failed"
kill_resume() { # kill_resume NAME WRITER RESUMER
    local name=$1 writer=$2 resumer=$3
    "$writer" quench "${args[@]}" --out "$name.data" --restart "$name.rst" > "$name.txt" 2>&1 &
    local pid=$!
    for _ in $(seq 1 1000); do
        [ -f "$name.log.csv" ] && [ "$(wc -l < "$name.log.csv")" -ge 15 ] && break
        sleep 0.02
    done
    kill -TERM $pid
    wait $pid
    local st=$?
    [ $st -eq 143 ] || { bad "$name: exit status $st after SIGTERM"; return; }
    "$resumer" quench --resume "$name.rst" > "$name.resume.txt" 2>&1 || { bad "$name: resume failed"; cat "$name.resume.txt"; return; }
    same "kill/$name data (killed at log row $(wc -l < "$name.log.csv"))" full.data "$name.data"
    same "kill/$name log" full.log.csv "$name.log.csv"
    [ -f "$name.rst" ] && bad "$name: checkpoint left behind"
}
kill_resume old_then_new "$OLD" "$NEW"
kill_resume new_then_new "$NEW" "$NEW"
cd ..

# --- md -------------------------------------------------------------------------
rm -rf md; mkdir -p md; cd md || exit 1
"$OLD" quench --composition Cu50Zr50 --natoms 200 --rate 1e15 --melt-time 0.2 --thermo 0 --out start.data > /dev/null 2>&1
md_args=(start.data --steps 1200 --temperature 600 --ensemble npt --seed 5 --thermo 100 --restart-every 200 --dump-every 300)
for v in old new; do
    bin=$OLD; [ $v = new ] && bin=$NEW
    "$bin" md "${md_args[@]}" --restart $v.rst --out $v.data --thermo-csv $v.csv --dump $v.dump > $v.txt 2>&1 || bad "md $v failed"
done
same "md data" old.data new.data
same "md thermo csv" old.csv new.csv
same "md dump" old.dump new.dump
# an md run of the old binary killed with SIGTERM, resumed by the new one
"$OLD" md "${md_args[@]}" --restart cut.rst --out cut.data --thermo-csv cut.csv --dump cut.dump > cut.txt 2>&1 &
pid=$!
for _ in $(seq 1 1000); do [ -f cut.csv ] && [ "$(wc -l < cut.csv)" -ge 5 ] && break; sleep 0.02; done
kill -TERM $pid; wait $pid; st=$?
if [ $st -eq 143 ]; then
    "$NEW" md --resume cut.rst --out cut.data --thermo-csv cut.csv --dump cut.dump --dump-every 300 --thermo 100 > cut2.txt 2>&1 \
        || { bad "md resume of an old checkpoint failed"; cat cut2.txt; }
    same "md old checkpoint resumed by new: data" old.data cut.data
    same "md old checkpoint resumed by new: thermo csv" old.csv cut.csv
    same "md old checkpoint resumed by new: dump" old.dump cut.dump
else
    bad "md: old run exit status $st after SIGTERM (finished too soon?)"
fi
cd ..

echo "$nfail differences (work folder $W)"
[ $nfail -eq 0 ]
