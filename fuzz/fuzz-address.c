/*
 * fuzz-address: address text parsing and formatting: WSAStringToAddressA/W,
 * inet_pton, InetPtonW, inet_addr, getaddrinfo / GetAddrInfoW with hints
 * (numeric only: no name service is consulted), and back to text with
 * WSAAddressToStringA, getnameinfo and inet_ntop.
 *
 * Properties: no crash, no leak; a length returned never exceeds the
 * buffer; an address that parses formats, and the text it formats to
 * parses back to the same address.
 */
#include <winsock2.h>
#include <ws2tcpip.h>

#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

static void once(void) {
  static int started;
  WSADATA wd;
  if (!started && WSAStartup(MAKEWORD(2, 2), &wd) == 0) started = 1;
}

static int family(uint8_t b) {
  static const int f[] = {AF_INET, AF_INET6, AF_UNSPEC, AF_UNIX, 12345};
  return f[b % 5];
}

/* The address formats, and its text parses back to it. */
static void round_trip(const struct sockaddr *sa, int len) {
  char text[128];
  DWORD n = sizeof(text);
  struct sockaddr_storage back;
  int blen = sizeof(back);
  if (WSAAddressToStringA((LPSOCKADDR)sa, (DWORD)len, NULL, text, &n) != 0)
    return; /* e.g. a family it does not format */
  if (n > sizeof(text) || strlen(text) + 1 != n) abort();
  memset(&back, 0, sizeof(back));
  if (WSAStringToAddressA(text, sa->sa_family, NULL, (LPSOCKADDR)&back,
                          &blen) != 0) {
    fprintf(stderr, "\"%s\" does not parse back\n", text);
    abort();
  }
  if (sa->sa_family == AF_INET &&
      memcmp(&((const struct sockaddr_in *)sa)->sin_addr,
             &((struct sockaddr_in *)&back)->sin_addr, 4) != 0)
    abort();
  if (sa->sa_family == AF_INET6 &&
      memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr,
             &((struct sockaddr_in6 *)&back)->sin6_addr, 16) != 0)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in_t in = {data, size};
  uint8_t which = take_u8(&in), fb = take_u8(&in);
  char s1[256], s2[64];
  WCHAR w[256];
  struct sockaddr_storage ss;
  int len = (int)(take_u8(&in) % (sizeof(ss) + 8)), i;
  once();
  take_str(&in, s1, sizeof(s1));
  take_str(&in, s2, sizeof(s2));
  for (i = 0; s1[i]; i++) w[i] = (WCHAR)(uint8_t)s1[i];
  w[i] = 0;
  memset(&ss, 0, sizeof(ss));
  switch (which % 6) {
    case 0:
      if (WSAStringToAddressA(s1, family(fb), NULL, (LPSOCKADDR)&ss, &len) ==
          0) {
        if (len > (int)sizeof(ss)) abort();
        round_trip((struct sockaddr *)&ss, len);
      }
      break;
    case 1:
      if (WSAStringToAddressW(w, family(fb), NULL, (LPSOCKADDR)&ss, &len) == 0)
        round_trip((struct sockaddr *)&ss, len);
      break;
    case 2: {
      unsigned char a[16];
      char back[64];
      int f = fb & 1 ? AF_INET6 : AF_INET;
      if (inet_pton(f, s1, a) == 1 && !inet_ntop(f, a, back, sizeof(back)))
        abort();
      InetPtonW(family(fb), w, a);
      inet_addr(s1);
      break;
    }
    case 3: {
      ADDRINFOA hints, *res = NULL, *r;
      memset(&hints, 0, sizeof(hints));
      hints.ai_flags =
          (int)(take_u32(&in) & 0x3f) | AI_NUMERICHOST | AI_NUMERICSERV;
      hints.ai_flags &= ~AI_CANONNAME;
      hints.ai_family = family(fb);
      hints.ai_socktype = take_u8(&in) % 5;
      hints.ai_protocol = take_u8(&in) % 20;
      if (getaddrinfo(s1[0] ? s1 : NULL, s2[0] ? s2 : NULL, &hints, &res) ==
          0) {
        for (r = res; r; r = r->ai_next) {
          char host[NI_MAXHOST], serv[NI_MAXSERV];
          if ((size_t)r->ai_addrlen > sizeof(ss)) abort();
          getnameinfo(r->ai_addr, (socklen_t)r->ai_addrlen, host, sizeof(host),
                      serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV);
          round_trip(r->ai_addr, (int)r->ai_addrlen);
        }
        freeaddrinfo(res);
      }
      break;
    }
    case 4: {
      ADDRINFOW hints, *res = NULL;
      WCHAR ws[64];
      for (i = 0; s2[i]; i++) ws[i] = (WCHAR)(uint8_t)s2[i];
      ws[i] = 0;
      memset(&hints, 0, sizeof(hints));
      hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
      hints.ai_family = family(fb);
      if (GetAddrInfoW(w[0] ? w : NULL, ws[0] ? ws : NULL, &hints, &res) == 0)
        FreeAddrInfoW(res);
      break;
    }
    default: {
      /* Formatting arbitrary socket addresses. */
      char text[64];
      DWORD n = (DWORD)(take_u8(&in) % sizeof(text));
      take_bytes(&in, &ss, sizeof(ss));
      if (WSAAddressToStringA((LPSOCKADDR)&ss, (DWORD)len, NULL, text, &n) ==
              0 &&
          (n > sizeof(text) || strlen(text) + 1 != n))
        abort();
      break;
    }
  }
  return 0;
}
