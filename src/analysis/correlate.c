/* correlate.c — coarse-graining, Pearson r(L), binning, fits, C(r), groups.
 *
 * Equations and conventions are in correlate.h. Pairs come from the cell
 * lists of neighbour.c (full list, cut = rmax, no skin) and are stored per
 * atom sorted by distance, so coarse-graining over any L <= rmax only walks
 * the neighbours inside L: the cost is O(N · neighbours(L)) per length. */
#include "correlate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "error.h"
#include "neighbour.h"

struct corr_pairs {
    size_t n;
    double rmax;   /* Å */
    size_t *start; /* [n+1] */
    corr_nb *nb;   /* [start[n]] sorted by r within each atom */
};

static int cmp_nb(const void *a, const void *b)
{
    const corr_nb *x = a, *y = b;
    if (x->r != y->r) return x->r < y->r ? -1 : 1;
    return x->j < y->j ? -1 : x->j > y->j;
}

int bpel_corr_pairs_create(const bpel_system *s, double rmax, corr_pairs **out)
{
    *out = NULL;
    double w[3];
    bpel_box_widths(&s->box, w);
    double wmin = fmin(w[0], fmin(w[1], w[2]));
    if (!(rmax > 0)) return bpel_fail(BPEL_EINVAL, "correlation length %g Å must be positive", rmax);
    if (rmax >= 0.5 * wmin)
        return bpel_fail(BPEL_EINVAL,
                         "%s: distances up to %g Å need a box wider than %g Å (smallest width %g Å): "
                         "minimum-image distances are only unique below half the box",
                         s->source[0] ? s->source : "configuration", rmax, 2 * rmax, wmin);
    if (s->n > 0xffffffffu) return bpel_fail(BPEL_ENOTSUP, "more than 2^32 atoms");
    bpel_system *c = bpel_system_copy(s);
    if (!c) return BPEL_ENOMEM;
    nbr_list *l = bpel_nbr_create(rmax, 0.0, 0);
    corr_pairs *p = bpel_calloc(1, sizeof *p);
    int rc = BPEL_ENOMEM;
    if (!l || !p) goto fail;
    if ((rc = bpel_nbr_build(l, c))) goto fail;
    p->n = s->n;
    p->rmax = rmax;
    p->start = bpel_malloc((s->n + 1) * sizeof *p->start);
    size_t cap = l->start[s->n] ? l->start[s->n] : 1;
    p->nb = bpel_malloc(cap * sizeof *p->nb);
    rc = BPEL_ENOMEM;
    if (!p->start || !p->nb) goto fail;
    size_t m = 0;
    double r2max = rmax * rmax;
    for (size_t i = 0; i < s->n; i++) {
        p->start[i] = m;
        const double *xi = l->xall + 3 * i;
        for (size_t k = l->start[i]; k < l->start[i + 1]; k++) {
            size_t g = l->nbr[k];
            const double *xj = l->xall + 3 * g;
            double dx = xj[0] - xi[0], dy = xj[1] - xi[1], dz = xj[2] - xi[2];
            double d2 = dx * dx + dy * dy + dz * dz;
            if (d2 > r2max || l->owner[g] == i) continue;
            p->nb[m].r = (float)sqrt(d2);
            p->nb[m].j = (unsigned)l->owner[g];
            m++;
        }
        qsort(p->nb + p->start[i], m - p->start[i], sizeof *p->nb, cmp_nb);
    }
    p->start[s->n] = m;
    bpel_nbr_destroy(l);
    bpel_system_destroy(c);
    *out = p;
    return BPEL_OK;
fail:
    bpel_nbr_destroy(l);
    bpel_system_destroy(c);
    bpel_corr_pairs_destroy(p);
    return rc;
}

void bpel_corr_pairs_destroy(corr_pairs *p)
{
    if (!p) return;
    free(p->start);
    free(p->nb);
    free(p);
}

double bpel_corr_pairs_rmax(const corr_pairs *p) { return p->rmax; }

size_t bpel_corr_pairs_of(const corr_pairs *p, size_t i, const corr_nb **nb)
{
    *nb = p->nb + p->start[i];
    return p->start[i + 1] - p->start[i];
}

double bpel_corr_max_L(const corr_pairs *p, int gaussian)
{
    return gaussian ? p->rmax / (CORR_GAUSS_SIGMA_OVER_L * CORR_GAUSS_CUT_OVER_SIGMA) : p->rmax;
}

int bpel_corr_coarse_grain(const corr_pairs *pr, const double *p, double L, int gaussian, double *out)
{
    if (!(L >= 0)) return bpel_fail(BPEL_EINVAL, "coarse-graining length %g Å must be >= 0", L);
    if (L > bpel_corr_max_L(pr, gaussian) * (1 + 1e-12))
        return bpel_fail(BPEL_EINVAL, "coarse-graining length %g Å exceeds the %g Å the pair list holds", L,
                         bpel_corr_max_L(pr, gaussian));
    size_t n = pr->n;
    if (L == 0) {
        memcpy(out, p, n * sizeof *out);
        return BPEL_OK;
    }
    double sigma = CORR_GAUSS_SIGMA_OVER_L * L;
    double R = gaussian ? CORR_GAUSS_CUT_OVER_SIGMA * sigma : L;
    double inv2s2 = 1.0 / (2 * sigma * sigma);
#pragma omp parallel for schedule(dynamic, 256)
    for (size_t i = 0; i < n; i++) {
        double sw = 0, swp = 0;
        if (!isnan(p[i])) {
            sw = 1;
            swp = p[i];
        }
        for (size_t k = pr->start[i]; k < pr->start[i + 1]; k++) {
            double r = pr->nb[k].r;
            if (r > R) break;
            double v = p[pr->nb[k].j];
            if (isnan(v)) continue;
            double w = gaussian ? exp(-r * r * inv2s2) : 1.0;
            sw += w;
            swp += w * v;
        }
        out[i] = sw > 0 ? swp / sw : NAN;
    }
    return BPEL_OK;
}

/* Pearson r of already-compacted, centred data given as sums. */
static double pearson_sums(double sxx, double syy, double sxy)
{
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

int bpel_corr_blocks(const bpel_system *s, double edge, int *block, int *nblocks)
{
    if (!(edge > 0)) return bpel_fail(BPEL_EINVAL, "bootstrap block edge %g Å must be positive", edge);
    double w[3];
    int nb[3];
    bpel_box_widths(&s->box, w);
    for (int d = 0; d < 3; d++) {
        nb[d] = (int)floor(w[d] / edge);
        if (nb[d] < 1) nb[d] = 1;
    }
    for (size_t i = 0; i < s->n; i++) {
        double f[3];
        bpel_box_to_frac(&s->box, s->x + 3 * i, f);
        int c[3];
        for (int d = 0; d < 3; d++) {
            f[d] -= floor(f[d]);
            c[d] = (int)(f[d] * nb[d]);
            if (c[d] >= nb[d]) c[d] = nb[d] - 1;
        }
        block[i] = (c[0] * nb[1] + c[1]) * nb[2] + c[2];
    }
    *nblocks = nb[0] * nb[1] * nb[2];
    return BPEL_OK;
}

/* Pearson r from raw sums over m points. */
static double pearson_from(double m, double sx, double sy, double sxx, double syy, double sxy)
{
    return pearson_sums(sxx - sx * sx / m, syy - sy * sy / m, sxy - sx * sy / m);
}

int bpel_corr_pearson(size_t n, const double *x, const double *y, int nboot, unsigned long seed, double conf,
                 corr_stat *out)
{
    return bpel_corr_pearson_blocked(n, x, y, NULL, 0, nboot, seed, conf, out);
}

int bpel_corr_pearson_blocked(size_t n, const double *x, const double *y, const int *block, int nblocks, int nboot,
                         unsigned long seed, double conf, corr_stat *out)
{
    out->r = out->lo = out->hi = NAN;
    out->n = 0;
    if (block && nblocks < 4)
        return bpel_fail(BPEL_EINVAL, "block bootstrap with %d blocks: need at least 4 (use smaller blocks)", nblocks);
    double *cx = bpel_malloc((n ? n : 1) * sizeof *cx), *cy = bpel_malloc((n ? n : 1) * sizeof *cy);
    int *cb = bpel_malloc((n ? n : 1) * sizeof *cb);
    double *bs = NULL, *rb = NULL;
    int rc = BPEL_ENOMEM;
    if (!cx || !cy || !cb) goto out;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i])) {
            cx[m] = x[i];
            cy[m] = y[i];
            cb[m] = block ? block[i] : 0;
            m++;
        }
    out->n = m;
    if (m < 3) {
        rc = bpel_fail(BPEL_EINVAL, "Pearson correlation needs at least 3 atoms with both values (have %zu)", m);
        goto out;
    }
    double mx = gsl_stats_mean(cx, 1, m), my = gsl_stats_mean(cy, 1, m);
    double sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < m; i++) {
        cx[i] -= mx; /* centred: sums stay well conditioned */
        cy[i] -= my;
        sxx += cx[i] * cx[i];
        syy += cy[i] * cy[i];
        sxy += cx[i] * cy[i];
    }
    out->r = pearson_sums(sxx, syy, sxy);
    rc = BPEL_OK;
    if (nboot <= 0) goto out;
    rc = BPEL_ENOMEM;
    rb = bpel_malloc((size_t)nboot * sizeof *rb);
    if (!rb) goto out;
    if (block) {
        /* Per-block sums: n, Σx, Σy, Σxx, Σyy, Σxy. */
        bs = bpel_calloc((size_t)nblocks * 6, sizeof *bs);
        if (!bs) goto out;
        for (size_t i = 0; i < m; i++) {
            double *b = bs + 6 * (size_t)cb[i];
            b[0] += 1;
            b[1] += cx[i];
            b[2] += cy[i];
            b[3] += cx[i] * cx[i];
            b[4] += cy[i] * cy[i];
            b[5] += cx[i] * cy[i];
        }
    }
    /* Each resample has its own generator seeded from (seed, t), so the
     * result does not depend on the number of threads. */
    int fail = 0;
#pragma omp parallel reduction(+ : fail)
    {
        gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
        if (!g) fail++;
#pragma omp for schedule(dynamic, 8)
        for (int t = 0; t < nboot; t++) {
            rb[t] = NAN;
            if (!g) continue;
            gsl_rng_set(g, (unsigned long)seed * 1000003ul + (unsigned long)t + 1);
            double a[6] = {0};
            if (block) {
                for (int k = 0; k < nblocks; k++) {
                    const double *b = bs + 6 * gsl_rng_uniform_int(g, (unsigned long)nblocks);
                    for (int j = 0; j < 6; j++) a[j] += b[j];
                }
            } else {
                a[0] = (double)m;
                for (size_t k = 0; k < m; k++) {
                    size_t i = gsl_rng_uniform_int(g, m);
                    a[1] += cx[i];
                    a[2] += cy[i];
                    a[3] += cx[i] * cx[i];
                    a[4] += cy[i] * cy[i];
                    a[5] += cx[i] * cy[i];
                }
            }
            if (a[0] >= 3) rb[t] = pearson_from(a[0], a[1], a[2], a[3], a[4], a[5]);
        }
        if (g) gsl_rng_free(g);
    }
    if (fail) goto out;
    int nb = 0;
    for (int t = 0; t < nboot; t++)
        if (isfinite(rb[t])) rb[nb++] = rb[t];
    if (nb > 1) {
        gsl_sort(rb, 1, nb);
        double alpha = 0.5 * (1 - conf);
        out->lo = gsl_stats_quantile_from_sorted_data(rb, 1, nb, alpha);
        out->hi = gsl_stats_quantile_from_sorted_data(rb, 1, nb, 1 - alpha);
    }
    rc = BPEL_OK;
out:
    free(cx);
    free(cy);
    free(cb);
    free(bs);
    free(rb);
    return rc;
}

int bpel_corr_vs_L(const corr_pairs *pr, const double *x, const double *y, size_t nL, const double *L, int gaussian,
              const int *block, int nblocks, int nboot, unsigned long seed, double conf, corr_stat *out)
{
    size_t n = pr->n;
    double *gx = bpel_malloc((n ? n : 1) * sizeof *gx), *gy = bpel_malloc((n ? n : 1) * sizeof *gy);
    int rc = BPEL_ENOMEM;
    if (!gx || !gy) goto out;
    for (size_t k = 0; k < nL; k++) {
        if ((rc = bpel_corr_coarse_grain(pr, x, L[k], gaussian, gx))) goto out;
        if ((rc = bpel_corr_coarse_grain(pr, y, L[k], gaussian, gy))) goto out;
        if ((rc = bpel_corr_pearson_blocked(n, gx, gy, block, nblocks, nboot, seed + k, conf, &out[k]))) goto out;
    }
    rc = BPEL_OK;
out:
    free(gx);
    free(gy);
    return rc;
}

/* ---- numerical coarse-graining and fits --------------------------------- */

void bpel_corr_bins_free(corr_bins *b)
{
    if (!b) return;
    free(b->xm);
    free(b->xsem);
    free(b->ym);
    free(b->ysem);
    free(b->count);
    memset(b, 0, sizeof *b);
}

int bpel_corr_bin(size_t n, const double *x, const double *y, int by, size_t bin_size, corr_bins *out)
{
    memset(out, 0, sizeof *out);
    if (bin_size < 2) return bpel_fail(BPEL_EINVAL, "bin size %zu: need at least 2 atoms per bin", bin_size);
    double *key = bpel_malloc((n ? n : 1) * sizeof *key);
    size_t *idx = bpel_malloc((n ? n : 1) * sizeof *idx), *ord = bpel_malloc((n ? n : 1) * sizeof *ord);
    double *bx = bpel_malloc(bin_size * 2 * sizeof *bx), *byv = bpel_malloc(bin_size * 2 * sizeof *byv);
    int rc = BPEL_ENOMEM;
    if (!key || !idx || !ord || !bx || !byv) goto out;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i])) {
            idx[m] = i;
            key[m] = by ? y[i] : x[i];
            m++;
        }
    if (m < bin_size) {
        rc = bpel_fail(BPEL_EINVAL, "%zu atoms with both values: fewer than one bin of %zu", m, bin_size);
        goto out;
    }
    gsl_sort_index(ord, key, 1, m);
    size_t nb = m / bin_size;
    if (m - nb * bin_size >= (bin_size + 1) / 2) nb++; /* remainder big enough for its own bin */
    out->nbins = nb;
    out->xm = bpel_malloc(nb * sizeof *out->xm);
    out->xsem = bpel_malloc(nb * sizeof *out->xsem);
    out->ym = bpel_malloc(nb * sizeof *out->ym);
    out->ysem = bpel_malloc(nb * sizeof *out->ysem);
    out->count = bpel_malloc(nb * sizeof *out->count);
    if (!out->xm || !out->xsem || !out->ym || !out->ysem || !out->count) {
        bpel_corr_bins_free(out);
        goto out;
    }
    for (size_t b = 0; b < nb; b++) {
        size_t k0 = b * bin_size, k1 = b + 1 == nb ? m : k0 + bin_size;
        size_t c = k1 - k0;
        for (size_t k = k0; k < k1; k++) {
            bx[k - k0] = x[idx[ord[k]]];
            byv[k - k0] = y[idx[ord[k]]];
        }
        out->count[b] = c;
        out->xm[b] = gsl_stats_mean(bx, 1, c);
        out->ym[b] = gsl_stats_mean(byv, 1, c);
        out->xsem[b] = gsl_stats_sd_m(bx, 1, c, out->xm[b]) / sqrt((double)c);
        out->ysem[b] = gsl_stats_sd_m(byv, 1, c, out->ym[b]) / sqrt((double)c);
    }
    rc = BPEL_OK;
out:
    free(key);
    free(idx);
    free(ord);
    free(bx);
    free(byv);
    return rc;
}

int bpel_corr_fit_proportional(size_t n, const double *x, const double *y, const double *sy, double *a, double *a_err)
{
    *a = *a_err = NAN;
    if (n < 2) return bpel_fail(BPEL_EINVAL, "proportional fit needs at least 2 points (have %zu)", n);
    double c1, cov, sumsq;
    if (sy) {
        double *w = bpel_malloc(n * sizeof *w);
        if (!w) return BPEL_ENOMEM;
        for (size_t i = 0; i < n; i++) {
            if (!(sy[i] > 0)) {
                free(w);
                return bpel_fail(BPEL_EINVAL, "proportional fit: error bar %zu is %g (must be > 0)", i, sy[i]);
            }
            w[i] = 1.0 / (sy[i] * sy[i]);
        }
        gsl_fit_wmul(x, 1, w, 1, y, 1, n, &c1, &cov, &sumsq);
        free(w);
        double chi2red = sumsq / (double)(n - 1);
        if (chi2red > 1) cov *= chi2red;
    } else {
        gsl_fit_mul(x, 1, y, 1, n, &c1, &cov, &sumsq);
    }
    *a = c1;
    *a_err = sqrt(cov);
    return BPEL_OK;
}

int bpel_corr_fit_power(size_t n, const double *x, const double *y, const double *sy, double *A, double *k,
                   double *lnA_err, double *k_err)
{
    *A = *k = *lnA_err = *k_err = NAN;
    double *lx = bpel_malloc((n ? n : 1) * sizeof *lx), *ly = bpel_malloc((n ? n : 1) * sizeof *ly),
           *w = bpel_malloc((n ? n : 1) * sizeof *w);
    int rc = BPEL_ENOMEM;
    if (!lx || !ly || !w) goto out;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(x[i] > 0 && y[i] > 0)) continue;
        lx[m] = log(x[i]);
        ly[m] = log(y[i]);
        double s = sy ? sy[i] / y[i] : 1;
        w[m] = s > 0 ? 1 / (s * s) : 0;
        if (!(w[m] > 0)) continue;
        m++;
    }
    if (m < 3) {
        rc = bpel_fail(BPEL_EINVAL, "power-law fit needs at least 3 points with x, y > 0 (have %zu)", m);
        goto out;
    }
    double c0, c1, c00, c01, c11, sumsq;
    if (sy) {
        gsl_fit_wlinear(lx, 1, w, 1, ly, 1, m, &c0, &c1, &c00, &c01, &c11, &sumsq);
        double chi2red = sumsq / (double)(m - 2);
        if (chi2red > 1) {
            c00 *= chi2red;
            c11 *= chi2red;
        }
    } else {
        gsl_fit_linear(lx, 1, ly, 1, m, &c0, &c1, &c00, &c01, &c11, &sumsq);
    }
    *A = exp(c0);
    *k = c1;
    *lnA_err = sqrt(c00);
    *k_err = sqrt(c11);
    rc = BPEL_OK;
out:
    free(lx);
    free(ly);
    free(w);
    return rc;
}

/* ---- spatial autocorrelation -------------------------------------------- */

void bpel_corr_acf_free(corr_acf *a)
{
    if (!a) return;
    free(a->r);
    free(a->c);
    free(a->npairs);
    memset(a, 0, sizeof *a);
}

int bpel_corr_autocorrelation(const corr_pairs *pr, const double *p, double dr, double rmax, corr_acf *out)
{
    memset(out, 0, sizeof *out);
    if (!(dr > 0) || !(rmax > dr))
        return bpel_fail(BPEL_EINVAL, "autocorrelation: bin width %g Å and range %g Å", dr, rmax);
    if (rmax > pr->rmax * (1 + 1e-12))
        return bpel_fail(BPEL_EINVAL, "autocorrelation range %g Å exceeds the %g Å the pair list holds", rmax,
                         pr->rmax);
    size_t n = pr->n, nb = (size_t)ceil(rmax / dr - 1e-9) + 1;
    double mean = 0, var = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(p[i])) {
            mean += p[i];
            m++;
        }
    if (m < 2) return bpel_fail(BPEL_EINVAL, "autocorrelation needs at least 2 values");
    mean /= m;
    for (size_t i = 0; i < n; i++)
        if (isfinite(p[i])) var += (p[i] - mean) * (p[i] - mean);
    var /= m;
    if (!(var > 0)) return bpel_fail(BPEL_EINVAL, "autocorrelation of a constant quantity is undefined");
    double *sum = bpel_calloc(nb, sizeof *sum), *sr = bpel_calloc(nb, sizeof *sr);
    out->r = bpel_malloc(nb * sizeof *out->r);
    out->c = bpel_malloc(nb * sizeof *out->c);
    out->npairs = bpel_calloc(nb, sizeof *out->npairs);
    if (!sum || !sr || !out->r || !out->c || !out->npairs) {
        free(sum);
        free(sr);
        bpel_corr_acf_free(out);
        return BPEL_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(p[i])) continue;
        double di = p[i] - mean;
        for (size_t k = pr->start[i]; k < pr->start[i + 1]; k++) {
            double r = pr->nb[k].r;
            if (r > rmax) break;
            double v = p[pr->nb[k].j];
            if (!isfinite(v)) continue;
            size_t b = (size_t)ceil(r / dr);
            if (b < 1) b = 1;
            if (b >= nb) b = nb - 1;
            sum[b] += di * (v - mean);
            sr[b] += r;
            out->npairs[b]++;
        }
    }
    out->nbins = nb;
    out->dr = dr;
    out->r[0] = 0;
    out->c[0] = 1;
    out->npairs[0] = m;
    for (size_t b = 1; b < nb; b++) {
        size_t c = out->npairs[b];
        out->r[b] = c ? sr[b] / c : (b - 0.5) * dr;
        out->c[b] = c ? sum[b] / c / var : NAN;
    }
    free(sum);
    free(sr);
    return BPEL_OK;
}

typedef struct exp_fit {
    const double *r, *c;
    size_t m;
} exp_fit;

static double exp_ssr(double xi, void *par)
{
    const exp_fit *f = par;
    double s = 0;
    for (size_t k = 0; k < f->m; k++) {
        double d = f->c[k] - exp(-f->r[k] / xi);
        s += d * d;
    }
    return s;
}

int bpel_corr_fit_exp(const corr_acf *a, double rfit, double *xi, double *xi_err)
{
    *xi = *xi_err = NAN;
    double *r = bpel_malloc(a->nbins * sizeof *r), *c = bpel_malloc(a->nbins * sizeof *c);
    if (!r || !c) {
        free(r);
        free(c);
        return BPEL_ENOMEM;
    }
    size_t m = 0;
    for (size_t b = 1; b < a->nbins; b++) {
        if (!a->npairs[b] || !isfinite(a->c[b])) continue;
        if (rfit > 0 && a->r[b] > rfit) break;
        if (rfit <= 0 && a->c[b] <= 0) break;
        r[m] = a->r[b];
        c[m] = a->c[b];
        m++;
    }
    int rc = BPEL_OK;
    if (m < 3) {
        rc = bpel_fail(BPEL_EINVAL, "exponential fit of C(r): only %zu usable bins before C first drops to 0", m);
        goto out;
    }
    exp_fit f = {r, c, m};
    /* Coarse logarithmic scan for a bracket, then Brent. */
    const int ng = 200;
    double lo = 1e-3, hi = 1e4, best = lo, fbest = INFINITY;
    int kbest = 0;
    for (int k = 0; k <= ng; k++) {
        double t = lo * pow(hi / lo, (double)k / ng);
        double v = exp_ssr(t, &f);
        if (v < fbest) {
            fbest = v;
            best = t;
            kbest = k;
        }
    }
    if (kbest == 0 || kbest == ng) {
        rc = bpel_fail(BPEL_ECONV, "exponential fit of C(r): no decay length between %g and %g Å fits (C(r) = %.3g "
                       "at %.3g Å is not an exponential decay)", lo, hi, c[0], r[0]);
        goto out;
    }
    {
        double a0 = lo * pow(hi / lo, (double)(kbest - 1) / ng), a1 = lo * pow(hi / lo, (double)(kbest + 1) / ng);
        gsl_function F = {exp_ssr, &f};
        gsl_min_fminimizer *mz = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        if (mz && gsl_min_fminimizer_set(mz, &F, best, a0, a1) == GSL_SUCCESS) {
            for (int it = 0; it < 100; it++) {
                if (gsl_min_fminimizer_iterate(mz) != GSL_SUCCESS) break;
                double x0 = gsl_min_fminimizer_x_lower(mz), x1 = gsl_min_fminimizer_x_upper(mz);
                if (gsl_min_test_interval(x0, x1, 1e-12, 1e-10) == GSL_SUCCESS) break;
            }
            best = gsl_min_fminimizer_x_minimum(mz);
        }
        gsl_set_error_handler(old);
        if (mz) gsl_min_fminimizer_free(mz);
    }
    *xi = best;
    double s2 = exp_ssr(best, &f) / (double)(m - 1), jj = 0;
    for (size_t k = 0; k < m; k++) {
        double d = exp(-r[k] / best) * r[k] / (best * best);
        jj += d * d;
    }
    *xi_err = jj > 0 ? sqrt(s2 / jj) : NAN;
out:
    free(r);
    free(c);
    return rc;
}

double bpel_corr_acf_crossing(const corr_acf *a, double level)
{
    double rp = 0, cp = 1;
    for (size_t b = 1; b < a->nbins; b++) {
        if (!a->npairs[b] || !isfinite(a->c[b])) continue;
        if (a->c[b] <= level) return rp + (cp - level) / (cp - a->c[b]) * (a->r[b] - rp);
        rp = a->r[b];
        cp = a->c[b];
    }
    return NAN;
}

int bpel_corr_groups(size_t n, const int *type, const double *v, double fraction, int *group)
{
    if (!(fraction > 0 && fraction <= 0.5))
        return bpel_fail(BPEL_EINVAL, "group fraction %g must be in (0, 0.5]", fraction);
    int tmax = 0;
    for (size_t i = 0; i < n; i++) {
        group[i] = 0;
        if (type[i] > tmax) tmax = type[i];
    }
    double *val = bpel_malloc((n ? n : 1) * sizeof *val);
    size_t *idx = bpel_malloc((n ? n : 1) * sizeof *idx), *ord = bpel_malloc((n ? n : 1) * sizeof *ord);
    if (!val || !idx || !ord) {
        free(val);
        free(idx);
        free(ord);
        return BPEL_ENOMEM;
    }
    for (int t = 0; t <= tmax; t++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (type[i] == t && isfinite(v[i])) {
                idx[m] = i;
                val[m] = v[i];
                m++;
            }
        if (m < 2) continue;
        size_t g = (size_t)floor(fraction * m + 0.5);
        if (g < 1) g = 1;
        if (g > m / 2) g = m / 2;
        gsl_sort_index(ord, val, 1, m);
        for (size_t k = 0; k < g; k++) {
            group[idx[ord[k]]] = -1;
            group[idx[ord[m - 1 - k]]] = 1;
        }
    }
    free(val);
    free(idx);
    free(ord);
    return BPEL_OK;
}
