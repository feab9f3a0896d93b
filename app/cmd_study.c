/* cmd_study.c — `bpel study CONFIG.yaml`: a whole study, end to end
 * (bpel_study_run, study.h), with one line per step on stdout: for every glass of
 * the description (composition × cooling rate), quench → Tg → modes → ARTn →
 * correlations → trajectories → PMF → Grüneisen → temperature series, each
 * as a separate `bpel` process (this program) with its own log; then the
 * sweeps, the merged per-atom tables, summary.json and report.md/.html.
 * Finished steps are reused by a rerun, so an interrupted study resumes. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "error.h"
#include "restart.h"
#include "study.h"

const char cmd_study_summary[] = "run a whole study from a YAML description: glasses, modes, saddles, figures, report";

static void help(void)
{
    printf("usage: bpel study CONFIG.yaml [--out DIR] [--threads N] [--redo | --resume]\n\n"
           "Runs the study described in CONFIG.yaml (see examples/demo.yaml and examples/sweep.yaml)\n"
           "into one folder: glasses, per-atom tables, every figure of the paper the description\n"
           "covers, summary.json and report.md / report.html. Finished steps are reused when the\n"
           "study is run again with the same parameters (interrupt and rerun to resume).\n\n"
           "  --out DIR      output folder (default: `output` of the description, else the study name)\n"
           "  --threads N    OpenMP threads for every step (default: `threads`, else OMP_NUM_THREADS, else\n"
           "                 all cores)\n"
           "  --redo         ignore finished steps and run everything again\n"
           "  --resume       what a rerun does anyway (finished steps are reused)\n"
           "  --check        only read and validate the description\n");
}

/* Progress lines on stdout, errors of steps on stderr; ctx: the description. */
static void on_event(void *ctx, const study_event *e)
{
    const study_config *cfg = ctx;
    switch (e->kind) {
    case STUDY_BEGIN: printf("# %s\n# study '%s' -> %s\n", cli_provenance(), cfg->name, e->dir); break;
    case STUDY_STEP_REUSED: printf("[%2d/%2d] %-28s reused (%s)\n", e->index, e->total, e->step, e->dir); break;
    case STUDY_STEP_START:
        printf("[%2d/%2d] %-28s %s", e->index, e->total, e->step, e->continued ? "continued from its checkpoint, " : "");
        break;
    case STUDY_STEP_DONE: printf("done in %.1f s\n", e->seconds); break;
    case STUDY_STEP_FAILED: printf("FAILED after %.1f s\n", e->seconds); break;
    case STUDY_STEP_INTERRUPTED: printf("interrupted after %.1f s\n", e->seconds); break;
    case STUDY_STEP_SKIPPED:
        printf("[%2d/%2d] %-28s skipped (%s failed)\n", e->index, e->total, e->step, e->detail);
        break;
    case STUDY_STEP_LEFT_OUT: printf("[%2d/%2d] %-28s skipped: %s\n", e->index, e->total, e->step, e->detail); break;
    case STUDY_ERROR: fprintf(stderr, "bpel study: %s\n", e->detail); break;
    }
    fflush(stdout);
}

static volatile sig_atomic_t study_signal = 0;
static void on_study_signal(int sig) { study_signal = sig; }

int cmd_study(int argc, char **argv)
{
    const char *out = NULL;
    long threads = -1;
    int redo = 0, check = 0, resume = 0;
    const cli_opt opts[] = {{CLI_OPT("out", 'o', CLI_STRING, &out)},
                            {CLI_OPT("threads", 't', CLI_LONG, &threads), CLI_AT_LEAST(1),
                             .error = "--threads needs a positive integer"},
                            {CLI_OPT("redo", 'r', CLI_FLAG, &redo)},
                            /* a rerun always resumes: accepted for scripts that say so */
                            {CLI_OPT("resume", 0, CLI_FLAG, &resume)},
                            {CLI_OPT("check", 'c', CLI_FLAG, &check)},
                            {0}};
    const cli_spec spec = {.cmd = "study", .opts = opts, .help = help};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    if (ops.n != 1) return cli_usage_error("study", "expected one study description (YAML)");
    study_config cfg;
    if (bpel_study_config_read(ops.v[0], &cfg) || bpel_study_config_check_potential(ops.v[0], &cfg)) return cli_error();
    if (check) {
        printf("%s: valid study description '%s' (%d composition(s) x %d cooling rate(s), %ld atoms)\n", ops.v[0],
               cfg.name, cfg.ncompositions, cfg.nrates, cfg.atoms);
        return 0;
    }
    char self[1024];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) return cli_error();
    self[len] = '\0';
    study_options o;
    bpel_study_options_default(&o);
    o.program = self;
    o.out = out;
    o.redo = redo;
    o.threads = threads > 0 ? (int)threads : cfg.threads;
    if (o.threads <= 0) o.threads = cli_default_threads();
    o.provenance = cli_provenance();
    o.signalled = &study_signal;
    o.event = on_event;
    o.ctx = &cfg;
    bpel_restart_on_signals(on_study_signal);
    double t0 = cli_wall_time();
    study_result res;
    rc = bpel_study_run(&cfg, &o, &res);
    if (rc == BPEL_EINTR) {
        fprintf(stderr, "bpel study: %s\n", bpel_errmsg());
        return 128 + (int)study_signal;
    }
    if (rc) return cli_error();
    printf("study finished in %.1f s: %s/report.html, %s/summary.json\n", cli_wall_time() - t0, res.out, res.out);
    return 0;
}
