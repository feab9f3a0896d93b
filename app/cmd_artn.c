/* cmd_artn.c — `bpel artn`: per-atom activation energies by ARTn searches,
 * with OpenMP threads and, when built with MPI, a task farm over ranks
 * (rank 0 hands out items and writes the log; the others search). */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "cli.h"
#include "forces.h"
#include "error.h"
#include "outfile.h"
#include "restart.h"

#ifdef BPEL_HAVE_MPI
#include <mpi.h>
#endif

const char cmd_artn_summary[] = "activation energies per atom by ARTn saddle searches (checkpointed, MPI/OpenMP)";

static void usage(void)
{
    printf(
            "usage: bpel artn DATA --out DIR [options]\n\n"
            "ARTn saddle searches around each selected atom of a relaxed glass (Yang, Wang &\n"
            "Zaccone §II.C): kick the atom and its neighbours within 2 Å by 0.1 Å, push until\n"
            "the lowest Hessian eigenvalue is below -0.30 eV/Å², climb until every force\n"
            "component and the norm of the force vector are below 0.05 eV/Å, as LAMMPS-ARTn\n"
            "(a kick fails where the curvature turns positive). ΔQ = E_saddle - E_initial,\n"
            "mean per atom. A kick that fails, or whose push and climb spend 800 force calls,\n"
            "is followed by a fresh one, 12 kicks in all (--param attempts=N, max_calls=N;\n"
            "events.csv: kicks).\n\n"
            "  --potential F       EAM file (default %s)\n"
            "  --elements A,B      element of each atom type\n"
            "  --atoms SPEC        all | ID,ID,... | type:Cu | type:1 | fraction:0.1 (default all)\n"
            "  --searches K        searches per atom (default 20)\n"
            "  --seed S            random seed (default 1); results do not depend on threads/ranks\n"
            "  --threads T         OpenMP threads (default OMP_NUM_THREADS, else all cores; 1 per MPI rank)\n"
            "  --resume            continue the campaign in DIR from its event log (refused when\n"
            "                      the glass, atoms, searches, seed or parameters differ)\n"
            "  --overwrite         start afresh in a DIR that holds a campaign (refused otherwise)\n"
            "  --method artn|lowest  ARTn (default), or the slowest-ascent search for low saddles\n"
            "                      after Bonfanti & Kob, J. Chem. Phys. 147, 204104 (2017)\n"
            "  --eigval X          basin-exit eigenvalue threshold, eV/Å² (default -0.30)\n"
            "  --ftol X            saddle force tolerance, eV/Å (default 0.05)\n"
            "  --kick X            kick norm, Å (default 0.1)\n"
            "  --kick-radius X     kicked neighbours within, Å (default 2.0)\n"
            "  --region all|X      all (default): every atom of the glass is free, as in the paper and\n"
            "                      LAMMPS-ARTn; X: only a region of radius X Å around the atom moves, the\n"
            "                      rest frozen (cheaper, but raises ΔQ: an approximation, docs/artn.md)\n"
            "  --no-connect        do not relax to the final minimum / check the connection\n"
            "  --max-initial-force F  refuse a start whose max |F_i| exceeds F eV/Å (default 1e-3)\n"
            "  --require-connect   reject saddles that do not relax back to the initial minimum\n"
            "                      (default: accept them, flagged connected=0 in events.csv)\n"
            "  --verbose           one line per push/climb step on stderr\n"
            "  --param NAME=VALUE  set any other search parameter (repeatable; --help-params lists them)\n"
            "  --out DIR           output directory (events.log, events.csv, atoms.csv,\n"
            "                      saddles.dump, minima.dump, dq_histogram.csv, dq_map.xyz, summary.json)\n\n"
            "  --help-params       list every search parameter --param takes, with its default\n\n"
            "Run under MPI as `mpirun -np P bpel artn ...` (rank 0 coordinates).\n",
            BPEL_DEFAULT_POTENTIAL);
}

static void usage_params(void)
{
    printf("Parameters for bpel artn --param NAME=VALUE (name, default, meaning):\n");
    campaign_params d;
    bpel_campaign_defaults(&d);
    bpel_campaign_param_list(stdout, &d);
}

/* --param NAME=VALUE into the campaign_params at o->dest. */
static int param_option(const cli_spec *s, const cli_opt *o, const char *v)
{
    char name[64];
    const char *eq = strchr(v, '=');
    if (!eq || eq == v || (size_t)(eq - v) >= sizeof name)
        return cli_usage_error(s->cmd, "--param wants NAME=VALUE, not '%s'", v);
    memcpy(name, v, (size_t)(eq - v));
    name[eq - v] = '\0';
    return bpel_campaign_param_set(o->dest, name, eq + 1) ? cli_usage_error(s->cmd, "%s", bpel_errmsg()) : 0;
}

/* --region all|X into the lf_params at o->dest (the last --region wins). */
static int region_option(const cli_spec *s, const cli_opt *o, const char *v)
{
    lf_params *r = o->dest;
    double d;
    if (!strcmp(v, "all")) return r->whole = 1, 0;
    if (cli_parse_double(v, &d)) return -1;
    if (d <= 0) return cli_usage_error(s->cmd, "--region must be positive");
    r->radius = d, r->whole = 0;
    return 0;
}

typedef struct {
    cli_progress bar;
    size_t last; /* searches in the log so far */
} prog;

/* Non-zero after SIGINT/SIGTERM: the searches in flight finish, no new one starts. */
static int on_progress(void *ctx, size_t done, size_t total, size_t acc)
{
    prog *p = ctx;
    p->last = done;
    char extra[96];
    snprintf(extra, sizeof extra, "%zu/%zu searches, %.0f%% converged", done, total, done ? 100.0 * acc / done : 0.0);
    cli_progress_update(&p->bar, (double)done, extra);
    return bpel_restart_signalled() != 0;
}

/* The one line an interrupted campaign ends with; the exit status. */
static int interrupted(size_t done, size_t total)
{
    int sig = bpel_restart_signalled();
    fprintf(stderr, "\nbpel artn: interrupted after %zu/%zu searches; rerun with --resume\n", done, total);
    return 128 + (sig ? sig : SIGTERM);
}

int cmd_artn(int argc, char **argv)
{
    const char *potential = NULL, *elements = NULL, *atoms = "all", *out = NULL;
    int resume = 0, overwrite = 0;
    long threads = 0; /* 0: cli_default_threads() */
    double max_f0 = 1e-3; /* eV/Å: the start must be an energy minimum */
    campaign_params cp;
    bpel_campaign_defaults(&cp);
    int method = cp.artn.method;
    static const int methods[] = {ARTN_METHOD_ARTN, ARTN_METHOD_LOWEST};
    const cli_opt opts[] = {
        {CLI_OPT("help-params", 0, CLI_SHOW, NULL), .show = usage_params},
        {CLI_OPT("potential", 0, CLI_STRING, &potential)},
        {CLI_OPT("elements", 0, CLI_STRING, &elements)},
        {CLI_OPT("atoms", 0, CLI_STRING, &atoms)},
        {CLI_OPT("out", 0, CLI_STRING, &out)},
        {CLI_OPT("resume", 0, CLI_FLAG, &resume)},
        {CLI_OPT("overwrite", 0, CLI_FLAG, &overwrite)},
        {CLI_OPT("no-connect", 0, CLI_FLAG_OFF, &cp.artn.check_connect)},
        {CLI_OPT("require-connect", 0, CLI_FLAG, &cp.artn.require_connect)},
        {CLI_OPT("verbose", 0, CLI_FLAG, &cp.artn.verbose)},
        {CLI_OPT("param", 0, CLI_CALL, &cp), .call = param_option},
        {CLI_OPT("max-initial-force", 0, CLI_DOUBLE, &max_f0), CLI_POSITIVE},
        {CLI_OPT("searches", 0, CLI_INT, &cp.searches), CLI_FROM_TO(1, 1000000)},
        {CLI_OPT("seed", 0, CLI_ULONG, &cp.seed), CLI_NONNEG},
        {CLI_OPT("threads", 0, CLI_LONG, &threads), CLI_FROM_TO(1, 4096)},
        {CLI_OPT("method", 0, CLI_CHOICE, &method), .choices = "artn|lowest", .values = methods,
         .error = "--method must be artn or lowest, not '%v'"},
        {CLI_OPT("eigval", 0, CLI_DOUBLE, &cp.artn.eigval_threshold), .check = CLI_MAX_OPEN, .max = 0,
         .range_error = "--eigval must be negative"},
        {CLI_OPT("ftol", 0, CLI_DOUBLE, &cp.artn.ftol), CLI_POSITIVE, .range_error = "%o must be positive"},
        {CLI_OPT("kick", 0, CLI_DOUBLE, &cp.artn.kick_norm), CLI_POSITIVE, .range_error = "%o must be positive"},
        {CLI_OPT("kick-radius", 0, CLI_DOUBLE, &cp.artn.kick_radius), CLI_POSITIVE, .range_error = "%o must be positive"},
        {CLI_OPT("region", 0, CLI_CALL, &cp.region), .call = region_option},
        {0}};
    const cli_spec spec = {.cmd = "artn", .opts = opts, .help = usage, .syntax = CLI_WORDS, .bad_value = "bad %o '%v'",
                           .prefix = "-", .max_operands = 1, .extra = "unexpected argument %v", .unknown_first = 1};
    cli_operands ops;
    int prc = cli_parse(&spec, argc, argv, &ops);
    if (prc) return cli_exit(prc);
    cp.artn.method = (artn_method)method;
    const char *data = ops.n ? ops.v[0] : NULL;
    if (!data) return cli_usage_error("artn", "no data file given");
    if (!out) return cli_usage_error("artn", "--out DIR is required");

    int rank = 0, size = 1;
#ifdef BPEL_HAVE_MPI
    int inited = 0;
    MPI_Init(NULL, NULL);
    inited = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
#endif
    /* the default: every core, or one thread per rank under MPI (ranks share the node) */
    if (threads == 0) threads = size > 1 && !getenv("OMP_NUM_THREADS") ? 1 : cli_default_threads();
    int status = 0;
    cli_setup cs;
    memset(&cs, 0, sizeof cs);
    campaign *c = NULL;
    unsigned char *done = NULL;
    /* a signal lets the searches in flight finish and be logged (the
     * campaign stays resumable); a second one ends the process at once */
    bpel_restart_catch_signals();
    if (rank == 0 && bpel_out_check_dir(out)) { /* the outputs can be written: found out now */
        status = cli_error();
        goto end;
    }
    if (cli_load(data, potential, elements, &cs)) {
        status = cli_error();
        goto end;
    }
    /* ΔQ = E_saddle - E_initial only means something from a minimum */
    if (bpel_forces_require_minimum(cs.model, cs.sys, max_f0, data,
                               "ARTn needs an inherent structure; run `bpel minimize` first (or raise "
                               "--max-initial-force)",
                               NULL)) {
        status = cli_error();
        goto end;
    }
    if (bpel_campaign_create(cs.sys, cs.model, atoms, &cp, &c)) {
        status = cli_error();
        goto end;
    }
    size_t nitems = bpel_campaign_nitems(c), ndone = 0, nacc = 0;
    if (!(done = bpel_calloc(nitems + 1, 1))) {
        status = cli_error();
        goto end;
    }
    if (rank == 0) {
        fprintf(stderr, "%s\nbpel artn: %zu atoms x %d searches, %ld thread(s), %d rank(s)\n", cli_provenance(),
                bpel_campaign_natoms(c), cp.searches, threads, size);
        if (bpel_campaign_log_open(c, out, resume, overwrite, done, &ndone, &nacc)) {
            status = cli_error();
        } else if (resume) {
            fprintf(stderr, "bpel artn: resuming, %zu of %zu searches already done\n", ndone, nitems);
        }
    }
    prog pg = {.last = ndone};
    cli_progress_start(&pg.bar, "artn", (double)nitems);
#ifdef BPEL_HAVE_MPI
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (status) goto end;
    if (size > 1) {
        campaign_ranks_outcome oc;
        int rc = bpel_campaign_run_ranks(c, done, &ndone, &nacc, on_progress, &pg, &oc);
        if (rc == BPEL_EINTR) status = interrupted(ndone, nitems);
        else if (rc) status = cli_error();
        else if (oc.failed) status = 1;
        else if (oc.interrupted) {
            int sig = bpel_restart_signalled();
            status = 128 + (sig ? sig : SIGTERM);
        }
        if (status) goto end;
    } else
#endif
    {
        if (status) goto end;
        int rc = bpel_campaign_run(c, done, (int)threads, on_progress, &pg);
        if (rc == BPEL_EINTR) {
            status = interrupted(pg.last, nitems);
            goto end;
        }
        if (rc) {
            status = cli_error();
            goto end;
        }
    }
    cli_progress_finish(&pg.bar);
    if (rank == 0) {
        bpel_campaign_log_close(c);
        campaign_summary sum;
        if (bpel_campaign_write_outputs(c, out, &sum)) {
            status = cli_error();
            goto end;
        }
        bpel_campaign_summary_write(stdout, &sum);
    }
end:
    free(done);
    bpel_campaign_destroy(c);
    if (cs.sys || cs.pot) cli_setup_free(&cs);
#ifdef BPEL_HAVE_MPI
    if (inited) MPI_Finalize();
#endif
    return status;
}
