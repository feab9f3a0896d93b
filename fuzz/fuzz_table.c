/* fuzz_table.c — per-atom CSV tables (bpel_tbl_read, then every column as
 * numbers and joined by id onto a 4-atom system). Values handed out are
 * finite; a join fills every atom or fails. */
#include "fuzz_common.h"

#include "table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_file(data, size, path);
    if (fd < 0) return 0;
    tbl_table *t = NULL;
    if (bpel_tbl_read(path, &t) == 0) {
        FUZZ_CHECK(t->ncols >= 1);
        bpel_system *s = bpel_system_create(4, 1);
        if (!s) abort();
        for (size_t i = 0; i < s->n; i++) s->id[i] = (int64_t)(i + 1);
        double *col = malloc((t->nrows ? t->nrows : 1) * sizeof *col);
        if (!col) abort();
        for (size_t c = 0; c < t->ncols; c++) {
            FUZZ_CHECK(bpel_tbl_find_column(t, t->names[c]) == (int)c);
            if (bpel_tbl_column(t, t->names[c], col) == 0) FUZZ_CHECK(fuzz_all_finite(col, t->nrows));
            double v[4];
            size_t miss = 0;
            if (bpel_tbl_join(t, t->names[c], s, 0, v, NULL) == 0) FUZZ_CHECK(fuzz_all_finite(v, 4));
            if (bpel_tbl_join(t, t->names[c], s, 1, v, &miss) == 0) {
                size_t nan = 0;
                for (int i = 0; i < 4; i++) {
                    FUZZ_CHECK(!isinf(v[i]));
                    nan += isnan(v[i]);
                }
                FUZZ_CHECK(nan == miss);
            }
        }
        free(col);
        bpel_system_destroy(s);
    }
    bpel_tbl_destroy(t);
    close(fd);
    return 0;
}
