/* tg.h — glass transition temperature from a volume–temperature curve.
 *
 * On cooling, V(T) is close to linear in the liquid and in the glass with a
 * smaller slope; Tg is where the two straight lines cross (paper §II.A:
 * Tg ≈ 650 K for Cu50Zr50). The (T, V) samples are first averaged in
 * temperature bins (default 25 K) to tame thermal noise. Unless the two
 * fitting ranges are given, the split between glass and liquid is the bin
 * edge that minimises the summed squared residuals of the two least-squares
 * lines (GSL gsl_fit_linear), with at least 3 bins on each side. */
#ifndef BPEL_TG_H
#define BPEL_TG_H

#include <stddef.h>

typedef struct tg_params {
    double bin;            /* K, bin width (default 25) */
    double glass_lo, glass_hi;   /* K, glass fit range; lo >= hi: automatic */
    double liquid_lo, liquid_hi; /* K, liquid fit range; lo >= hi: automatic */
} tg_params;

typedef struct tg_result {
    double tg;             /* K */
    double glass_slope, glass_intercept;   /* V = intercept + slope·T (Å³/K, Å³) */
    double liquid_slope, liquid_intercept;
    double glass_range[2], liquid_range[2]; /* K, ranges used */
    double glass_r2, liquid_r2;
    size_t nbins;
    double *bin_t, *bin_v;  /* [nbins] bin means (K, Å³), owned (free with tg_free) */
} tg_result;

void tg_defaults(tg_params *p);
int tg_fit(size_t n, const double *temp, const double *vol, const tg_params *p, tg_result *r);
void tg_free(tg_result *r);

#endif
