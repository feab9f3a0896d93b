#!/usr/bin/env bash
# Runs every libFuzzer target of a BPEL_FUZZ build for SECONDS each, one
# after the other, starting from fuzz/corpus/NAME and fuzz/regressions/NAME.
# New inputs go to BUILD/corpus/NAME, crashes to BUILD/artifacts/NAME/; the
# exec counts land in BUILD/fuzz-summary.txt. Exit 1 if any target fails.
# usage: fuzz/run.sh BUILD SECONDS [TARGET...]
set -u
B=${1:?build dir} ; T=${2:?seconds} ; shift 2
F=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$F"/fuzz_*.c; do n=$(basename "$f" .c); targets+=("${n#fuzz_}"); done
fi
summary=$B/fuzz-summary.txt
: > "$summary"
fails=0
for n in "${targets[@]}"; do
  exe=$B/fuzz/fuzz_$n
  [ -x "$exe" ] || { echo "fuzz: $exe not built" | tee -a "$summary"; fails=$((fails+1)); continue; }
  mkdir -p "$B/corpus/$n" "$B/artifacts/$n"
  seeds=("$F/corpus/$n")
  [ -d "$F/regressions/$n" ] && seeds+=("$F/regressions/$n")
  dict=()
  [ -f "$F/dict/$n.dict" ] && dict=(-dict="$F/dict/$n.dict")
  log=$B/fuzz-$n.log
  echo "fuzz: $n for $T s (log $log)"
  "$exe" -max_total_time="$T" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    "${dict[@]}" -artifact_prefix="$B/artifacts/$n/" "$B/corpus/$n" "${seeds[@]}" > "$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  if [ $rc -ne 0 ]; then
    fails=$((fails+1))
    echo "$n: FAILED (exit $rc) after ${execs:-?} execs, ${cov:-?}; see $log and $B/artifacts/$n/" | tee -a "$summary"
    grep -m3 -E 'ERROR|runtime error|accepted input' "$log"
  else
    echo "$n: ${execs:-?} execs in $T s, ${cov:-?}, no findings" | tee -a "$summary"
  fi
done
[ $fails -eq 0 ]
