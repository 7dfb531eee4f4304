#!/bin/sh
# exports-check.sh NM PLUGIN.so: a layered provider exports WSPStartup and
# nothing else (the test plugins/<name>@exports).
nm=$1 so=$2
syms=$("$nm" -D --defined-only "$so" | awk '{print $3}' | sort | tr '\n' ' ')
if [ "$syms" = "WSPStartup " ]; then
  echo "exports: $syms"
  exit 0
fi
echo "$so exports more than WSPStartup: $syms" >&2
exit 1
