/* error.c — thread-local error message for libbpel (see error.h). */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char errbuf[1024];

int bpel_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, sizeof errbuf, fmt, ap);
    va_end(ap);
    return code;
}

int bpel_fail_context(int code, const char *fmt, ...)
{
    char prefix[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    size_t lp = strlen(prefix), lo = strlen(errbuf);
    if (lp + 2 + lo >= sizeof errbuf) lo = sizeof errbuf - lp - 3;
    memmove(errbuf + lp + 2, errbuf, lo);
    errbuf[lp + 2 + lo] = '\0';
    memcpy(errbuf, prefix, lp);
    errbuf[lp] = ':';
    errbuf[lp + 1] = ' ';
    return code;
}

const char *bpel_errmsg(void) { return errbuf[0] ? errbuf : "no error"; }

void bpel_clear_error(void) { errbuf[0] = '\0'; }

const char *bpel_strerror(int code)
{
    switch (code) {
    case BPEL_OK: return "success";
    case BPEL_EIO: return "input/output error";
    case BPEL_EPARSE: return "malformed input";
    case BPEL_EINVAL: return "invalid input";
    case BPEL_ENOMEM: return "out of memory";
    case BPEL_ENOTSUP: return "not supported";
    case BPEL_ECONV: return "did not converge";
    case BPEL_EINTR: return "interrupted";
    default: return "unknown error";
    }
}

void *bpel_malloc(size_t nbytes)
{
    void *p = malloc(nbytes ? nbytes : 1);
    if (!p) bpel_fail(BPEL_ENOMEM, "out of memory allocating %zu bytes", nbytes);
    return p;
}

void *bpel_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) bpel_fail(BPEL_ENOMEM, "out of memory allocating %zu x %zu bytes", count, size);
    return p;
}

void *bpel_realloc(void *q, size_t nbytes)
{
    void *p = realloc(q, nbytes ? nbytes : 1);
    if (!p) bpel_fail(BPEL_ENOMEM, "out of memory allocating %zu bytes", nbytes);
    return p;
}
