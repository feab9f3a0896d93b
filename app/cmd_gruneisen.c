/* cmd_gruneisen.c — `bpel gruneisen`: mode and particle Grüneisen parameters (paper Eqs. 3–5, Fig. 11);
 * the stage itself is bpel_gru_run and bpel_gru_run_write (gruneisen_run.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_vib.h"
#include "eigen.h"
#include "error.h"
#include "gruneisen_run.h"

const char cmd_gruneisen_summary[] = "mode and particle Grüneisen parameters from Hessians at 0.99, 1.00, 1.01 V0";

static void help(void)
{
    printf("usage: bpel gruneisen DATA --out DIR [options]\n\n"
           "Mode Grüneisen parameters gamma_k = -(V/omega_k) d omega_k/dV from the modes at V0 (the minimised\n"
           "structure in DATA) and at (1 +- dv) V0 (box and positions scaled about the box centre, then the\n"
           "positions re-minimised at fixed box unless --no-relax), by three routes:\n"
           "  sorted    k-th lowest frequency at each volume (the paper's pairing)\n"
           "  overlap   the mode at V0(1 +- dv) with the largest eigenvector overlap; overlaps are reported and\n"
           "            those below --low-overlap flagged\n"
           "  hf        first-order perturbation <e_k|D(+) - D(-)|e_k> at V0 (no pairing, no diagonalisation at\n"
           "            V0(1 +- dv)); the recommended route for glasses\n"
           "and the particle gamma_i = sum_k gamma_k |e_k^i|^2 (Eq. 5), gamma_ave(omega < omega0) with its spread.\n\n"
           "Files in DIR: gruneisen_modes.csv, gamma_ave.csv, atoms.csv (gamma_i of the figures route, then\n"
           "every route, and I_BP), atoms.xyz, summary.json (gamma_ave: mean over all modes), fig11a_mode_gruneisen, fig11b_gamma_ave, fig11c_ibp_vs_gamma (.png, .svg).\n\n"
           "  --out DIR            output directory (required)\n"
           "  --potential FILE     EAM file; default %s\n"
           "  --elements LIST      element of each atom type, e.g. Cu,Zr\n"
           "  --dv X               fractional volume change (default 0.01: 0.99, 1.00, 1.01 V0)\n"
           "  --no-relax           keep the affinely scaled positions at V0(1 +- dv)\n"
           "  --ftol F             force tolerance of the re-minimisation, eV/A (default 1e-8)\n"
           "  --method LIST        comma list of sorted, overlap, hf, or all (default all)\n"
           "  --figures-method M   route drawn in Fig. 11 (default: hf if computed, else overlap, else sorted)\n"
           "  --low-overlap X      flag overlaps below X (default 0.5)\n"
           "  --max-initial-force F  refuse a structure whose max |F_i| exceeds F eV/Å (default 1e-3; inf: no check)\n"
           "  --bin-width W, --bp-window LO:HI   VDOS settings for I_BP (as in bpel modes)\n"
           "  --max-omega W        only the modes with omega <= W rad/ps at V0 (up to 1.1 W at V0(1 +- dv)): gamma_i\n"
           "                       and gamma_ave then sum over those modes only (stated in summary.json); with\n"
           "                       --solver block (or slepc) for glasses whose dense D does not fit (bpel modes --help)\n"
           "  --solver NAME        eigensolver: %s, %s, %s\n",
           BPEL_DEFAULT_POTENTIAL, bpel_eig_backend_names(), VIB_BLOCK_SOLVER, VIB_SPARSE_SOLVER);
}

static int parse_methods(const char *s)
{
    int m = 0;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
        if (!strcmp(t, "sorted")) m |= GRU_SORTED;
        else if (!strcmp(t, "overlap")) m |= GRU_OVERLAP;
        else if (!strcmp(t, "hf")) m |= GRU_HF;
        else if (!strcmp(t, "all")) m |= GRU_ALL;
        else return -1;
    }
    return m;
}

/* --method LIST into *(int *)o->dest. */
static int method_option(const cli_spec *s, const cli_opt *o, const char *value)
{
    int m = parse_methods(value);
    (void)s;
    if (m <= 0) return -1;
    *(int *)o->dest = m;
    return 0;
}

/* --figures-method: one route. */
static int figures_option(const cli_spec *s, const cli_opt *o, const char *value)
{
    int m = parse_methods(value);
    (void)s;
    if (m != GRU_SORTED && m != GRU_OVERLAP && m != GRU_HF) return -1;
    *(int *)o->dest = m;
    return 0;
}

static void warn(void *ctx, const char *line) { fprintf(stderr, "bpel gruneisen: warning: %s\n", line); }

int cmd_gruneisen(int argc, char **argv)
{
    const char *pot = NULL, *elements = NULL, *out = NULL;
    gru_run_options go;
    bpel_gru_run_defaults(&go);
    gru_params *p = &go.gru;
    vib_options *o = &go.vib;
    int figmethod = 0, solver_given = 0, max_omega_given = 0;
    const cli_opt opts[] = {
        {CLI_OPT("potential", 'p', CLI_STRING, &pot)},
        {CLI_OPT("elements", 'e', CLI_STRING, &elements)},
        {CLI_OPT("out", 'o', CLI_STRING, &out)},
        {CLI_OPT("dv", 0, CLI_DOUBLE, &p->dv), .check = CLI_MIN_OPEN | CLI_MAX_OPEN, .min = 0, .max = 0.2,
         .error = "--dv needs a number in (0, 0.2)"},
        {CLI_OPT("no-relax", 0, CLI_FLAG_OFF, &p->relax)},
        {CLI_OPT("ftol", 0, CLI_DOUBLE, &p->ftol), CLI_POSITIVE, .error = "--ftol needs a positive number"},
        {CLI_OPT("method", 0, CLI_CALL, &p->methods), .call = method_option, .error = "--method takes sorted, overlap, hf or all"},
        {CLI_OPT("figures-method", 0, CLI_CALL, &figmethod), .call = figures_option,
         .error = "--figures-method takes one of sorted, overlap, hf"},
        {CLI_OPT("low-overlap", 0, CLI_DOUBLE, &p->low_overlap), .check = CLI_MIN_OPEN | CLI_MAX, .min = 0, .max = 1,
         .error = "--low-overlap needs a number in (0, 1]"},
        CLI_VIB_BIN_WIDTH(o),
        CLI_VIB_BP_WINDOW(o),
        CLI_VIB_MAX_INITIAL_FORCE(o),
        {CLI_OPT("solver", 0, CLI_CALL, &o->modes.solver), .call = cli_vib_solver, .given = &solver_given},
        {CLI_OPT("max-omega", 0, CLI_DOUBLE, &p->max_omega), CLI_POSITIVE, .given = &max_omega_given,
         .error = "--max-omega needs a positive number"},
        {0}};
    const cli_spec spec = {.cmd = "gruneisen", .opts = opts, .help = help};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    if (solver_given) p->solver = o->modes.solver;
    if (max_omega_given) o->modes.max_omega = p->max_omega;
    if (ops.n != 1) return cli_usage_error("gruneisen", "expected one data file");
    if (!out) return cli_usage_error("gruneisen", "--out DIR is required");
    if (!figmethod) figmethod = (p->methods & GRU_HF) ? GRU_HF : (p->methods & GRU_OVERLAP) ? GRU_OVERLAP : GRU_SORTED;
    if (!(p->methods & figmethod)) return cli_usage_error("gruneisen", "--figures-method names a route not computed");
    go.figures_method = figmethod;
    cli_setup cs;
    if (cli_load(ops.v[0], pot, elements, &cs)) return cli_error();
    char src[2048];
    snprintf(src, sizeof src, "%s (potential %s)", ops.v[0], cs.potential_path);
    go.data = ops.v[0];
    go.structure = src;
    go.provenance = cli_provenance();
    go.note = warn;
    double t0 = cli_wall_time();
    gru_run_result res;
    rc = bpel_gru_run(cs.model, cs.sys, &go, &res);
    if (!rc && !res.worker) { /* an MPI rank that helped the sparse solver writes nothing: rank 0 does */
        cli_vib_warn_window("gruneisen", &res.vib);
        rc = bpel_gru_run_write(out, cs.sys, &go, &res);
        const gru_result *r = &res.gru;
        if (!rc) {
            printf("atoms %zu, modes %zu; volumes %.4g, 1, %.4g V0 (%s); %.1f s\n", cs.sys->n, r->nmodes, 1 - p->dv,
                   1 + p->dv, r->relaxed ? "re-minimised" : "affine only", cli_wall_time() - t0);
            if (r->relaxed)
                printf("re-minimisation: max non-affine displacement %.3g / %.3g A at V+ / V-\n", r->relax_disp[0],
                       r->relax_disp[1]);
            if (r->methods & GRU_OVERLAP) printf("overlap pairing: %zu modes with an overlap below %.2f\n", r->nlow, p->low_overlap);
            printf("wrote %s/gruneisen_modes.csv, gamma_ave.csv, atoms.csv, atoms.xyz, summary.json, fig11a-c\n", out);
        }
    }
    bpel_gru_run_free(&res);
    cli_setup_free(&cs);
    return rc ? cli_error() : 0;
}
