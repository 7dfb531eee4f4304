#!/usr/bin/env python3
"""Compare ws2's function prototypes with mingw-w64's, type for type.

test-layout.c pins values and layouts; this script checks what it cannot:
the parameter and return types of every function and function-pointer
typedef that both ws2's headers and mingw-w64's declare. Each side is
dumped with clang (-Xclang -ast-dump; mingw-w64 with
--target=x86_64-w64-mingw32), typedef names are expanded to their
definitions, and the integer types are reduced to their width and
signedness on each platform (a Windows long is I32, a Linux long I64), so
that an LP64/LLP64 mistake shows up as a difference.

The differences it reports at the time of writing are all expected:
  - select, gethostname: the C library's (ws2's are WS_select and
    WS_gethostname);
  - IN6_ADDR_EQUAL, IN6ADDR_ISANY, IN6ADDR_ISLOOPBACK return BOOLEAN, as in
    the Windows SDK (mingw-w64: int);
  - LPLOOKUPSERVICE_COMPLETION_ROUTINE and the functions taking one: a
    function pointer in the SDK, PVOID in mingw-w64;
  - WSCInstallProviderAndChains64_32 takes LPWSAPROTOCOL_INFOW in the SDK;
    mingw-w64 writes LPWSAPROTOCOL_INFO, which is the A type without UNICODE.

Usage: test/headers/gen/check-signatures.py   (needs clang and mingw-w64)
"""
import glob
import os
import re
import subprocess

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
INC = os.path.join(ROOT, "include", "ws2")
HEADERS = ["windows.h", "winsock2.h", "ws2tcpip.h", "mswsock.h", "mstcpip.h",
           "ws2spi.h", "afunix.h", "sporder.h", "qos.h"]
DECL = re.compile(
    r"^\|-(FunctionDecl|TypedefDecl) 0x[0-9a-f]+ (?:prev 0x[0-9a-f]+ )?<.*?>"
    r"(?: col:\d+| line:\d+:\d+| [^ ]+:\d+:\d+)+(?: implicit)?(?: referenced)?"
    r"(?: used)? (\w+) '([^']*)'(?::'([^']*)')?")
KEYWORDS = {"int", "char", "short", "long", "unsigned", "signed", "void",
            "float", "double", "const", "volatile", "struct", "union", "enum",
            "restrict", "_Bool", "typeof"}
WIDTHS = {
    True: [("unsigned long long", "U64"), ("long long", "I64"),
           ("unsigned long", "U32"), ("long", "I32"), ("unsigned int", "U32"),
           ("int", "I32"), ("wchar_t", "U16"), ("unsigned short", "U16"),
           ("short", "I16"), ("unsigned char", "U8"), ("signed char", "I8"),
           ("char", "C8")],
    False: [("unsigned long long", "U64"), ("long long", "I64"),
            ("unsigned long", "U64"), ("long", "I64"), ("unsigned int", "U32"),
            ("int", "I32"), ("char16_t", "U16"), ("unsigned short", "U16"),
            ("short", "I16"), ("unsigned char", "U8"), ("signed char", "I8"),
            ("char", "C8")],
}


def dump(args, src):
  p = subprocess.run(["clang", "-fsyntax-only", "-Xclang", "-ast-dump",
                      "-fno-color-diagnostics", "-x", "c", "-"] + args,
                     input=src, capture_output=True, text=True)
  funcs, typedefs = {}, {}
  for line in p.stdout.splitlines():
    m = DECL.match(line)
    if m:
      kind, name, t, d = m.groups()
      (typedefs if kind == "TypedefDecl" else funcs)[name] = d or t
  return funcs, typedefs


def expand(t, funcs, typedefs, depth=0):
  """Replace typedef names (and __typeof__(f)) by what they stand for."""
  t = re.sub(r"typeof \((\w+)\) \*",
             lambda m: "(" + funcs[m.group(1)].replace("(", "(*)(", 1) + ")"
             if m.group(1) in funcs else m.group(0), t)

  def rep(m):
    w = m.group(0)
    if w in typedefs and w not in KEYWORDS:
      return "(" + typedefs[w] + ")" if "(" in typedefs[w] else typedefs[w]
    return w
  n = re.sub(r"(?<!struct )(?<!union )(?<!enum )\b[A-Za-z_]\w*\b", rep, t)
  return n if n == t or depth > 30 else expand(n, funcs, typedefs, depth + 1)


def normalize(t, windows):
  t = re.sub(r"\b(struct|union|enum) (\w+)",
             lambda m: m.group(1) + " " +
             re.sub(r"^(ws_|tag|_+)", "", m.group(2).lower()).lstrip("_"), t)
  for a, b in WIDTHS[windows]:
    t = re.sub(r"\b" + a + r"\b", b, t)
  t = re.sub(r"\s+", " ", t).replace("( ", "(").replace(" )", ")")
  t = re.sub(r"\*const\b", "*", t)
  t = re.sub(r"\bconst (\w+ \*)(?=[,)])", r"\1", t)
  t = t.replace("* *", "**").replace("* *", "**").replace("(void)", "()")
  t = re.sub(r"\brestrict\b ?", "", t)
  while t.startswith("(") and t.endswith(")"):
    depth = 0
    for i, ch in enumerate(t):
      depth += (ch == "(") - (ch == ")")
      if depth == 0 and i < len(t) - 1:
        break
    else:
      t = t[1:-1]
      continue
    break
  return re.sub(r"\((\w+ \(\*\)\([^()]*\))\)", r"\1", t)


def main():
  text = "".join(open(f).read() for f in glob.glob(os.path.join(INC, "*.h")))
  src = "".join("#include <%s>\n" % h for h in HEADERS)
  of, ot = dump(["-I", INC, "-DINCL_WINSOCK_API_TYPEDEFS=1"], src)
  mf, mt = dump(["--target=x86_64-w64-mingw32"],
                "#define _WIN32_WINNT 0x0A00\n#define NTDDI_VERSION 0x0A00000B\n"
                "#define INCL_WINSOCK_API_TYPEDEFS 1\n" + src +
                "#include <ddk/ws2san.h>\n")
  items = [(n, t, mf) for n, t in of.items()]
  items += [(n, t, mt) for n, t in ot.items() if "(" in t]
  same, diff, absent = 0, 0, []
  for name, t, theirs in sorted(items, key=lambda x: x[0]):
    if not re.search(r"\b%s\b" % re.escape(name), text):
      continue
    if name not in theirs:
      absent.append(name)
      continue
    a = normalize(expand(t, of, ot), False)
    b = normalize(expand(theirs[name], mf, mt), True)
    if a == b:
      same += 1
    else:
      diff += 1
      print("%s\n  ws2:   %s\n  mingw: %s" % (name, a, b))
  print("%d identical, %d different; not in mingw-w64: %s" %
        (same, diff, " ".join(absent)))


if __name__ == "__main__":
  main()
