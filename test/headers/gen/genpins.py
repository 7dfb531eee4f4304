#!/usr/bin/env python3
"""Generate test/headers/test-layout.c and test/headers/pins-prefix.h.

The pins are the Windows x64 values of every integer constant, every
typedef's size (and signedness, for integer types), and every structure's
size, alignment and member offsets that ws2's public headers define. They
are obtained mechanically:

  1. The names come from ws2's own headers: the object-like macros they
     define in Windows mode (gcc -dM) and the typedefs and records they
     declare (clang -Xclang -ast-dump=json).
  2. The expected values come from compiling the same expressions against
     mingw-w64's headers with x86_64-w64-mingw32-gcc -S and reading the
     emitted .quad values. mingw output is only needed here, never when
     building the tests.
  3. Names mingw-w64 lacks (Windows SDK additions), and the few places where
     mingw-w64 differs from Microsoft's headers, take their values from the
     SDK table below; each entry says why.

The generator fails if an expression has neither a mingw value nor an SDK
table entry, so nothing new goes unpinned. Rerun it after changing a
header:  test/headers/gen/genpins.py
"""
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
INC = os.path.join(ROOT, "include", "ws2")
OUT_C = os.path.join(ROOT, "test", "headers", "test-layout.c")
OUT_PREFIX = os.path.join(ROOT, "test", "headers", "pins-prefix.h")

OUR_INCLUDES = ["windows.h", "winsock2.h", "ws2tcpip.h", "ws2ipdef.h",
                "mswsock.h", "mstcpip.h", "ws2spi.h", "afunix.h",
                "sporder.h", "qos.h", "winsock.h", "wsipv6ok.h"]
MINGW_PRELUDE = """\
#define _WIN32_WINNT 0x0A00
#define NTDDI_VERSION 0x0A00000B
#define INCL_WINSOCK_API_TYPEDEFS 1
#include <winsock2.h>
#include <windows.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <mstcpip.h>
#include <ws2spi.h>
#include <afunix.h>
#include <sporder.h>
#include <qos.h>
#include <ddk/ws2san.h>
#include <stddef.h>

/*
 * Windows SDK names that mingw-w64 10 lacks or spells differently, defined
 * as what the SDK makes them: aliases of types and macros mingw-w64 has.
 */
typedef const char *PCSZ;
#define MAXULONG 0xffffffff
typedef SOCKADDR_STORAGE SOCKADDR_STORAGE_LH, *PSOCKADDR_STORAGE_LH,
    *LPSOCKADDR_STORAGE_LH;
typedef SOCKADDR_STORAGE SOCKADDR_STORAGE_XP, *PSOCKADDR_STORAGE_XP,
    *LPSOCKADDR_STORAGE_XP;
typedef WSACMSGHDR CMSGHDR, *PCMSGHDR;
typedef ADDRINFOEXA *LPADDRINFOEXA;
typedef ADDRINFOEXW *LPADDRINFOEXW;
typedef struct netent NETENT, *PNETENT, *LPNETENT;
typedef WSAQUERYSET2A WSAQUERYSET2, *PWSAQUERYSET2, *LPWSAQUERYSET2;
typedef SOCKADDR_IN6 SOCKADDR_IN6_LH, *PSOCKADDR_IN6_LH, *LPSOCKADDR_IN6_LH;
typedef SOCKADDR_IN6 SOCKADDR_IN6_W2KSP1, *PSOCKADDR_IN6_W2KSP1,
    *LPSOCKADDR_IN6_W2KSP1;
typedef IPV6_MREQ *PIPV6_MREQ;
typedef IN_PKTINFO *PIN_PKTINFO;
typedef IN6_PKTINFO *PIN6_PKTINFO;
typedef ADDRINFOEXA ADDRINFOEX;
#define addrinfoexA addrinfoExA
#define addrinfoexW addrinfoExW
#define _WSAQuerySet2A _WSAQUERYSET2A
#define _WSAQuerySet2W _WSAQUERYSET2W
#define SOMAXCONN_HINT(b) (-(b))
#define SIZEOF_SOCKET_ADDRESS_LIST(AddressCount) \
  (FIELD_OFFSET(SOCKET_ADDRESS_LIST, Address) + \
   AddressCount * sizeof(SOCKET_ADDRESS))
#define CMSG_SPACE WSA_CMSG_SPACE
#define CMSG_LEN WSA_CMSG_LEN
"""

# Windows SDK values for what mingw-w64 10 lacks or gets differently.
# Key: the pin expression exactly as generated. Value: (value, reason).
SDK = {
    # ws2def.h
    "AF_LINK": (33, "SDK ws2def.h; not in mingw-w64 10"),
    "AF_HYPERV": (34, "SDK ws2def.h; not in mingw-w64 10"),
    "AF_MAX": (35, "SDK ws2def.h counts AF_LINK and AF_HYPERV; mingw-w64 10 says 33"),
    "PF_MAX": (35, "PF_MAX is AF_MAX; see AF_MAX"),
    "SO_BSP_STATE": (0x1009, "SDK ws2def.h; not in mingw-w64 10"),
    "SO_PAUSE_ACCEPT": (0x3003, "SDK ws2def.h; not in mingw-w64 10"),
    "SO_COMPARTMENT_ID": (0x3004, "SDK ws2def.h; not in mingw-w64 10"),
    "SO_RANDOMIZE_PORT": (0x3005, "SDK ws2def.h; not in mingw-w64 10"),
    "SO_PORT_SCALABILITY": (0x3006, "SDK ws2def.h; not in mingw-w64 10"),
    "SO_REUSE_UNICASTPORT": (0x3007, "SDK ws2def.h; not in mingw-w64 10"),
    "SO_REUSE_MULTICASTPORT": (0x3008, "SDK ws2def.h; not in mingw-w64 10"),
    "WSK_SO_BASE": (0x4000, "SDK ws2def.h; not in mingw-w64 10"),
    "IOC_WSK": (0x0F000000, "SDK ws2def.h: IOC_WS2|0x07000000; not in mingw-w64 10"),
    "IPPROTO_RESERVED_RAW": (257, "SDK ws2def.h; not in mingw-w64 10"),
    "IPPROTO_RESERVED_IPSEC": (258, "SDK ws2def.h; not in mingw-w64 10"),
    "IPPROTO_RESERVED_IPSECOFFLOAD": (259, "SDK ws2def.h; not in mingw-w64 10"),
    "IPPROTO_RESERVED_WNV": (260, "SDK ws2def.h; not in mingw-w64 10"),
    "IPPROTO_RESERVED_MAX": (261, "SDK ws2def.h; not in mingw-w64 10"),
    "MSG_ERRQUEUE": (0x1000, "SDK ws2def.h; not in mingw-w64 10"),
    "AI_RESOLUTION_HANDLE": (0x40000000, "SDK ws2def.h; not in mingw-w64 10"),
    "AI_EXTENDED": (0x80000000, "SDK ws2def.h; not in mingw-w64 10"),
    "SIO_GET_MULTIPLE_EXTENSION_FUNCTION_POINTER": (0xC8000024, "SDK ws2def.h _WSAIORW(IOC_WS2,36); not in mingw-w64 10"),
    "SIO_QUERY_PNP_TARGET_HANDLE": (0x48000018, "the LPWSPIoctl documentation's name for SIO_QUERY_TARGET_PNP_HANDLE"),
    # ws2ipdef.h
    "UDP_SEND_MSG_SIZE": (2, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "UDP_RECV_MAX_COALESCED_SIZE": (3, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "UDP_COALESCED_INFO": (3, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "TCP_KEEPALIVE": (3, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "TCP_MAXSEG": (4, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "TCP_MAXRT": (5, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "TCP_STDURG": (6, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "TCP_NOURG": (7, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "TCP_ATMARK": (8, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "TCP_NOSYNRETRIES": (9, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "TCP_TIMESTAMPS": (10, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "TCP_OFFLOAD_PREFERENCE": (11, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "TCP_CONGESTION_ALGORITHM": (12, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "TCP_DELAY_FIN_ACK": (13, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "TCP_MAXRTMS": (14, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "TCP_FASTOPEN": (15, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "TCP_KEEPCNT": (16, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "TCP_KEEPIDLE": (3, "SDK ws2ipdef.h: TCP_KEEPALIVE; not in mingw-w64 10"),
    "TCP_KEEPINTVL": (17, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "TCP_FAIL_CONNECT_ON_ICMP_ERROR": (18, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "TCP_ICMP_ERROR_INFO": (19, "SDK ws2ipdef.h; not in mingw-w64 10"),
    "SIO_IDEAL_SEND_BACKLOG_QUERY": (0x4004747B, "SDK ws2ipdef.h _IOR('t',123,ULONG); not in mingw-w64 10"),
    "SIO_IDEAL_SEND_BACKLOG_CHANGE": (0x2000747A, "SDK ws2ipdef.h _IO('t',122); not in mingw-w64 10"),
    "GROUP_FILTER_SIZE(2)": (400, "SDK ws2ipdef.h: sizeof(GROUP_FILTER)-128+2*128, GROUP_FILTER being 272"),
    # ws2tcpip.h
    "EAI_NODATA": (11001, "SDK ws2tcpip.h defines EAI_NODATA as EAI_NONAME; mingw-w64 10 uses WSANO_DATA (11004)"),
    "EAI_NOSECURENAME": (11032, "SDK ws2tcpip.h: WSA_SECURE_HOST_NOT_FOUND; not in mingw-w64 10"),
    "EAI_IPSECPOLICY": (11033, "SDK ws2tcpip.h: WSA_IPSEC_NAME_POLICY_ERROR; not in mingw-w64 10"),
    "WSA_SECURE_HOST_NOT_FOUND": (11032, "SDK winerror.h; not in mingw-w64 10"),
    "WSA_IPSEC_NAME_POLICY_ERROR": (11033, "SDK winerror.h; not in mingw-w64 10"),
    # mswsock.h
    "SIO_UDP_NETRESET": (0x9800000F, "SDK mswsock.h _WSAIOW(IOC_VENDOR,15); not in mingw-w64 10"),
    # mstcpip.h
    "SIO_SET_SECURITY": (0x980000C8, "SDK mstcpip.h _WSAIOW(IOC_VENDOR,200); not in mingw-w64 10"),
    "SIO_QUERY_SECURITY": (0xD80000C9, "SDK mstcpip.h _WSAIORW(IOC_VENDOR,201); not in mingw-w64 10"),
    "SIO_SET_PEER_TARGET_NAME": (0x980000CA, "SDK mstcpip.h _WSAIOW(IOC_VENDOR,202); not in mingw-w64 10"),
    "SIO_DELETE_PEER_TARGET_NAME": (0x980000CB, "SDK mstcpip.h _WSAIOW(IOC_VENDOR,203); not in mingw-w64 10"),
    "SIO_SOCKET_USAGE_NOTIFICATION": (0x980000CC, "SDK mstcpip.h _WSAIOW(IOC_VENDOR,204); not in mingw-w64 10"),
    "SIO_QUERY_WFP_ALE_ENDPOINT_HANDLE": (0x580000CD, "SDK mstcpip.h _WSAIOR(IOC_VENDOR,205); not in mingw-w64 10"),
    "SIO_QUERY_RSS_SCALABILITY_INFO": (0x580000D2, "SDK mstcpip.h _WSAIOR(IOC_VENDOR,210); not in mingw-w64 10"),
    "SIO_SET_COMPATIBILITY_MODE": (0x9800012C, "SDK mstcpip.h _WSAIOW(IOC_VENDOR,300); not in mingw-w64 10"),
    "SIO_QUERY_RSS_PROCESSOR_INFO": (0x48000025, "SDK mstcpip.h _WSAIOR(IOC_WS2,37); not in mingw-w64 10"),
    "sizeof(RSS_SCALABILITY_INFO)": (1, "SDK mstcpip.h: one BOOLEAN; not in mingw-w64 10"),
    "__alignof__(RSS_SCALABILITY_INFO)": (1, "SDK mstcpip.h: one BOOLEAN"),
    "offsetof(RSS_SCALABILITY_INFO, RssEnabled)": (0, "SDK mstcpip.h"),
    "sizeof(WSA_COMPATIBILITY_MODE)": (8, "SDK mstcpip.h: an enum and a ULONG; not in mingw-w64 10"),
    "__alignof__(WSA_COMPATIBILITY_MODE)": (4, "SDK mstcpip.h"),
    "offsetof(WSA_COMPATIBILITY_MODE, BehaviorId)": (0, "SDK mstcpip.h"),
    "offsetof(WSA_COMPATIBILITY_MODE, TargetOsVersion)": (4, "SDK mstcpip.h"),
    "sizeof(WSA_COMPATIBILITY_BEHAVIOR_ID)": (4, "SDK mstcpip.h: an enum"),
    "sizeof(PRSS_SCALABILITY_INFO)": (8, "a pointer"),
    "sizeof(PWSA_COMPATIBILITY_MODE)": (8, "a pointer"),
    "sizeof(PWSA_COMPATIBILITY_BEHAVIOR_ID)": (8, "a pointer"),
    # winuser.h: Microsoft documents MSG.lPrivate; mingw-w64 omits it (the
    # size is 48 either way, the member filling the tail padding).
    "offsetof(MSG, lPrivate)": (44, "MSG as documented by Microsoft; mingw-w64 omits lPrivate"),
    "SIO_SOCKET_CLOSE_NOTIFY": (0x9800000D, "SDK mswsock.h _WSAIOW(IOC_VENDOR,13); mingw-w64 10 has it for XP only"),
    "IPPROTO_is_signed": (1, "SDK ws2def.h: an enum with non-negative values, an int"),
    "sizeof(struct _RSS_SCALABILITY_INFO)": (1, "SDK mstcpip.h; not in mingw-w64 10"),
    "sizeof(struct _WSA_COMPATIBILITY_MODE)": (8, "SDK mstcpip.h; not in mingw-w64 10"),
    # mstcpip.h: in C the SDK makes the members of
    # INET_PORT_RESERVATION_INSTANCE anonymous (a Microsoft extension that
    # mingw-w64's gcc drops), so C sees StartPort, NumberOfPorts and Token.
    "sizeof(INET_PORT_RESERVATION_INSTANCE)": (16, "SDK mstcpip.h: a 4-byte range and an 8-byte token"),
    "__alignof__(INET_PORT_RESERVATION_INSTANCE)": (8, "SDK mstcpip.h"),
    "offsetof(INET_PORT_RESERVATION_INSTANCE, Reservation)": (0, "SDK mstcpip.h (C++ member name)"),
    "offsetof(INET_PORT_RESERVATION_INSTANCE, StartPort)": (0, "SDK mstcpip.h (C, anonymous member)"),
    "offsetof(INET_PORT_RESERVATION_INSTANCE, NumberOfPorts)": (2, "SDK mstcpip.h (C, anonymous member)"),
    "offsetof(INET_PORT_RESERVATION_INSTANCE, Token)": (8, "SDK mstcpip.h (C, anonymous member)"),
    # guiddef.h
    "sizeof(FMTID)": (16, "a GUID"),
    "sizeof(LPFMTID)": (8, "a pointer"),
    # winsock2.h: the IPPROTO enum type (an int here).
    "sizeof(IPPROTO)": (4, "SDK ws2def.h: an enum"),
    "sizeof(PIPPROTO)": (8, "a pointer"),
    # winbase.h: mingw's OVERLAPPED_ENTRY and SYSTEM_INFO match; these are
    # ws2's own helper macros with Windows meaning.
    "MAXSIZE_T": (-1, "SDK basetsd.h: ~(SIZE_T)0"),
}

# GUIDs mingw-w64 10 lacks: {8509E081-96DD-4005-B165-9E2EE8C79E3F} is the
# SDK's WSAID_MULTIPLE_RIO (mswsock.h).
SDK_GUIDS = {
    "WSAID_MULTIPLE_RIO": [0x8509E081, 0x96DD, 0x4005, 0xB1, 0x65, 0x9E, 0x2E,
                           0xE8, 0xC7, 0x9E, 0x3F],
}

# Names ws2 defines that are not Windows constants, or not integers.
SKIP_NAMES = {
    "WINSOCK_VERSION_is", "MINCHAR", "MINSHORT", "MINLONG",
}


def run(cmd, src, lang="c"):
  with tempfile.NamedTemporaryFile("w", suffix="." + lang, delete=False) as f:
    f.write(src)
    path = f.name
  try:
    p = subprocess.run(cmd + [path], capture_output=True, text=True)
  finally:
    os.unlink(path)
  return p


def our_src(extra=""):
  return "".join("#include <%s>\n" % h for h in OUR_INCLUDES) + extra


def our_macros():
  """Object-like macros our headers define in Windows mode."""
  base = run(["gcc", "-E", "-dM", "-I", INC],
             "#include <_ws2config.h>\n").stdout
  base_names = set(re.findall(r"^#define (\w+)", base, flags=re.M))
  out = run(["gcc", "-E", "-dM", "-I", INC], our_src()).stdout
  names = []
  for m in re.finditer(r"^#define (\w+)(\(?)", out, flags=re.M):
    n, fn = m.group(1), m.group(2)
    if fn or n in base_names or n.startswith(("WS_", "WS2_", "_WS2")):
      continue
    names.append(n)
  return sorted(set(names))


def clang_ast():
  p = run(["clang", "-fsyntax-only", "-Xclang", "-ast-dump=json", "-I", INC,
           "-DINCL_WINSOCK_API_TYPEDEFS=1"], our_src())
  return json.loads(p.stdout)


def walk_files(node, state):
  """Update state['file'] from every location in document order."""
  if isinstance(node, dict):
    for k in ("loc", "range"):
      if k in node:
        walk_loc(node[k], state)
    for v in node.get("inner", []):
      walk_files(v, state)


def walk_loc(loc, state):
  if not isinstance(loc, dict):
    return
  if "file" in loc:
    state["file"] = loc["file"]
  for k in ("spellingLoc", "expansionLoc", "begin", "end"):
    if k in loc:
      walk_loc(loc[k], state)


def find_ids(node, out):
  if isinstance(node, dict):
    for k in ("decl", "ownedTagDecl"):
      if k in node and isinstance(node[k], dict) and "id" in node[k]:
        out.append(node[k]["id"])
    for v in node.get("inner", []):
      find_ids(v, out)


def record_fields(rec, records, prefix=""):
  """Flattened member designators of a record, anonymous members included."""
  fields = []
  inner = rec.get("inner", [])
  for i, d in enumerate(inner):
    if d.get("kind") != "FieldDecl":
      continue
    if d.get("isBitfield"):
      continue
    ids = []
    find_ids(d, ids)
    qt = d.get("type", {}).get("qualType", "")
    sub = None
    if "anonymous" in qt or "unnamed" in qt:
      for j in range(i - 1, -1, -1):
        if inner[j].get("kind") == "RecordDecl":
          sub = inner[j]
          break
    if d.get("isImplicit") or not d.get("name"):
      if sub is not None:
        fields += record_fields(sub, records, prefix)
      continue
    name = prefix + d["name"]
    fields.append(name)
    if sub is not None:
      fields += record_fields(sub, records, name + ".")
  return fields


def our_types(ast):
  """(typedef name, kind, fields) for every typedef in our headers."""
  state = {"file": ""}
  records = {}
  tags = {}
  types = []
  tag_only = []
  for d in ast["inner"]:
    walk_files(d, state)
    ours = state["file"].startswith(INC)
    if d.get("kind") == "RecordDecl" and d.get("completeDefinition"):
      records[d["id"]] = d
      if d.get("name"):
        tags[d["name"]] = d
        if ours:
          tag_only.append(d)
    if not ours or d.get("kind") != "TypedefDecl":
      continue
    t = d.get("type", {})
    qt = t.get("qualType", "")
    dq = t.get("desugaredQualType", qt)
    name = windows_tag(d["name"])
    if "(" in dq and "(*)" not in dq:
      continue  # a function type
    if dq.endswith("*") or "(*)" in dq:
      types.append((name, "pointer", None))
      continue
    ids = []
    find_ids(d, ids)
    rec = None
    for i in ids:
      if i in records:
        rec = records[i]
    m = re.match(r"(?:struct|union) (\w+)$", dq)
    if rec is None and m and m.group(1) in tags:
      rec = tags[m.group(1)]
    if dq.startswith(("struct ", "union ")) or rec is not None:
      if rec is None:
        continue
      types.append((name, "record", record_fields(rec, records)))
    elif dq.startswith("enum "):
      types.append((name, "enum", None))
    elif "[" in dq:
      types.append((name, "array", None))
    else:
      types.append((name, "scalar", dq))
  return types, tag_only, records


def windows_tag(tag):
  return tag[3:] if tag.startswith("WS_") else tag


def build_pins(macros, types, tags, records):
  """List of (expression, kind) with kind in const/ptrconst/guid."""
  pins = []
  for n in macros:
    if n in SKIP_NAMES:
      continue
    pins.append(("(long long)(ULONG_PTR)(%s)" % n, n))
  typedef_records = set()
  for name, kind, extra in types:
    pins.append(("(long long)sizeof(%s)" % name, "sizeof(%s)" % name))
    if kind == "scalar" and extra not in ("float", "double", "void"):
      # "not above zero", rather than "< 0", keeps -Wtype-limits quiet.
      pins.append(("(long long)!(((%s)-1) > 0)" % name, "%s_is_signed" % name))
    if kind == "record":
      pins.append(("(long long)__alignof__(%s)" % name,
                   "__alignof__(%s)" % name))
      for f in extra:
        pins.append(("(long long)offsetof(%s, %s)" % (name, f),
                     "offsetof(%s, %s)" % (name, f)))
  for rec in tags:
    t = "struct " if rec.get("tagUsed", "struct") == "struct" else "union "
    t += windows_tag(rec["name"])
    pins.append(("(long long)sizeof(%s)" % t, "sizeof(%s)" % t))
  # Function-like macros, pinned at a few arguments.
  for e in ["MAKEWORD(2, 2)", "MAKEWORD(1, 1)", "MAKELONG(3, 4)",
            "LOWORD(0x12345678)", "HIWORD(0x12345678)",
            "WSAMAKESELECTREPLY(FD_CLOSE, 10054)",
            "WSAGETSELECTEVENT(0x27460020)", "WSAGETSELECTERROR(0x27460020)",
            "WSAMAKEASYNCREPLY(100, 11001)", "WSAGETASYNCBUFLEN(0x2AF90064)",
            "WSAGETASYNCERROR(0x2AF90064)", "SOMAXCONN_HINT(300)",
            "_WSAIO(IOC_VENDOR, 3)", "_WSAIOR(IOC_WS2, 3)",
            "_WSAIOW(IOC_PROTOCOL, 3)", "_WSAIORW(IOC_UNIX, 3)",
            "_IO('x', 1)", "_IOR('x', 2, u_long)", "_IOW('x', 3, u_short)",
            "IP_MSFILTER_SIZE(3)", "GROUP_FILTER_SIZE(2)",
            "SIZEOF_SOCKET_ADDRESS_LIST(3)",
            "WSA_CMSGHDR_ALIGN(13)", "WSA_CMSGDATA_ALIGN(13)",
            "WSA_CMSG_SPACE(4)", "WSA_CMSG_LEN(4)", "CMSG_SPACE(20)",
            "CMSG_LEN(20)", "IN_CLASSA(0x7f000001)", "IN_CLASSB(0x7f000001)",
            "IN_CLASSC(0xc0a80001)", "IN_CLASSD(0xe0000001)",
            "IN_MULTICAST(0xe0000001)", "IN_MULTICAST(0x7f000001)",
            "HRESULT_FROM_WIN32(5)", "HRESULT_FROM_WIN32(0)",
            "MAKE_HRESULT(1, 7, 5)", "SUCCEEDED(0)", "FAILED(-1)",
            "HRESULT_CODE(0x80070005)", "HRESULT_FACILITY(0x80070005)",
            "HRESULT_SEVERITY(0x80070005)", "RTL_BITS_OF(IN6_ADDR)"]:
    pins.append(("(long long)(ULONG_PTR)(%s)" % e, e))
  return pins


def classify_ours(pins):
  """Which pin expressions are integer constant expressions here (clang)."""
  lines = [our_src("#include <stddef.h>\n")]
  start = lines[0].count("\n") + 1
  for i, (e, _) in enumerate(pins):
    lines.append("_Static_assert((%s) == (%s), \"p%d\");\n" % (e, e, i))
  p = run(["clang", "-fsyntax-only", "-ferror-limit=0", "-I", INC,
           "-DINCL_WINSOCK_API_TYPEDEFS=1", "-Wno-everything"], "".join(lines))
  bad = set()
  for m in re.finditer(r"\.c:(\d+):\d+: error", p.stderr):
    bad.add(int(m.group(1)) - start)
  ice = [pins[i] for i in range(len(pins)) if i not in bad]
  rest = [pins[i] for i in sorted(bad) if 0 <= i < len(pins)]
  # Of the rest, keep those that gcc folds to a constant (pointer-valued
  # constants such as INVALID_HANDLE_VALUE): function designators and
  # calls (select, h_errno) are not constants and are left out.
  lines = [our_src("#include <stddef.h>\n")]
  start = lines[0].count("\n") + 1
  for i, (e, _) in enumerate(rest):
    lines.append("_Static_assert(__builtin_constant_p(%s), \"r%d\");\n" % (e, i))
  p = run(["gcc", "-fsyntax-only", "-fmax-errors=0", "-I", INC, "-w"],
          "".join(lines))
  bad = set(int(m.group(1)) - start
            for m in re.finditer(r"\.c:(\d+):\d+: error", p.stderr))
  runtime = [rest[i] for i in range(len(rest)) if i not in bad]
  dropped = [rest[i][1] for i in range(len(rest)) if i in bad]
  return ice, runtime, dropped


def mingw_values(pins):
  """Value of each pin expression under mingw-w64, or None if unknown."""
  todo = list(range(len(pins)))
  values = {}
  for _ in range(20):
    lines = [MINGW_PRELUDE]
    start = MINGW_PRELUDE.count("\n") + 1
    for k, i in enumerate(todo):
      lines.append("const long long ws2pin_%d = %s;\n" % (i, pins[i][0]))
    p = run(["x86_64-w64-mingw32-gcc", "-S", "-o", "-", "-w",
             "-fmax-errors=0"], "".join(lines))
    bad = set()
    for m in re.finditer(r"\.c:(\d+):\d+: error", p.stderr):
      k = int(m.group(1)) - start
      if 0 <= k < len(todo):
        bad.add(todo[k])
    if not bad:
      for m in re.finditer(r"^ws2pin_(\d+):\n\t\.(quad|space)[\t ](-?\d+)",
                           p.stdout, flags=re.M):
        i = int(m.group(1))
        values[i] = int(m.group(3)) if m.group(2) == "quad" else 0
      break
    todo = [i for i in todo if i not in bad]
  return values


def c_string_bytes(text):
  """The bytes of the body of a gas .ascii string."""
  out = []
  i = 0
  while i < len(text):
    c = text[i]
    if c != "\\":
      out.append(ord(c))
      i += 1
      continue
    j = i + 1
    digits = ""
    while j < len(text) and len(digits) < 3 and text[j] in "01234567":
      digits += text[j]
      j += 1
    if digits:
      out.append(int(digits, 8))
      i = j
    else:
      out.append({"n": 10, "t": 9, "r": 13, "b": 8, "f": 12}.get(
          text[i + 1], ord(text[i + 1])))
      i += 2
  return out


def guid_pins(macros):
  names = [n for n in macros if n.startswith("WSAID_") and n not in SDK_GUIDS]
  src = MINGW_PRELUDE + "".join(
      "const GUID ws2guid_%s = %s;\n" % (n, n) for n in names)
  p = run(["x86_64-w64-mingw32-gcc", "-S", "-o", "-", "-w"], src)
  out = {}
  asm = p.stdout
  for n in names:
    m = re.search(r"^ws2guid_%s:\n((?:\t\.(?:long|word|byte|ascii|space).*\n)+)" % n,
                  asm, flags=re.M)
    if not m:
      continue
    data = []
    for kind, val in re.findall(r"\t\.(long|word|byte|ascii)\s+(.*)", m.group(1)):
      if kind == "ascii":
        data += [("byte", b) for b in c_string_bytes(val.strip()[1:-1])]
      else:
        data.append((kind, int(val)))
    if len(data) == 11:
      out[n] = [v for _, v in data]
  return names, out


def lit(v):
  if v < 0:
    return "(%dLL)" % v if v > -(1 << 63) else "(-0x7fffffffffffffffLL - 1)"
  if v > 0xffff:
    return "0x%XLL" % v if v < (1 << 63) else "0x%XULL" % v
  return "%dLL" % v


def main():
  macros = our_macros()
  ast = clang_ast()
  types, tags, records = our_types(ast)
  pins = build_pins(macros, types, tags, records)
  guid_names = [n for n in macros if n.startswith("WSAID_")]
  pins = [p for p in pins if p[1] not in guid_names]
  ice, runtime, dropped = classify_ours(pins)
  allpins = ice + runtime
  mv = mingw_values(allpins)
  expected = {}
  missing = []
  for i, (e, key) in enumerate(allpins):
    if key in SDK:
      expected[key] = (SDK[key][0], SDK[key][1])
    elif i in mv:
      expected[key] = (mv[i], None)
    else:
      missing.append(key)
  if missing:
    sys.stderr.write("no Windows value for:\n  " + "\n  ".join(missing) + "\n")
    sys.exit(1)
  unused = [k for k in SDK if k not in expected]
  if unused:
    sys.stderr.write("SDK table entries not used: %s\n" % unused)
  gnames, gvals = guid_pins(macros)
  gmissing = [n for n in gnames if n not in gvals]
  if gmissing:
    sys.stderr.write("no GUID for %s\n" % gmissing)
    sys.exit(1)
  gvals.update(SDK_GUIDS)
  write_layout(ice, runtime, expected, gvals, dropped)
  write_prefix(ice, expected)
  print("pinned: %d compile-time, %d run-time, %d GUIDs; not pinned: %s" %
        (len(ice), len(runtime), len(gvals), ", ".join(dropped) or "none"))


HEADER = """\
/*
 * GENERATED by test/headers/gen/genpins.py -- do not edit; rerun it.
 *
 * Pins every integer constant, typedef size and signedness, and structure
 * size, alignment and member offset that ws2's public headers define to its
 * Windows x64 value. The values were read from x86_64-w64-mingw32-gcc
 * compiling the same expressions against mingw-w64's headers, except where
 * a comment names the Windows SDK (mingw-w64 lacks the name or differs).
 * Windows-mode names throughout.
 */
"""


def write_layout(ice, runtime, expected, gvals, dropped):
  o = [HEADER]
  o.append("#include <windows.h>\n")
  o += ["#include <%s>\n" % h for h in OUR_INCLUDES if h != "windows.h"]
  o.append("#include <stddef.h>\n\n#include \"ws2test.h\"\n\n")
  o.append("#define PIN(expr, want, what) _Static_assert((expr) == (want), what)\n\n")
  for e, key in ice:
    v, why = expected[key]
    if why:
      o.append("/* %s */\n" % why)
    o.append("PIN(%s, %s, \"%s\");\n" % (e, lit(v), key.replace('"', '\\"')))
  o.append("\n#define WS2_COMPILE_TIME_PINS %d\n\n" % len(ice))
  o.append("/* Constants that are pointers (not integer constant expressions). */\n")
  o.append("TEST(pointer_constants) {\n")
  for e, key in runtime:
    v, why = expected[key]
    if why:
      o.append("  /* %s */\n" % why)
    o.append("  ASSERT_EQ(%s, %s);\n" % (e, lit(v)))
  o.append("}\n\n")
  o.append("/* The extension-function GUIDs, field by field. */\n")
  o.append("TEST(extension_guids) {\n")
  for n in sorted(gvals):
    g = gvals[n]
    o.append("  {\n    const GUID g = %s;\n" % n)
    o.append("    ASSERT_EQ_U(g.Data1, 0x%08XU);\n" % (g[0] & 0xffffffff))
    o.append("    ASSERT_EQ_U(g.Data2, 0x%04X);\n" % (g[1] & 0xffff))
    o.append("    ASSERT_EQ_U(g.Data3, 0x%04X);\n" % (g[2] & 0xffff))
    for k in range(8):
      o.append("    ASSERT_EQ_U(g.Data4[%d], 0x%02X);\n" % (k, g[3 + k] & 0xff))
    o.append("  }\n")
  o.append("}\n\n")
  o.append("/* The compile-time pins above held; report how many there are. */\n")
  o.append("TEST(compile_time_pins) {\n")
  o.append("  printf(\"# %d compile-time pins, %d run-time pins, %d GUIDs\\n\",\n")
  o.append("         WS2_COMPILE_TIME_PINS, %d, %d);\n" % (len(runtime), len(gvals)))
  o.append("  ASSERT_GT(WS2_COMPILE_TIME_PINS, 0);\n}\n")
  with open(OUT_C, "w") as f:
    f.write("".join(o))


def write_prefix(ice, expected):
  """Prefix-mode pins: every mapped constant under its WS_ name."""
  mapped = {}
  for h in sorted(x for x in os.listdir(INC) if x.endswith(".h")):
    with open(os.path.join(INC, h)) as f:
      text = f.read()
    for m in re.finditer(r"^#define (\w+) (WS_\w+)$", text, flags=re.M):
      mapped[m.group(1)] = m.group(2)
  o = ["/*\n * GENERATED by test/headers/gen/genpins.py -- do not edit; rerun it.\n"
       " *\n * Prefix-mode pins: the WS_ spelling of every constant that Windows\n"
       " * mode maps onto a plain name, with the same Windows value.\n */\n"]
  o.append("#define WS2_PREFIX_PIN(expr, want, what) \\\n"
           "  _Static_assert((expr) == (want), what)\n")
  n = 0
  for e, key in ice:
    m = re.match(r"\(long long\)\(ULONG_PTR\)\((\w+)\)$", e)
    if m and m.group(1) in mapped:
      name = mapped[m.group(1)]
      o.append("WS2_PREFIX_PIN((long long)(ULONG_PTR)(%s), %s, \"%s\");\n" %
               (name, lit(expected[key][0]), name))
      n += 1
    m = re.match(r"sizeof\((struct )?(\w+)\)$", key)
    if m and m.group(2) in mapped:
      t = (m.group(1) or "") + mapped[m.group(2)]
      o.append("WS2_PREFIX_PIN((long long)sizeof(%s), %s, \"sizeof(%s)\");\n" %
               (t, lit(expected[key][0]), t))
      n += 1
  o.append("#define WS2_PREFIX_PINS %d\n" % n)
  with open(OUT_PREFIX, "w") as f:
    f.write("".join(o))


if __name__ == "__main__":
  main()
