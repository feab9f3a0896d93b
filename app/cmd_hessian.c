/* cmd_hessian.c — `bpel hessian`: the analytic EAM Hessian as a Matrix Market file. */
#include <stdio.h>

#include "cli.h"
#include "error.h"
#include "hessian.h"

const char cmd_hessian_summary[] = "analytic EAM Hessian (eV/A^2) as a sparse Matrix Market file";

static void help(void)
{
    printf("usage: bpel hessian DATA -o H.mtx [--potential FILE] [--elements E1,E2]\n\n"
           "Writes the Hessian d2E/dx_i dx_j of the configuration in the LAMMPS data file DATA, from the\n"
           "same splines as the forces (pair, embedding and embedding cross terms; couplings reach two\n"
           "cutoffs). Matrix Market coordinate format, real symmetric (lower triangle stored),\n"
           "row/col = 3*(id-1)+dir+1 with dir x=0, y=1, z=2, values in eV/A^2.\n\n"
           "  -o, --output FILE   Matrix Market file to write (required)\n"
           "  --potential FILE    EAM file (.eam, .eam.alloy, .eam.fs); default %s\n"
           "  --elements LIST     element of each atom type, e.g. Cu,Zr\n",
           BPEL_DEFAULT_POTENTIAL);
}

int cmd_hessian(int argc, char **argv)
{
    const char *pot = NULL, *elements = NULL, *output = NULL;
    const cli_opt opts[] = {{CLI_OPT("potential", 'p', CLI_STRING, &pot)}, {CLI_OPT("elements", 'e', CLI_STRING, &elements)},
                            {CLI_OPT("output", 'o', CLI_STRING, &output)}, {0}};
    const cli_spec spec = {.cmd = "hessian", .opts = opts, .help = help};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    if (ops.n != 1) return cli_usage_error("hessian", "expected one data file");
    if (!output) return cli_usage_error("hessian", "-o FILE is required");
    cli_setup cs;
    if (cli_load(ops.v[0], pot, elements, &cs)) return cli_error();
    hess_model *m = NULL;
    hess_sparse *h = NULL;
    double t0 = cli_wall_time();
    rc = bpel_hess_model_create(cs.model, cs.sys, 0, &m);
    if (!rc) rc = bpel_hess_build_sparse(m, &h);
    if (!rc) {
        char comment[2048];
        snprintf(comment, sizeof comment, "%s; data %s; potential %s", cli_provenance(), ops.v[0],
                 cs.potential_path);
        rc = bpel_hess_write_mtx(output, h, cs.sys, comment);
    }
    if (!rc) {
        double asym, rowsum;
        bpel_hess_sparse_checks(h, &asym, &rowsum);
        fprintf(stderr, "bpel hessian: %zu atoms, %zu nonzero 3x3 blocks (%.1f per row), %.2f s; "
                        "max asymmetry %.2g, max row sum %.2g eV/A^2 -> %s\n",
                h->n, h->rowptr[h->n], (double)h->rowptr[h->n] / h->n, cli_wall_time() - t0, asym, rowsum, output);
    }
    bpel_hess_sparse_destroy(h);
    bpel_hess_model_destroy(m);
    cli_setup_free(&cs);
    return rc ? cli_error() : 0;
}
