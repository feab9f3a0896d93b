/* cmd_pmf.c — `bpel pmf`: potential of mean force w(r) = −k_B T ln g(r) of a
 * configuration and the anharmonicity of its first well (paper Fig. 10); the
 * stage itself is bpel_pmf_run (pmf.h). */
#include <stdio.h>

#include "cli.h"
#include "cli_analysis.h"
#include "error.h"
#include "pmf.h"

const char cmd_pmf_summary[] = "potential of mean force w(r) = -kT ln g(r) and its quadratic fit (Fig. 10)";

static void help(void)
{
    printf("usage: bpel pmf DATA --out DIR [--temperature 10] [--pair total|A-B] [--halfwidth 0.1]\n"
           "                [--rmax 10] [--dr 0.02] [--elements Cu,Zr]\n\n"
           "Potential of mean force w(r) = -k_B T ln g(r) (eV) of the configuration in DATA, for the\n"
           "total g(r) and every partial. The first well of the chosen g is fitted by a parabola\n"
           "w0 + k (r - r0)^2 / 2 over the bins within --halfwidth of its lowest point, and by a quartic\n"
           "over the whole well (left: where g first exceeds 1; right: highest w within 1.5 Å) whose\n"
           "derivatives d^n w/dr^n at r0 (n = 2, 3, 4) quantify the anharmonicity.\n\n"
           "  --temperature K   T in w = -k_B T ln g (default 10 K: the paper's inherent structure\n"
           "                    quenched from 10 K)\n"
           "  --pair P          total (default), or a pair of species/types such as Cu-Zr or 1-2\n"
           "  --halfwidth A     half-width of the parabola's window in Å (default 0.1)\n"
           "  --rmax A --dr A   range and bin width of g(r) in Å (default 10, 0.02)\n"
           "  --elements L      element of each atom type\n"
           "  --out DIR         output directory (created if missing)\n\n"
           "Writes pmf.csv (r_A, g, w_eV, parabola_eV, deviation_eV of the chosen pair, then w of every\n"
           "g), pmf.json (fit parameters) and the figure fig10_pmf (.png, .svg).\n");
}

int cmd_pmf(int argc, char **argv)
{
    pmf_options po;
    bpel_pmf_defaults(&po);
    const char *elements = NULL, *out = NULL;
    const cli_opt opts[] = {{CLI_OPT("temperature", 'T', CLI_DOUBLE, &po.temperature)},
                            {CLI_OPT("pair", 'p', CLI_STRING, &po.pair)},
                            {CLI_OPT("halfwidth", 'w', CLI_DOUBLE, &po.halfwidth)},
                            {CLI_OPT("rmax", 'r', CLI_DOUBLE, &po.rmax)},
                            {CLI_OPT("dr", 'd', CLI_DOUBLE, &po.dr)},
                            {CLI_OPT("elements", 'e', CLI_STRING, &elements)},
                            {CLI_OPT("out", 'o', CLI_STRING, &out)},
                            {0}};
    const cli_spec spec = {.cmd = "pmf", .opts = opts, .help = help, .bad_value = "bad number '%v'"};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    if (ops.n != 1) return cli_usage_error("pmf", "expected one data file");
    if (!out) return cli_usage_error("pmf", "--out is required");
    if (!(po.temperature > 0)) return cli_usage_error("pmf", "--temperature must be positive");
    if (!(po.dr > 0 && po.rmax > po.dr && po.halfwidth > 0)) return cli_usage_error("pmf", "need --rmax > --dr > 0 and --halfwidth > 0");
    bpel_system *s = NULL;
    pmf_result r = {0};
    if ((rc = bpel_data_read(ops.v[0], &s))) goto done;
    if (elements && (rc = bpel_system_set_elements(s, elements))) goto done;
    cli_guess_elements(s);
    po.data = ops.v[0];
    po.provenance = cli_provenance();
    if ((rc = bpel_pmf_run(s, &po, out, &r))) goto done;
    const rdf_well *wl = &r.well;
    printf("%s: w(r) minimum at r0 = %.4f Å, w0 = %.5f eV, k = %.4f eV/Å^2 (T = %g K)\n", r.pair, wl->r0, wl->w0, wl->k,
           po.temperature);
    printf("well %.3f .. %.3f Å: d3w/dr3 = %.4g eV/Å^3, d4w/dr4 = %.4g eV/Å^4\n", wl->r_left, wl->r_right,
           wl->taylor[3], wl->taylor[4]);
    printf("outputs in %s/\n", out);
done:
    bpel_pmf_free(&r);
    bpel_system_destroy(s);
    return rc ? cli_error() : 0;
}
