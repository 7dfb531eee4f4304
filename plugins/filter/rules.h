/*
 * rules.h: the filter's rule file, read into a rule set, and the matching
 * of one call against it. Plain C: no Winsock call here, so that the part
 * of the filter that decides can be read (and tested) apart from the part
 * that sits in the SPI (filter.c).
 *
 * The format is in README.md; in short, one rule a line,
 *
 *   allow|deny [in|out|bind] [tcp|udp] [addr A[/N]] [port P[-Q]]
 *              [program PATH]
 *   default allow|deny
 *
 * where every part left out matches anything, the first rule that matches
 * decides, and the default line (at most one; allow when there is none)
 * decides when no rule does.
 */
#ifndef WS2_FILTER_RULES_H
#define WS2_FILTER_RULES_H

#include <stdio.h>

enum { F_ALLOW = 1, F_DENY = 2 };
/* What a call does (a rule's directions are a mask of these; 0: any). */
enum { F_IN = 1, F_OUT = 2, F_BIND = 4 };
enum { F_TCP = 1, F_UDP = 2 };
/* Address families as rules know them (the sockaddr's are the caller's
 * business). */
enum { F_V4 = 4, F_V6 = 6 };

typedef struct f_rule {
  int action; /* F_ALLOW or F_DENY */
  int dirs;   /* mask of F_IN | F_OUT | F_BIND; 0 matches every call */
  int proto;  /* F_TCP, F_UDP, or 0 for both */
  int family; /* F_V4 or F_V6 when the rule has an address, else 0 */
  unsigned char addr[16];
  int prefix; /* how many leading bits of addr must match */
  int has_port;
  unsigned port_lo, port_hi;
  char *program; /* a path, or a bare file name; NULL matches any */
  int line;      /* where it is in the file */
  char *text;    /* the line as written (trimmed), for the log */
} f_rule_t;

typedef struct f_rules {
  f_rule_t *v;
  int n;
  int default_action; /* F_ALLOW when the file has no default line */
  int default_line;   /* 0 when there is no default line */
  /* A file with an error is not used, and denies everything until it is
   * fixed (fail closed): error_line is the first bad line, error what is
   * wrong with it. */
  int error_line;
  char error[160];
  int missing; /* there was no file: nothing is denied */
  char path[512];
} f_rules_t;

/* One call, as the rules see it. The address is the other end of the
 * connection or datagram (for bind: the local address), port the
 * service's port (the remote port going out, the local port coming in or
 * bound). family 0: the call has no IP address (nothing with an address
 * or a port matches it). */
typedef struct f_query {
  int dir;   /* F_IN, F_OUT or F_BIND */
  int proto; /* F_TCP or F_UDP */
  int family;
  unsigned char addr[16];
  unsigned port;
  const char *program; /* the running program's path */
} f_query_t;

/* Reads the rule file at path (a missing file gives an empty set, with
 * missing set). Errors are written to log, one line each with
 * path:line. NULL only when memory runs out. */
f_rules_t *f_rules_load(const char *path, FILE *log);
void f_rules_free(f_rules_t *r);

/* The decision for q: F_ALLOW or F_DENY, and in *why a description of
 * what decided, for the log ("deny out tcp port 22" (file:3), the default
 * line, or the unusable file). */
int f_rules_decide(const f_rules_t *r, const f_query_t *q, char *why,
                   size_t size);

/* Text forms of addresses: parse (0 on success; bytes in out, 4 or 16 of
 * them as *family says) and print ("1.2.3.4", "::1"). */
int f_parse_addr(const char *s, unsigned char *out, int *family);
void f_format_addr(int family, const unsigned char *a, char *out, size_t size);

#endif /* WS2_FILTER_RULES_H */
