/* cmd_inherent.c — `bpel inherent`: inherent structures at several
 * temperatures (paper §II.A and Fig. 9): for each T, velocities at T, NVT
 * (Nosé–Hoover chain) for a given time at fixed volume, then conjugate
 * gradient to max|F| <= ftol; the runs and files are bpel_inherent_run
 * (inherent.h). */
#include <string.h>

#include "cli.h"
#include "cli_dyn.h"
#include "error.h"
#include "inherent.h"

const char cmd_inherent_summary[] = "inherent structures: NVT at each temperature, then CG minimisation";

static void help(void)
{
    printf("usage: bpel inherent DATA --temperatures T1,T2,... --time PS --out DIR [options]\n\n"
           "For each temperature: Maxwell-Boltzmann velocities at T (seeded), NVT at the volume\n"
           "of DATA for the given time (Nose-Hoover chain, LAMMPS fix nvt equations), then\n"
           "conjugate-gradient minimisation to max|F| <= ftol. Writes DIR/inherent_<T>K.data\n"
           "(the inherent structure), DIR/inherent_<T>K.log.csv (thermo) and DIR/inherent.json\n"
           "and DIR/inherent.csv (T, energy per atom, max|F|, converged).\n\n"
           "  --temperatures LIST   comma-separated, K (e.g. 100,300,500,700)\n"
           "  --time PS             NVT time at each temperature, ps\n"
           "  --out DIR             output directory\n"
           "  --potential F --elements A,B\n"
           "  --ftol F              eV/A (default 1e-8)\n"
           "  --dt DT --tdamp T     ps (defaults 0.002, 0.1)\n"
           "  --seed S              velocity seed (default 12345; each T uses seed + index)\n"
           "  --log-every M         thermo log interval, steps (default 100)\n"
           "  --threads K\n");
}

/* progress bar and messages of each run */
static void report(const inherent_progress *p, void *user)
{
    cli_progress *bar = user;
    char label[32];
    switch (p->event) {
    case INHERENT_BEGIN:
        snprintf(label, sizeof label, "%gK", p->temperature);
        cli_progress_start(bar, label, (double)p->nsteps);
        break;
    case INHERENT_STEP: cli_progress_update(bar, (double)p->step, NULL); break;
    case INHERENT_END: cli_progress_finish(bar); break;
    case INHERENT_WARNING: fprintf(stderr, "bpel inherent: warning at %g K: %s\n", p->temperature, p->message); break;
    case INHERENT_DONE: {
        const inherent_structure *is = p->structure;
        printf("T = %g K: <T> = %.1f K, inherent structure E = %.8f eV/atom, max|F| = %.2e eV/A -> %s\n", is->temperature,
               is->mean_temperature, is->energy_per_atom, is->fmax, is->file);
        break;
    }
    case INHERENT_NOTICE: fprintf(stderr, "bpel: %s\n", p->message); break;
    }
}

int cmd_inherent(int argc, char **argv)
{
    const char *temps = NULL, *outdir = NULL, *potential = NULL, *elements = NULL;
    inherent_options o;
    bpel_inherent_defaults(&o);
    long threads = 0;
    const cli_opt opts[] = {{CLI_OPT("temperatures", 0, CLI_STRING, &temps)},
                            {CLI_OPT("time", 0, CLI_DOUBLE, &o.time), CLI_NONNEG},
                            {CLI_OPT("out", 0, CLI_STRING, &outdir)},
                            {CLI_OPT("potential", 0, CLI_STRING, &potential)},
                            {CLI_OPT("elements", 0, CLI_STRING, &elements)},
                            {CLI_OPT("ftol", 0, CLI_DOUBLE, &o.ftol), CLI_POSITIVE},
                            {CLI_OPT("dt", 0, CLI_DOUBLE, &o.dt), CLI_POSITIVE},
                            {CLI_OPT("tdamp", 0, CLI_DOUBLE, &o.tdamp), CLI_POSITIVE},
                            {CLI_OPT("seed", 0, CLI_LONG, &o.seed), CLI_NONNEG},
                            {CLI_OPT("log-every", 0, CLI_LONG, &o.log_every), CLI_AT_LEAST(1)},
                            {CLI_OPT("threads", 0, CLI_LONG, &threads), CLI_AT_LEAST(1)},
                            {0}};
    const cli_spec spec = {.cmd = "inherent", .opts = opts, .help = help, .syntax = CLI_WORDS, .max_operands = 1};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    const char *data = ops.n ? ops.v[0] : NULL;
    if (!data) return cli_usage_error("inherent", "no data file given");
    if (!temps) return cli_usage_error("inherent", "--temperatures is required");
    if (o.time < 0) return cli_usage_error("inherent", "--time is required");
    if (!outdir) return cli_usage_error("inherent", "--out is required");
    double tlist[256];
    int nt = 0;
    {
        char buf[4096];
        snprintf(buf, sizeof buf, "%s", temps);
        for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
            if (nt == 256) return cli_usage_error("inherent", "too many temperatures");
            if (cli_parse_double(tok, &tlist[nt]) || !(tlist[nt] > 0))
                return cli_usage_error("inherent", "temperature '%s' must be a positive number (K)", tok);
            nt++;
        }
        if (nt == 0) return cli_usage_error("inherent", "no temperatures given");
    }
    if (threads > 0 && dyn_set_threads(threads)) return cli_error();
    if (cli_mkdir("inherent", outdir)) return 1;
    cli_setup s;
    if (cli_load(data, potential, elements, &s)) return cli_error();
    o.temperatures = tlist;
    o.ntemperatures = nt;
    o.source = data;
    o.provenance = cli_provenance();
    cli_progress bar;
    inherent_result r;
    rc = bpel_inherent_run(s.model, s.sys, &o, outdir, report, &bar, &r);
    int all_conv = r.all_converged;
    bpel_inherent_result_free(&r);
    cli_setup_free(&s);
    if (rc) return cli_error();
    return all_conv ? 0 : 3;
}
