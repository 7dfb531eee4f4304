#!/bin/sh
# symbols.sh [libws2.so [include-dir]]: check what libws2 exports.
#
# ws2 builds with -fvisibility=hidden; only declarations marked WS2_API
# (WINBASEAPI, WINSOCK_API_LINKAGE, ...) are exported. This fails if any
# exported symbol is not one of
#   - a Windows API name: first letter uppercase (CreateEventA, WSASend,
#     WSCEnumProtocols, WPUQueryBlockingCallback, WSPStartup, ...),
#   - WS_<name>, the exported spelling of a Winsock function whose name the
#     C library also has (WS_bind, WS_select, ...),
#   - ws2_<name>, an extension (never ws2__<name>, which is internal),
#   - a Windows name on the ALLOWED list below (lowercase or _-prefixed),
#   - a version node of src/ws2.map (type A),
# and warns about exported names that no public header mentions.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
lib=${1:-build/libws2.so}
inc=${2:-$here/../../include/ws2}
# Windows API names that do not start with an uppercase letter.
ALLOWED="__WSAFDIsSet closesocket ioctlsocket gai_strerrorA gai_strerrorW lstrlenA lstrlenW"

if [ ! -f "$lib" ]; then
  echo "symbols.sh: $lib not found (build first)" >&2
  exit 1
fi
command -v nm >/dev/null 2>&1 || { echo "symbols.sh: needs nm (binutils)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ws2-symbols.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# "<type> <name>", the name without its @VERSION / @@VERSION suffix.
nm -D --defined-only "$lib" |
  awk 'NF >= 2 { name = $NF; sub(/@.*/, "", name); print $(NF-1), name }' |
  sort -u -k2 >"$tmp/syms"

bad=0
total=0
while read -r type name; do
  if [ "$type" = A ]; then continue; fi  # version node
  total=$((total + 1))
  ok=
  case "$name" in
    ws2__* | WS2_* | _*) ;;
    [A-Z]*) ok=1 ;;
    ws2_[a-z0-9]*) ok=1 ;;
  esac
  for a in $ALLOWED; do
    if [ "$name" = "$a" ]; then ok=1; fi
  done
  if [ -z "$ok" ]; then
    echo "symbols.sh: $lib exports '$name' ($type): not a Windows API, WS_* or ws2_* name" >&2
    bad=$((bad + 1))
  fi
done <"$tmp/syms"

# Declared somewhere in the public headers? (WS_x may be WS2_BSDNAME(x).)
if [ -d "$inc" ]; then
  find "$inc" -type f -name '*.h' -exec cat {} + |
    tr -c 'A-Za-z0-9_' '\n' | grep -v '^$' | sort -u >"$tmp/words"
  while read -r type name; do
    if [ "$type" = A ] || grep -qx -- "$name" "$tmp/words"; then continue; fi
    case "$name" in
      WS_*) if grep -qx -- "${name#WS_}" "$tmp/words"; then continue; fi ;;
    esac
    echo "symbols.sh: warning: '$name' is exported but no header in $inc names it" >&2
  done <"$tmp/syms"
fi

if [ "$bad" -ne 0 ]; then
  echo "symbols.sh: $bad of $total exported symbols are not allowed" >&2
  echo "symbols.sh: internal functions must not be WS2_API; see test/install/symbols.sh" >&2
  exit 1
fi
echo "symbols.sh: $total exported symbols of $(basename "$lib"), all Windows API, WS_* or ws2_* names"
