/* cmd_minimize.c — `bpel minimize`: relax a configuration to a local minimum
 * (inherent structure) by conjugate gradient or FIRE. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_dyn.h"
#include "error.h"
#include "outfile.h"
#include "minimise.h"

const char cmd_minimize_summary[] = "minimise the energy (CG or FIRE), optionally relaxing the box to a pressure";

static void help(void)
{
    printf("usage: bpel minimize DATA --out MIN.data [options]\n\n"
           "Relaxes the atoms (and with --relax-box the volume, isotropically) to a local\n"
           "energy minimum. Stops when the largest atomic force max_i |F_i| <= ftol; exits\n"
           "with status 3 (and still writes --out) when that cannot be reached.\n\n"
           "  --potential F     EAM file (default %s)\n"
           "  --elements A,B    element of each atom type\n"
           "  --out F           minimised configuration (LAMMPS data file; required)\n"
           "  --ftol F          force tolerance, eV/A (default 1e-8)\n"
           "  --etol E          also stop when |dE| <= E |E| between iterations (default 0: off)\n"
           "  --method M        cg (Polak-Ribiere, default) or fire\n"
           "  --relax-box       relax the volume isotropically to --pressure\n"
           "  --pressure P      target pressure, bar (default 0)\n"
           "  --max-iter N      iteration limit (default 200000)\n"
           "  --threads K       OpenMP threads\n"
           "  --verbose         progress lines on stderr\n",
           BPEL_DEFAULT_POTENTIAL);
}

int cmd_minimize(int argc, char **argv)
{
    const char *potential = NULL, *elements = NULL, *out = NULL;
    min_params p;
    bpel_min_defaults(&p);
    long threads = 0;
    int method = p.method;
    static const int methods[] = {MIN_CG, MIN_FIRE};
    const cli_opt opts[] = {{CLI_OPT("relax-box", 0, CLI_FLAG, &p.relax_box)},
                            {CLI_OPT("verbose", 0, CLI_FLAG, &p.verbose)},
                            {CLI_OPT("potential", 0, CLI_STRING, &potential)},
                            {CLI_OPT("elements", 0, CLI_STRING, &elements)},
                            {CLI_OPT("out", 0, CLI_STRING, &out)},
                            {CLI_OPT("ftol", 0, CLI_DOUBLE, &p.ftol), CLI_POSITIVE},
                            {CLI_OPT("etol", 0, CLI_DOUBLE, &p.etol), CLI_NONNEG},
                            {CLI_OPT("pressure", 0, CLI_DOUBLE, &p.pressure)},
                            {CLI_OPT("max-iter", 0, CLI_LONG, &p.max_iter), CLI_AT_LEAST(1)},
                            {CLI_OPT("threads", 0, CLI_LONG, &threads), CLI_AT_LEAST(1)},
                            {CLI_OPT("method", 0, CLI_CHOICE, &method), .choices = "cg|fire", .values = methods},
                            {0}};
    const cli_spec spec = {.cmd = "minimize", .opts = opts, .help = help, .syntax = CLI_WORDS, .max_operands = 1};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    p.method = (min_method)method;
    const char *data = ops.n ? ops.v[0] : NULL;
    if (!data) return cli_usage_error("minimize", "no data file given");
    if (!out) return cli_usage_error("minimize", "--out is required");
    if (threads > 0 && dyn_set_threads(threads)) return cli_error();
    if (bpel_out_check(out)) return cli_error(); /* before the minimisation, not after */
    cli_setup c;
    if (cli_load(data, potential, elements, &c)) return cli_error();
    bpel_forces *e = NULL;
    rc = bpel_forces_create(c.model, c.sys, DYN_SKIN, &e);
    if (rc) {
        cli_setup_free(&c);
        return cli_error();
    }
    double t0 = cli_wall_time();
    min_result r;
    rc = bpel_minimise(e, c.sys, &p, &r);
    double wall = cli_wall_time() - t0;
    if (rc && rc != BPEL_ECONV) {
        bpel_forces_destroy(e);
        cli_setup_free(&c);
        return cli_error();
    }
    printf("# %s\n", cli_provenance());
    printf("energy_eV %.12f\nenergy_per_atom_eV %.12f\nfmax_eV_per_A %.3e\npressure_bar %.6g\nvolume_A3 %.10g\n"
           "iterations %ld\nforce_evaluations %ld\nconverged %s (%s)\nwall_s %.3f\n",
           r.energy, r.energy / (double)c.sys->n, r.fmax, r.pressure, bpel_box_volume(&c.sys->box), r.iterations,
           r.evaluations, r.converged ? "yes" : "no", r.reason, wall);
    if (c.sys->v) memset(c.sys->v, 0, 3 * c.sys->n * sizeof *c.sys->v);
    char comment[256];
    snprintf(comment, sizeof comment, "LAMMPS data file written by bpel minimize: E = %.12f eV, max|F| = %.3e eV/A",
             r.energy, r.fmax);
    int wrc = bpel_data_write(out, c.sys, comment);
    bpel_forces_destroy(e);
    cli_setup_free(&c);
    if (wrc) return cli_error();
    if (rc == BPEL_ECONV) {
        fprintf(stderr, "bpel minimize: %s\n", bpel_errmsg());
        return 3;
    }
    return 0;
}
