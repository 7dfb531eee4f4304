#!/bin/sh
# test/wine/run.sh: builds every test/core/test-*.c with mingw-w64 against
# mingw's own <windows.h> and runs it under Wine, as a second opinion on
# whether the tests encode Windows behaviour. Prints PASS/FAIL per file;
# with -v (or V=1) it also shows each file's TAP output.
#
#   test/wine/run.sh [-v] [test/core/test-foo.c ...]
#
# Needs x86_64-w64-mingw32-gcc and wine (apt-get install gcc-mingw-w64-x86-64
# wine64). Uses a throwaway WINEPREFIX (WS2_WINEPREFIX, default
# /tmp/ws2-wineprefix); the first start of Wine there takes a while.
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

export WINEPREFIX=${WS2_WINEPREFIX:-/tmp/ws2-wineprefix}
export WINEDEBUG=-all
out=${WS2_WINE_OUT:-/tmp/ws2-wine-tests}
mkdir -p "$out"

if [ ! -d "$WINEPREFIX" ]; then
  echo "run.sh: creating $WINEPREFIX (first start of Wine may take a while)"
  "$WINE" cmd /c exit >/dev/null 2>&1
fi

# Cases where Wine 8.0 (Debian 12) is known to differ from Windows; each is
# explained in a comment at the case. They are reported, not counted as
# failures.
KNOWN_WINE_DIFFS="
test-waits:wait_same_handle_twice
test-waits:wait_all_same_object_via_duplicate
test-iocp:get_ex_zero_count
test-iocp:get_ex_alertable_apc_before_packet
test-iocp:waiters_released_lifo
test-iocp:close_port_abandons_waiters
test-iocp:concurrency_limit_holds_while_running
test-iocp:concurrency_zero_means_processor_count
test-iocp:concurrency_thread_exit_releases_next_waiter
"

if [ $# -eq 0 ]; then set -- "$root"/test/core/test-*.c; fi
fail=0
for src in "$@"; do
  name=$(basename "$src" .c)
  exe="$out/$name.exe"
  log="$out/$name.log"
  if ! "$CC" -I "$root/test/harness" -I "$root/test/core" -O1 -Wall \
       -Wno-unused-parameter "$src" -o "$exe" >"$log" 2>&1; then
    echo "BUILD-FAIL $name"; cat "$log"; fail=1; continue
  fi
  "$WINE" "$exe" >"$log" 2>&1
  rc=$?
  failed=$(sed -n 's/^not ok [0-9]* - \([A-Za-z0-9_]*\).*/\1/p' "$log")
  unexpected=""
  known=""
  for c in $failed; do
    case "$KNOWN_WINE_DIFFS" in
      *"
$name:$c
"*) known="$known $c" ;;
      *) unexpected="$unexpected $c" ;;
    esac
  done
  if [ $rc -eq 77 ]; then
    echo "SKIP $name"
  elif [ $rc -eq 0 ] || { [ $rc -eq 1 ] && [ -z "$unexpected" ] && [ -n "$known" ]; }; then
    if [ -n "$known" ]; then
      echo "PASS $name (known Wine differences:$known)"
    else
      echo "PASS $name"
    fi
  else
    echo "FAIL $name (exit $rc)"; fail=1
    grep -E '^(not ok|#)' "$log" | sed 's/^/    /'
  fi
  if [ "$verbose" = 1 ]; then sed 's/^/    | /' "$log"; fi
done
"${WINESERVER:-wineserver}" -k >/dev/null 2>&1 || true
exit $fail
