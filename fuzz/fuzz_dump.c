/* fuzz_dump.c — LAMMPS text dumps (bpel_dump_read_frame) read into a 4-atom
 * system, frame after frame. An accepted frame leaves a box with finite
 * positive lengths and finite positions. */
#include "fuzz_common.h"

#include "structure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *fp = fmemopen((void *)data, size, "r");
    if (!fp) return 0;
    bpel_system *s = bpel_system_create(4, 2);
    if (!s) abort();
    for (size_t i = 0; i < s->n; i++) {
        s->id[i] = (int64_t)(4 - i);
        s->type[i] = 1 + (int)(i % 2);
        for (int k = 0; k < 3; k++) s->x[3 * i + k] = 1.0 + 2.0 * (double)i + k;
    }
    for (int k = 0; k < 3; k++) s->box.len[k] = 10.0;
    long step;
    int line = 0;
    for (int frame = 0; frame < 64; frame++) {
        if (bpel_dump_read_frame(fp, "fuzz.dump", s, &step, &line) != 0) break;
        const bpel_box *b = &s->box;
        FUZZ_CHECK(fuzz_all_finite(b->lo, 3) && fuzz_all_finite(b->len, 3));
        FUZZ_CHECK(b->len[0] > 0 && b->len[1] > 0 && b->len[2] > 0);
        FUZZ_CHECK(isfinite(b->xy) && isfinite(b->xz) && isfinite(b->yz));
        FUZZ_CHECK(fuzz_all_finite(s->x, 3 * s->n));
    }
    bpel_system_destroy(s);
    fclose(fp);
    return 0;
}
