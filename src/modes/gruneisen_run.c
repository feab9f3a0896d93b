/* gruneisen_run.c — the Grüneisen stage from configuration to files (see gruneisen_run.h). */
#include "gruneisen_run.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "forces.h"
#include "outfile.h"
#include "quality.h"
#include "units.h"
#include "vib_figures.h"

void bpel_gru_run_defaults(gru_run_options *o)
{
    memset(o, 0, sizeof *o);
    bpel_gru_defaults(&o->gru);
    bpel_vib_options_default(&o->vib);
}

void bpel_gru_run_free(gru_run_result *r)
{
    if (r->vib.modes) {
        r->gru.modes = NULL; /* owned by the analysis */
        bpel_vib_analysis_free(&r->vib);
    }
    bpel_gru_result_free(&r->gru);
    memset(r, 0, sizeof *r);
}

int bpel_gru_run(const bpel_model *model, bpel_system *s, const gru_run_options *o,
            gru_run_result *r)
{
    memset(r, 0, sizeof *r);
    const gru_params *p = &o->gru;
    int fm = o->figures_method;
    if (!fm) fm = (p->methods & GRU_HF) ? GRU_HF : (p->methods & GRU_OVERLAP) ? GRU_OVERLAP : GRU_SORTED;
    if (!(p->methods & fm)) return bpel_fail(BPEL_EINVAL, "--figures-method names a route not computed");
    r->figures_method = fm;
    /* checked once here, before the three volumes' modes */
    vib_options vo = o->vib;
    if (isfinite(vo.max_initial_force)) {
        int rc = bpel_forces_require_minimum(model, s, vo.max_initial_force, o->data ? o->data : s->source,
                                        "Grüneisen parameters are only defined at a minimum; run `bpel minimize` first "
                                        "(or --max-initial-force inf to go on)",
                                        NULL);
        if (rc) return rc;
    }
    vo.max_initial_force = INFINITY;
    int rc = bpel_gru_compute(model, s, p, &r->gru);
    if (rc) return rc;
    /* I_BP at V0 from the same modes (ownership moves to the analysis) */
    vo.modes_given = r->gru.modes;
    rc = bpel_vib_analyse(model, s, &vo, &r->vib);
    if (rc) {
        r->gru.modes = NULL;
        memset(&r->vib, 0, sizeof r->vib);
        return rc;
    }
    r->worker = r->vib.modes->worker != 0;
    return BPEL_OK;
}

static double *route(const gru_result *r, int which)
{
    if (which == GRU_SORTED && (r->methods & GRU_SORTED)) return r->gamma_sorted;
    if (which == GRU_OVERLAP && (r->methods & GRU_OVERLAP)) return r->gamma_overlap;
    if (which == GRU_HF && (r->methods & GRU_HF)) return r->gamma_hf;
    return NULL;
}

static const char *route_name(int w) { return w == GRU_SORTED ? "sorted" : w == GRU_OVERLAP ? "overlap" : "hf"; }

int bpel_gru_run_write(const char *out, const bpel_system *s, const gru_run_options *opt, const gru_run_result *rr)
{
    const gru_result *r = &rr->gru;
    const vib_analysis *a = &rr->vib;
    const gru_params *p = &opt->gru;
    const int figmethod = rr->figures_method;
    const char *src = opt->structure ? opt->structure : opt->data ? opt->data : s->source;
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
        bpel_gru_average(v, g, mean[q], sd[q]);
        bpel_gru_particle(v, g, gi[q]);
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

    size_t *order = bpel_system_id_order(s);
    if (!order) { rc = BPEL_ENOMEM; goto done; }
    snprintf(path, sizeof path, "%s/" GRU_FILE_ATOMS, out);
    if (!(fp = bpel_out_fopen(&bo, path))) { free(order); rc = BPEL_EIO; goto done; }
    int fq = figmethod == GRU_SORTED ? 0 : figmethod == GRU_OVERLAP ? 1 : 2;
    fprintf(fp, "id,type,element," GRU_COL_GAMMA);
    for (int q = 0; q < 3; q++)
        if (gi[q]) fprintf(fp, "," GRU_COL_GAMMA "_%s", route_name(ids[q]));
    fprintf(fp, "," VIB_COL_IBP "\n");
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
        static const char *names[3] = {GRU_COL_GAMMA "_sorted", GRU_COL_GAMMA "_overlap", GRU_COL_GAMMA "_hf"};
        for (int q = 0; q < 3; q++)
            if (gi[q]) cols[nc++] = (bpel_column){names[q], gi[q], 1, 0};
        cols[nc++] = (bpel_column){VIB_COL_IBP, a->vdos->ibp, 1, 0};
        rc = bpel_out_finish(&bo, bpel_xyz_write_frame(fp, s, nc, cols, "bpel gruneisen"));
        if (rc) goto done;
    }

    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "program", "bpel gruneisen");
    if (opt->provenance) cJSON_AddStringToObject(o, "provenance", opt->provenance);
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
        if (r->relax_disp[q] > GRU_REARRANGEMENT_A) {
            char msg[256];
            snprintf(msg, sizeof msg,
                     "re-minimisation at %.4g V0 moved an atom by %.3g A beyond the affine scaling: the structure "
                     "probably changed basin; gamma there is not a harmonic property (try a smaller --dv)",
                     q ? 1 - p->dv : 1 + p->dv, r->relax_disp[q]);
            cJSON_AddItemToArray(warn, cJSON_CreateString(msg));
            if (opt->note) opt->note(opt->ctx, msg);
        }
    if (v->nnegative) cJSON_AddItemToArray(warn, cJSON_CreateString("unstable modes at V0: not a tight minimum"));
    cJSON_AddStringToObject(o, "figures_route", route_name(figmethod));
    cJSON_AddStringToObject(o, "gamma_i_route", route_name(figmethod));
    cJSON_AddNumberToObject(o, GRU_KEY_GAMMA_AVE, mean[fq][nm - 1]);
    cJSON_AddNumberToObject(o, "gamma_std", sd[fq][nm - 1]);
    cJSON_AddNumberToObject(o, "boson_peak_omega_radps", a->vdos->bp_omega);
    cJSON_AddItemToObject(o, "I_BP_window_radps", cJSON_CreateDoubleArray((double[]){a->vdos->bp_lo, a->vdos->bp_hi}, 2));
    cJSON_AddNumberToObject(o, "negative_modes_V0", (double)v->nnegative);
    int basin = 0;
    for (int q = 0; q < 2 && r->relaxed; q++)
        if (r->relax_disp[q] > GRU_REARRANGEMENT_A) {
            basin = 1;
            bpel_quality_add(o, GRU_KEY_GAMMA_AVE, BPEL_Q_WEAK,
                             "the structure changed basin at %.4g V0 (an atom moved %.2g Å): γ is not harmonic there",
                             q ? 1 - p->dv : 1 + p->dv, r->relax_disp[q]);
        }
    if (v->nnegative)
        bpel_quality_add(o, GRU_KEY_GAMMA_AVE, BPEL_Q_WEAK, "%zu unstable modes at V0: not a minimum", (size_t)v->nnegative);
    if ((r->methods & GRU_OVERLAP) && figmethod == GRU_OVERLAP && r->nlow * 2 > v->nmodes)
        bpel_quality_add(o, GRU_KEY_GAMMA_AVE, BPEL_Q_WEAK, "%zu of %zu modes have an overlap below %g between volumes",
                         (size_t)r->nlow, (size_t)v->nmodes, p->low_overlap);
    bpel_quality_add(o, GRU_KEY_GAMMA_AVE, isfinite(mean[fq][nm - 1]) ? BPEL_Q_OK : BPEL_Q_NOT_DETERMINED, "%s route, %zu modes",
                     route_name(figmethod), (size_t)nm);
    snprintf(path, sizeof path, "%s/" GRU_FILE_SUMMARY, out);
    rc = bpel_out_json(path, o);
    cJSON_Delete(o);
    if (rc) goto done;

    char label[64];
    snprintf(label, sizeof label, "%s route%s", route_name(figmethod), basin ? " (basin changed: not harmonic)" : "");
    rc = bpel_vib_fig11ab(out, v, route(r, figmethod), mean[fq], sd[fq], a->vdos->bp_omega, label);
    if (!rc) rc = bpel_vib_fig11c(out, n, gi[fq], a->vdos->ibp);
done:
    for (int q = 0; q < 3; q++) { free(mean[q]); free(sd[q]); free(gi[q]); }
    return rc;
}
