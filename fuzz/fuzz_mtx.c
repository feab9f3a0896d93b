/* fuzz_mtx.c — Matrix Market Hessians (bpel_hess_read_mtx_dense) for a 3-atom
 * system with ids 1, 2 and 7. An accepted matrix holds finite numbers. */
#include "fuzz_common.h"

#include "hessian.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_file(data, size, path);
    if (fd < 0) return 0;
    bpel_system *s = bpel_system_create(3, 1);
    if (!s) abort();
    s->id[0] = 7;
    s->id[1] = 1;
    s->id[2] = 2;
    double *H = NULL;
    if (bpel_hess_read_mtx_dense(path, s, &H) == 0) FUZZ_CHECK(fuzz_all_finite(H, 9 * s->n * s->n));
    free(H);
    bpel_system_destroy(s);
    close(fd);
    return 0;
}
