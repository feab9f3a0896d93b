/* tg.c — Tg from a continuous two-branch fit to V(T), or from two lines over
 * given ranges, with a 95 % interval and a quality (see tg.h). */
#include "tg.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_multifit.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define MIN_SIDE 3     /* bins on each side of the breakpoint, at least */
#define WEAK_SIDE 5    /* fewer bins than this on a side: weak */
#define NGRID 2000     /* breakpoint scan points */

void bpel_tg_defaults(tg_params *p)
{
    memset(p, 0, sizeof *p);
    p->bin = 25.0;
}

void bpel_tg_free(tg_result *r)
{
    free(r->bin_t);
    free(r->bin_v);
    r->bin_t = r->bin_v = NULL;
}

static void set_quality(tg_result *r, bpel_quality q, const char *fmt, ...)
{
    if (q < r->quality) return; /* keep the worst verdict and its reason */
    if (q > r->quality || !r->reason[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->reason, sizeof r->reason, fmt, ap);
        va_end(ap);
    } else {
        size_t used = strlen(r->reason);
        if (used + 3 < sizeof r->reason) {
            strcat(r->reason, "; ");
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(r->reason + used + 2, sizeof r->reason - used - 2, fmt, ap);
            va_end(ap);
        }
    }
    r->quality = q;
}

static void not_determined(tg_result *r)
{
    r->tg = r->tg_lo = r->tg_hi = NAN;
}

/* Least-squares line through bins with lo <= T <= hi; returns the residual
 * sum of squares (and the fit's covariances), or -1 with fewer than 3 bins. */
static double fit_range(const tg_result *r, double lo, double hi, double *c0, double *c1, double cov[3], double *r2,
                        size_t *count)
{
    size_t k0 = 0, cnt = 0;
    for (size_t k = 0; k < r->nbins; k++)
        if (r->bin_t[k] >= lo && r->bin_t[k] <= hi) {
            if (!cnt) k0 = k;
            cnt++;
        }
    if (count) *count = cnt;
    if (cnt < 3) return -1;
    double c00, c01, c11, ss;
    gsl_fit_linear(r->bin_t + k0, 1, r->bin_v + k0, 1, cnt, c0, c1, &c00, &c01, &c11, &ss);
    if (cov) cov[0] = c00, cov[1] = c01, cov[2] = c11;
    if (r2) {
        double m = 0, tot = 0;
        for (size_t k = k0; k < k0 + cnt; k++) m += r->bin_v[k] / cnt;
        for (size_t k = k0; k < k0 + cnt; k++) tot += (r->bin_v[k] - m) * (r->bin_v[k] - m);
        *r2 = tot > 0 ? 1 - ss / tot : 1;
    }
    return ss;
}

/* Hinge fit at breakpoint c: V = a + b (T − c) + d max(T − c, 0), linear
 * least squares (GSL) in the workspace `w`. Returns S(c). */
typedef struct hinge_ws {
    gsl_matrix *X;
    gsl_vector *y, *coef;
    gsl_matrix *cov;
    gsl_multifit_linear_workspace *w;
} hinge_ws;

static double hinge(const tg_result *r, hinge_ws *h, double c, double coef[3])
{
    for (size_t k = 0; k < r->nbins; k++) {
        double t = r->bin_t[k] - c;
        gsl_matrix_set(h->X, k, 0, 1);
        gsl_matrix_set(h->X, k, 1, t);
        gsl_matrix_set(h->X, k, 2, t > 0 ? t : 0);
    }
    double ss;
    if (gsl_multifit_linear(h->X, h->y, h->coef, h->cov, &ss, h->w)) return INFINITY;
    for (int i = 0; i < 3; i++) coef[i] = gsl_vector_get(h->coef, i);
    return ss;
}

static double branch_r2(const tg_result *r, double lo, double hi, double c0, double c1)
{
    double m = 0, tot = 0, res = 0;
    size_t cnt = 0;
    for (size_t k = 0; k < r->nbins; k++)
        if (r->bin_t[k] >= lo && r->bin_t[k] <= hi) m += r->bin_v[k], cnt++;
    if (!cnt) return NAN;
    m /= cnt;
    for (size_t k = 0; k < r->nbins; k++)
        if (r->bin_t[k] >= lo && r->bin_t[k] <= hi) {
            double e = r->bin_v[k] - (c0 + c1 * r->bin_t[k]);
            tot += (r->bin_v[k] - m) * (r->bin_v[k] - m);
            res += e * e;
        }
    return tot > 0 ? 1 - res / tot : 1;
}

static int cmp_pair(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

static void fit_automatic(tg_result *r)
{
    size_t m = r->nbins;
    double lo = r->bin_t[MIN_SIDE - 1], hi = r->bin_t[m - MIN_SIDE];
    double *s = bpel_malloc((NGRID + 1) * sizeof *s);
    hinge_ws hw = {gsl_matrix_alloc(m, 3), gsl_vector_alloc(m), gsl_vector_alloc(3), gsl_matrix_alloc(3, 3),
                   gsl_multifit_linear_alloc(m, 3)};
    if (!s || !hw.X || !hw.y || !hw.coef || !hw.cov || !hw.w) {
        set_quality(r, BPEL_Q_NOT_DETERMINED, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < m; k++) gsl_vector_set(hw.y, k, r->bin_v[k]);
    double coef[3], h = (hi - lo) / NGRID;
    size_t kbest = 0;
    for (size_t k = 0; k <= NGRID; k++) {
        s[k] = hinge(r, &hw, lo + k * h, coef);
        if (s[k] < s[kbest]) kbest = k;
    }
    /* golden-section refinement between the neighbours of the best grid point */
    double a = lo + (kbest ? kbest - 1 : 0) * h, b = lo + (kbest < NGRID ? kbest + 1 : NGRID) * h;
    const double g = 0.5 * (sqrt(5.0) - 1);
    double x1 = b - g * (b - a), x2 = a + g * (b - a), f1 = hinge(r, &hw, x1, coef), f2 = hinge(r, &hw, x2, coef);
    for (int it = 0; it < 60 && b - a > 1e-9 * (fabs(a) + 1); it++) {
        if (f1 < f2) b = x2, x2 = x1, f2 = f1, x1 = b - g * (b - a), f1 = hinge(r, &hw, x1, coef);
        else a = x1, x1 = x2, f1 = f2, x2 = a + g * (b - a), f2 = hinge(r, &hw, x2, coef);
    }
    double tg = 0.5 * (a + b), smin = hinge(r, &hw, tg, coef);
    if (s[kbest] < smin) tg = lo + kbest * h, smin = hinge(r, &hw, tg, coef);
    r->tg = tg;
    r->glass_slope = coef[1];
    r->glass_intercept = coef[0] - coef[1] * tg;
    r->liquid_slope = coef[1] + coef[2];
    r->liquid_intercept = coef[0] - (coef[1] + coef[2]) * tg;
    r->glass_range[0] = r->bin_t[0], r->glass_range[1] = tg;
    r->liquid_range[0] = tg, r->liquid_range[1] = r->bin_t[m - 1];
    /* 95 % profile interval: the grid run around the minimum below the threshold */
    double thr = smin * (1 + gsl_cdf_fdist_Pinv(0.95, 1, (double)(m - 4)) / (double)(m - 4));
    size_t kb = (size_t)fmin(NGRID, fmax(0, floor((tg - lo) / h + 0.5)));
    size_t k0 = kb, k1 = kb;
    while (k0 > 0 && s[k0 - 1] <= thr) k0--;
    while (k1 < NGRID && s[k1 + 1] <= thr) k1++;
    r->tg_lo = lo + k0 * h, r->tg_hi = lo + k1 * h;
    int open_lo = k0 == 0 && s[0] <= thr, open_hi = k1 == NGRID && s[NGRID] <= thr;
    /* branch statistics */
    double tot = 0, mean = 0;
    for (size_t k = 0; k < m; k++) mean += r->bin_v[k] / m;
    for (size_t k = 0; k < m; k++) tot += (r->bin_v[k] - mean) * (r->bin_v[k] - mean);
    r->r2 = tot > 0 ? 1 - smin / tot : 1;
    r->glass_r2 = branch_r2(r, r->glass_range[0], tg, r->glass_intercept, r->glass_slope);
    r->liquid_r2 = branch_r2(r, tg, r->liquid_range[1], r->liquid_intercept, r->liquid_slope);
    for (size_t k = 0; k < m; k++) r->bin_t[k] <= tg ? r->glass_bins++ : r->liquid_bins++;
    if (open_lo || open_hi)
        set_quality(r, BPEL_Q_NOT_DETERMINED,
                    "no resolved kink: the 95 %% interval of the breakpoint reaches the %s end of the data (%.0f K)",
                    open_lo ? "low" : "high", open_lo ? r->bin_t[0] : r->bin_t[m - 1]);
done:
    free(s);
    if (hw.X) gsl_matrix_free(hw.X);
    if (hw.y) gsl_vector_free(hw.y);
    if (hw.coef) gsl_vector_free(hw.coef);
    if (hw.cov) gsl_matrix_free(hw.cov);
    if (hw.w) gsl_multifit_linear_free(hw.w);
}

static void fit_given(tg_result *r, const tg_params *p)
{
    double g0, g1, l0, l1, cg[3], cl[3];
    r->glass_range[0] = p->glass_lo, r->glass_range[1] = p->glass_hi;
    r->liquid_range[0] = p->liquid_lo, r->liquid_range[1] = p->liquid_hi;
    double sg = fit_range(r, p->glass_lo, p->glass_hi, &g0, &g1, cg, &r->glass_r2, &r->glass_bins);
    double sl = fit_range(r, p->liquid_lo, p->liquid_hi, &l0, &l1, cl, &r->liquid_r2, &r->liquid_bins);
    if (sg < 0 || sl < 0) {
        set_quality(r, BPEL_Q_NOT_DETERMINED, "fewer than 3 temperature bins in the %s fit range",
                    sg < 0 ? "glass" : "liquid");
        return;
    }
    r->glass_intercept = g0, r->glass_slope = g1;
    r->liquid_intercept = l0, r->liquid_slope = l1;
    double mean = 0, tot = 0;
    for (size_t k = 0; k < r->nbins; k++) mean += r->bin_v[k] / r->nbins;
    for (size_t k = 0; k < r->nbins; k++) tot += (r->bin_v[k] - mean) * (r->bin_v[k] - mean);
    r->r2 = tot > 0 ? 1 - (sg + sl) / tot : 1;
    double d = l1 - g1;
    if (!(fabs(d) > 1e-12 * (fabs(l1) + fabs(g1)))) {
        set_quality(r, BPEL_Q_NOT_DETERMINED, "the glass and liquid lines are parallel");
        return;
    }
    double tg = (g0 - l0) / d;
    /* delta method: dTg/d(g0, g1, l0, l1) = (1, tg, −1, −tg)/d */
    double var = (cg[0] + 2 * tg * cg[1] + tg * tg * cg[2] + cl[0] + 2 * tg * cl[1] + tg * tg * cl[2]) / (d * d);
    r->tg = tg;
    r->tg_lo = tg - 1.96 * sqrt(var), r->tg_hi = tg + 1.96 * sqrt(var);
    if (!(tg >= r->bin_t[0] && tg <= r->bin_t[r->nbins - 1]))
        set_quality(r, BPEL_Q_NOT_DETERMINED, "the lines cross at %.0f K, outside the data (%.0f-%.0f K)", tg,
                    r->bin_t[0], r->bin_t[r->nbins - 1]);
}

int bpel_tg_fit(size_t n, const double *temp, const double *vol, const tg_params *p, tg_result *r)
{
    memset(r, 0, sizeof *r);
    if (!(p->bin > 0) || !isfinite(p->bin)) return bpel_fail(BPEL_EINVAL, "temperature bin %g K must be positive", p->bin);
    if (n == 0) return bpel_fail(BPEL_EINVAL, "no (T, V) samples: too few for a fit");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(temp[i]) || !isfinite(vol[i]))
            return bpel_fail(BPEL_EINVAL, "sample %zu is not finite (T = %g K, V = %g Å³)", i + 1, temp[i], vol[i]);
    int given = p->glass_lo < p->glass_hi && p->liquid_lo < p->liquid_hi;
    r->method = given ? "two lines over given ranges" : "continuous two-branch fit";
    double *pairs = bpel_malloc(2 * n * sizeof *pairs);
    r->bin_t = bpel_malloc(n * sizeof *r->bin_t);
    r->bin_v = bpel_malloc(n * sizeof *r->bin_v);
    if (!pairs || !r->bin_t || !r->bin_v) {
        free(pairs);
        bpel_tg_free(r);
        return BPEL_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) pairs[2 * i] = temp[i], pairs[2 * i + 1] = vol[i];
    qsort(pairs, n, 2 * sizeof *pairs, cmp_pair);
    /* bins of width p->bin starting at the lowest temperature */
    double t0 = pairs[0];
    size_t i = 0;
    while (i < n) {
        double b = floor((pairs[2 * i] - t0) / p->bin);
        double st = 0, sv = 0;
        size_t c = 0;
        while (i < n && floor((pairs[2 * i] - t0) / p->bin) == b) {
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
    if (!given && r->nbins < 2 * MIN_SIDE) {
        set_quality(r, BPEL_Q_NOT_DETERMINED, "only %zu temperature bins of %g K: need at least %d", r->nbins, p->bin,
                    2 * MIN_SIDE);
        not_determined(r);
        return BPEL_OK;
    }
    if (given) fit_given(r, p);
    else fit_automatic(r);
    if (r->quality != BPEL_Q_NOT_DETERMINED) {
        double ratio = r->liquid_slope / r->glass_slope;
        if (!(r->glass_slope > 0) || !(ratio >= TG_MIN_SLOPE_RATIO))
            set_quality(r, BPEL_Q_NOT_DETERMINED,
                        "no glass transition: the liquid branch (%.3g Å³/K) is not %.0f %% steeper than the glass "
                        "branch (%.3g Å³/K)",
                        r->liquid_slope, 100 * (TG_MIN_SLOPE_RATIO - 1), r->glass_slope);
        else if (!(r->r2 >= 0.9))
            set_quality(r, BPEL_Q_NOT_DETERMINED, "poor fit: r² = %.2f", r->r2);
    }
    if (r->quality != BPEL_Q_NOT_DETERMINED) {
        double ratio = r->liquid_slope / r->glass_slope;
        if (0.5 * (r->tg_hi - r->tg_lo) > 0.1 * r->tg)
            set_quality(r, BPEL_Q_WEAK, "wide 95 %% interval: %.0f-%.0f K", r->tg_lo, r->tg_hi);
        if (r->glass_bins < WEAK_SIDE || r->liquid_bins < WEAK_SIDE)
            set_quality(r, BPEL_Q_WEAK, "only %zu bins on the %s side", r->glass_bins < r->liquid_bins ? r->glass_bins : r->liquid_bins,
                        r->glass_bins < r->liquid_bins ? "glass" : "liquid");
        if (r->r2 < 0.98) set_quality(r, BPEL_Q_WEAK, "r² = %.3f", r->r2);
        if (ratio < TG_WEAK_SLOPE_RATIO)
            set_quality(r, BPEL_Q_WEAK, "small change of slope at Tg (liquid/glass %.2f)", ratio);
    }
    if (r->quality == BPEL_Q_NOT_DETERMINED) not_determined(r);
    return BPEL_OK;
}
