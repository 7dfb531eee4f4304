#!/bin/sh
# test-ws2ctl.sh WS2CTL PROVIDER NOSTARTUP: ws2ctl(1) as its users run it,
# against catalogs in a temporary directory ($WS2_CATALOG and --catalog;
# never /etc/ws2/catalog): the catalog as text and JSON, install over
# chosen entries (chains with names and ids) and at a position, order,
# remove (and the mending of chains stacked on a removed layer), reset
# with its backup, exclude/include, check (a missing .so, a .so without
# WSPStartup, a WSPStartup that fails, crashes, hangs, calls an upcall
# check does not provide, returns an incomplete table, and one that
# works), a damaged catalog, I/O errors, and the exit statuses and
# "ws2ctl: " prefix of every error. PROVIDER and NOSTARTUP are built from
# provider.c. Needs no network. TAP output; exit 0 when every check passes.
set -u

W=$1
P=$2
N=$3
R=$4 # a real layer, which links libws2 (plugins/nonifs-reference)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ws2-test-ws2ctl.XXXXXX") || exit 1
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
WS2_CATALOG=$tmp/catalog
export WS2_CATALOG
unset WS2CTL_TEST_PROVIDER WS2_LOG_LEVEL

n=0
failed=0
ok() {
  n=$((n + 1))
  echo "ok $n - $1"
}
not_ok() {
  n=$((n + 1))
  failed=$((failed + 1))
  echo "not ok $n - $1"
  [ -s "$tmp/out" ] && sed 's/^/#   out: /' "$tmp/out" | head -n 60
  [ -s "$tmp/err" ] && sed 's/^/#   err: /' "$tmp/err" | head -n 20
  return 0
}

# run STATUS DESCRIPTION ARGS...: runs ws2ctl (stdout in $tmp/out, stderr
# in $tmp/err) and checks its exit status; a failing run must prefix every
# line of its stderr with "ws2ctl: ".
run() {
  want=$1
  desc=$2
  shift 2
  "$W" "$@" >"$tmp/out" 2>"$tmp/err"
  got=$?
  if [ "$got" -ne "$want" ]; then
    not_ok "$desc: exit status $got, expected $want"
  elif [ "$want" -ne 0 ] && [ ! -s "$tmp/err" ]; then
    not_ok "$desc: exit status $got but nothing on stderr"
  elif grep -v '^ws2ctl: ' "$tmp/err" >"$tmp/bad"; then
    not_ok "$desc: stderr lines without the 'ws2ctl: ' prefix: $(head -n1 "$tmp/bad")"
  else
    ok "$desc (exit $got)"
  fi
}

# has FILE TEXT DESCRIPTION / hasnt ...: a fixed string in $tmp/FILE.
has() {
  if grep -qF -- "$2" "$tmp/$1"; then ok "$3"; else not_ok "$3: no '$2' in $1"; fi
}
hasnt() {
  if grep -qF -- "$2" "$tmp/$1"; then not_ok "$3: '$2' in $1"; else ok "$3"; fi
}

# json DESCRIPTION PYTHON-EXPRESSION: the JSON in $tmp/out is valid
# (python3 -m json.tool) and the expression, on it as `c`, is true.
have_python=0
command -v python3 >/dev/null 2>&1 && have_python=1
json() {
  if [ "$have_python" -eq 0 ]; then
    n=$((n + 1))
    echo "ok $n - $1 # SKIP no python3"
    return 0
  fi
  if ! python3 -m json.tool "$tmp/out" >/dev/null 2>"$tmp/jsonerr"; then
    not_ok "$1: not valid JSON: $(head -n1 "$tmp/jsonerr")"
    return 0
  fi
  if python3 -c "
import json, sys
c = json.load(open(sys.argv[1]))
ids = [e['catalog_id'] for e in c['entries']]
byid = {e['catalog_id']: e for e in c['entries']}
sys.exit(0 if ($2) else 1)" "$tmp/out" 2>"$tmp/jsonerr"; then
    ok "$1"
  else
    not_ok "$1: false: $2 $(head -n1 "$tmp/jsonerr")"
  fi
}

G1='{11111111-2222-3333-4444-555555555555}'
G2='{22222222-2222-3333-4444-555555555555}'
G3='{33333333-2222-3333-4444-555555555555}'

echo "# ws2ctl: $W"

# ---- usage and help ----
run 0 "help" help
has out "usage: ws2ctl" "help prints the usage"
run 1 "no command" 
run 1 "unknown command" frobnicate
run 1 "catalog with an unknown option" catalog --yaml
run 1 "--catalog without a FILE" catalog --catalog

# ---- catalog, no file: the built-in default ----
run 0 "catalog of the built-in default" catalog
has out "(no file: the built-in default)" "says there is no file"
has out "Description:                     MSAFD Tcpip [TCP/IP]" "the TCP/IP entry's description"
has out "Catalog Entry ID:                1001" "its catalog id"
has out "Provider Path:                   builtin:ws2-base" "its provider path"
has out "Address Family:                  23 (AF_INET6)" "an address family spelled out"
has out "Max Address Length:              28" "max address length"
has out "Min Address Length:              16" "min address length"
has out "Socket Type:                     2 (SOCK_DGRAM)" "a socket type spelled out"
has out "Protocol:                        6 (IPPROTO_TCP)" "a protocol spelled out"
has out "Service Flags:                   0x00020066 IFS (XP1_IFS_HANDLES)" "service flags in hex, IFS spelled out"
has out "Provider Flags:                  0x00000008 PFL_MATCHES_PROTOCOL_ZERO" "provider flags"
has out "Protocol Chain:                  1001 MSAFD Tcpip [TCP/IP] [base, builtin:ws2-base]" "a base entry's chain: itself"
run 0 "catalog --json of the built-in default" catalog --json
json "the default: valid JSON, ids 1001-1007, all IFS" \
  "c['origin'] == 'default' and ids == list(range(1001, 1008)) and all(e['ifs'] and e['type'] == 'base' for e in c['entries'])"
json "JSON fields of 1001" \
  "byid[1001]['description'] == 'MSAFD Tcpip [TCP/IP]' and byid[1001]['service_flags'] == '0x00020066' and 'XP1_IFS_HANDLES' in byid[1001]['service_flags_names'] and byid[1001]['max_address_length'] == 16 and byid[1001]['protocol_name'] == 'IPPROTO_TCP' and byid[1001]['chain'][0]['catalog_id'] == 1001"
[ -e "$WS2_CATALOG" ] && not_ok "reading made a catalog file" || ok "reading writes nothing"
run 0 "catalog --brief of the built-in default" catalog --brief
has out " POS  ID    KIND   HANDLES  DESCRIPTION" "--brief: the header"
has out "   1  1001  base   IFS      MSAFD Tcpip [TCP/IP]" "--brief: one line for 1001"
[ "$(grep -c '  base   IFS  ' "$tmp/out")" -eq 7 ] && ok "--brief: 7 base lines" || not_ok "--brief: 7 base lines"
run 1 "catalog --json --brief" catalog --json --brief

# ---- install ----
run 0 "install a non-IFS layer over 1001 and 1004" \
  install --name mylsp --path "$P" --guid "$G1" --over 1001,1004
has out "layered entry 1008 (hidden)" "the dummy entry's id"
has out 'chain 1009 "mylsp over [MSAFD Tcpip [TCP/IP]]" at position 1' "the chain over 1001, at the top"
has out 'chain 1010 "mylsp over [MSAFD Tcpip [TCP/IPv6]]" at position 2' "the chain over 1004"
run 0 "catalog after install" catalog
has out "Entry Type:                      Layered Chain Entry" "a chain entry"
has out "Entry Type:                      Layered Provider (hidden entry)" "the layer's hidden entry"
has out "Service Flags:                   0x00000066 non-IFS (no XP1_IFS_HANDLES)" "the chain's non-IFS flags spelled out"
has out "Protocol Chain:                  1008 mylsp [layer, $P]" "the chain names the layer with its id and path"
has out "                                 1001 MSAFD Tcpip [TCP/IP] [base, builtin:ws2-base]" "then the base entry"
run 0 "catalog --brief after install" catalog --brief
grep -Eq '^ +1  1009  chain  non-IFS  mylsp over \[MSAFD Tcpip \[TCP/IP\]\] +1008 > 1001$' "$tmp/out" &&
  ok "--brief: the chain, non-IFS, its ids top first" ||
  not_ok "--brief: the chain, non-IFS, its ids top first"
has out "  1008  layer  non-IFS  mylsp" "--brief: the layer's hidden entry"
run 0 "catalog --json after install" catalog --json
json "chains at the top with their chain ids and names" \
  "ids[:2] == [1009, 1010] and ids[-1] == 1008 and [l['catalog_id'] for l in byid[1009]['chain']] == [1008, 1001] and [l['name'] for l in byid[1009]['chain']] == ['mylsp', 'MSAFD Tcpip [TCP/IP]'] and byid[1009]['provider_id'] == '$G1'"
json "the dummy: hidden, ChainLen 0, non-IFS; the chains non-IFS" \
  "byid[1008]['type'] == 'layer' and byid[1008]['chain_length'] == 0 and 'PFL_HIDDEN' in byid[1008]['provider_flags_names'] and not byid[1008]['ifs'] and not byid[1009]['ifs'] and byid[1009]['provider_path'] == '$P'"

run 1 "install: the GUID again" install --name other --path "$P" --guid "$G1"
has err "already installed" "says the provider is installed"
run 1 "install: the name again" install --name mylsp --path "$P" --guid "$G2"
run 2 "install: over an unknown id" install --name l2 --path "$P" --guid "$G2" --over 4242
has err "no entry with catalog id 4242" "names the unknown id"
run 1 "install: over a layer's hidden entry" install --name l2 --path "$P" --guid "$G2" --over 1008
run 1 "install: a GUID that is not one" install --name l2 --path "$P" --guid '{nope}'
run 1 "install: no --name" install --path "$P" --guid "$G2"
run 1 "install: --over and --over-all" install --name l2 --path "$P" --guid "$G2" --over 1001 --over-all
run 1 "install: --position 0" install --name l2 --path "$P" --guid "$G2" --position 0
run 1 "install: a position past the end" install --name l2 --path "$P" --guid "$G2" --position 99
run 1 "install: --over 1001,,1002" install --name l2 --path "$P" --guid "$G2" --over 1001,,1002

run 0 "install an IFS layer over every base protocol, at the bottom" \
  install --name ifslsp --path "$tmp/ifs.so" --guid "$G2" --over-all --ifs --position bottom
has err "does not exist" "warns that the .so does not exist"
run 0 "catalog --json" catalog --json
json "IFS chains over the seven base entries, after them; IFS dummy" \
  "[byid[i]['chain'][1]['catalog_id'] for i in ids if byid[i]['provider_id'] == '$G2' and byid[i]['type'] == 'chain'] == list(range(1001, 1008)) and ids.index(1007) < min(ids.index(i) for i in ids if byid[i]['provider_id'] == '$G2' and byid[i]['type'] == 'chain') and all(byid[i]['ifs'] for i in ids if byid[i]['provider_id'] == '$G2')"
run 0 "install a layer over the chain 1009, at position 2" \
  install --name top --path "$P" --guid "$G3" --over 1009 --position 2
run 0 "catalog --json" catalog --json
json "the new chain at position 2: [its dummy, 1008, 1001], named over the chain" \
  "byid[ids[1]]['chain_length'] == 3 and [l['catalog_id'] for l in byid[ids[1]]['chain']][1:] == [1008, 1001] and byid[ids[1]]['description'] == 'top over [mylsp over [MSAFD Tcpip [TCP/IP]]]'"
cp "$WS2_CATALOG" "$tmp/before-order"

# ---- order ----
ids=$("$W" catalog --json | python3 -c 'import json,sys; print(" ".join(str(e["catalog_id"]) for e in reversed(json.load(sys.stdin)["entries"])))' 2>/dev/null)
if [ -n "$ids" ]; then
  # shellcheck disable=SC2086
  run 0 "order: every id, reversed" order $ids
  run 0 "catalog --json" catalog --json
  json "the catalog is in the order given" "' '.join(map(str, ids)) == '$ids'"
else
  n=$((n + 1))
  echo "ok $n - order reversed # SKIP no python3"
fi
cp "$WS2_CATALOG" "$tmp/before-failed-order"
run 1 "order: not every id" order 1001 1002
has err "missing:" "lists the ids missing"
run 2 "order: an unknown id" order 1001 9999
run 1 "order: an id twice" order 1001 1001
run 1 "order: not an id" order 1001 x
if cmp -s "$tmp/before-failed-order" "$WS2_CATALOG"; then
  ok "a refused order changes nothing"
else
  not_ok "a refused order changes nothing"
fi

# ---- exclude / include ----
run 0 "exclude a program" exclude /usr/bin/server
run 0 "exclude it with arguments too" exclude /usr/bin/server --args "--instance a"
run 0 "catalog" catalog
has out "/usr/bin/server: permitted LSP categories 0x00000000: excluded" "the rule is shown"
run 0 "catalog --json" catalog --json
json "the rules: permitted 0, excluded" \
  "sorted((a['path'], a['arguments'], a['permitted'], a['excluded']) for a in c['applications']) == [('/usr/bin/server', '', '0x00000000', True), ('/usr/bin/server', '--instance a', '0x00000000', True)]"
if grep -q "^app /usr/bin/server" "$WS2_CATALOG" && grep -q "permitted 0x00000000" "$WS2_CATALOG"; then
  ok "the file has the application record with permitted 0"
else
  not_ok "the file has the application record with permitted 0"
fi
run 0 "include it again" include /usr/bin/server
run 0 "catalog --json" catalog --json
json "one rule left (the one with arguments)" "len(c['applications']) == 1 and c['applications'][0]['arguments'] == '--instance a'"
run 2 "include a program without a rule" include /usr/bin/server
run 1 "exclude without a program" exclude

# ---- remove ----
run 0 "remove a layer by name, with a layer stacked on it" remove mylsp
has out "removed $G1 \"mylsp\": 3 entries" "says what went"
has out "no longer goes through it" "the stacked chain is mended"
run 0 "catalog --json" catalog --json
json "no entry of the removed provider; the stacked chain is [its dummy, 1001]" \
  "not [i for i in ids if byid[i]['provider_id'] == '$G1'] and [[l['catalog_id'] for l in byid[i]['chain']][1:] for i in ids if byid[i]['provider_id'] == '$G3' and byid[i]['type'] == 'chain'] == [[1001]]"
run 0 "remove a layer by GUID" remove "$G3"
run 2 "remove it again" remove "$G3"
run 2 "remove an unknown name" remove nosuchlayer
run 1 "remove a malformed GUID" remove '{1234}'

# ---- reset ----
cp "$WS2_CATALOG" "$tmp/before-reset"
run 0 "reset" reset
has out "kept as $WS2_CATALOG.bak" "says where the backup is"
if cmp -s "$tmp/before-reset" "$WS2_CATALOG.bak"; then ok "the backup is the old catalog"; else not_ok "the backup is the old catalog"; fi
run 0 "catalog --json after reset" catalog --json
json "the built-in default again, from the file" "c['origin'] == 'file' and ids == list(range(1001, 1008))"

# ---- check ----
C=$tmp/check
run 0 "check the default" --catalog "$C" check
has out "0 failing" "nothing fails"
# A layer that links libws2 is loaded by the check's child process with
# dlopen, libws2 with it: its thread-local variables must fit in glibc's
# static TLS reserve.
C=$tmp/check-real
run 0 "install nonifs-reference" --catalog "$C" \
  install --name nonifs --path "$R" \
  --guid '{3c1e9a57-6b2d-4f08-9a41-d27e0c58b316}' --over 1001
run 0 "check: a layer that links libws2 loads" --catalog "$C" check
has out "top layer 1008 \"nonifs\" $R: OK: WSPStartup: SPI version 2.2" "reports it OK"
C=$tmp/check
run 0 "install a layer whose .so is missing" --catalog "$C" \
  install --name gone --path "$tmp/missing/gone.so" --guid "$G1" --over 1001
run 4 "check: a missing .so" --catalog "$C" check
has out "FAIL  1009 gone over [MSAFD Tcpip [TCP/IP]]" "the failing entry"
has out "top layer 1008 \"gone\" $tmp/missing/gone.so: FAIL: cannot load it" "names the layer, its path, and why"
has out "non-IFS: 1008 \"gone\" hands out non-IFS handles" "flags the non-IFS layer"
has out "KB 2568167" "explains the skip-on-success consequence"
has out "ws2 itself does not lose them" "and that ws2 does not lose completions"
run 0 "remove it" --catalog "$C" remove gone

C=$tmp/check2
run 0 "install the test provider" --catalog "$C" \
  install --name tp --path "$P" --guid "$G1" --over 1002 --ifs
WS2CTL_TEST_PROVIDER=fail
export WS2CTL_TEST_PROVIDER
run 4 "check: WSPStartup fails" --catalog "$C" check
has out "top layer 1008 \"tp\" $P: FAIL: WSPStartup failed with error 10106 WSAEPROVIDERFAILEDINIT" "reports the WSPStartup error and the layer"
hasnt out "non-IFS:" "an IFS layer is not flagged"
WS2CTL_TEST_PROVIDER=ok
run 0 "check: WSPStartup works (and WPUGetProviderPath answers)" --catalog "$C" check
has out "top layer 1008 \"tp\" $P: OK: WSPStartup: SPI version 2.2" "reports the layer OK"
has out "| provider: started for catalog entry 1009" "WSPStartup got the chain's entry; its output is shown"
WS2CTL_TEST_PROVIDER=crash
run 4 "check: WSPStartup crashes" --catalog "$C" check
has out "FAIL: crashed in WSPStartup: the check process died of signal 11" "reports the crash and where"
WS2CTL_TEST_PROVIDER=hang
run 4 "check: WSPStartup hangs" --catalog "$C" check --timeout 1
has out "did not return from WSPStartup within 1 s" "reports the hang"
WS2CTL_TEST_PROVIDER=upcall
run 4 "check: WSPStartup needs an upcall check does not provide" --catalog "$C" check
has out "WPUCreateEvent; the failure may be check's" "names the upcall"
WS2CTL_TEST_PROVIDER=partial
run 4 "check: an incomplete WSPPROC_TABLE" --catalog "$C" check
has out "left 30 of the 30 WSPPROC_TABLE entries NULL" "reports the NULL entries"
WS2CTL_TEST_PROVIDER=ok
run 0 "install a layer without WSPStartup over tp's chain" --catalog "$C" \
  install --name nostart --path "$N" --guid "$G2" --over 1009
run 4 "check: no WSPStartup" --catalog "$C" check
has out "top layer 1010 \"nostart\" $N: FAIL: it exports no WSPStartup" "reports the missing symbol"
has out "| provider: started for catalog entry 1011" "the layer below gets the top of the chain's entry"
has out "layer 1008 \"tp\" $P: OK" "and the layer below it OK"
has out "non-IFS: 1010 \"nostart\"" "flags only the non-IFS layer"
unset WS2CTL_TEST_PROVIDER

# A chain naming an entry that is not there (edited by hand, checksum
# updated as ws2-catalog(5) shows).
if [ "$have_python" -eq 1 ]; then
  cp "$C" "$tmp/broken"
  python3 - "$tmp/broken" <<'EOF'
import sys, zlib
p = sys.argv[1]
t = open(p, 'rb').read().replace(b'chain 2 1008 1002', b'chain 2 4242 1002')
body = b''.join(l for l in t.splitlines(keepends=True)
                if not l.startswith(b'crc32 '))
open(p, 'wb').write(body + b'crc32 %08x\n' % zlib.crc32(body))
EOF
  run 4 "check: a chain naming a missing entry" --catalog="$tmp/broken" check
  has out "link 1 of the chain, catalog id 4242, is not in the catalog" "reports the missing link"
else
  n=$((n + 1))
  echo "ok $n - a chain naming a missing entry # SKIP no python3"
fi

# ---- a damaged catalog ----
echo "junk" >>"$C"
cp "$C" "$tmp/damaged"
run 3 "catalog: damaged" --catalog "$C" catalog
has err "is unusable" "says the catalog is unusable"
has err "ws2ctl reset" "and how to repair it"
has out "is UNUSABLE" "stdout says so too, over the default it shows"
run 3 "catalog --json: damaged" --catalog "$C" catalog --json
json "JSON: the fallback and the problem" "c['origin'] == 'fallback' and c['problem']['code'] == 'checksum' and ids == list(range(1001, 1008))"
run 3 "check: damaged" --catalog "$C" check
has err "ws2ctl reset" "check says how to repair it"
run 3 "install into a damaged catalog" --catalog "$C" install --name x --path "$P" --guid "$G3"
run 3 "exclude in a damaged catalog" --catalog "$C" exclude /bin/true
if cmp -s "$tmp/damaged" "$C"; then
  ok "the damaged catalog is left as it was"
else
  not_ok "the damaged catalog is left as it was"
fi
run 0 "reset repairs it" --catalog "$C" reset
if cmp -s "$tmp/damaged" "$C.bak"; then
  ok "the damaged file is kept as the backup"
else
  not_ok "the damaged file is kept as the backup"
fi
run 0 "catalog after the repair" --catalog "$C" catalog

# ---- --catalog acts on that file only; I/O errors ----
cp "$WS2_CATALOG" "$tmp/main-before"
run 0 "exclude in another catalog" --catalog "$tmp/other" exclude /bin/true
if cmp -s "$tmp/main-before" "$WS2_CATALOG" && grep -q "^app /bin/true" "$tmp/other"; then
  ok "--catalog changed that file, not \$WS2_CATALOG"
else
  not_ok "--catalog changed that file, not \$WS2_CATALOG"
fi
: >"$tmp/afile"
run 5 "catalog under a file, not a directory" --catalog "$tmp/afile/catalog" catalog
run 5 "exclude there" --catalog "$tmp/afile/catalog" exclude /bin/true
if [ "$(id -u)" -ne 0 ]; then
  mkdir "$tmp/ro"
  run 0 "a catalog in a directory" --catalog "$tmp/ro/catalog" exclude /bin/true
  chmod a-w "$tmp/ro"
  run 5 "install without write access to its directory" --catalog "$tmp/ro/catalog" \
    install --name x --path "$P" --guid "$G3"
  has err "Permission denied" "says why"
  chmod u+w "$tmp/ro"
else
  n=$((n + 1))
  echo "ok $n - permission denied # SKIP running as root"
fi

echo "1..$n"
if [ "$failed" -ne 0 ]; then
  echo "# $failed of $n failed"
  exit 1
fi
exit 0
