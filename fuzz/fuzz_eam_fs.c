/* fuzz_eam_fs.c — EAM potential files, style eam/fs (bpel_eam_read). */
#include "fuzz_eam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_eam(data, size, "eam/fs"); }
