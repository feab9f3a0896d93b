/* cmd_gruneisen.c — `bpel gruneisen`: mode and particle Grüneisen parameters (paper Eqs. 3–5, Fig. 11). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_vib.h"
#include "error.h"
#include "forces.h"
#include "quality.h"
#include "outfile.h"
#include "gruneisen.h"
#include "units.h"
#include "vib_figures.h"
#include "vibrations.h"

/* A re-minimisation that moves an atom this far (Å) is taken as a jump to another basin. */
#define REARRANGEMENT_A 0.1

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
           "                       --solver slepc for glasses whose dense D does not fit (see bpel modes --help)\n"
           "  --solver NAME        eigensolver: %s, %s\n",
           BPEL_DEFAULT_POTENTIAL, eig_backend_names(), VIB_SPARSE_SOLVER);
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

static double *route(const gru_result *r, int which)
{
    if (which == GRU_SORTED && (r->methods & GRU_SORTED)) return r->gamma_sorted;
    if (which == GRU_OVERLAP && (r->methods & GRU_OVERLAP)) return r->gamma_overlap;
    if (which == GRU_HF && (r->methods & GRU_HF)) return r->gamma_hf;
    return NULL;
}

static const char *route_name(int w) { return w == GRU_SORTED ? "sorted" : w == GRU_OVERLAP ? "overlap" : "hf"; }

static int write_outputs(const char *out, const bpel_system *s, const gru_result *r, const vib_analysis *a,
                         const gru_params *p, int figmethod, const char *src)
{
    if (mkdir(out, 0777) && errno != EEXIST) return bpel_fail(BPEL_EIO, "%s: cannot create directory", out);
    const vib_modes *v = r->modes;
    const size_t nm = r->nmodes, n = s->n;
    static const int ids[3] = {GRU_SORTED, GRU_OVERLAP, GRU_HF};
    char path[4096];
    snprintf(path, sizeof path, "%s/gruneisen_modes.csv", out);
    bpel_out bo;
    FILE *fp = bpel_out_fopen(&bo, path);
    if (!fp) return BPEL_EIO;
    fprintf(fp, "mode,omega_radps,nu_THz,is_translation,gamma_sorted,gamma_overlap,overlap_plus,overlap_minus,"
                "low_overlap,gamma_hf,omega_plus_sorted_radps,omega_minus_sorted_radps\n");
    for (size_t k = 0; k < nm; k++) {
        fprintf(fp, "%zu,%.10g,%.10g,%d", k + 1, v->omega[k], v->omega[k] / (2 * BPEL_PI), v->is_translation[k]);
        fprintf(fp, ",%.8g", r->gamma_sorted ? r->gamma_sorted[k] : NAN);
        fprintf(fp, ",%.8g", r->gamma_overlap ? r->gamma_overlap[k] : NAN);
        int ov = r->overlap_plus && (r->methods & GRU_OVERLAP);
        fprintf(fp, ",%.6g,%.6g,%d", ov ? r->overlap_plus[k] : NAN, ov ? r->overlap_minus[k] : NAN,
                ov && !v->is_translation[k] && (r->overlap_plus[k] < p->low_overlap || r->overlap_minus[k] < p->low_overlap));
        fprintf(fp, ",%.8g", r->gamma_hf ? r->gamma_hf[k] : NAN);
        fprintf(fp, ",%.10g,%.10g\n", r->omega_plus ? r->omega_plus[k] : NAN, r->omega_minus ? r->omega_minus[k] : NAN);
    }
    if (bpel_out_close(&bo)) return BPEL_EIO;

    double *mean[3] = {0}, *sd[3] = {0}, *gi[3] = {0};
    int rc = BPEL_OK;
    for (int q = 0; q < 3; q++) {
        double *g = route(r, ids[q]);
        if (!g) continue;
        mean[q] = malloc(nm * sizeof(double));
        sd[q] = malloc(nm * sizeof(double));
        gi[q] = malloc(n * sizeof(double));
        if (!mean[q] || !sd[q] || !gi[q]) { rc = BPEL_ENOMEM; goto done; }
        gru_average(v, g, mean[q], sd[q]);
        gru_particle(v, g, gi[q]);
    }
    snprintf(path, sizeof path, "%s/gamma_ave.csv", out);
    if (!(fp = bpel_out_fopen(&bo, path))) { rc = BPEL_EIO; goto done; }
    fprintf(fp, "omega0_radps,nu0_THz");
    for (int q = 0; q < 3; q++)
        if (mean[q]) fprintf(fp, ",gamma_ave_%s,gamma_std_%s", route_name(ids[q]), route_name(ids[q]));
    fputc('\n', fp);
    for (size_t k = 0; k < nm; k++) {
        if (v->is_translation[k] || v->omega[k] <= 0) continue;
        fprintf(fp, "%.10g,%.10g", v->omega[k], v->omega[k] / (2 * BPEL_PI));
        for (int q = 0; q < 3; q++)
            if (mean[q]) fprintf(fp, ",%.8g,%.8g", mean[q][k], sd[q][k]);
        fputc('\n', fp);
    }
    if ((rc = bpel_out_close(&bo))) goto done;

    size_t *order = system_id_order(s);
    if (!order) { rc = BPEL_ENOMEM; goto done; }
    snprintf(path, sizeof path, "%s/atoms.csv", out);
    if (!(fp = bpel_out_fopen(&bo, path))) { free(order); rc = BPEL_EIO; goto done; }
    int fq = figmethod == GRU_SORTED ? 0 : figmethod == GRU_OVERLAP ? 1 : 2;
    fprintf(fp, "id,type,element,gamma_i");
    for (int q = 0; q < 3; q++)
        if (gi[q]) fprintf(fp, ",gamma_i_%s", route_name(ids[q]));
    fprintf(fp, ",I_BP_per_radps3\n");
    for (size_t t = 0; t < n; t++) {
        size_t i = order[t];
        fprintf(fp, "%lld,%d,%s,%.8g", (long long)s->id[i], s->type[i], s->element[s->type[i]], gi[fq][i]);
        for (int q = 0; q < 3; q++)
            if (gi[q]) fprintf(fp, ",%.8g", gi[q][i]);
        fprintf(fp, ",%.8g\n", a->vdos->ibp[i]);
    }
    free(order);
    if ((rc = bpel_out_close(&bo))) goto done;
    snprintf(path, sizeof path, "%s/atoms.xyz", out);
    if (!(fp = bpel_out_fopen(&bo, path))) { rc = BPEL_EIO; goto done; }
    {
        bpel_column cols[4];
        int nc = 0;
        static const char *names[3] = {"gamma_i_sorted", "gamma_i_overlap", "gamma_i_hf"};
        for (int q = 0; q < 3; q++)
            if (gi[q]) cols[nc++] = (bpel_column){names[q], gi[q], 1, 0};
        cols[nc++] = (bpel_column){"I_BP_per_radps3", a->vdos->ibp, 1, 0};
        rc = bpel_out_finish(&bo, xyz_write_frame(fp, s, nc, cols, "bpel gruneisen"));
        if (rc) goto done;
    }

    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "program", "bpel gruneisen");
    cJSON_AddStringToObject(o, "provenance", cli_provenance());
    cJSON_AddStringToObject(o, "structure", src);
    cJSON_AddNumberToObject(o, "natoms", (double)n);
    cJSON_AddNumberToObject(o, "V0_A3", r->V0);
    cJSON_AddNumberToObject(o, "dv", p->dv);
    cJSON_AddItemToObject(o, "volumes_V0", cJSON_CreateDoubleArray((double[]){1 - p->dv, 1.0, 1 + p->dv}, 3));
    {
        const vib_modes *v = r->modes;
        cJSON *mc = cJSON_AddObjectToObject(o, "modes");
        cJSON_AddNumberToObject(mc, "computed", (double)v->nmodes);
        cJSON_AddNumberToObject(mc, "of", (double)v->ndof);
        cJSON_AddStringToObject(mc, "solver", v->solver);
        if (!v->complete) {
            cJSON_AddNumberToObject(mc, "max_omega_radps", v->max_omega);
            cJSON_AddStringToObject(mc, "restriction",
                                    "only the modes with omega <= max_omega_radps: gamma_i and gamma_ave sum and average "
                                    "over those modes, not over all 3N");
        }
    }
    cJSON_AddBoolToObject(o, "re_minimised", r->relaxed);
    cJSON_AddStringToObject(o, "re_minimisation",
                            r->relaxed ? "positions re-minimised at fixed box after affine scaling (CG, max|F| <= ftol)"
                                       : "affine scaling only, positions not re-minimised");
    if (r->relaxed) {
        cJSON_AddNumberToObject(o, "ftol_eV_per_A", p->ftol);
        cJSON_AddItemToObject(o, "max_nonaffine_displacement_A_plus_minus", cJSON_CreateDoubleArray(r->relax_disp, 2));
        cJSON_AddItemToObject(o, "fmax_reached_eV_per_A_plus_minus", cJSON_CreateDoubleArray(r->relax_fmax, 2));
    }
    cJSON *rt = cJSON_AddObjectToObject(o, "routes");
    for (int q = 0; q < 3; q++) {
        if (!mean[q]) continue;
        cJSON *e = cJSON_AddObjectToObject(rt, route_name(ids[q]));
        cJSON_AddNumberToObject(e, "gamma_mean_all_modes", mean[q][nm - 1]);
        cJSON_AddNumberToObject(e, "gamma_std_all_modes", sd[q][nm - 1]);
    }
    if (r->methods & GRU_OVERLAP) {
        cJSON_AddNumberToObject(o, "low_overlap_threshold", p->low_overlap);
        cJSON_AddNumberToObject(o, "modes_with_low_overlap", (double)r->nlow);
    }
    cJSON *warn = cJSON_AddArrayToObject(o, "warnings");
    for (int q = 0; q < 2 && r->relaxed; q++)
        if (r->relax_disp[q] > REARRANGEMENT_A) {
            char msg[256];
            snprintf(msg, sizeof msg,
                     "re-minimisation at %.4g V0 moved an atom by %.3g A beyond the affine scaling: the structure "
                     "probably changed basin; gamma there is not a harmonic property (try a smaller --dv)",
                     q ? 1 - p->dv : 1 + p->dv, r->relax_disp[q]);
            cJSON_AddItemToArray(warn, cJSON_CreateString(msg));
            fprintf(stderr, "bpel gruneisen: warning: %s\n", msg);
        }
    if (v->nnegative) cJSON_AddItemToArray(warn, cJSON_CreateString("unstable modes at V0: not a tight minimum"));
    cJSON_AddStringToObject(o, "figures_route", route_name(figmethod));
    cJSON_AddStringToObject(o, "gamma_i_route", route_name(figmethod));
    cJSON_AddNumberToObject(o, "gamma_ave", mean[fq][nm - 1]);
    cJSON_AddNumberToObject(o, "gamma_std", sd[fq][nm - 1]);
    cJSON_AddNumberToObject(o, "boson_peak_omega_radps", a->vdos->bp_omega);
    cJSON_AddItemToObject(o, "I_BP_window_radps", cJSON_CreateDoubleArray((double[]){a->vdos->bp_lo, a->vdos->bp_hi}, 2));
    cJSON_AddNumberToObject(o, "negative_modes_V0", (double)v->nnegative);
    int basin = 0;
    for (int q = 0; q < 2 && r->relaxed; q++)
        if (r->relax_disp[q] > REARRANGEMENT_A) {
            basin = 1;
            bpel_quality_add(o, "gamma_ave", BPEL_Q_WEAK,
                             "the structure changed basin at %.4g V0 (an atom moved %.2g Å): γ is not harmonic there",
                             q ? 1 - p->dv : 1 + p->dv, r->relax_disp[q]);
        }
    if (v->nnegative)
        bpel_quality_add(o, "gamma_ave", BPEL_Q_WEAK, "%zu unstable modes at V0: not a minimum", (size_t)v->nnegative);
    if ((r->methods & GRU_OVERLAP) && figmethod == GRU_OVERLAP && r->nlow * 2 > v->nmodes)
        bpel_quality_add(o, "gamma_ave", BPEL_Q_WEAK, "%zu of %zu modes have an overlap below %g between volumes",
                         (size_t)r->nlow, (size_t)v->nmodes, p->low_overlap);
    bpel_quality_add(o, "gamma_ave", isfinite(mean[fq][nm - 1]) ? BPEL_Q_OK : BPEL_Q_NOT_DETERMINED, "%s route, %zu modes",
                     route_name(figmethod), (size_t)nm);
    snprintf(path, sizeof path, "%s/summary.json", out);
    rc = bpel_out_json(path, o);
    cJSON_Delete(o);
    if (rc) goto done;

    char label[64];
    snprintf(label, sizeof label, "%s route%s", route_name(figmethod), basin ? " (basin changed: not harmonic)" : "");
    rc = vib_fig11ab(out, v, route(r, figmethod), mean[fq], sd[fq], a->vdos->bp_omega, label);
    if (!rc) rc = vib_fig11c(out, n, gi[fq], a->vdos->ibp);
done:
    for (int q = 0; q < 3; q++) { free(mean[q]); free(sd[q]); free(gi[q]); }
    return rc;
}

int cmd_gruneisen(int argc, char **argv)
{
    static struct option opts[] = {{"potential", required_argument, 0, 'p'}, {"elements", required_argument, 0, 'e'},
                                   {"out", required_argument, 0, 'o'},       {"dv", required_argument, 0, 'd'},
                                   {"no-relax", no_argument, 0, 'R'},        {"ftol", required_argument, 0, 'f'},
                                   {"method", required_argument, 0, 'm'},    {"figures-method", required_argument, 0, 'M'},
                                   {"low-overlap", required_argument, 0, 'l'}, {"bin-width", required_argument, 0, 'b'},
                                   {"bp-window", required_argument, 0, 'w'}, {"max-initial-force", required_argument, 0, 'M'}, {"solver", required_argument, 0, 'S'},
                                   {"max-omega", required_argument, 0, 'W'},
                                   {"help", no_argument, 0, 'h'},            {0, 0, 0, 0}};
    const char *pot = NULL, *elements = NULL, *out = NULL;
    gru_params p;
    gru_defaults(&p);
    vib_options o;
    vib_options_default(&o);
    int c, figmethod = 0;
    double x;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:e:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p': pot = optarg; break;
        case 'e': elements = optarg; break;
        case 'o': out = optarg; break;
        case 'd':
            if (cli_parse_double(optarg, &x) || !(x > 0 && x < 0.2)) return cli_usage_error("gruneisen", "--dv needs a number in (0, 0.2)");
            p.dv = x;
            break;
        case 'R': p.relax = 0; break;
        case 'f':
            if (cli_parse_double(optarg, &x) || !(x > 0)) return cli_usage_error("gruneisen", "--ftol needs a positive number");
            p.ftol = x;
            break;
        case 'm':
            if ((p.methods = parse_methods(optarg)) <= 0) return cli_usage_error("gruneisen", "--method takes sorted, overlap, hf or all");
            break;
        case 'M':
            figmethod = parse_methods(optarg);
            if (figmethod != GRU_SORTED && figmethod != GRU_OVERLAP && figmethod != GRU_HF)
                return cli_usage_error("gruneisen", "--figures-method takes one of sorted, overlap, hf");
            break;
        case 'l':
            if (cli_parse_double(optarg, &x) || !(x > 0 && x <= 1)) return cli_usage_error("gruneisen", "--low-overlap needs a number in (0, 1]");
            p.low_overlap = x;
            break;
        case 'W':
            if (cli_parse_double(optarg, &x) || !(x > 0)) return cli_usage_error("gruneisen", "--max-omega needs a positive number");
            p.max_omega = o.modes.max_omega = x;
            break;
        case 'h': help(); return 0;
        default: {
            int r = cli_vib_option("gruneisen", c, optarg, &o);
            if (r == 2) return 2;
            if (!r) return cli_usage_error("gruneisen", "unknown option");
            if (c == 'S') p.solver = o.modes.solver;
        }
        }
    }
    if (optind != argc - 1) return cli_usage_error("gruneisen", "expected one data file");
    if (!out) return cli_usage_error("gruneisen", "--out DIR is required");
    if (!figmethod) figmethod = (p.methods & GRU_HF) ? GRU_HF : (p.methods & GRU_OVERLAP) ? GRU_OVERLAP : GRU_SORTED;
    if (!(p.methods & figmethod)) return cli_usage_error("gruneisen", "--figures-method names a route not computed");
    cli_setup cs;
    if (cli_load(argv[optind], pot, elements, &cs)) return cli_error();
    /* checked once here, before the three volumes' modes */
    if (isfinite(o.max_initial_force) &&
        forces_require_minimum(cs.pot, cs.map, cs.sys, o.max_initial_force, argv[optind],
                               "Grüneisen parameters are only defined at a minimum; run `bpel minimize` first (or "
                               "--max-initial-force inf to go on)",
                               NULL)) {
        cli_setup_free(&cs);
        return cli_error();
    }
    o.max_initial_force = INFINITY;
    double t0 = cli_wall_time();
    gru_result r;
    int rc = gru_compute(cs.pot, cs.map, cs.sys, &p, &r);
    if (rc) { cli_setup_free(&cs); return cli_error(); }
    /* I_BP at V0 from the same modes (ownership moves to the analysis, and back) */
    vib_analysis a;
    o.modes_given = r.modes;
    rc = vib_analyse(cs.pot, cs.map, cs.sys, &o, &a);
    if (rc) {
        r.modes = NULL;
        gru_result_free(&r);
        cli_setup_free(&cs);
        return cli_error();
    }
    if (a.modes->worker) { /* an MPI rank that helped the sparse solver: rank 0 writes */
        r.modes = NULL;
        vib_analysis_free(&a);
        gru_result_free(&r);
        cli_setup_free(&cs);
        return 0;
    }
    cli_vib_warn_window("gruneisen", &a);
    char src[2048];
    snprintf(src, sizeof src, "%s (potential %s)", argv[optind], cs.potential_path);
    rc = write_outputs(out, cs.sys, &r, &a, &p, figmethod, src);
    if (!rc) {
        printf("atoms %zu, modes %zu; volumes %.4g, 1, %.4g V0 (%s); %.1f s\n", cs.sys->n, r.nmodes, 1 - p.dv, 1 + p.dv,
               r.relaxed ? "re-minimised" : "affine only", cli_wall_time() - t0);
        if (r.relaxed)
            printf("re-minimisation: max non-affine displacement %.3g / %.3g A at V+ / V-\n", r.relax_disp[0], r.relax_disp[1]);
        if (r.methods & GRU_OVERLAP)
            printf("overlap pairing: %zu modes with an overlap below %.2f\n", r.nlow, p.low_overlap);
        printf("wrote %s/gruneisen_modes.csv, gamma_ave.csv, atoms.csv, atoms.xyz, summary.json, fig11a-c\n", out);
    }
    r.modes = NULL; /* owned by the analysis now */
    vib_analysis_free(&a);
    gru_result_free(&r);
    cli_setup_free(&cs);
    return rc ? cli_error() : 0;
}
