/* fuzz_eam_setfl.c — EAM potential files, style eam/alloy (bpel_eam_read). */
#include "fuzz_eam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_eam(data, size, "eam/alloy"); }
