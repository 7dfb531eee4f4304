#!/bin/sh
# Builds a plugin's sources as a Windows LSP DLL with mingw-w64 (the test
# plugins/<name>@mingw): mingw-check.sh CC OUT INCLUDE SOURCE...
# The Windows headers are mingw-w64's own: ws2's include directory comes
# after them (-idirafter), so only <ws2ext/lsp.h> is found there. Exit
# status 77 (skipped) when the compiler is not installed.
cc=$1 out=$2 include=$3
shift 3
if [ -z "$cc" ] || ! command -v "$cc" >/dev/null 2>&1; then
  echo "x86_64-w64-mingw32-gcc is not installed: skipped" \
       "(apt-get install gcc-mingw-w64-x86-64)"
  exit 77
fi
set -x
exec "$cc" -std=c11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
  -shared -idirafter "$include" -o "$out" "$@" -lws2_32 -static-libgcc
