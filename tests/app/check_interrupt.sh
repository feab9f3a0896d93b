#!/usr/bin/env bash
# check_interrupt.sh — long commands stop cleanly and resume exactly:
#  1. SIGINT to `bpel artn` lets the searches in flight finish, prints
#     "interrupted after K/N searches; rerun with --resume" and exits 130
#     (SIGTERM: 143); --resume then ends with the uninterrupted campaign's
#     events.csv and atoms.csv;
#  2. `bpel study` killed (SIGKILL, whole process group) during its quench,
#     after a checkpoint: the rerun continues the quench from the checkpoint
#     and its glass and quench log are bitwise identical to an uninterrupted
#     study's (the log rows written after the checkpoint are cut, not
#     duplicated); SIGINT to the study goes on to the quench, the study exits
#     130 saying how to resume, and the rerun continues as well;
#  3. a changed quench input makes the rerun start the quench afresh
#     instead of continuing the old checkpoint.
set -euo pipefail
: "${BPEL:?}" "${BPEL_TEST_TMP:?}" "${BPEL_SOURCE_DIR:?}"
T="$BPEL_TEST_TMP/interrupt"
rm -rf "$T"; mkdir -p "$T"; cd "$T"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=passive BPEL_NO_PROGRESS=1
fail() { echo "FAIL: $*"; exit 1; }
# wait_for COND-COMMAND...: poll for up to 120 s
wait_for() { for _ in $(seq 1 1200); do "$@" && return 0; sleep 0.1; done; return 1; }
records() { [ -f "$1" ] && [ "$(grep -c ' END$' "$1")" -ge "$2" ]; }

# --- 1. artn -------------------------------------------------------------------
"$BPEL" minimize "$BPEL_SOURCE_DIR/tests/data/cuzr_glass_256.data" --out glass.data > /dev/null
ARGS=(glass.data --atoms 3,17,40,61,99,120,150,201 --searches 2 --seed 5 --no-connect)
"$BPEL" artn "${ARGS[@]}" --out full > /dev/null 2>&1
for sig in INT TERM; do
    rm -rf part
    "$BPEL" artn "${ARGS[@]}" --out part > /dev/null 2> err.txt &
    pid=$!
    wait_for records part/events.log 2 || fail "artn logged nothing"
    kill -$sig $pid
    rc=0; wait $pid || rc=$?
    want=130; [ $sig = TERM ] && want=143
    [ $rc -eq $want ] || { cat err.txt; fail "artn after SIG$sig exited $rc, not $want"; }
    line=$(grep 'interrupted after' err.txt) || { cat err.txt; fail "no 'interrupted after' line"; }
    echo "$line" | grep -Eq '^bpel artn: interrupted after [0-9]+/16 searches; rerun with --resume$' || fail "line: $line"
    k=$(echo "$line" | sed 's/.*after \([0-9]*\)\/.*/\1/')
    [ "$k" -lt 16 ] || fail "SIG$sig came too late to test anything"
    [ "$(grep -c ' END$' part/events.log)" -eq "$k" ] || fail "the log does not hold the $k searches reported"
    [ -e part/events.csv ] && fail "an interrupted campaign wrote its outputs"
    "$BPEL" artn "${ARGS[@]}" --resume --out part > /dev/null 2> err.txt
    grep -q "resuming, $k of 16 searches already done" err.txt || { cat err.txt; fail "resume did not start at $k"; }
    # every column but the run-dependent fmax_full
    cmp <(cut -d, -f1-10,12- full/events.csv) <(cut -d, -f1-10,12- part/events.csv) || fail "resumed events.csv differs"
    cmp full/atoms.csv part/atoms.csv || fail "resumed atoms.csv differs"
    echo "ok   artn SIG$sig: exit $rc, '$line', resumed result = uninterrupted"
done

# --- 2. study ------------------------------------------------------------------
cat > q.yaml <<'YAML'
name: q
potential: CuZr_mm.eam.fs
seed: 11
glass:
  compositions: [Cu50Zr50]
  atoms: 256
  cooling_rates: [5.0e13]
  melt_temperature: 2000
  melt_time: 2
  final_temperature: 1
analyses:
  tg: false
  modes: false
  artn: false
  correlate: false
  trajectory: false
  pmf: false
  gruneisen: false
  temperature_series: false
YAML
G=Cu50Zr50_R5e13
"$BPEL" study q.yaml --out whole --threads 1 > whole.out
# SIGKILL of the study and its quench once the quench has written a checkpoint
setsid "$BPEL" study q.yaml --out cut --threads 1 > cut.out 2>&1 &
pid=$!
wait_for test -f cut/$G/glass.data.restart || fail "no checkpoint written"
sleep 0.5
kill -KILL -- -$pid
wait $pid || true
[ -f cut/$G/glass.data ] && fail "the quench finished before it could be killed"
last=$(tail -n 1 cut/$G/glass.log.csv | cut -d, -f1)
"$BPEL" study q.yaml --out cut --threads 1 > cut2.out
grep -q "quench *continued from its checkpoint" cut2.out || { cat cut2.out; fail "the quench was not continued"; }
grep -q "continued as: bpel quench --resume" cut/$G/logs/quench.log || fail "the step log does not show the resume"
cmp whole/$G/glass.data cut/$G/glass.data || fail "continued glass differs from the uninterrupted one"
cmp whole/$G/glass.log.csv cut/$G/glass.log.csv || fail "continued quench log differs (rows after the checkpoint kept?)"
echo "ok   study SIGKILL at quench step $last: continued from the checkpoint, glass and log bitwise identical"

# SIGINT to the study alone: forwarded to the quench, which saves and stops
"$BPEL" study q.yaml --out int --threads 1 > int.out 2> int.err &
pid=$!
wait_for test -f int/$G/glass.data.restart || fail "no checkpoint written"
kill -INT $pid
rc=0; wait $pid || rc=$?
[ $rc -eq 130 ] || { cat int.out int.err; fail "study after SIGINT exited $rc, not 130"; }
grep -q "interrupted in step 1/1 (quench); rerun the same command to resume" int.err || { cat int.err; fail "no resume hint"; }
[ -f int/$G/glass.data ] && fail "the quench finished before SIGINT"
"$BPEL" study q.yaml --out int --threads 1 > int2.out
grep -q "quench *continued from its checkpoint" int2.out || fail "the quench was not continued after SIGINT"
cmp whole/$G/glass.data int/$G/glass.data || fail "glass after SIGINT and rerun differs"
cmp whole/$G/glass.log.csv int/$G/glass.log.csv || fail "quench log after SIGINT and rerun differs"
echo "ok   study SIGINT: exit 130, '$(grep -o 'interrupted in.*' int.err)'; rerun continued, glass bitwise identical"

# --- 3. changed inputs: the quench starts afresh, its old checkpoint removed ----
setsid "$BPEL" study q.yaml --out chg --threads 1 > chg.out 2>&1 &
pid=$!
wait_for test -f chg/$G/glass.data.restart || fail "no checkpoint written"
kill -KILL -- -$pid
wait $pid || true
sed 's/seed: 11/seed: 12/' q.yaml > q2.yaml
setsid "$BPEL" study q2.yaml --out chg --threads 1 > chg2.out 2>&1 &
pid=$!
started() { grep -q -- "--seed 12" chg/$G/logs/quench.log 2>/dev/null && grep -q "^# melt" chg/$G/logs/quench.log; }
wait_for started || fail "the quench with the new seed did not start"
kill -KILL -- -$pid
wait $pid || true
grep -q "continued" chg2.out && fail "a quench with another seed was continued from the old checkpoint"
grep -q "continued as" chg/$G/logs/quench.log && fail "the step log shows a resume"
echo "ok   study: a changed input starts the interrupted quench afresh"
echo "all ok"
