/* cli_dyn.h — the front-end side of the dynamics run loop (mdrun.h) for
 * the commands md, inherent, trajectory and tg: the loop with a progress bar
 * and messages on stderr, the message and exit status of an interrupted
 * run, and --threads. The other names are those of mdrun.h under the
 * commands' spelling. */
#ifndef BPEL_CLI_DYN_H
#define BPEL_CLI_DYN_H

#include <gsl/gsl_rng.h>
#include <stdio.h>

#include "cli.h"
#include "md.h"
#include "mdrun.h"
#include "restart.h"

#define DYN_SKIN MDRUN_SKIN

/* `progress` may point to a cli_progress, which dyn_run then updates. */
typedef mdrun dyn_ctx;

/* bpel_mdrun_run with a progress bar (when c->progress is a cli_progress) and
 * "bpel: ..." notices on stderr. */
int dyn_run(dyn_ctx *c, long until);
/* Message and exit status after an interrupted run. */
int dyn_interrupted(const dyn_ctx *c, const char *cmd);
/* Parse "--threads K" values etc.: sets the OpenMP thread count. */
int dyn_set_threads(long k);

static inline void dyn_thermo(dyn_ctx *c) { bpel_mdrun_thermo(c); }
static inline void dyn_free(dyn_ctx *c) { bpel_mdrun_free(c); }
static inline void dyn_set_restart_every(dyn_ctx *c, long every) { bpel_mdrun_set_restart_every(c, every); }
static inline void dyn_log_header(FILE *fp) { bpel_mdrun_log_header(fp); }
static inline int dyn_cut_csv(const char *path, long step) { return bpel_mdrun_cut_csv(path, step); }
static inline int dyn_cut_dump(const char *path, long step) { return bpel_mdrun_cut_dump(path, step); }

#endif
