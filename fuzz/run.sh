#!/usr/bin/env bash
# run.sh BUILD SECONDS [TARGET...]: runs each libFuzzer target of BUILD (a
# WS2_SANITIZE=fuzz build) for SECONDS, starting from a copy of its seed
# corpus (fuzz/corpus/<name>, never written to), one after the other.
# A crash leaves its input in BUILD/fuzz-crashes/<name>/: copy it into
# fuzz/regressions/<name>/ and it becomes a test of every build (fuzz/<name>).
# Prints the executions of each target; exits non-zero if any crashed.
set -uo pipefail
build=$1 seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$here"/fuzz-*.c; do
    n=$(basename "$f" .c)
    targets+=("${n#fuzz-}")
  done
fi
export WS2_CATALOG="$build/fuzz-no-catalog/catalog"
failed=0
for t in "${targets[@]}"; do
  bin="$build/fuzz/fuzz-$t"
  work="$build/fuzz-corpus/$t"
  crashes="$build/fuzz-crashes/$t"
  mkdir -p "$work" "$crashes"
  [ -d "$here/corpus/$t" ] && cp -n "$here/corpus/$t"/* "$work"/ 2>/dev/null
  [ -d "$here/regressions/$t" ] && cp -n "$here/regressions/$t"/* "$work"/ 2>/dev/null
  log="$build/fuzz-$t.log"
  echo "==> fuzz-$t for ${seconds}s"
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$crashes/" "$work" >"$log" 2>&1
  status=$?
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  if [ $status -ne 0 ]; then
    failed=1
    echo "    CRASHED (exit $status): see $log; inputs in $crashes/"
    tail -30 "$log"
  else
    echo "    ok: ${execs:-?} executions, ${cov:-cov: ?}"
  fi
done
exit $failed
