/* fuzz_study.c — YAML study descriptions (bpel_study_config_read). An accepted
 * description has list counts within bounds and the values the runner
 * relies on in range. */
#include "fuzz_common.h"

#include <string.h>

#include "study_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_file(data, size, path);
    if (fd < 0) return 0;
    study_config c;
    if (bpel_study_config_read(path, &c) == 0) {
        FUZZ_CHECK(c.ncompositions >= 1 && c.ncompositions <= STUDY_MAX_LIST);
        FUZZ_CHECK(c.nrates >= 1 && c.nrates <= STUDY_MAX_LIST);
        FUZZ_CHECK(c.ntemperatures >= 0 && c.ntemperatures <= STUDY_MAX_LIST);
        FUZZ_CHECK(fuzz_all_finite(c.rates, (size_t)c.nrates));
        FUZZ_CHECK(fuzz_all_finite(c.temperatures, (size_t)c.ntemperatures));
        FUZZ_CHECK(c.atoms >= 2);
        FUZZ_CHECK(memchr(c.name, 0, sizeof c.name) && memchr(c.output, 0, sizeof c.output));
        FUZZ_CHECK(memchr(c.potential, 0, sizeof c.potential) && memchr(c.elements, 0, sizeof c.elements));
        FUZZ_CHECK(isfinite(c.melt_temperature) && isfinite(c.melt_time) && isfinite(c.final_temperature));
        FUZZ_CHECK(isfinite(c.corr_lmax) && isfinite(c.corr_dl) && isfinite(c.series_time));
    }
    close(fd);
    return 0;
}
