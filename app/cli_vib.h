/* cli_vib.h — the VDOS options shared by bpel modes, vdos and gruneisen. */
#ifndef BPEL_CLI_VIB_H
#define BPEL_CLI_VIB_H

#include "cli_opts.h"
#include "vibrations.h"

/* Entries of an option table (cli_opts.h) for the shared options, stored in
 * the vib_options `o`. */
#define CLI_VIB_BIN_WIDTH(o)                                                                                  \
    {CLI_OPT("bin-width", 0, CLI_DOUBLE, &(o)->vdos.bin_width), CLI_POSITIVE, .error = "--bin-width needs a positive number"}
#define CLI_VIB_BROADENING(o)                                                                                 \
    {CLI_OPT("broadening", 0, CLI_DOUBLE, &(o)->vdos.sigma), CLI_NONNEG, .error = "--broadening needs a number >= 0"}
#define CLI_VIB_BP_WINDOW(o)                                                                                  \
    {CLI_OPT("bp-window", 0, CLI_PAIR, &(o)->vdos.bp_lo), .check = CLI_MIN_OPEN | CLI_ASCENDING, .min = 0, .dest2 = &(o)->vdos.bp_hi, \
     .error = "--bp-window needs LO:HI with 0 < LO < HI (rad/ps)"}
#define CLI_VIB_MAX_INITIAL_FORCE(o)                                                                          \
    {CLI_OPT("max-initial-force", 0, CLI_DOUBLE, &(o)->max_initial_force), .check = CLI_MIN_OPEN | CLI_INF, .min = 0,           \
     .error = "--max-initial-force needs a positive number (eV/Å) or inf"}
#define CLI_VIB_MAX_OMEGA(o)                                                                                  \
    {CLI_OPT("max-omega", 0, CLI_DOUBLE, &(o)->modes.max_omega), CLI_POSITIVE, .error = "--max-omega needs a positive number (rad/ps)"}
#define CLI_VIB_SOLVER(o) {CLI_OPT("solver", 0, CLI_CALL, &(o)->modes.solver), .call = cli_vib_solver}

/* --solver NAME: a dense backend or the sparse solver, into *(const char **)o->dest. */
int cli_vib_solver(const cli_spec *s, const cli_opt *o, const char *value);

/* A warning on stderr when the analysis clipped the default boson-peak
 * window to the computed modes (vib_analysis.window_clipped). */
void cli_vib_warn_window(const char *cmd, const vib_analysis *a);

#endif
