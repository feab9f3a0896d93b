/* gruneisen.c — mode and particle Grüneisen parameters (see gruneisen.h). */
#include "gruneisen.h"
#include "error.h"
#include "forces.h"
#include "hessian.h"
#include "minimise.h"
#include "units.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void bpel_gru_defaults(gru_params *p)
{
    p->dv = 0.01;
    p->relax = 1;
    p->ftol = 1e-8;
    p->methods = GRU_ALL;
    p->low_overlap = 0.5;
    p->solver = NULL;
    p->max_omega = 0.0;
}

void bpel_gru_result_free(gru_result *r)
{
    bpel_vib_modes_destroy(r->modes);
    free(r->gamma_sorted);
    free(r->gamma_overlap);
    free(r->overlap_plus);
    free(r->overlap_minus);
    free(r->match_plus);
    free(r->match_minus);
    free(r->gamma_hf);
    free(r->omega_plus);
    free(r->omega_minus);
    memset(r, 0, sizeof *r);
}

/* The configuration at (1+sgn·dv)V₀, re-minimised if asked. */
static int make_volume(const bpel_model *model, const bpel_system *s, const gru_params *p, double sgn,
                       bpel_system **out, double *disp, double *fmax)
{
    bpel_system *c = bpel_system_copy(s);
    if (!c) return BPEL_ENOMEM;
    bpel_system_scale(c, cbrt(1.0 + sgn * p->dv));
    *disp = 0.0;
    *fmax = 0.0;
    if (p->relax) {
        bpel_system *ref = bpel_system_copy(c);
        bpel_forces *ff = NULL;
        int rc = ref ? bpel_forces_create(model, c, 1.0, &ff) : BPEL_ENOMEM;
        if (rc) { bpel_system_destroy(ref); bpel_system_destroy(c); return rc; }
        min_params mp;
        bpel_min_defaults(&mp);
        mp.ftol = p->ftol;
        min_result mr;
        rc = bpel_minimise(ff, c, &mp, &mr);
        bpel_forces_destroy(ff);
        if (rc) {
            bpel_system_destroy(ref);
            bpel_system_destroy(c);
            return bpel_fail_context(rc, "re-minimising at %.4g V0", 1.0 + sgn * p->dv);
        }
        *fmax = mr.fmax;
        for (size_t i = 0; i < c->n; i++) {
            double d[3] = {c->x[3 * i] - ref->x[3 * i], c->x[3 * i + 1] - ref->x[3 * i + 1], c->x[3 * i + 2] - ref->x[3 * i + 2]};
            bpel_box_minimum_image(&c->box, d);
            double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
            if (r > *disp) *disp = r;
        }
        bpel_system_destroy(ref);
    }
    *out = c;
    return BPEL_OK;
}

/* For each V₀ mode k, the best-overlapping non-translational mode of `w`,
 * by blocks of E₀ᵀ E_w. */
static int match_modes(const vib_modes *v0, const vib_modes *w, size_t *match, double *ov)
{
    const size_t n3 = v0->ndof, nm = v0->nmodes, blk = 256;
    double *O = bpel_malloc(nm * blk * sizeof *O);
    if (!O) return BPEL_ENOMEM;
    for (size_t k = 0; k < nm; k++) { ov[k] = -1.0; match[k] = 0; }
    for (size_t j0 = 0; j0 < w->nmodes; j0 += blk) {
        size_t nb = j0 + blk <= w->nmodes ? blk : w->nmodes - j0;
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)nm, (int)nb, (int)n3, 1.0, v0->z, (int)v0->ldz,
                    w->z + j0 * w->ldz, (int)w->ldz, 0.0, O, (int)nm);
#pragma omp parallel for schedule(static)
        for (size_t k = 0; k < nm; k++)
            for (size_t j = 0; j < nb; j++) {
                if (w->is_translation[j0 + j]) continue;
                double o = fabs(O[k + j * nm]);
                if (o > ov[k]) { ov[k] = o; match[k] = j0 + j; }
            }
    }
    free(O);
    return BPEL_OK;
}

/* ⟨x_k|H|x_k⟩ for x_k = M^{-1/2} e_k, all modes, blocks of vectors. */
static int hf_expectation(const hess_sparse *h, const vib_modes *v, double sign, double *acc)
{
    const size_t n = v->natoms, n3 = v->ndof, nb = 32;
    int rc = BPEL_OK;
    double *X = bpel_malloc(n3 * nb * sizeof *X), *Y = bpel_malloc(n3 * nb * sizeof *Y);
    if (!X || !Y) { free(X); free(Y); return BPEL_ENOMEM; }
    for (size_t k0 = 0; k0 < v->nmodes; k0 += nb) {
        size_t m = k0 + nb <= v->nmodes ? nb : v->nmodes - k0;
        /* X row-major: row r holds the m vectors' component r */
        for (size_t q = 0; q < m; q++) {
            const double *e = v->z + (k0 + q) * v->ldz;
            for (size_t i = 0; i < n; i++) {
                double s = 1.0 / sqrt(v->mass[i]);
                for (int a = 0; a < 3; a++) X[(3 * i + a) * nb + q] = e[3 * i + a] * s;
            }
        }
#pragma omp parallel for schedule(dynamic, 16)
        for (size_t a = 0; a < n; a++) {
            double y[3][32];
            memset(y, 0, sizeof y);
            for (size_t p = h->rowptr[a]; p < h->rowptr[a + 1]; p++) {
                const double *B = &h->val[9 * p];
                const double *xb = &X[3 * (size_t)h->col[p] * nb];
                for (int al = 0; al < 3; al++)
                    for (int be = 0; be < 3; be++) {
                        double c = B[3 * al + be];
                        for (size_t q = 0; q < m; q++) y[al][q] += c * xb[be * nb + q];
                    }
            }
            for (int al = 0; al < 3; al++)
                for (size_t q = 0; q < m; q++) Y[(3 * a + al) * nb + q] = y[al][q];
        }
        for (size_t q = 0; q < m; q++) {
            double s = 0.0;
            for (size_t r = 0; r < n3; r++) s += X[r * nb + q] * Y[r * nb + q];
            acc[k0 + q] += sign * s;
        }
    }
    free(X);
    free(Y);
    return rc;
}

/* Margin of the window at V± over the one at V₀: mode frequencies move by about γ·dv (a few %). */
#define GRU_WINDOW_MARGIN 1.1

static int modes_of(const bpel_model *model, const bpel_system *s, const gru_params *p, double window,
                    vib_modes **v)
{
    hess_model *m;
    int rc = bpel_hess_model_create(model, s, 0, &m);
    if (rc) return rc;
    vib_params vp = {.solver = p->solver, .max_omega = window, .need_vectors = 1};
    rc = bpel_vib_modes_compute(m, s, &vp, v);
    bpel_hess_model_destroy(m);
    return rc;
}

static int sparse_of(const bpel_model *model, const bpel_system *s, hess_sparse **h)
{
    hess_model *m;
    int rc = bpel_hess_model_create(model, s, 0, &m);
    if (rc) return rc;
    rc = bpel_hess_build_sparse(m, h);
    bpel_hess_model_destroy(m);
    return rc;
}

int bpel_gru_compute(const bpel_model *model, const bpel_system *s, const gru_params *p,
                gru_result *r)
{
    memset(r, 0, sizeof *r);
    if (!(p->dv > 0 && p->dv < 0.2)) return bpel_fail(BPEL_EINVAL, "volume step dv = %g must be in (0, 0.2)", p->dv);
    if (!p->methods) return bpel_fail(BPEL_EINVAL, "no Grüneisen method selected");
    int rc = modes_of(model, s, p, p->max_omega, &r->modes);
    if (rc) return rc;
    const vib_modes *v = r->modes;
    const size_t nm = v->nmodes;
    r->nmodes = nm;
    r->V0 = bpel_box_volume(&s->box);
    r->methods = p->methods;
    r->relaxed = p->relax;
    double *lam[2] = {NULL, NULL}, *wm[2] = {NULL, NULL};
    bpel_system *sv[2] = {NULL, NULL};
    for (int q = 0; q < 2 && !rc; q++)
        rc = make_volume(model, s, p, q ? -1.0 : 1.0, &sv[q], &r->relax_disp[q], &r->relax_fmax[q]);
    if (rc) goto done;
    const double nan = NAN;
    if (p->methods & (GRU_SORTED | GRU_OVERLAP)) {
        r->omega_plus = bpel_malloc(nm * sizeof(double));
        r->omega_minus = bpel_malloc(nm * sizeof(double));
        r->gamma_sorted = bpel_malloc(nm * sizeof(double));
        r->gamma_overlap = bpel_malloc(nm * sizeof(double));
        r->overlap_plus = bpel_malloc(nm * sizeof(double));
        r->overlap_minus = bpel_malloc(nm * sizeof(double));
        r->match_plus = bpel_malloc(nm * sizeof(size_t));
        r->match_minus = bpel_malloc(nm * sizeof(size_t));
        if (!r->omega_plus || !r->omega_minus || !r->gamma_sorted || !r->gamma_overlap || !r->overlap_plus ||
            !r->overlap_minus || !r->match_plus || !r->match_minus) { rc = BPEL_ENOMEM; goto done; }
        for (int q = 0; q < 2 && !rc; q++) {
            vib_modes *w = NULL;
            rc = modes_of(model, sv[q], p, p->max_omega > 0 ? GRU_WINDOW_MARGIN * p->max_omega : 0.0, &w);
            if (rc) break;
            double *om = q ? r->omega_minus : r->omega_plus;
            for (size_t k = 0; k < nm; k++) om[k] = k < w->nmodes ? w->omega[k] : nan;
            lam[q] = bpel_malloc(nm * sizeof(double));
            wm[q] = bpel_malloc(nm * sizeof(double));
            if (!lam[q] || !wm[q]) rc = BPEL_ENOMEM;
            /* sorted pairing: the k-th non-translational mode on each side */
            for (size_t k = 0, j = 0; !rc && k < nm; k++) {
                if (v->is_translation[k]) { lam[q][k] = nan; continue; }
                while (j < w->nmodes && w->is_translation[j]) j++;
                lam[q][k] = j < w->nmodes ? w->omega[j] : nan;
                j++;
            }
            if (!rc && (p->methods & GRU_OVERLAP)) {
                size_t *mt = q ? r->match_minus : r->match_plus;
                double *ov = q ? r->overlap_minus : r->overlap_plus;
                rc = match_modes(v, w, mt, ov);
                for (size_t k = 0; !rc && k < nm; k++) {
                    wm[q][k] = w->omega[mt[k]];
                    if (v->is_translation[k]) ov[k] = nan;
                }
            }
            bpel_vib_modes_destroy(w);
        }
        if (rc) goto done;
        for (size_t k = 0; k < nm; k++) {
            double w0 = v->omega[k];
            int skip = v->is_translation[k] || !(fabs(w0) > 0);
            r->gamma_sorted[k] = skip ? nan : -(lam[0][k] - lam[1][k]) / (2.0 * p->dv * w0);
            if (p->methods & GRU_OVERLAP) {
                r->gamma_overlap[k] = skip ? nan : -(wm[0][k] - wm[1][k]) / (2.0 * p->dv * w0);
                if (!skip && (r->overlap_plus[k] < p->low_overlap || r->overlap_minus[k] < p->low_overlap)) r->nlow++;
            } else {
                r->gamma_overlap[k] = nan;
            }
        }
        if (!(p->methods & GRU_SORTED))
            for (size_t k = 0; k < nm; k++) r->gamma_sorted[k] = nan;
    }
    if (p->methods & GRU_HF) {
        r->gamma_hf = bpel_calloc(nm, sizeof(double));
        if (!r->gamma_hf) { rc = BPEL_ENOMEM; goto done; }
        for (int q = 0; q < 2 && !rc; q++) {
            hess_sparse *h = NULL;
            rc = sparse_of(model, sv[q], &h);
            if (!rc) rc = hf_expectation(h, v, q ? -1.0 : 1.0, r->gamma_hf);
            bpel_hess_sparse_destroy(h);
        }
        if (rc) goto done;
        for (size_t k = 0; k < nm; k++) {
            double l = v->lambda[k];
            r->gamma_hf[k] = (v->is_translation[k] || l == 0.0) ? nan : -r->gamma_hf[k] / (4.0 * p->dv * l);
        }
    }
done:
    free(lam[0]);
    free(lam[1]);
    free(wm[0]);
    free(wm[1]);
    bpel_system_destroy(sv[0]);
    bpel_system_destroy(sv[1]);
    if (rc) bpel_gru_result_free(r);
    return rc;
}

int bpel_gru_particle(const vib_modes *v, const double *gamma, double *gi)
{
    const size_t n = v->natoms;
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t k = 0; k < v->nmodes; k++)
            if (isfinite(gamma[k])) s += gamma[k] * vib_weight(v, k, i);
        gi[i] = s;
    }
    return BPEL_OK;
}

void bpel_gru_average(const vib_modes *v, const double *gamma, double *mean, double *std)
{
    double s = 0.0, s2 = 0.0;
    size_t c = 0;
    for (size_t k = 0; k < v->nmodes; k++) {
        if (!v->is_translation[k] && v->omega[k] > 0 && isfinite(gamma[k])) {
            c++;
            s += gamma[k];
            s2 += gamma[k] * gamma[k];
        }
        mean[k] = c ? s / c : NAN;
        std[k] = c > 1 ? sqrt(fmax(0.0, (s2 - s * s / c) / (c - 1))) : NAN;
    }
}
