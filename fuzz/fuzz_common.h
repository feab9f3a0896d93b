/* fuzz_common.h — shared by the fuzz targets (one per parser, fuzz_NAME.c).
 *
 * Each target defines LLVMFuzzerTestOneInput: it hands the bytes to the
 * library's own reader and, when the reader accepts them, checks what it
 * returned (finite numbers, counts and indices in range). A reader that
 * accepts input it should refuse is a finding like a crash: the target
 * aborts. Built with clang -fsanitize=fuzzer for `make fuzz`; built with a
 * plain main (replay_main.c) in the normal build, where CTest replays the
 * seed corpus and every kept regression input. */
#ifndef BPEL_FUZZ_COMMON_H
#define BPEL_FUZZ_COMMON_H

#define _GNU_SOURCE
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                                      \
    do {                                                                                                      \
        if (!(cond)) {                                                                                        \
            fprintf(stderr, "%s:%d: accepted input breaks '%s'\n", __FILE__, __LINE__, #cond);                \
            abort();                                                                                          \
        }                                                                                                     \
    } while (0)

/* The input as a file the readers can open by name: an anonymous memory
 * file, reached as /proc/self/fd/N (no disk traffic). Returns the descriptor
 * (close it when done) or -1. */
static inline int fuzz_file(const uint8_t *data, size_t size, char path[64])
{
    int fd = memfd_create("bpel-fuzz", 0);
    if (fd < 0) return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t k = write(fd, data + done, size - done);
        if (k <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)k;
    }
    snprintf(path, 64, "/proc/self/fd/%d", fd);
    return fd;
}

static inline int fuzz_all_finite(const double *v, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!isfinite(v[k])) return 0;
    return 1;
}

#endif
