/* cmd_elastic.c — `bpel elastic`: athermal elastic constants (Born minus non-affine) and their check by strain and relaxation. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "elastic.h"
#include "error.h"
#include "forces.h"
#include "vdos.h"

const char cmd_elastic_summary[] = "elastic constants of a minimum: Born minus non-affine term, checked by strain and relaxation";

static void help(void)
{
    printf("usage: bpel elastic DATA [--potential FILE] [--elements E1,E2] [--route cg|modes] [--check H] [--json]\n\n"
           "Elastic constants C = (1/V)[d2U/deta2 - Xi.H+.Xi] of the minimised configuration in DATA (GPa,\n"
           "Voigt order xx yy zz yz xz xy): the affine Born term minus the non-affine relaxation, the\n"
           "stress-strain coefficients B (equal to C at zero stress; used for wave speeds), and the Voigt\n"
           "isotropic K and G, relaxed and affine.\n\n"
           "  --route cg|modes   non-affine term by conjugate gradients on the sparse Hessian (default) or\n"
           "                     from all normal modes (dense diagonalisation)\n"
           "  --check H          also strain by +-H (e.g. 1e-5) in each of the six directions, re-minimise\n"
           "                     the positions at fixed box (CG, max|F| <= --ftol) and print B from the\n"
           "                     stress differences next to the analytic one\n"
           "  --ftol F           force tolerance of that re-minimisation (default 1e-10 eV/A)\n"
           "  --max-initial-force F  refuse a structure whose max |F_i| exceeds F eV/Å (default 1e-3; inf: no\n"
           "                     check): elastic constants are only defined at a minimum\n"
           "  --json             print a JSON object instead of the tables\n");
}

static void print6(const char *title, const double M[6][6])
{
    printf("%s (GPa)\n", title);
    for (int v = 0; v < 6; v++) {
        for (int w = 0; w < 6; w++) printf(" %10.3f", M[v][w]);
        printf("\n");
    }
}

static cJSON *mat(const double M[6][6])
{
    cJSON *a = cJSON_CreateArray();
    for (int v = 0; v < 6; v++) cJSON_AddItemToArray(a, cJSON_CreateDoubleArray(M[v], 6));
    return a;
}

int cmd_elastic(int argc, char **argv)
{
    const char *pot = NULL, *elements = NULL;
    int modes = 0, json = 0;
    double check = 0, ftol = 1e-10, max_f0 = 1e-3;
    const cli_opt opts[] = {
        {CLI_OPT("potential", 'p', CLI_STRING, &pot)},
        {CLI_OPT("elements", 'e', CLI_STRING, &elements)},
        {CLI_OPT("route", 0, CLI_CHOICE, &modes), .choices = "cg|modes", .error = "--route is cg or modes"},
        {CLI_OPT("check", 0, CLI_DOUBLE, &check), .check = CLI_MIN_OPEN | CLI_MAX_OPEN, .min = 0, .max = 0.01,
         .error = "--check needs a strain in (0, 0.01)"},
        {CLI_OPT("ftol", 0, CLI_DOUBLE, &ftol), CLI_POSITIVE, .error = "--ftol needs a positive number"},
        {CLI_OPT("json", 0, CLI_FLAG, &json)},
        {CLI_OPT("max-initial-force", 0, CLI_DOUBLE, &max_f0), .check = CLI_MIN_OPEN | CLI_INF, .min = 0,
         .error = "--max-initial-force needs a positive number (eV/Å) or inf"},
        {0}};
    const cli_spec spec = {.cmd = "elastic", .opts = opts, .help = help};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    if (ops.n != 1) return cli_usage_error("elastic", "expected one data file");
    cli_setup cs;
    if (cli_load(ops.v[0], pot, elements, &cs)) return cli_error();
    if (isfinite(max_f0) &&
        bpel_forces_require_minimum(cs.model, cs.sys, max_f0, ops.v[0],
                               "elastic constants are only defined at a minimum; run `bpel minimize` first (or "
                               "--max-initial-force inf to go on)",
                               NULL)) {
        cli_setup_free(&cs);
        return cli_error();
    }
    bpel_system *s = cs.sys;
    elastic_result r;
    rc = bpel_elastic_compute(cs.model, s, modes, &r);
    double Bs[6][6];
    if (!rc && check > 0) rc = bpel_elastic_strain_relax(cs.model, s, check, ftol, 1, Bs);
    if (!rc) {
        double maxd = 0;
        if (check > 0)
            for (int a = 0; a < 6; a++)
                for (int b = 0; b < 6; b++) maxd = fmax(maxd, fabs(Bs[a][b] - r.B[a][b]));
        if (json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "method", r.method);
            cJSON_AddStringToObject(o, "voigt_order", "xx yy zz yz xz xy");
            cJSON_AddItemToObject(o, "C_GPa", mat(r.C));
            cJSON_AddItemToObject(o, "born_GPa", mat(r.born));
            cJSON_AddItemToObject(o, "B_GPa", mat(r.B));
            cJSON_AddItemToObject(o, "stress_GPa", cJSON_CreateDoubleArray(r.stress, 6));
            cJSON_AddNumberToObject(o, "K_GPa", r.K);
            cJSON_AddNumberToObject(o, "G_GPa", r.G);
            cJSON_AddNumberToObject(o, "K_affine_GPa", r.K_affine);
            cJSON_AddNumberToObject(o, "G_affine_GPa", r.G_affine);
            if (check > 0) {
                cJSON_AddItemToObject(o, "B_strain_relax_GPa", mat(Bs));
                cJSON_AddNumberToObject(o, "strain", check);
                cJSON_AddNumberToObject(o, "max_difference_GPa", maxd);
            }
            rc = cli_print_json(o, 0);
        } else {
            printf("# %s\n# %s; Voigt order xx yy zz yz xz xy\n", cli_provenance(), r.method);
            print6("C = Born - non-affine", r.C);
            print6("Born (affine) term", r.born);
            print6("B (stress-strain, for wave speeds)", r.B);
            printf("stress (GPa, tension positive): %.4f %.4f %.4f %.4f %.4f %.4f\n", r.stress[0], r.stress[1],
                   r.stress[2], r.stress[3], r.stress[4], r.stress[5]);
            printf("K = %.3f GPa, G = %.3f GPa (affine: K = %.3f, G = %.3f)\n", r.K, r.G, r.K_affine, r.G_affine);
            if (check > 0) {
                print6("B from strain +-h and re-minimisation", Bs);
                printf("largest difference %.4g GPa (h = %g)\n", maxd, check);
            }
        }
    }
    cli_setup_free(&cs);
    return rc ? cli_error() : 0;
}
