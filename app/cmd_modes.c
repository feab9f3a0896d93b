/* cmd_modes.c — `bpel modes`: normal modes, VDOS, boson peak, per-atom I_BP, Debye level. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_vib.h"
#include "error.h"
#include "outfile.h"
#include "units.h"
#include "vib_figures.h"
#include "vibrations.h"

const char cmd_modes_summary[] = "normal modes, VDOS, boson peak, per-atom I_BP and Debye level of an inherent structure";

static void help(void)
{
    printf("usage: bpel modes DATA --out DIR [options]\n\n"
           "Diagonalises the mass-weighted dynamical matrix D = M^-1/2 H M^-1/2 of the (minimised)\n"
           "configuration in DATA and writes to DIR:\n"
           "  modes.csv     every mode: eigenvalue (eV/(A^2 amu)), omega_radps, nu_THz, participation ratio,\n"
           "                weight in the rigid-translation subspace (the 3 translations are flagged)\n"
           "  vdos.csv      g(omega) (normalised to 1 over the 3N-3 non-translational modes) and g/omega^2\n"
           "  atoms.csv     per atom: I_BP = max of g_i(omega)/omega^2 inside the boson-peak window\n"
           "  gi.csv        per-atom VDOS g_i(omega) on the same bins (sum over atoms = g)\n"
           "  atoms.xyz     extended XYZ with I_BP for OVITO\n"
           "  summary.json  boson peak, Debye level (with K, G, v_L, v_T, n, omega_D), elastic constants,\n"
           "                counts of translational and unstable modes, timings\n\n"
           "omega = 98.2269 sqrt(lambda) rad/ps, nu = omega/2pi THz; unstable modes get negative omega.\n\n"
           "  --out DIR            output directory (required)\n"
           "  --potential FILE     EAM file; default %s\n"
           "  --elements LIST      element of each atom type, e.g. Cu,Zr\n"
           "  --max-omega W        only modes with omega <= W rad/ps (windowed solver, less time and memory)\n"
           "  --max-freq NU        the same in THz (nu = omega/2pi)\n"
           "  --bin-width W        VDOS bin width in rad/ps (default 0.5)\n"
           "  --broadening S       Gaussian broadening sigma in rad/ps (default 0: histogram)\n"
           "  --bp-window LO:HI    boson-peak / I_BP window in rad/ps (default: from 1.2x the lowest\n"
           "                       transverse sound wave of the box to max(omega_D/2, 2 LO)); with\n"
           "                       --max-omega W, HI must be <= W, and a default top above W is clipped\n"
           "                       to the last bin the computed modes fill (W - width/2 - 8 sigma)\n"
           "  --moduli K:G         bulk and shear modulus in GPa for the Debye level (default: computed,\n"
           "                       Born minus non-affine term)\n"
           "  --elastic ROUTE      auto|modes|cg|none: how to compute the non-affine term (default auto)\n"
           "  --max-initial-force F  refuse a structure whose max |F_i| exceeds F eV/Å (default 1e-3; inf: no check)\n"
           "  --solver NAME        eigensolver: %s, block, slepc (default auto; see Solvers below)\n"
           "  --block K            block solver: vectors per solve (default 32; at most a sixteenth\n"
           "                       of the basis and a quarter of the modes: summary.json has the one used)\n"
           "  --basis M            block solver: Lanczos vectors per shift at most (default 6000; the\n"
           "                       solver takes fewer when they would cost more than a factorisation, or\n"
           "                       when memory is short)\n"
           "  --no-per-atom        skip g_i, I_BP, gi.csv, atoms.csv, atoms.xyz\n"
           "  --no-figures         skip fig1b_reduced_vdos.png/.svg (g/omega^2 with the Debye level, inset g)\n\n"
           "Solvers and memory (n = 3N):\n"
           "  dsyevr   dense D, LAPACK MRRR: 8n^2 bytes for D plus 8n^2 for all eigenvectors, or 8n*m for\n"
           "           the m modes below --max-omega. All modes: ~7.6 CPU-s x (N/1000)^3.\n"
           "  dsyevd   dense D, divide and conquer, all modes: 8n^2 for D plus 2 x 8n^2 workspace;\n"
           "           refused beyond N = 10922 (32-bit LAPACK workspace).\n"
           "  block    sparse D, the modes below --max-omega by block shift-and-invert Lanczos: slices\n"
           "           from the bottom up, one MUMPS LDL^T per shift used both for the inertia count of\n"
           "           the slice and as (D - sigma I)^-1 on up to 32 vectors per solve. Memory: one MUMPS\n"
           "           factorisation (as for slepc) plus the Lanczos basis (up to 6000 x 8n bytes, less\n"
           "           when memory is short) plus 8n per mode, or 4N per mode (per-atom weights only,\n"
           "           taken when the eigenvectors do not fit). One process.\n"
           "  slepc    sparse D, the modes below --max-omega by spectrum slicing (SLEPc Krylov-Schur,\n"
           "           shift-and-invert, MUMPS LDL^T; the count in each slice checked by inertia). Memory:\n"
           "           one MUMPS factorisation at a time (estimated by MUMPS's analysis and refused before\n"
           "           factorising when it does not fit; Cu-Zr glasses: 0.36 GB at 2,048 atoms, 11 GB at\n"
           "           16,384, 12-13 GB at 19,652) plus 8n per mode. Runs under mpirun -np P with the factor\n"
           "           distributed over the ranks; PETSC_OPTIONS reaches the solver.\n"
           "  auto     dsyevr while 8n^2 (+ eigenvectors) fits in the available memory; otherwise block\n"
           "           (slepc under mpirun with several ranks) when --max-omega is given; without it,\n"
           "           up to the default I_BP window's top.\n"
           "           Where both fit, the two are close (window to 15 rad/ps: dense 2x faster at\n"
           "           2,000 atoms, block 1.2x faster at 4,000: the couplings reach two cutoffs, so\n"
           "           the factor is nearly as full as the dense matrix).\n"
           "The command refuses before allocating when its solver does not fit (set BPEL_MEMORY_LIMIT to\n"
           "impose a lower limit). Threads: OMP_NUM_THREADS / OPENBLAS_NUM_THREADS.\n",
           BPEL_DEFAULT_POTENTIAL, bpel_eig_backend_names());
}

/* --max-freq NU (THz) as the bound in rad/ps. */
static int max_freq_option(const cli_spec *s, const cli_opt *o, const char *value)
{
    double x;
    (void)s;
    if (cli_parse_double(value, &x) || !(x > 0)) return -1;
    *(double *)o->dest = 2 * BPEL_PI * x;
    return 0;
}

/* Progress of the block solver: pairs converged of those the inertia counts. */
static void modes_progress(void *ctx, double done, double total)
{
    cli_progress *p = ctx;
    if (!p->label) cli_progress_start(p, "modes", total);
    cli_progress_update(p, done, NULL);
}

/* A line on a stage of a sparse run (the counts, each shift), on stderr under the bar; printed
 * also with BPEL_NO_PROGRESS, as a log. */
static void modes_note(void *ctx, const char *line)
{
    cli_progress *p = ctx;
    fprintf(stderr, "%smodes: %s\n", p->label && p->tty ? "\n" : "", line);
    fflush(stderr);
}

int cmd_modes(int argc, char **argv)
{
    const char *pot = NULL, *elements = NULL, *out = NULL;
    vib_options o;
    bpel_vib_options_default(&o);
    int figures = 1;
    static const int routes[] = {0, 1, 2, -1};
    const cli_opt opts[] = {
        {CLI_OPT("potential", 'p', CLI_STRING, &pot)},
        {CLI_OPT("elements", 'e', CLI_STRING, &elements)},
        {CLI_OPT("out", 'o', CLI_STRING, &out)},
        {CLI_OPT("max-omega", 0, CLI_DOUBLE, &o.modes.max_omega), CLI_POSITIVE, .error = "--max-omega needs a positive number"},
        {CLI_OPT("max-freq", 0, CLI_CALL, &o.modes.max_omega), .call = max_freq_option,
         .error = "--max-freq needs a positive number"},
        CLI_VIB_BIN_WIDTH(&o),
        CLI_VIB_BROADENING(&o),
        CLI_VIB_BP_WINDOW(&o),
        CLI_VIB_MAX_INITIAL_FORCE(&o),
        {CLI_OPT("moduli", 0, CLI_PAIR, &o.K), CLI_POSITIVE, .dest2 = &o.G, .error = "--moduli needs K:G, both positive (GPa)"},
        {CLI_OPT("elastic", 0, CLI_CHOICE, &o.elastic_route), .choices = "auto|modes|cg|none", .values = routes,
         .error = "--elastic is auto, modes, cg or none"},
        CLI_VIB_SOLVER(&o),
        {CLI_OPT("block", 0, CLI_INT, &o.modes.block), CLI_AT_LEAST(1)},
        {CLI_OPT("basis", 0, CLI_LONG, &o.modes.basis), CLI_AT_LEAST(64)},
        {CLI_OPT("no-per-atom", 0, CLI_FLAG_OFF, &o.vdos.per_atom)},
        {CLI_OPT("no-figures", 0, CLI_FLAG_OFF, &figures)},
        {0}};
    const cli_spec spec = {.cmd = "modes", .opts = opts, .help = help};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    if (ops.n != 1) return cli_usage_error("modes", "expected one data file");
    if (!out) return cli_usage_error("modes", "--out DIR is required");
    if (bpel_vib_options_check(&o)) return cli_error(); /* a window above --max-omega, before any work */
    if (bpel_out_check_dir(out)) return cli_error(); /* before the diagonalisation, not after */
    cli_catch_signals_abort("modes");
    cli_setup cs;
    if (cli_load(ops.v[0], pot, elements, &cs)) return cli_error();
    vib_analysis a;
    cli_progress prog = {0};
    o.modes.progress = modes_progress;
    o.modes.note = modes_note;
    o.modes.progress_ctx = &prog;
    rc = bpel_vib_analyse(cs.model, cs.sys, &o, &a);
    if (prog.label) cli_progress_finish(&prog);
    if (rc) {
        bpel_fail_context(rc, "%s", ops.v[0]);
        cli_setup_free(&cs);
        return cli_error();
    }
    if (a.modes->worker) { /* rank 0 writes */
        bpel_vib_analysis_free(&a);
        cli_setup_free(&cs);
        return 0;
    }
    char src[2048];
    snprintf(src, sizeof src, "%s (potential %s)", ops.v[0], cs.potential_path);
    cli_vib_warn_window("modes", &a);
    rc = bpel_vib_write(out, cs.sys, &a, cli_provenance(), src, NULL);
    if (!rc && figures) rc = bpel_vib_fig1b(out, a.vdos, a.have_debye ? a.debye.level : 0.0);
    if (!rc) {
        const vib_modes *v = a.modes;
        printf("atoms %zu, modes %zu of %zu (%s): build %.2f s, diagonalise %.2f s, total %.2f s\n", v->natoms,
               v->nmodes, v->ndof, v->solver, v->t_build, v->t_solve, a.t_total);
        printf("translations identified: %zu; unstable modes: %zu\n", v->ntranslation, v->nnegative);
        printf("boson peak: omega = %.3f rad/ps (nu = %.3f THz), g/omega^2 = %.5g (rad/ps)^-3, window %.3g:%.3g rad/ps\n",
               a.vdos->bp_omega, a.vdos->bp_omega / (2 * BPEL_PI), a.vdos->bp_height, a.vdos->bp_lo, a.vdos->bp_hi);
        if (a.have_elastic)
            printf("elastic (%s): K = %.2f GPa, G = %.2f GPa (affine only: K = %.2f, G = %.2f)\n", a.elastic.method,
                   a.elastic.K, a.elastic.G, a.elastic.K_affine, a.elastic.G_affine);
        if (a.have_debye)
            printf("Debye level 3/omega_D^3 = %.5g (rad/ps)^-3 = %.2f uTHz^-3 (omega_D = %.3f rad/ps, v_T = %.0f m/s, "
                   "v_L = %.0f m/s)\n",
                   a.debye.level, a.debye.level * 1e6, a.debye.omega_D, 100 * a.debye.v_T, 100 * a.debye.v_L);
        if (v->nnegative)
            fprintf(stderr,
                    "bpel modes: warning: %zu unstable modes beyond the 3 translations (lowest eigenvalue %.3g "
                    "eV/(A^2 amu)): the structure is not at a tight minimum\n",
                    v->nnegative, v->lambda[0]);
        printf("wrote %s/{modes,vdos,atoms,gi}.csv, atoms.xyz, summary.json%s\n", out,
               figures ? ", fig1b_reduced_vdos.{png,svg}" : "");
    }
    bpel_vib_analysis_free(&a);
    cli_setup_free(&cs);
    return rc ? cli_error() : 0;
}
