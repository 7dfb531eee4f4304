#!/bin/bash
# test-catalog-kill.sh WS2CTL [ITERATIONS]: crash safety of the catalog
# (issue 7). Many times over: ws2ctl install, remove or order is started on
# a catalog and killed with SIGKILL after a random delay (0 to 2.5 ms, so
# that kills land before, during and after the write; the writer's own
# steps are killed one by one in test/unit/test-catalog.c); then the catalog
# must load (`ws2ctl catalog` exits 0: not damaged) and be exactly the old
# file or exactly the new one (what the same command writes when it is not
# killed). Also run while another writer changes the catalog. Needs no
# network. TAP output; exit 0 when every iteration passes.
set -u

W=$1
iters=${2:-${WS2_KILL_ITERATIONS:-150}}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ws2-test-catalog-kill.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
export WS2_CATALOG=$tmp/catalog
unset WS2_LOG_LEVEL

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

# The catalog a command leaves when it runs to the end, on a copy of $1.
expected() { # old-file command...
  local old=$1
  shift
  cp "$old" "$tmp/expect"
  WS2_CATALOG=$tmp/expect "$W" "$@" >/dev/null 2>&1
  cat "$tmp/expect"
}

guid() { printf '{%08x-0000-4000-8000-%012x}' "$1" "$RANDOM"; }

"$W" reset >/dev/null 2>&1
"$W" install --name base-layer --guid "$(guid 1)" --path /nonexistent/base.so --over 1001,1002 \
  >/dev/null 2>&1 || { echo "Bail out! cannot install"; exit 1; }

# A descriptor that never has data: `read -t` on it sleeps in-process.
exec {never}<> <(:)
kills=0 intact=0 old_kept=0 new_written=0
for i in $(seq 1 "$iters"); do
  cp "$WS2_CATALOG" "$tmp/old"
  case $((i % 3)) in
    0) cmd=(install --name "layer$i" --guid "$(guid $((i + 100)))" --path "/nonexistent/l$i.so" --over 1001) ;;
    1) # remove the most recent test layer, if any; else install one
       last=$("$W" catalog --json 2>/dev/null | grep -o '"layer[0-9]*"' | tail -1 | tr -d '"')
       if [ -n "$last" ]; then cmd=(remove "$last")
       else cmd=(install --name "layer$i" --guid "$(guid $((i + 100)))" --path /nonexistent/x.so --over 1002); fi ;;
    2) # order: the current ids, reversed
       ids=$("$W" catalog --json 2>/dev/null | grep -o '"id": *[0-9]*' | grep -o '[0-9]*$' | tac | tr '\n' ' ')
       # shellcheck disable=SC2206
       cmd=(order $ids) ;;
  esac
  new=$(expected "$tmp/old" "${cmd[@]}")
  "$W" "${cmd[@]}" >/dev/null 2>&1 &
  pid=$!
  # 0 to 2.5 ms, without starting a process (a command takes ~2 ms)
  read -r -t "$(printf '0.%06d' $((RANDOM % 2500)))" -u "$never" _ || :
  kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
  wait "$pid" 2>/dev/null
  if ! "$W" catalog >/dev/null 2>"$tmp/err"; then
    not_ok "iteration $i (${cmd[0]}): the catalog does not load: $(head -1 "$tmp/err")"
    continue
  fi
  intact=$((intact + 1))
  if cmp -s "$WS2_CATALOG" "$tmp/old"; then
    old_kept=$((old_kept + 1))
  elif [ "$(cat "$WS2_CATALOG")" = "$new" ]; then
    new_written=$((new_written + 1))
  else
    not_ok "iteration $i (${cmd[0]}): the catalog is neither the old nor the new one"
    diff "$tmp/old" "$WS2_CATALOG" | head -20 | sed 's/^/#   /'
    continue
  fi
  # No temporary file is left to confuse a later writer.
  rm -f "$WS2_CATALOG".tmp*
done
[ "$intact" -eq "$iters" ] && ok "$iters kill -9 iterations: the catalog always loads"
echo "# $kills processes killed; the old catalog kept $old_kept times, the new one written $new_written times"
[ "$kills" -gt 0 ] && ok "some writers were killed" || not_ok "no writer was killed (too fast?)"

# Two writers at once, one killed: the survivor's change is not lost.
cp "$WS2_CATALOG" "$tmp/old"
"$W" install --name survivor --guid "$(guid 7)" --path /nonexistent/s.so --over 1001 >/dev/null 2>&1 &
s=$!
"$W" install --name victim --guid "$(guid 8)" --path /nonexistent/v.so --over 1002 >/dev/null 2>&1 &
v=$!
read -r -t 0.001 -u "$never" _ || :
kill -9 "$v" 2>/dev/null
wait "$s"; st=$?
wait "$v" 2>/dev/null
if [ "$st" -eq 0 ] && "$W" catalog 2>/dev/null | grep -q survivor; then
  ok "a writer killed beside another: the other's change is there"
else
  not_ok "a writer killed beside another: the other's change is lost (exit $st)"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
