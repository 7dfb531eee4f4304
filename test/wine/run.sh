#!/bin/sh
# test/wine/run.sh: builds every test/core/test-*.c and test/ws2/test-*.c
# with mingw-w64 against mingw's own <windows.h> (and ws2_32) and runs it
# under Wine, as a second opinion on whether the tests encode Windows
# behaviour. Prints PASS/FAIL per file; with -v (or V=1) it also shows each
# file's TAP output.
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
test-window:create_unknown_class_fails
test-window:destroy_window_invalid_handle
test-window:post_thread_message_invalid_thread_id
test-window:posted_message_limit
test-window:msg_wait_reports_new_input_once
test-nls:acp_is_utf8
test-nls:same_buffer_in_and_out
test-nls:mb_to_wc_utf8_flags
test-nls:wc_to_mb_utf8_no_default_char_or_flags
test-addr:address_strings_need_wsastartup
test-addr:inet_ntop_bad_buffer_error_code
test-addr:ipv6_leading_double_colon_quirk
test-addr:address_to_string_bad_arguments
test-addr:wsa_byte_order_through_a_socket
test-addr:wsa_byte_order_needs_a_socket
test-addr:wsa_byte_order_needs_wsastartup
test-wsa-events:wsa_get_overlapped_result_bad_socket
test-wsa-events:events_need_wsastartup
test-wsa-events:events_after_the_last_wsacleanup
test-resolve:resolution_needs_wsastartup
test-resolve:one_entry_per_address
test-resolve:hints_members_must_be_empty
test-resolve:flag_errors
test-resolve:nameinfo_numeric_scope
test-resolve:nameinfo_sets_last_error
test-resolve:nameinfo_bad_arguments
test-resolve:gai_strerror_texts
test-resolve:numeric_service_out_of_range
"

if [ $# -eq 0 ]; then set -- "$root"/test/core/test-*.c "$root"/test/ws2/test-*.c; fi
fail=0
for src in "$@"; do
  name=$(basename "$src" .c)
  exe="$out/$name.exe"
  log="$out/$name.log"
  if ! "$CC" -I "$root/test/harness" -I "$root/test/core" -O1 -Wall \
       -Wno-unused-parameter "$src" -o "$exe" -lws2_32 >"$log" 2>&1; then
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
