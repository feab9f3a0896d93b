/* tg.c — Tg from two straight-line fits to V(T) (see tg.h). */
#include "tg.h"

#include <gsl/gsl_fit.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

void tg_defaults(tg_params *p)
{
    memset(p, 0, sizeof *p);
    p->bin = 25.0;
}

void tg_free(tg_result *r)
{
    free(r->bin_t);
    free(r->bin_v);
    r->bin_t = r->bin_v = NULL;
}

/* Least-squares line through bins with lo <= T <= hi; returns the residual
 * sum of squares, or -1 with fewer than 3 bins. */
static double fit_range(const tg_result *r, double lo, double hi, double *c0, double *c1, double *r2)
{
    size_t k0 = 0, cnt = 0;
    for (size_t k = 0; k < r->nbins; k++)
        if (r->bin_t[k] >= lo && r->bin_t[k] <= hi) {
            if (!cnt) k0 = k;
            cnt++;
        }
    if (cnt < 3) return -1;
    double cov00, cov01, cov11, ss;
    gsl_fit_linear(r->bin_t + k0, 1, r->bin_v + k0, 1, cnt, c0, c1, &cov00, &cov01, &cov11, &ss);
    if (r2) {
        double m = 0, tot = 0;
        for (size_t k = k0; k < k0 + cnt; k++) m += r->bin_v[k] / cnt;
        for (size_t k = k0; k < k0 + cnt; k++) tot += (r->bin_v[k] - m) * (r->bin_v[k] - m);
        *r2 = tot > 0 ? 1 - ss / tot : 1;
    }
    return ss;
}

static int cmp_pair(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

int tg_fit(size_t n, const double *temp, const double *vol, const tg_params *p, tg_result *r)
{
    memset(r, 0, sizeof *r);
    if (!(p->bin > 0)) return bpel_fail(BPEL_EINVAL, "temperature bin %g K must be positive", p->bin);
    if (n < 6) return bpel_fail(BPEL_EINVAL, "%zu (T, V) samples are too few for two line fits", n);
    double *pairs = bpel_malloc(2 * n * sizeof *pairs);
    r->bin_t = bpel_malloc(n * sizeof *r->bin_t);
    r->bin_v = bpel_malloc(n * sizeof *r->bin_v);
    if (!pairs || !r->bin_t || !r->bin_v) {
        free(pairs);
        tg_free(r);
        return BPEL_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) pairs[2 * i] = temp[i], pairs[2 * i + 1] = vol[i];
    qsort(pairs, n, 2 * sizeof *pairs, cmp_pair);
    /* bins of width p->bin starting at the lowest temperature */
    double t0 = pairs[0];
    size_t i = 0;
    while (i < n) {
        long b = (long)floor((pairs[2 * i] - t0) / p->bin);
        double st = 0, sv = 0;
        size_t c = 0;
        while (i < n && (long)floor((pairs[2 * i] - t0) / p->bin) == b) {
            st += pairs[2 * i];
            sv += pairs[2 * i + 1];
            c++;
            i++;
        }
        r->bin_t[r->nbins] = st / c;
        r->bin_v[r->nbins] = sv / c;
        r->nbins++;
    }
    free(pairs);
    double tmin = r->bin_t[0], tmax = r->bin_t[r->nbins - 1];
    double g0, g1, l0, l1;
    if (p->glass_lo < p->glass_hi && p->liquid_lo < p->liquid_hi) {
        r->glass_range[0] = p->glass_lo, r->glass_range[1] = p->glass_hi;
        r->liquid_range[0] = p->liquid_lo, r->liquid_range[1] = p->liquid_hi;
    } else {
        if (r->nbins < 6) {
            tg_free(r);
            return bpel_fail(BPEL_EINVAL, "only %s temperature bins of %g K: need at least 6 (smaller --bin?)",
                             "a few", p->bin);
        }
        double best = INFINITY;
        size_t kbest = 0;
        for (size_t k = 3; k + 3 <= r->nbins; k++) {
            double split = 0.5 * (r->bin_t[k - 1] + r->bin_t[k]);
            double a = fit_range(r, tmin, split, &g0, &g1, NULL), b = fit_range(r, split, tmax, &l0, &l1, NULL);
            if (a < 0 || b < 0) continue;
            if (a + b < best) best = a + b, kbest = k;
        }
        double split = 0.5 * (r->bin_t[kbest - 1] + r->bin_t[kbest]);
        r->glass_range[0] = tmin, r->glass_range[1] = split;
        r->liquid_range[0] = split, r->liquid_range[1] = tmax;
    }
    if (fit_range(r, r->glass_range[0], r->glass_range[1], &g0, &g1, &r->glass_r2) < 0 ||
        fit_range(r, r->liquid_range[0], r->liquid_range[1], &l0, &l1, &r->liquid_r2) < 0) {
        tg_free(r);
        return bpel_fail(BPEL_EINVAL, "fewer than 3 temperature bins in a fitting range");
    }
    r->glass_intercept = g0, r->glass_slope = g1;
    r->liquid_intercept = l0, r->liquid_slope = l1;
    if (fabs(l1 - g1) < 1e-12 * (fabs(l1) + fabs(g1))) {
        tg_free(r);
        return bpel_fail(BPEL_EINVAL, "the glass and liquid lines are parallel: no intersection");
    }
    r->tg = (g0 - l0) / (l1 - g1);
    return BPEL_OK;
}
