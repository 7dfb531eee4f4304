#!/bin/sh
# test/wine/run.sh: a second opinion from Wine. Builds the behaviour tests
# that use only the Windows API (test/core, test/ws2 and test/io: every
# test-*.c) with mingw-w64 against mingw's own <windows.h> and ws2_32, runs
# each under Wine, and prints a table: per file, the cases that passed,
# failed and skipped under Wine. `make conformance-wine` runs it;
# docs/WINE.md has the last run's figures and, for every case that fails
# under Wine, which of ws2 and Wine follows Microsoft's documentation.
#
#   test/wine/run.sh [-v] [test/io/test-foo.c ...]
#
# Which files: every file that builds with mingw-w64. A file that must not
# (it needs Linux calls or ws2's own extensions: posix_spawn, fork, /proc,
# mallinfo, <ws2ext/...>) or must not run under Wine (it tests ws2's
# catalog, say) carries the comment
#     /* ws2-wine: skip (the reason) */
# and is listed as not portable with that reason. A file that is portable
# except for a few cases or lines guards those with #ifndef _WIN32. A file
# without the comment that does not build is reported ("did not build")
# and makes the run fail: the tests lost their portability. Headers:
# mingw-w64 10 (Debian 12) lacks some SDK declarations;
# test/wine/mingw-sdk.h supplies them (-include), with the SDK's names and
# values.
#
# Expectations: test/wine/expected.txt lists the cases known to fail under
# Wine ("test-file:case  reason"), each a difference between Wine and ws2
# whose verdict is in docs/WINE.md. A failure not listed is reported as
# "new difference" and a listed case that passes as "listed but passed";
# neither fails the run (Wine differing from ws2 is what this measures).
# Exit status: 0 when the run completed; 1 when a file without the skip
# comment did not build; 2 when a tool is missing or Wine cannot start.
# STRICT=1 also exits 1 on a new difference.
#
# A case that crashes or hangs Wine does not hide the rest of its file: the
# file runs again with the cases not yet reported (a hang costs the
# harness's watchdog, 60 s, or the timeout, WS2_WINE_TIMEOUT, default
# 120 s, at worst).
#
# Needs x86_64-w64-mingw32-gcc and wine (apt-get install gcc-mingw-w64-x86-64
# wine wine64). Uses one WINEPREFIX (WS2_WINEPREFIX, default
# /tmp/ws2-wineprefix), made with `wineboot -i` the first time (slow,
# once). Build products and logs go to WS2_WINE_OUT (default
# /tmp/ws2-wine-tests); the table is also left in its summary.txt. -v (or
# V=1) also shows each file's TAP output.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
verbose=${V:-0}
if [ "${1:-}" = "-v" ]; then verbose=1; shift; fi

CC=${MINGW_CC:-x86_64-w64-mingw32-gcc}
WINE=${WINE:-}
if [ -z "$WINE" ]; then
  for w in wine64 wine; do
    if command -v "$w" >/dev/null 2>&1; then WINE=$w; break; fi
  done
fi
command -v "$CC" >/dev/null 2>&1 || { echo "run.sh: $CC not found" >&2; exit 2; }
[ -n "$WINE" ] || { echo "run.sh: wine not found" >&2; exit 2; }
TIMEOUT=
if command -v timeout >/dev/null 2>&1; then
  TIMEOUT="timeout -k 10 ${WS2_WINE_TIMEOUT:-120}"
fi

export WINEPREFIX=${WS2_WINEPREFIX:-/tmp/ws2-wineprefix}
export WINEDEBUG=-all
out=${WS2_WINE_OUT:-/tmp/ws2-wine-tests}
expected=${WS2_WINE_EXPECTED:-$here/expected.txt}
mkdir -p "$out"
out=$(cd "$out" && pwd)

WINESERVER=${WINESERVER:-wineserver}
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "run.sh: creating $WINEPREFIX (wineboot -i: the first start of Wine takes a while)"
  mkdir -p "$WINEPREFIX"
  # No Mono or Gecko: the tests need neither, and their installers ask.
  WINEDLLOVERRIDES="mscoree,mshtml=" timeout -k 10 600 \
    "$WINE" wineboot -i >"$out/wineboot.log" 2>&1 </dev/null
  "$WINESERVER" -w >/dev/null 2>&1 || true
  if [ ! -f "$WINEPREFIX/system.reg" ]; then
    echo "run.sh: wineboot could not make $WINEPREFIX ($out/wineboot.log)" >&2
    exit 2
  fi
fi
# One wineserver and one set of Wine's services for the whole run (each
# program would start its own), stopped when the run ends, however it ends.
"$WINESERVER" -p >/dev/null 2>&1 || true
$TIMEOUT "$WINE" cmd /c exit >/dev/null 2>&1 </dev/null || true
trap '"$WINESERVER" -k >/dev/null 2>&1 || true' EXIT
trap 'exit 2' INT TERM HUP

# The expectations: "test-file:case" per line (comments and reasons cut).
known=$(sed -e 's/#.*//' "$expected" 2>/dev/null | awk 'NF { print $1 }')
is_known() {
  printf '%s\n' "$known" | grep -qx -- "$1"
}

if [ $# -eq 0 ]; then
  set -- "$root"/test/core/test-*.c "$root"/test/ws2/test-*.c \
         "$root"/test/io/test-*.c
fi

status=0
new=0
table="$out/summary.txt"
: >"$table"
notes="$out/notes.txt"
: >"$notes"
tot_files=0 tot_cases=0 tot_pass=0 tot_fail=0 tot_skip=0 tot_known=0

# run_cases exe log [case...]: runs the cases (all when none) once, in the
# output directory (for the files tests make), and appends the TAP to log
# (without Wine's carriage returns). Wine's output goes to a file, never a
# pipe: the services Wine starts keep it open and a reader would wait for
# them.
run_cases() {
  exe=$1 log=$2; shift 2
  (cd "$out" && $TIMEOUT "$WINE" "$exe" "$@" >"$out/run.tmp" 2>&1 </dev/null)
  tr -d '\r' <"$out/run.tmp" >>"$log"
}

for src in "$@"; do
  name=$(basename "$src" .c)
  exe="$out/$name.exe"
  log="$out/$name.log"
  res="$out/$name.results"
  : >"$res"
  skip=$(sed -n 's/.*ws2-wine: skip (\(.*\)).*/\1/p' "$src" | head -n 1)
  if [ -n "$skip" ]; then
    echo "not portable: $name ($skip)" >>"$notes"
    continue
  fi
  if ! "$CC" -include "$here/mingw-sdk.h" -fms-extensions \
       -I "$root/test/harness" -I "$root/test/core" -O1 -Wall \
       -Wno-unused-parameter "$src" -o "$exe" -lws2_32 -lmswsock \
       >"$log" 2>&1; then
    echo "did not build (no ws2-wine: skip comment): $name" >>"$notes"
    grep -m 3 'error' "$log" | sed "s|$root/||; s/^/    /" >>"$notes"
    status=1
    continue
  fi
  : >"$log"
  run_cases "$exe" "$log"
  # A run that ends without its plan line crashed or hung: the first case
  # not reported is the culprit; run the others again.
  while ! grep -q '^1\.\.[0-9]' "$log"; do
    $TIMEOUT "$WINE" "$exe" --list >"$out/run.tmp" 2>/dev/null </dev/null
    list=$(tr -d '\r' <"$out/run.tmp")
    rest=
    culprit=
    for c in $list; do
      if grep -Eq "^(not )?ok [0-9]+ - $c( |\$)" "$log"; then continue; fi
      if [ -z "$culprit" ]; then culprit=$c; else rest="$rest $c"; fi
    done
    [ -n "$culprit" ] || break
    echo "not ok 0 - $culprit # crashed or hung Wine" >>"$log"
    [ -n "$rest" ] || break
    # shellcheck disable=SC2086 # the case names are words
    run_cases "$exe" "$log" $rest
  done
  awk '
    /^not ok [0-9]+ - / { print $5, "fail"; next }
    /^ok [0-9]+ - .*# SKIP/ { print $4, "skip"; next }
    /^ok [0-9]+ - / { print $4, "pass" }' "$log" >"$res"
  np=$(grep -c ' pass$' "$res")
  nf=$(grep -c ' fail$' "$res")
  ns=$(grep -c ' skip$' "$res")
  nk=0
  for c in $(awk '$2 == "fail" { print $1 }' "$res"); do
    if is_known "$name:$c"; then
      nk=$((nk + 1))
    else
      echo "new difference (not in $(basename "$expected")): $name:$c" >>"$notes"
      # What the case printed: the "#" lines before its "not ok".
      awk -v c="$c" '
        /^#/ { d = d "    " $0 "\n"; next }
        /^(not )?ok [0-9]+ - / {
          if ($1 == "not" && $5 == c) printf "%s", d
          d = "" }' "$log" >>"$notes"
      new=$((new + 1))
    fi
  done
  for k in $(printf '%s\n' "$known" | sed -n "s/^$name://p"); do
    if grep -qx "$k pass" "$res"; then
      echo "listed but passed: $name:$k" >>"$notes"
    elif ! grep -q "^$k " "$res"; then
      echo "listed but not run: $name:$k" >>"$notes"
    fi
  done
  printf '%-22s %5d %5d %5d %5d %5d\n' "$name" $((np + nf + ns)) "$np" "$nf" \
    "$nk" "$ns" >>"$table"
  tot_files=$((tot_files + 1))
  tot_cases=$((tot_cases + np + nf + ns))
  tot_pass=$((tot_pass + np)) tot_fail=$((tot_fail + nf))
  tot_skip=$((tot_skip + ns)) tot_known=$((tot_known + nk))
  if [ "$verbose" = 1 ]; then sed 's/^/    | /' "$log"; fi
  printf '%-22s %d passed, %d failed (%d listed), %d skipped\n' "$name" \
    "$np" "$nf" "$nk" "$ns"
done

echo
echo "Under Wine ($("$WINE" --version 2>/dev/null)):"
printf '%-22s %5s %5s %5s %5s %5s\n' file cases pass fail known skip
cat "$table"
printf '%-22s %5d %5d %5d %5d %5d\n' "total ($tot_files files)" "$tot_cases" \
  "$tot_pass" "$tot_fail" "$tot_known" "$tot_skip"
echo "(fail: failed under Wine; known: of those, listed in $(basename "$expected"))"
if [ -s "$notes" ]; then echo; cat "$notes"; fi
if [ $new -ne 0 ]; then
  echo
  echo "run.sh: $new failure(s) not in $expected: judge each against"
  echo "Microsoft's documentation and add it there and to docs/WINE.md."
  if [ "${STRICT:-0}" = 1 ]; then status=1; fi
fi
exit $status
