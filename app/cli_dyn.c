/* cli_dyn.c — see cli_dyn.h. */
#include "cli_dyn.h"

#include <omp.h>
#include <signal.h>
#include <stdio.h>

#include "error.h"

static void bar_update(mdrun *c, double done) { cli_progress_update(c->progress, done, NULL); }

static void notice(mdrun *c, const char *msg) { fprintf(stderr, "bpel: %s\n", msg); }

int dyn_run(dyn_ctx *c, long until)
{
    if (c->progress && !c->on_progress) c->on_progress = bar_update;
    if (!c->on_notice) c->on_notice = notice;
    return bpel_mdrun_run(c, until);
}

int dyn_interrupted(const dyn_ctx *c, const char *cmd)
{
    int sig = bpel_restart_signalled();
    fprintf(stderr, "bpel %s: %s\n", cmd, bpel_errmsg());
    if (c->restart_path) fprintf(stderr, "bpel %s: continue with: bpel %s --resume %s\n", cmd, cmd, c->restart_path);
    return 128 + (sig ? sig : SIGTERM);
}

int dyn_set_threads(long k)
{
    if (k < 1 || k > 4096) return bpel_fail(BPEL_EINVAL, "--threads %ld must be at least 1", k);
    omp_set_num_threads((int)k);
    return BPEL_OK;
}
