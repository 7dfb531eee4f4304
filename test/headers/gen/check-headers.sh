#!/bin/sh
# Compiles every public header of include/ws2 on its own, in Windows mode
# and in prefix mode, as C (gcc and clang, c11 and gnu11) and as C++17
# (g++ and clang++), with -Wall -Wextra -Werror; prefix mode also with the
# library's own extra warnings. Prints the failures; exits 1 if any.
# Usage: test/headers/gen/check-headers.sh   (from anywhere)
inc=$(cd "$(dirname "$0")/../../../include/ws2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for path in "$inc"/*.h; do
  h=$(basename "$path")
  printf '#include <%s>\nint ws2_check_dummy;\n' "$h" > "$tmp/one.c"
  for cc in "gcc -std=c11" "gcc -std=gnu11" "clang -std=c11" "clang -std=gnu11" \
            "g++ -std=c++17 -x c++" "clang++ -std=c++17 -x c++"; do
    for mode in "" "-DWS2_USE_PREFIX"; do
      if ! out=$($cc $mode -Wall -Wextra -Werror -fsyntax-only -I"$inc" \
                 "$tmp/one.c" 2>&1); then
        echo "FAIL: $h [$cc $mode]"
        echo "$out" | head -10
        fail=1
      fi
    done
  done
  if ! out=$(gcc -std=gnu11 -D_GNU_SOURCE -DWS2_USE_PREFIX -Wall -Wextra \
             -Wshadow -Wwrite-strings -Wpointer-arith -Wstrict-prototypes \
             -Wmissing-prototypes -Werror -fsyntax-only -I"$inc" \
             "$tmp/one.c" 2>&1); then
    echo "FAIL: $h [library warnings, prefix mode]"
    echo "$out" | head -10
    fail=1
  fi
done
[ $fail = 0 ] && echo "all headers compile alone"
exit $fail
