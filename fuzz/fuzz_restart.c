/* fuzz_restart.c — binary restart files (bpel_restart_read). The input's last 8
 * bytes are replaced by the right checksum first, so that the fuzzer gets
 * past it and exercises what the reader checks after the checksum: an
 * accepted restart holds a sane system (types in 1..ntypes, positive finite
 * masses of every type, a finite box with positive lengths, finite
 * positions and velocities) and valid MD parameters. */
#include "fuzz_common.h"

#include <string.h>

#include "restart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) abort();
    memcpy(copy, data, size);
    if (size >= 16) {
        uint64_t h = 1469598103934665603ull;
        for (size_t i = 0; i < size - 8; i++) {
            h ^= copy[i];
            h *= 1099511628211ull;
        }
        memcpy(copy + size - 8, &h, 8);
    }
    char path[64];
    int fd = fuzz_file(copy, size, path);
    free(copy);
    if (fd < 0) return 0;
    bpel_system *s = NULL;
    rst_info r;
    if (bpel_restart_read(path, &s, &r) == 0) {
        const bpel_box *b = &s->box;
        FUZZ_CHECK(s->n >= 1 && s->ntypes >= 1 && s->ntypes <= BPEL_MAX_TYPES);
        FUZZ_CHECK(fuzz_all_finite(b->lo, 3) && fuzz_all_finite(b->len, 3));
        FUZZ_CHECK(b->len[0] > 0 && b->len[1] > 0 && b->len[2] > 0);
        FUZZ_CHECK(isfinite(b->xy) && isfinite(b->xz) && isfinite(b->yz));
        for (int t = 1; t <= s->ntypes; t++) FUZZ_CHECK(s->mass[t] > 0 && isfinite(s->mass[t]));
        for (int t = 0; t <= BPEL_MAX_TYPES; t++) FUZZ_CHECK(memchr(s->element[t], 0, sizeof s->element[t]));
        for (size_t i = 0; i < s->n; i++) FUZZ_CHECK(s->type[i] >= 1 && s->type[i] <= s->ntypes);
        FUZZ_CHECK(fuzz_all_finite(s->x, 3 * s->n));
        if (s->v) FUZZ_CHECK(fuzz_all_finite(s->v, 3 * s->n));
        FUZZ_CHECK(bpel_md_check_params(&r.params) == 0);
        FUZZ_CHECK(memchr(r.command, 0, sizeof r.command) && memchr(r.rng_name, 0, sizeof r.rng_name));
        bpel_restart_free(&r);
    }
    bpel_system_destroy(s);
    close(fd);
    return 0;
}
