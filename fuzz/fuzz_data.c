/* fuzz_data.c — LAMMPS data files (bpel_data_read). An accepted file gives a box
 * with finite positive lengths and finite tilts, atoms of types 1..ntypes
 * with positive ids, finite positions wrapped into the box and finite
 * velocities. */
#include "fuzz_common.h"

#include "structure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_file(data, size, path);
    if (fd < 0) return 0;
    bpel_system *s = NULL;
    if (bpel_data_read(path, &s) == 0) {
        const bpel_box *b = &s->box;
        FUZZ_CHECK(s->n >= 1);
        FUZZ_CHECK(s->ntypes >= 1 && s->ntypes <= BPEL_MAX_TYPES);
        FUZZ_CHECK(fuzz_all_finite(b->lo, 3) && fuzz_all_finite(b->len, 3));
        FUZZ_CHECK(b->len[0] > 0 && b->len[1] > 0 && b->len[2] > 0);
        FUZZ_CHECK(isfinite(b->xy) && isfinite(b->xz) && isfinite(b->yz));
        FUZZ_CHECK(isfinite(bpel_box_volume(b)) && bpel_box_volume(b) > 0);
        for (int t = 1; t <= s->ntypes; t++) FUZZ_CHECK(s->mass[t] == 0.0 || (s->mass[t] > 0 && isfinite(s->mass[t])));
        FUZZ_CHECK(fuzz_all_finite(s->x, 3 * s->n));
        if (s->v) FUZZ_CHECK(fuzz_all_finite(s->v, 3 * s->n));
        for (size_t i = 0; i < s->n; i++) {
            FUZZ_CHECK(s->id[i] >= 1);
            FUZZ_CHECK(s->type[i] >= 1 && s->type[i] <= s->ntypes);
            double f[3];
            bpel_box_to_frac(b, &s->x[3 * i], f);
            for (int k = 0; k < 3; k++) FUZZ_CHECK(f[k] >= -1e-9 && f[k] < 1.0 + 1e-9);
        }
    }
    bpel_system_destroy(s);
    close(fd);
    return 0;
}
