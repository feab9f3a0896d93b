/* vibrations.c — one-structure vibrational analysis and its files (see vibrations.h). */
#include "vibrations.h"
#include "modes_sparse.h"
#include "error.h"
#include "forces.h"
#include "quality.h"
#include "outfile.h"
#include "units.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <omp.h>

static double omp_wall(void) { return omp_get_wtime(); }

void bpel_vib_options_default(vib_options *o)
{
    memset(o, 0, sizeof *o);
    o->vdos.bin_width = 0.5;
    o->vdos.per_atom = 1;
    o->max_initial_force = 1e-3;
}

int bpel_vib_options_check(const vib_options *o)
{
    double top = o->modes_given ? o->modes_given->omega_top : o->modes.max_omega > 0 ? o->modes.max_omega : INFINITY;
    if (o->vdos.bp_hi > 0 && o->vdos.bp_hi > top)
        return bpel_fail(BPEL_EINVAL,
                         "the boson-peak window's top %g rad/ps lies above %g rad/ps, the highest frequency up to "
                         "which modes are computed (--max-omega): I_BP and the peak would miss the modes between; "
                         "lower the window's top to %g or raise --max-omega to %g",
                         o->vdos.bp_hi, top, top, o->vdos.bp_hi);
    return BPEL_OK;
}

void bpel_vib_analysis_free(vib_analysis *a)
{
    bpel_vib_modes_destroy(a->modes);
    bpel_vib_vdos_destroy(a->vdos);
    memset(a, 0, sizeof *a);
}

/* K and G by Born minus non-affine: route 1 from the modes, 2 by conjugate gradients. */
static int compute_moduli(vib_analysis *a, const hess_model *m, const bpel_system *s, int route)
{
    double born[6][6], dU[6], na[6][6];
    double *xi = bpel_malloc(18 * s->n * sizeof *xi);
    if (!xi) return BPEL_ENOMEM;
    int rc = bpel_elastic_born(m, born, dU);
    if (!rc) rc = bpel_elastic_xi(m, xi);
    if (!rc && route == 1) {
        rc = bpel_elastic_nonaffine_modes(a->modes, xi, na, &a->elastic.modes_skipped);
        snprintf(a->elastic.method, sizeof a->elastic.method, "Born - non-affine (normal modes)");
    } else if (!rc) {
        hess_sparse *h = NULL;
        rc = bpel_hess_build_sparse(m, &h);
        if (!rc) rc = bpel_elastic_nonaffine_cg(h, xi, 1e-10, na, &a->elastic.cg_iterations);
        bpel_hess_sparse_destroy(h);
        snprintf(a->elastic.method, sizeof a->elastic.method, "Born - non-affine (conjugate gradients)");
    }
    free(xi);
    if (rc) return rc;
    bpel_elastic_finish(&a->elastic, born, na, dU, bpel_box_volume(&s->box));
    a->have_elastic = 1;
    a->K = a->elastic.K;
    a->G = a->elastic.G;
    snprintf(a->moduli_source, sizeof a->moduli_source, "%s", a->elastic.method);
    return BPEL_OK;
}

/* The Debye level and the lowest transverse sound wave of the box from K and G. */
static void compute_debye(vib_analysis *a, const bpel_system *s)
{
    if (a->K > 0 && a->G > 0 && bpel_elastic_debye(a->K, a->G, s, &a->debye) == BPEL_OK) {
        a->have_debye = 1;
        double w[3], L;
        bpel_box_widths(&s->box, w);
        L = fmax(w[0], fmax(w[1], w[2]));
        a->omega_T1 = 2.0 * BPEL_PI * a->debye.v_T / L;
    }
}

/* solver auto with no bound, and a dense D that does not fit: the sparse
 * route up to the top of the default I_BP window, which needs the moduli
 * first (conjugate gradients). *mp gets the bound and the solver. */
static int choose_sparse(vib_analysis *a, const hess_model *m, const bpel_system *s, const vib_options *o,
                         vib_params *mp)
{
    if (o->modes_given || (mp->solver && strcmp(mp->solver, "auto")) || mp->max_omega > 0) return BPEL_OK;
    vib_params dense = *mp;
    dense.solver = NULL;
    size_t bytes = 0, avail = bpel_eig_memory_available();
    if (!bpel_vib_modes_plan(s->n, &dense, &bytes) && (!avail || bytes <= avail)) return BPEL_OK;
    bpel_clear_error();
    int rc = BPEL_OK;
    if (o->K > 0 && o->G > 0) {
        a->K = o->K;
        a->G = o->G;
        snprintf(a->moduli_source, sizeof a->moduli_source, "given on the command line");
    } else if (o->elastic_route >= 0 && !(o->vdos.bp_hi > 0)) {
        /* the moduli only when the window's top needs them, and not with --elastic none */
        double t0 = omp_wall();
        if ((rc = compute_moduli(a, m, s, 2))) return rc;
        if (mp->note) {
            char line[160];
            snprintf(line, sizeof line, "K and G by conjugate gradients for the window's top: %.0f s (%d iterations)",
                     omp_wall() - t0, a->elastic.cg_iterations);
            mp->note(mp->progress_ctx, line);
        }
    }
    compute_debye(a, s);
    double hi = o->vdos.bp_hi;
    if (!(hi > 0)) {
        if (!a->have_debye)
            return bpel_fail(BPEL_ENOMEM,
                             "the dense dynamical matrix of %zu atoms needs %.3g GB (%.3g GB available), and without "
                             "a Debye frequency there is no default bound for the sparse solver: give --max-omega",
                             s->n, bytes / 1e9, avail / 1e9);
        double lo = o->vdos.bp_lo > 0 ? o->vdos.bp_lo : 1.2 * a->omega_T1;
        hi = fmax(0.5 * a->debye.omega_D, 2 * lo);
    }
    /* the bound whose complete bins reach hi (bpel_vib_window_top), with a margin of 1 % */
    mp->max_omega = 1.01 * (hi + 0.5 * o->vdos.bin_width + (o->vdos.sigma > 0 ? 8.0 * o->vdos.sigma : 0.0));
    /* block Lanczos in one process, SLEPc's Krylov-Schur across MPI ranks */
    int ranks = bpel_sparse_ranks();
    mp->solver = ranks > 1 ? VIB_SPARSE_SOLVER : VIB_BLOCK_SOLVER;
    snprintf(a->solver_choice, sizeof a->solver_choice,
             "auto: the dense D needs %.3g GB with %.3g GB available, so the modes up to %.4g rad/ps (the top of "
             "the I_BP window, %.4g rad/ps) by %s",
             bytes / 1e9, avail / 1e9, mp->max_omega, hi,
             ranks > 1 ? "spectrum slicing with SLEPc across the MPI ranks" : "block shift-and-invert Lanczos");
    return BPEL_OK;
}

int bpel_vib_analyse(const bpel_model *model, const bpel_system *s, const vib_options *o,
                vib_analysis *a)
{
    memset(a, 0, sizeof *a);
    double t0 = omp_wall();
    hess_model *m = NULL;
    int rc = bpel_vib_options_check(o);
    if (rc) { bpel_vib_modes_destroy(o->modes_given); return rc; }
    if (isfinite(o->max_initial_force)) {
        bpel_system *c = bpel_system_copy(s);
        if (!c) { bpel_vib_modes_destroy(o->modes_given); return BPEL_ENOMEM; }
        rc = bpel_forces_require_minimum(model, c, o->max_initial_force, "the structure",
                                    "modes, moduli and I_BP are only defined at a minimum; run `bpel minimize` first "
                                    "(or --max-initial-force inf to go on)",
                                    NULL);
        bpel_system_destroy(c);
        if (rc) { bpel_vib_modes_destroy(o->modes_given); return rc; }
    }
    rc = bpel_hess_model_create(model, s, 0, &m);
    if (rc) { bpel_vib_modes_destroy(o->modes_given); return rc; }
    vib_params mp = o->modes;
    rc = choose_sparse(a, m, s, o, &mp);
    if (rc) goto fail;
    if (o->modes_given) a->modes = o->modes_given;
    else rc = bpel_vib_modes_compute(m, s, &mp, &a->modes);
    if (rc) goto fail;
    if (a->modes->worker) { /* an MPI rank that helped the sparse solver: rank 0 analyses and writes */
        bpel_hess_model_destroy(m);
        a->t_total = omp_wall() - t0;
        return BPEL_OK;
    }
    /* moduli (unless choose_sparse needed them first) */
    if (o->K > 0 && o->G > 0) {
        a->K = o->K;
        a->G = o->G;
        snprintf(a->moduli_source, sizeof a->moduli_source, "given on the command line");
    } else if (o->elastic_route >= 0 && !a->have_elastic) {
        rc = compute_moduli(a, m, s, o->elastic_route ? o->elastic_route : (a->modes->complete ? 1 : 2));
        if (rc) goto fail;
    }
    if (!a->have_debye) compute_debye(a, s);
    vdos_params vp = o->vdos;
    if (!(vp.bp_lo > 0)) {
        if (a->omega_T1 > 0) {
            vp.bp_lo = 1.2 * a->omega_T1;
            snprintf(a->window_source, sizeof a->window_source, "lo = 1.2 x omega_T1 (lowest transverse sound wave)");
        } else {
            double wl = 0;
            for (size_t k = 0; k < a->modes->nmodes; k++)
                if (!a->modes->is_translation[k] && a->modes->omega[k] > 0) { wl = a->modes->omega[k]; break; }
            vp.bp_lo = wl > 0 ? 1.2 * wl : vp.bin_width;
            snprintf(a->window_source, sizeof a->window_source, "lo = 1.2 x lowest non-translational mode");
        }
    } else {
        snprintf(a->window_source, sizeof a->window_source, "given on the command line");
    }
    if (!(vp.bp_hi > 0)) {
        vp.bp_hi = a->have_debye ? fmax(0.5 * a->debye.omega_D, 2 * vp.bp_lo) : fmax(15.0, 2 * vp.bp_lo);
        /* only the modes up to omega_top are known: keep to the bins they fill completely */
        double top = a->modes->omega_top, keep = bpel_vib_window_top(top, &vp);
        if (vp.bp_hi > keep) {
            if (!(keep > vp.bp_lo)) {
                rc = bpel_fail(BPEL_EINVAL,
                               "the modes were computed up to %g rad/ps only (--max-omega): the boson-peak window "
                               "from %g rad/ps holds no bin that they fill completely; raise --max-omega to %g or "
                               "more for the default window (top %g rad/ps)",
                               top, vp.bp_lo, vp.bp_hi + (top - keep), vp.bp_hi);
                goto fail;
            }
            a->window_clipped = 1;
            a->window_hi_default = vp.bp_hi;
            a->window_omega_top = top;
            size_t len = strlen(a->window_source);
            snprintf(a->window_source + len, sizeof a->window_source - len,
                     "; hi = %s = %.4g rad/ps clipped to %.4g rad/ps, the centre of the last bin that the computed "
                     "modes (omega <= %.4g rad/ps) fill completely",
                     a->have_debye ? "max(omega_D/2, 2 lo)" : "max(15, 2 lo)", vp.bp_hi, keep, top);
            vp.bp_hi = keep;
        }
    }
    rc = bpel_vib_vdos_compute(a->modes, &vp, &a->vdos);
    if (rc) goto fail;
    bpel_hess_model_destroy(m);
    a->t_total = omp_wall() - t0;
    return BPEL_OK;
fail:
    bpel_hess_model_destroy(m);
    bpel_vib_analysis_free(a);
    return rc;
}

/* DIR/NAME as a checked output (outfile.h); NULL with the message set. */
static FILE *open_in(bpel_out *o, const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return bpel_out_open(o, path) ? NULL : o->fp;
}

static cJSON *matrix6(const double M[6][6])
{
    cJSON *rows = cJSON_CreateArray();
    for (int v = 0; v < 6; v++) cJSON_AddItemToArray(rows, cJSON_CreateDoubleArray(M[v], 6));
    return rows;
}

int bpel_vib_write(const char *dir, const bpel_system *s, const vib_analysis *a, const char *provenance, const char *source,
              cJSON *extra)
{
    if (mkdir(dir, 0777) && errno != EEXIST) return bpel_fail(BPEL_EIO, "%s: cannot create directory: %s", dir, strerror(errno));
    bpel_out out;
    const vib_modes *v = a->modes;
    const vib_vdos *d = a->vdos;
    FILE *fp = open_in(&out, dir, "modes.csv");
    if (!fp) return BPEL_EIO;
    fprintf(fp, "mode,eigenvalue_eV_per_A2_amu,omega_radps,nu_THz,participation_ratio,translation_weight,is_translation\n");
    for (size_t k = 0; k < v->nmodes; k++)
        fprintf(fp, "%zu,%.12g,%.10g,%.10g,%.6g,%.6g,%d\n", k + 1, v->lambda[k], v->omega[k], v->omega[k] / (2 * BPEL_PI),
                v->pr[k], v->trans[k], v->is_translation[k]);
    int rc = bpel_out_close(&out);
    if (rc) return rc;

    if (!(fp = open_in(&out, dir, "vdos.csv"))) return BPEL_EIO;
    fprintf(fp, "bin_lo_radps,bin_hi_radps,omega_radps,nu_THz,g_per_radps,g_over_omega2_per_radps3\n");
    for (size_t b = 0; b < d->nbins; b++) {
        double c = vib_bin_centre(d, b);
        fprintf(fp, "%.6g,%.6g,%.6g,%.6g,%.10g,%.10g\n", d->omega_lo + b * d->width, d->omega_lo + (b + 1) * d->width, c,
                c / (2 * BPEL_PI), d->g[b], c != 0 ? d->g[b] / (c * c) : 0.0);
    }
    if ((rc = bpel_out_close(&out))) return rc;

    size_t *order = bpel_system_id_order(s);
    if (!order) return BPEL_ENOMEM;
    if (d->ibp) {
        if (!(fp = open_in(&out, dir, VIB_FILE_ATOMS))) { free(order); return BPEL_EIO; }
        fprintf(fp, "id,type,element," VIB_COL_IBP "," VIB_COL_OMEGA_BP ",nu_BP_THz\n");
        for (size_t q = 0; q < s->n; q++) {
            size_t i = order[q];
            fprintf(fp, "%lld,%d,%s,%.10g,%.6g,%.6g\n", (long long)s->id[i], s->type[i], s->element[s->type[i]],
                    d->ibp[i], d->ibp_omega[i], d->ibp_omega[i] / (2 * BPEL_PI));
        }
        if ((rc = bpel_out_close(&out))) { free(order); return rc; }

        if (!(fp = open_in(&out, dir, "gi.csv"))) { free(order); return BPEL_EIO; }
        fprintf(fp, "id,type");
        for (size_t b = 0; b < d->nbins; b++) fprintf(fp, ",g_at_%.6g_radps", vib_bin_centre(d, b));
        fputc('\n', fp);
        for (size_t q = 0; q < s->n; q++) {
            size_t i = order[q];
            fprintf(fp, "%lld,%d", (long long)s->id[i], s->type[i]);
            for (size_t b = 0; b < d->nbins; b++) fprintf(fp, ",%.8g", d->gi[i * d->nbins + b]);
            fputc('\n', fp);
        }
        if ((rc = bpel_out_close(&out))) { free(order); return rc; }

        if (!(fp = open_in(&out, dir, "atoms.xyz"))) { free(order); return BPEL_EIO; }
        bpel_column cols[] = {{VIB_COL_IBP, d->ibp, 1, 0}, {VIB_COL_OMEGA_BP, d->ibp_omega, 1, 0}};
        rc = bpel_out_finish(&out, bpel_xyz_write_frame(fp, s, 2, cols, "bpel modes: per-atom boson-peak intensity"));
        if (rc) { free(order); return rc; }
    }
    free(order);

    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "program", "bpel modes");
    if (provenance) cJSON_AddStringToObject(o, "provenance", provenance);
    if (source) cJSON_AddStringToObject(o, "structure", source);
    cJSON_AddNumberToObject(o, "natoms", (double)s->n);
    cJSON_AddNumberToObject(o, "volume_A3", bpel_box_volume(&s->box));
    cJSON *mo = cJSON_AddObjectToObject(o, VIB_KEY_MODES);
    cJSON_AddNumberToObject(mo, "computed", (double)v->nmodes);
    cJSON_AddNumberToObject(mo, "of", (double)v->ndof);
    cJSON_AddStringToObject(mo, "solver", v->solver);
    if (a->solver_choice[0]) cJSON_AddStringToObject(mo, "solver_choice", a->solver_choice);
    cJSON_AddNumberToObject(mo, "translations_identified", (double)v->ntranslation);
    cJSON *tr = cJSON_AddArrayToObject(mo, "translation_modes");
    for (size_t k = 0; k < v->nmodes; k++)
        if (v->is_translation[k]) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddNumberToObject(t, "mode", (double)(k + 1));
            cJSON_AddNumberToObject(t, "eigenvalue_eV_per_A2_amu", v->lambda[k]);
            cJSON_AddNumberToObject(t, "translation_weight", v->trans[k]);
            cJSON_AddItemToArray(tr, t);
        }
    int slepc = !strcmp(v->solver, VIB_SPARSE_SOLVER), block = !strcmp(v->solver, VIB_BLOCK_SOLVER);
    if (slepc || block) { /* the sparse routes: what both report, then each its own */
        cJSON *sp = cJSON_AddObjectToObject(mo, slepc ? "spectrum_slicing" : "block_lanczos");
        cJSON_AddStringToObject(sp, "method",
                                slepc ? "SLEPc Krylov-Schur, shift-and-invert over subintervals, MUMPS LDL^T; the count "
                                        "checked by inertia (Sylvester)"
                                      : "block Lanczos on (D - sigma I)^-1 over slices, MUMPS LDL^T per shift (its "
                                        "inertia counts each slice: Sylvester), many vectors per solve");
        cJSON_AddNumberToObject(sp, "max_omega_radps", v->max_omega);
        cJSON_AddNumberToObject(sp, "max_residual_eV_per_A2_amu", v->sparse_residual);
        cJSON_AddNumberToObject(sp, "factorisations", v->sparse_shifts);
        cJSON_AddNumberToObject(sp, "factor_memory_estimate_GB", v->sparse_factor_bytes / 1e9);
        cJSON_AddStringToObject(sp, "factor_ordering",
                                v->sparse_ordering == 2   ? "AMF"
                                : v->sparse_ordering == 4 ? "PORD"
                                : v->sparse_ordering == 0 ? "AMD"
                                : v->sparse_ordering == 6 ? "QAMD"
                                                          : "other");
        cJSON_AddNumberToObject(sp, "unstable_modes_below_interval", (double)v->sparse_below);
        if (slepc) {
            cJSON_AddNumberToObject(sp, "nev_per_slice", v->sparse_nev);
            cJSON_AddNumberToObject(sp, "mpi_ranks", v->sparse_ranks);
        } else {
            cJSON_AddNumberToObject(sp, "block_size", v->sparse_block);
            cJSON_AddNumberToObject(sp, "basis_per_shift", (double)v->sparse_basis);
            cJSON_AddNumberToObject(sp, "right_hand_sides_solved", (double)v->sparse_solves);
            cJSON_AddNumberToObject(sp, "shifts_redone", v->sparse_retries);
            cJSON_AddNumberToObject(sp, "time_factorisations_s", v->sparse_t_factor);
            cJSON_AddNumberToObject(sp, "time_solves_s", v->sparse_t_solves);
            cJSON_AddNumberToObject(sp, "time_orthogonalisation_s", v->sparse_t_orth);
            cJSON_AddNumberToObject(sp, "time_rayleigh_ritz_s", v->sparse_t_ritz);
            cJSON_AddNumberToObject(sp, "time_pairs_checked_s", v->sparse_t_check);
            cJSON_AddBoolToObject(sp, "eigenvectors_kept", v->z != NULL);
        }
    }
    cJSON_AddNumberToObject(mo, VIB_KEY_NEGATIVE_MODES, (double)v->nnegative);
    cJSON_AddNumberToObject(mo, "negative_tolerance_eV_per_A2_amu", v->neg_tol);
    if (v->nmodes) {
        cJSON_AddNumberToObject(mo, "lowest_eigenvalue_eV_per_A2_amu", v->lambda[0]);
        cJSON_AddNumberToObject(mo, "highest_omega_radps", v->omega[v->nmodes - 1]);
    }
    cJSON_AddNumberToObject(mo, "trace_D_eV_per_A2_amu", v->trace);
    double sum = 0;
    for (size_t k = 0; k < v->nmodes; k++) sum += v->lambda[k];
    if (v->complete) cJSON_AddNumberToObject(mo, "sum_eigenvalues_eV_per_A2_amu", sum);
    cJSON *tm = cJSON_AddObjectToObject(mo, "time_s");
    cJSON_AddNumberToObject(tm, "build", v->t_build);
    cJSON_AddNumberToObject(tm, "diagonalise", v->t_solve);
    cJSON_AddNumberToObject(tm, "analyse", v->t_analyse);
    cJSON_AddNumberToObject(tm, "total", a->t_total);

    cJSON *vd = cJSON_AddObjectToObject(o, "vdos");
    cJSON_AddStringToObject(vd, "normalisation", "integral of g over omega = 1 over the 3N-3 non-translational modes");
    cJSON_AddNumberToObject(vd, "bin_width_radps", d->width);
    cJSON_AddNumberToObject(vd, "broadening_sigma_radps", d->sigma);
    cJSON_AddNumberToObject(vd, "modes_normalised_over", d->norm);
    cJSON *bp = cJSON_AddObjectToObject(o, VIB_KEY_BOSON_PEAK);
    cJSON_AddNumberToObject(bp, VIB_KEY_BP_OMEGA, d->bp_omega);
    cJSON_AddNumberToObject(bp, "nu_THz", d->bp_omega / (2 * BPEL_PI));
    cJSON_AddNumberToObject(bp, VIB_KEY_BP_HEIGHT, d->bp_height);
    cJSON_AddItemToObject(bp, "window_radps", cJSON_CreateDoubleArray((double[]){d->bp_lo, d->bp_hi}, 2));
    cJSON_AddStringToObject(bp, "window_choice", a->window_source);
    if (a->window_clipped) {
        cJSON_AddNumberToObject(bp, "window_default_top_radps", a->window_hi_default);
        bpel_quality_add(o, VIB_KEY_BOSON_PEAK ".window_radps", BPEL_Q_WEAK,
                         "the default top %.4g rad/ps lies above the computed modes (omega <= %.4g rad/ps): clipped to "
                         "%.4g rad/ps; I_BP and the peak come from the narrower window",
                         a->window_hi_default, a->window_omega_top, d->bp_hi);
    }
    if (a->omega_T1 > 0) cJSON_AddNumberToObject(bp, "omega_T1_radps", a->omega_T1);
    cJSON_AddStringToObject(bp, "per_atom", "I_BP = max of g_i(omega)/omega^2 over bin centres inside the window");
    /* how far the peak can be trusted */
    {
        const char *bq = VIB_KEY_BOSON_PEAK "." VIB_KEY_BP_OMEGA, *hq = VIB_KEY_BOSON_PEAK "." VIB_KEY_BP_HEIGHT;
        double wmin = 0; /* lowest vibrational (non-translational) frequency */
        for (size_t k = 0; k < v->nmodes; k++)
            if (!v->is_translation[k] && v->omega[k] > 0) { wmin = v->omega[k]; break; }
        if (!(d->bp_height > 0) || !isfinite(d->bp_omega)) {
            bpel_quality_add(o, bq, BPEL_Q_NOT_DETERMINED, "no modes in the boson-peak window");
            bpel_quality_add(o, hq, BPEL_Q_NOT_DETERMINED, "no modes in the boson-peak window");
        } else {
            if (d->bp_omega - d->bp_lo < d->width)
                bpel_quality_add(o, bq, BPEL_Q_WEAK,
                                 "the maximum sits at the lower edge of the window (%.3g rad/ps): the peak may lie lower",
                                 d->bp_lo);
            if (d->bp_hi - d->bp_omega < d->width)
                bpel_quality_add(o, bq, BPEL_Q_WEAK, "the maximum sits at the upper edge of the window (%.3g rad/ps)",
                                 d->bp_hi);
            if (wmin > 0 && d->bp_omega < 2 * wmin)
                bpel_quality_add(o, bq, BPEL_Q_WEAK,
                                 "the peak (%.3g rad/ps) is within 2x the box's lowest mode (%.3g rad/ps): finite size",
                                 d->bp_omega, wmin);
            vdos_params used = {d->width, d->sigma, d->bp_lo, d->bp_hi, 0};
            if (d->bp_hi > bpel_vib_window_top(v->omega_top, &used))
                bpel_quality_add(o, bq, BPEL_Q_WEAK,
                                 "the window's top bins reach past the computed modes (omega <= %.3g rad/ps)",
                                 v->omega_top);
            if (v->nnegative)
                bpel_quality_add(o, bq, BPEL_Q_WEAK, "%zu unstable modes: the structure is not a minimum",
                                 (size_t)v->nnegative);
            bpel_quality_add(o, bq, BPEL_Q_OK, "peak at %.3g rad/ps inside the window %.3g-%.3g rad/ps", d->bp_omega,
                             d->bp_lo, d->bp_hi);
            cJSON *qa = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, BPEL_QUALITY_KEY), bq);
            const char *verdict = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(qa, BPEL_QUALITY_VERDICT));
            const char *reason = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(qa, BPEL_QUALITY_REASON));
            bpel_quality_add(o, hq, !strcmp(verdict, "ok") ? BPEL_Q_OK : BPEL_Q_WEAK, "%s", reason);
        }
        bpel_quality_add(o, VIB_KEY_MODES "." VIB_KEY_NEGATIVE_MODES, v->nnegative ? BPEL_Q_WEAK : BPEL_Q_OK, "%s",
                         v->nnegative ? "unstable modes: the structure is not a minimum" : "a minimum");
    }
    if (a->have_debye) {
        cJSON *db = cJSON_AddObjectToObject(o, VIB_KEY_DEBYE);
        cJSON_AddNumberToObject(db, VIB_KEY_DEBYE_LEVEL, a->debye.level);
        cJSON_AddNumberToObject(db, "omega_D_radps", a->debye.omega_D);
        cJSON_AddNumberToObject(db, "K_GPa", a->K);
        cJSON_AddNumberToObject(db, "G_GPa", a->G);
        cJSON_AddStringToObject(db, "moduli", a->moduli_source);
        cJSON_AddNumberToObject(db, "v_L_m_per_s", 100 * a->debye.v_L);
        cJSON_AddNumberToObject(db, "v_T_m_per_s", 100 * a->debye.v_T);
        cJSON_AddNumberToObject(db, "v_D_m_per_s", 100 * a->debye.v_D);
        cJSON_AddNumberToObject(db, "number_density_per_A3", a->debye.number_density);
        cJSON_AddNumberToObject(db, "mass_density_g_per_cm3", a->debye.mass_density * 1.66053906660);
        cJSON_AddStringToObject(db, "formula", "3/omega_D^3, omega_D = v_D (6 pi^2 n)^(1/3), 3/v_D^3 = 1/v_L^3 + 2/v_T^3");
        if (!(a->K > 0) || !(a->G > 0) || !isfinite(a->debye.level))
            bpel_quality_add(o, VIB_KEY_DEBYE "." VIB_KEY_DEBYE_LEVEL, BPEL_Q_NOT_DETERMINED,
                             "K = %.3g GPa, G = %.3g GPa: a mechanically unstable structure has no Debye level", a->K,
                             a->G);
        else
            bpel_quality_add(o, VIB_KEY_DEBYE "." VIB_KEY_DEBYE_LEVEL, BPEL_Q_OK, "from K and G (%s)", a->moduli_source);
    }
    if (a->have_elastic) {
        cJSON *el = cJSON_AddObjectToObject(o, "elastic");
        cJSON_AddStringToObject(el, "method", a->elastic.method);
        cJSON_AddStringToObject(el, "voigt_order", "xx yy zz yz xz xy");
        cJSON_AddItemToObject(el, "C_GPa", matrix6(a->elastic.C));
        cJSON_AddItemToObject(el, "born_GPa", matrix6(a->elastic.born));
        cJSON_AddItemToObject(el, "B_stress_strain_GPa", matrix6(a->elastic.B));
        cJSON_AddItemToObject(el, "stress_GPa", cJSON_CreateDoubleArray(a->elastic.stress, 6));
        cJSON_AddNumberToObject(el, "K_GPa", a->elastic.K);
        cJSON_AddNumberToObject(el, "G_GPa", a->elastic.G);
        cJSON_AddNumberToObject(el, "K_affine_GPa", a->elastic.K_affine);
        cJSON_AddNumberToObject(el, "G_affine_GPa", a->elastic.G_affine);
        cJSON_AddNumberToObject(el, "modes_skipped", (double)a->elastic.modes_skipped);
        if (a->elastic.cg_iterations) cJSON_AddNumberToObject(el, "cg_iterations", a->elastic.cg_iterations);
    }
    cJSON *w = cJSON_AddArrayToObject(o, "warnings");
    if (v->nnegative) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "%zu unstable (negative-eigenvalue) modes beyond the 3 translations: the structure is not at a "
                 "tight minimum; minimise it (max |F| <= 1e-8 eV/A) before the Hessian",
                 v->nnegative);
        cJSON_AddItemToArray(w, cJSON_CreateString(msg));
    }
    if (v->ntranslation != 3 && v->complete)
        cJSON_AddItemToArray(w, cJSON_CreateString("could not identify exactly 3 translational modes"));
    if (extra)
        for (cJSON *it = extra->child; it; it = it->next)
            cJSON_AddItemReferenceToObject(o, it->string, it);
    char path[4096];
    snprintf(path, sizeof path, "%s/" VIB_FILE_SUMMARY, dir);
    rc = bpel_out_json(path, o);
    cJSON_Delete(o);
    return rc;
}

int bpel_vib_vdos_read(const char *dir, vib_vdos **out, double *debye_level)
{
    *out = NULL;
    *debye_level = 0.0;
    char path[4096];
    snprintf(path, sizeof path, "%s/vdos.csv", dir);
    FILE *fp = fopen(path, "r");
    if (!fp) return bpel_fail(BPEL_EIO, "%s: cannot open: %s", path, strerror(errno));
    vib_vdos *d = bpel_calloc(1, sizeof *d);
    if (!d) { fclose(fp); return BPEL_ENOMEM; }
    char line[512];
    int lineno = 0, rc = BPEL_OK;
    size_t cap = 0;
    while (fgets(line, sizeof line, fp)) {
        lineno++;
        if (lineno == 1) {
            static const char head[] = "bin_lo_radps,bin_hi_radps,omega_radps,nu_THz,g_per_radps";
            if (strncmp(line, head, sizeof head - 1)) {
                rc = bpel_fail(BPEL_EPARSE, "%s:1: not a bpel VDOS table (header '%.40s...')", path, line);
                break;
            }
            continue;
        }
        double lo, hi, w, nu, g;
        if (sscanf(line, "%lf,%lf,%lf,%lf,%lf", &lo, &hi, &w, &nu, &g) != 5 || !(hi > lo)) {
            rc = bpel_fail(BPEL_EPARSE, "%s:%d: expected bin_lo,bin_hi,omega,nu,g,...", path, lineno);
            break;
        }
        if (d->nbins == cap) {
            cap = cap ? 2 * cap : 256;
            double *ng = bpel_realloc(d->g, cap * sizeof *ng);
            if (!ng) { rc = BPEL_ENOMEM; break; }
            d->g = ng;
        }
        if (d->nbins == 0) {
            d->omega_lo = lo;
            d->width = hi - lo;
        } else if (fabs(lo - (d->omega_lo + d->nbins * d->width)) > 1e-4 * d->width) {
            rc = bpel_fail(BPEL_EPARSE, "%s:%d: bins are not contiguous and equal", path, lineno);
            break;
        }
        d->g[d->nbins++] = g;
    }
    fclose(fp);
    if (!rc && d->nbins == 0) rc = bpel_fail(BPEL_EPARSE, "%s: no bins", path);
    if (rc) { bpel_vib_vdos_destroy(d); return rc; }
    snprintf(path, sizeof path, "%s/" VIB_FILE_SUMMARY, dir);
    fp = fopen(path, "r");
    if (!fp) { bpel_vib_vdos_destroy(d); return bpel_fail(BPEL_EIO, "%s: cannot open: %s", path, strerror(errno)); }
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *txt = len > 0 ? bpel_malloc((size_t)len + 1) : NULL;
    size_t got = txt ? fread(txt, 1, (size_t)len, fp) : 0;
    fclose(fp);
    if (!txt) { bpel_vib_vdos_destroy(d); return bpel_fail(BPEL_EPARSE, "%s: empty", path); }
    txt[got] = '\0';
    cJSON *o = cJSON_Parse(txt);
    free(txt);
    cJSON *bp = o ? cJSON_GetObjectItem(o, VIB_KEY_BOSON_PEAK) : NULL;
    cJSON *win = bp ? cJSON_GetObjectItem(bp, "window_radps") : NULL;
    cJSON *w = bp ? cJSON_GetObjectItem(bp, VIB_KEY_BP_OMEGA) : NULL, *h = bp ? cJSON_GetObjectItem(bp, VIB_KEY_BP_HEIGHT) : NULL;
    if (!o || !cJSON_IsNumber(w) || !cJSON_IsNumber(h) || cJSON_GetArraySize(win) != 2) {
        cJSON_Delete(o);
        bpel_vib_vdos_destroy(d);
        return bpel_fail(BPEL_EPARSE, "%s: not a bpel modes summary (boson_peak missing)", path);
    }
    d->bp_omega = w->valuedouble;
    d->bp_height = h->valuedouble;
    d->bp_lo = cJSON_GetArrayItem(win, 0)->valuedouble;
    d->bp_hi = cJSON_GetArrayItem(win, 1)->valuedouble;
    cJSON *n = cJSON_GetObjectItem(o, "natoms");
    if (cJSON_IsNumber(n)) d->natoms = (size_t)n->valuedouble;
    cJSON *db = cJSON_GetObjectItem(o, VIB_KEY_DEBYE), *lv = db ? cJSON_GetObjectItem(db, VIB_KEY_DEBYE_LEVEL) : NULL;
    if (cJSON_IsNumber(lv)) *debye_level = lv->valuedouble;
    cJSON_Delete(o);
    *out = d;
    return BPEL_OK;
}
