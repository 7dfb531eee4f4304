#!/usr/bin/env bash
# check.sh: install ws2 from a build tree into a temporary prefix and build
# programs against the installed copy only, as a user would:
#   cc prog.c $(pkg-config --cflags --libs ws2)       (C and C++)
#   find_package(ws2) + target_link_libraries(ws2::ws2)  (CMake)
# then run them and check the exported symbols. Run by `make check-install`.
# Environment: BUILD (build tree, default build/), CC, CXX.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-$root/build}
cc=${CC:-cc}
cxx=${CXX:-c++}
passed=0
failed=0

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ws2-check-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

ok() { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }
# step NAME COMMAND...: run a command quietly; show its output if it fails.
step() {
  local name=$1
  shift
  if "$@" >"$tmp/out" 2>&1; then
    ok "$name"
  else
    not_ok "$name"
    sed 's/^/# /' "$tmp/out"
  fi
}
finish() {
  echo "check-install: $passed passed, $failed failed"
  if [ "$failed" -eq 0 ]; then exit 0; else exit 1; fi
}

if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "check.sh: no build tree at $build (run make first)" >&2
  exit 1
fi

step "cmake --install --prefix $prefix" cmake --install "$build" --prefix "$prefix"
[ "$failed" -eq 0 ] || finish

# Where the pieces landed (lib/ or lib/<multiarch>/).
pc=$(find "$prefix" -name ws2.pc -path '*/pkgconfig/*' | head -n1)
so=$(find "$prefix" -name 'libws2.so' | head -n1)
if [ -n "$pc" ] && [ -n "$so" ] && [ -f "$prefix/include/ws2/windows.h" ]; then
  ok "installed libws2.so, include/ws2/windows.h and ws2.pc"
else
  not_ok "installed files: ws2.pc='$pc' libws2.so='$so'"
  finish
fi

PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
cflags=$(pkg-config --cflags ws2)
libs=$(pkg-config --libs ws2)
libdir=$(pkg-config --variable=libdir ws2)
if [[ " $cflags " == *" -I$prefix/include/ws2 "* ]] &&
   [ "$libdir" -ef "$(dirname "$so")" ]; then
  ok "pkg-config ws2 $(pkg-config --modversion ws2): $cflags $libs"
else
  not_ok "pkg-config ws2 names the install prefix (cflags '$cflags', libdir '$libdir')"
fi

# Nothing installed may point back into the source or build tree.
if leaks=$(grep -rlF -e "$root" -e "$build" "$prefix" \
             --include='*.h' --include='*.pc' --include='*.cmake'); then
  not_ok "installed files refer to the source or build tree: $leaks"
else
  ok "installed headers, ws2.pc and CMake files are relocatable"
fi

# C: run path baked in. C++: found through LD_LIBRARY_PATH.
# shellcheck disable=SC2086
step "C program builds: $cc consumer.c \$(pkg-config --cflags --libs ws2)" \
  $cc -Wall -Wextra -Werror $cflags "$here/consumer.c" -o "$tmp/consumer-c" \
  $libs -Wl,-rpath,"$libdir"
# shellcheck disable=SC2086
step "C++ program builds: $cxx consumer.cpp \$(pkg-config --cflags --libs ws2)" \
  $cxx -Wall -Wextra -Werror $cflags "$here/consumer.cpp" -o "$tmp/consumer-cpp" \
  $libs

run_consumer() {  # NAME PROGRAM [ENV...]
  local name=$1 prog=$2 out
  shift 2
  if [ ! -x "$prog" ]; then
    not_ok "$name runs (not built)"
    return
  fi
  if out=$(env "$@" "$prog" 2>&1) && [ "$out" = OK ] &&
     grep -q "libws2\.so.* => $libdir/" <<<"$(env "$@" ldd "$prog")"; then
    ok "$name runs against the installed libws2 and prints OK"
  else
    not_ok "$name runs against the installed libws2"
    { echo "$out"; env "$@" ldd "$prog"; } | sed 's/^/# /'
  fi
}
run_consumer "C program" "$tmp/consumer-c" LD_LIBRARY_PATH=
run_consumer "C++ program" "$tmp/consumer-cpp" LD_LIBRARY_PATH="$libdir"

# CMake: find_package(ws2) with the prefix on CMAKE_PREFIX_PATH.
# shellcheck disable=SC2016
step "CMake project builds with find_package(ws2)" sh -c '
  cmake -S "$1" -B "$2" -DCMAKE_PREFIX_PATH="$3" -DCMAKE_BUILD_TYPE=Release &&
  cmake --build "$2"' sh "$here" "$tmp/cmake" "$prefix"
run_consumer "CMake-built C program" "$tmp/cmake/consumer-c" LD_LIBRARY_PATH=
run_consumer "CMake-built C++ program" "$tmp/cmake/consumer-cpp" LD_LIBRARY_PATH=

before=$failed
step "installed libws2 exports only Windows API, WS_* and ws2_* names" \
  sh "$here/symbols.sh" "$so" "$prefix/include/ws2"
if [ "$failed" -eq "$before" ]; then grep warning "$tmp/out" | sed 's/^/# /' || :; fi

finish
