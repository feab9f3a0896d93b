/* cli_vib.h — the VDOS options shared by bpel modes, vdos and gruneisen. */
#ifndef BPEL_CLI_VIB_H
#define BPEL_CLI_VIB_H

#include "vibrations.h"

/* getopt codes of the shared options: 'b' --bin-width, 's' --broadening,
 * 'w' --bp-window LO:HI, 'S' --solver, 'M' --max-initial-force F. Returns 1 when `c` is one of them and
 * was applied to `o`, 0 when it is not, and 2 (after printing a usage error
 * for command `cmd`) when its value is bad. */
int cli_vib_option(const char *cmd, int c, const char *arg, vib_options *o);

/* A warning on stderr when the analysis clipped the default boson-peak
 * window to the computed modes (vib_analysis.window_clipped). */
void cli_vib_warn_window(const char *cmd, const vib_analysis *a);

#endif
