#!/usr/bin/env bash
# check_safe_output.sh — a full disk during the final writes of `bpel artn`,
# `bpel modes` and `bpel study` (a file size limit, RLIMIT_FSIZE, with SIGXFSZ
# ignored so that writes fail with EFBIG as on a full disk) gives a non-zero
# exit naming the file, and no truncated file under a final name: every final
# file is either absent or byte-identical to a complete run's. Also: outputs
# are checked writable before the work, and without a terminal progress
# comes as plain lines.
set -euo pipefail
: "${BPEL:?}" "${BPEL_TEST_TMP:?}" "${BPEL_SOURCE_DIR:?}"
T="$BPEL_TEST_TMP/safe_output"
rm -rf "$T"; mkdir -p "$T"; cd "$T"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=passive
# Open MPI's PMIx keeps a shared-memory store in files larger than the limit
export PMIX_MCA_gds=hash
fail() { echo "FAIL: $*"; exit 1; }

# limited KiB command...: run under a file size limit of KiB
limited() {
    local kib=$1; shift
    (trap '' XFSZ; ulimit -f "$kib"; "$@")
}
# same_or_absent REF DIR: every file in DIR is byte-identical to REF's, and
# no temporary file is left
same_or_absent() {
    local ref=$1 dir=$2 f
    for f in "$dir"/* "$dir"/.[!.]*; do
        [ -e "$f" ] || continue
        [ -d "$f" ] && continue
        case "$f" in *.tmp.*) fail "temporary file left: $f" ;; esac
        cmp -s "$f" "$ref/$(basename "$f")" || fail "$f differs from a complete run's (truncated?)"
    done
}

"$BPEL" minimize "$BPEL_SOURCE_DIR/tests/data/cuzr_glass_256.data" --out glass.data > min.txt

# --- artn: the campaign is complete; its outputs are rewritten on a full disk
ARGS=(glass.data --atoms 3,40 --searches 2 --seed 7 --no-connect)
"$BPEL" artn "${ARGS[@]}" --out a > /dev/null 2> a.err
cp -r a a.ref
for kib in 8 24 48; do
    if limited "$kib" "$BPEL" artn "${ARGS[@]}" --resume --out a > /dev/null 2> err.txt; then
        fail "artn exited 0 with a $kib KiB file size limit"
    fi
    grep -q "a/.*: write failed" err.txt || { cat err.txt; fail "artn: no message naming the file"; }
    same_or_absent a.ref a
done
echo "ok   artn: full disk during the final writes: exit 1, '$(grep -o 'a/[^:]*: write failed' err.txt)', outputs as before"

# --- modes into an empty folder: what is there is whole
"$BPEL" modes glass.data --out m.ref > /dev/null
for kib in 16 64; do
    rm -rf m
    if limited "$kib" "$BPEL" modes glass.data --out m > /dev/null 2> err.txt; then
        fail "modes exited 0 with a $kib KiB file size limit"
    fi
    grep -q "m/.*: write failed" err.txt || { cat err.txt; fail "modes: no message naming the file"; }
    [ -e m/summary.json ] && fail "modes wrote its summary although a table failed"
    same_or_absent m.ref m
done
echo "ok   modes: full disk: exit 1, '$(grep -o 'm/[^:]*: write failed' err.txt)', no partial file"

# --- study: every step reused, its final writes on a full disk
cat > q.yaml <<'EOF'
name: q
potential: CuZr_mm.eam.fs
seed: 11
glass:
  compositions: [Cu50Zr50]
  atoms: 256
  cooling_rates: [1.0e14]
  melt_temperature: 2000
  melt_time: 1
  final_temperature: 1
analyses:
  tg: false
  modes: true
  artn: false
  correlate: false
  trajectory: false
  pmf: false
  gruneisen: false
  temperature_series: false
EOF
"$BPEL" study q.yaml --out s --threads 1 > s.out
cp -r s s.ref
S=s/Cu50Zr50_R1e14
for kib in 4 12; do
    if limited "$kib" "$BPEL" study q.yaml --out s --threads 1 > out.txt 2> err.txt; then
        fail "study exited 0 with a $kib KiB file size limit"
    fi
    grep -q "reused" out.txt || fail "study reran its steps"
    grep -q "s/.*: write failed" err.txt || { cat out.txt err.txt; fail "study: no message naming the file"; }
    same_or_absent s.ref/Cu50Zr50_R1e14 "$S"
    # the report is still written when it fits: then complete, and it names the failed write
    for f in s/*; do
        [ -d "$f" ] && continue
        case "$f" in *.tmp.*) fail "temporary file left: $f" ;; esac
        cmp -s "$f" "s.ref/$(basename "$f")" && continue
        case "$f" in
            s/report.md) grep -q "Steps that failed" "$f" && grep -q "write failed" "$f" || fail "$f: changed but names no failure" ;;
            s/report.html) tail -c 16 "$f" | grep -q "</html>" || fail "$f truncated" ;;
            s/summary.json) python3 -c "import json,sys; assert json.load(open(sys.argv[1]))['failed_steps']" "$f" \
                                || fail "$f: changed but records no failed step" ;;
            *) fail "$f differs from a complete run's (truncated?)" ;;
        esac
    done
done
echo "ok   study: full disk during its final writes: exit 1, '$(grep -o 's/[^:]*: write failed' err.txt | head -1)', outputs as before or a complete report naming the failure"

# --- outputs checked before the work
if "$BPEL" minimize glass.data --out no/such/dir/min.data > out.txt 2> err.txt; then fail "minimize into a missing folder"; fi
grep -q "no/such/dir/min.data" err.txt || fail "minimize: message does not name the output"
grep -q "energy_eV" out.txt && fail "minimize ran the minimisation before finding its output unwritable"
touch afile
if "$BPEL" modes glass.data --out afile/m > out.txt 2> err.txt; then fail "modes into a file's subfolder"; fi
grep -q "afile" err.txt || fail "modes: message does not name the output"
grep -q "boson peak" out.txt && fail "modes computed before finding its output unwritable"
if "$BPEL" artn "${ARGS[@]}" --out afile/x > out.txt 2> err.txt; then fail "artn into a file's subfolder"; fi
grep -q "afile" err.txt || fail "artn: message does not name the output"
if "$BPEL" quench --composition Cu50Zr50 --atoms 256 --rate 1e14 --out no/such/g.data > out.txt 2> err.txt; then
    fail "quench into a missing folder"; fi
grep -q "no/such/g.data" err.txt || fail "quench: message does not name the output"
grep -q "minimisation" out.txt && fail "quench ran before finding its output unwritable"
echo "ok   minimize, modes, artn, quench refuse an unwritable output before the work"

# --- progress without a terminal: plain lines at a steady interval
BPEL_PROGRESS_INTERVAL=0.001 "$BPEL" artn "${ARGS[@]}" --out p > /dev/null 2> prog.txt
grep -Eq '^artn: [0-9]+/4 \([0-9.]+%\), [0-9.e+-]+/s, elapsed [0-9]+ s, ETA [0-9]+ s' prog.txt ||
    { cat prog.txt; fail "no plain progress lines"; }
BPEL_PROGRESS_INTERVAL=1000 "$BPEL" artn "${ARGS[@]}" --out p2 > /dev/null 2> prog2.txt
grep -q '^artn: ' prog2.txt && fail "progress lines more often than the interval"
echo "ok   plain progress lines: $(grep -c '^artn: ' prog.txt) (e.g. '$(grep -m1 '^artn: ' prog.txt)')"
echo "all ok"
