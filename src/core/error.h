/* error.h — how libbpel reports failure.
 *
 * Library functions never exit: they return a negative BPEL_E* code and leave a
 * one-line message (naming the file and line where input is at fault) in a
 * thread-local buffer that the caller reads with bpel_errmsg(). Only main()
 * decides to stop. */
#ifndef BPEL_ERROR_H
#define BPEL_ERROR_H
#include <stddef.h>

enum bpel_status {
    BPEL_OK = 0,
    BPEL_EIO = -1,      /* file cannot be opened, read or written */
    BPEL_EPARSE = -2,   /* malformed input file */
    BPEL_EINVAL = -3,   /* invalid argument or physically impossible input */
    BPEL_ENOMEM = -4,   /* allocation failed or would exceed the memory limit */
    BPEL_ENOTSUP = -5,  /* valid but not supported */
    BPEL_ECONV = -6,    /* an iterative method did not converge */
    BPEL_EINTR = -7     /* interrupted by a signal; state was saved */
};

/* Record a message (printf-style) and return `code`, so callers can write
 * `return bpel_fail(BPEL_EPARSE, "%s:%d: ...", path, line);`. */
int bpel_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefix the current message with more context ("while reading X: ...").
 * Returns `code`. */
int bpel_fail_context(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *bpel_errmsg(void);
const char *bpel_strerror(int code);
void bpel_clear_error(void);

/* Allocation helpers that set the message on failure. */
void *bpel_malloc(size_t nbytes);
void *bpel_calloc(size_t count, size_t size);
void *bpel_realloc(void *p, size_t nbytes);

#endif
