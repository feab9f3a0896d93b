/* cmd_inherent.c — `bpel inherent`: inherent structures at several
 * temperatures (paper §II.A and Fig. 9): for each T, velocities at T, NVT
 * (Nosé–Hoover chain) for a given time at fixed volume, then conjugate
 * gradient to max|F| <= ftol; the runs and files are inherent_run
 * (inherent.h). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

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
    const char *data = NULL, *temps = NULL, *outdir = NULL, *potential = NULL, *elements = NULL;
    inherent_options o;
    inherent_defaults(&o);
    long threads = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help();
            return 0;
        }
        if (a[0] != '-' || a[1] != '-') {
            if (data) return cli_usage_error("inherent", "unexpected argument '%s'", a);
            data = a;
            continue;
        }
        if (i + 1 >= argc) return cli_usage_error("inherent", "%s needs a value", a);
        const char *v = argv[++i];
        int bad = 0;
        if (!strcmp(a, "--temperatures")) temps = v;
        else if (!strcmp(a, "--time")) bad = cli_parse_double(v, &o.time) || o.time < 0;
        else if (!strcmp(a, "--out")) outdir = v;
        else if (!strcmp(a, "--potential")) potential = v;
        else if (!strcmp(a, "--elements")) elements = v;
        else if (!strcmp(a, "--ftol")) bad = cli_parse_double(v, &o.ftol) || !(o.ftol > 0);
        else if (!strcmp(a, "--dt")) bad = cli_parse_double(v, &o.dt) || !(o.dt > 0);
        else if (!strcmp(a, "--tdamp")) bad = cli_parse_double(v, &o.tdamp) || !(o.tdamp > 0);
        else if (!strcmp(a, "--seed")) bad = cli_parse_long(v, &o.seed) || o.seed < 0;
        else if (!strcmp(a, "--log-every")) bad = cli_parse_long(v, &o.log_every) || o.log_every < 1;
        else if (!strcmp(a, "--threads")) bad = cli_parse_long(v, &threads) || threads < 1;
        else return cli_usage_error("inherent", "unknown option %s", a);
        if (bad) return cli_usage_error("inherent", "invalid value '%s' for %s", v, a);
    }
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
    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "bpel inherent: cannot create %s: %s\n", outdir, strerror(errno));
        return 1;
    }
    cli_setup s;
    if (cli_load(data, potential, elements, &s)) return cli_error();
    o.temperatures = tlist;
    o.ntemperatures = nt;
    o.source = data;
    o.provenance = cli_provenance();
    cli_progress bar;
    inherent_result r;
    int rc = inherent_run(s.pot, s.map, s.sys, &o, outdir, report, &bar, &r);
    int all_conv = r.all_converged;
    inherent_result_free(&r);
    cli_setup_free(&s);
    if (rc) return cli_error();
    return all_conv ? 0 : 3;
}
