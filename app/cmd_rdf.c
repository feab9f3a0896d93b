/* cmd_rdf.c — `bpel rdf`: total and partial radial distribution functions
 * and running coordination numbers of a configuration. */
#include <stdio.h>

#include "cli.h"
#include "cli_analysis.h"
#include "error.h"
#include "outfile.h"
#include "rdf.h"

const char cmd_rdf_summary[] = "total and partial radial distribution functions g(r) and coordination numbers";

static void help(void)
{
    printf("usage: bpel rdf DATA --out DIR [--rmax 10] [--dr 0.02] [--elements Cu,Zr]\n\n"
           "Radial distribution functions of the configuration in the LAMMPS data file DATA, from all\n"
           "periodic images: g(r) normalised so that an ideal gas gives 1 (N(N-1) pairs; partials\n"
           "N_a(N_b - delta_ab)), histogrammed in shells of width dr with exact shell volumes.\n\n"
           "  --rmax A       range in Å (default 10; below the smallest box width)\n"
           "  --dr A         bin width in Å (default 0.02)\n"
           "  --elements L   element of each atom type, e.g. Cu,Zr (names the partials)\n"
           "  --out DIR      output directory (created if missing)\n\n"
           "Writes rdf.csv (r_A, g_total, n_total, g_AB for each pair, n_AB = B neighbours of an A atom\n"
           "within r), rdf.json (first peak, first minimum and coordination number of each g) and the\n"
           "figure rdf (.png, .svg).\n");
}

int cmd_rdf(int argc, char **argv)
{
    double rmax = 10, dr = 0.02;
    const char *elements = NULL, *out = NULL;
    const cli_opt opts[] = {{CLI_OPT("rmax", 'r', CLI_DOUBLE, &rmax)},
                            {CLI_OPT("dr", 'd', CLI_DOUBLE, &dr)},
                            {CLI_OPT("elements", 'e', CLI_STRING, &elements)},
                            {CLI_OPT("out", 'o', CLI_STRING, &out)},
                            {0}};
    const cli_spec spec = {.cmd = "rdf", .opts = opts, .help = help, .bad_value = "bad %o '%v'"};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    if (ops.n != 1) return cli_usage_error("rdf", "expected one data file");
    if (!out) return cli_usage_error("rdf", "--out is required");
    if (!(dr > 0 && rmax > dr)) return cli_usage_error("rdf", "need --rmax > --dr > 0");
    bpel_system *s = NULL;
    rdf_result r = {0};
    if ((rc = bpel_data_read(ops.v[0], &s))) goto done;
    if (elements && (rc = bpel_system_set_elements(s, elements))) goto done;
    cli_guess_elements(s);
    if ((rc = bpel_mkdir_p(out))) goto done;
    if ((rc = bpel_rdf_compute(s, rmax, dr, &r))) goto done;
    if ((rc = bpel_rdf_write(s, &r, ops.v[0], cli_provenance(), out))) goto done;
    long pk, mn;
    bpel_rdf_first_peak(r.nbins, r.r, r.g, 0, &pk, &mn);
    if (pk >= 0) printf("first peak of g(r) at %.3f Å (g = %.3f)", r.r[pk], r.g[pk]);
    if (mn >= 1) printf(", first minimum at %.3f Å with %.2f neighbours", r.r[mn], 0.5 * (r.n[mn - 1] + r.n[mn]));
    printf("\noutputs in %s/\n", out);
done:
    bpel_rdf_free(&r);
    bpel_system_destroy(s);
    return rc ? cli_error() : 0;
}
