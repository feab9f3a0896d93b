/* tg.h — glass transition temperature from a volume–temperature curve.
 *
 * On cooling, V(T) is close to linear in the liquid and in the glass with a
 * smaller slope; Tg is where the two branches meet (paper §II.A: Tg ≈ 650 K
 * for Cu50Zr50 at 1e9 K/s; Tg rises with the cooling rate, so MD quenches at
 * 1e12–1e13 K/s give 800–1000 K). The (T, V) samples are first averaged in
 * temperature bins (default 25 K) to tame thermal noise.
 *
 * Method (automatic): a continuous two-branch ("hinge") least-squares fit
 *     V(T) = a + b (T − Tg) + c max(T − Tg, 0),
 * glass slope b, liquid slope b + c, with Tg scanned over the data (at least
 * 3 bins on each side) and refined to the minimum of the residual sum of
 * squares S(Tg). The 95 % interval of Tg is the profile-likelihood set
 *     S(Tg) ≤ S_min (1 + F_0.95(1, m − 4) / (m − 4))   (m bins),
 * the standard interval for a breakpoint. With both fit ranges given, Tg is
 * the intersection of two independent lines and its interval comes from the
 * fits' covariances (delta method).
 *
 * Every result carries a quality (quality.h): ok, weak (a number, but read it with
 * care; the reason says why) or not determined (no number: tg is NaN).
 * Not determined: fewer than 6 bins; the 95 % interval reaches the end of
 * the data (no resolved kink: a liquid-only or glass-only curve, or noise);
 * the liquid branch not steeper than the glass one by TG_MIN_SLOPE_RATIO; a
 * poor fit (r² < 0.9); with given ranges, Tg outside the data. Weak: the
 * 95 % half-width above 10 % of Tg, fewer than 5 bins on a side, r² below
 * 0.98, or a slope ratio below TG_WEAK_SLOPE_RATIO. */
#ifndef BPEL_TG_H
#define BPEL_TG_H

#include <stddef.h>

#include "quality.h"

#define TG_MIN_SLOPE_RATIO 1.15  /* liquid/glass slope below this: no kink */
#define TG_WEAK_SLOPE_RATIO 1.3  /* below this: weak */

typedef struct tg_params {
    double bin;            /* K, bin width (default 25) */
    double glass_lo, glass_hi;   /* K, glass fit range; lo >= hi: automatic */
    double liquid_lo, liquid_hi; /* K, liquid fit range; lo >= hi: automatic */
} tg_params;

typedef struct tg_result {
    double tg;             /* K; NaN when not determined */
    double tg_lo, tg_hi;   /* K, 95 % interval; NaN when not determined */
    bpel_quality quality;
    char reason[256];      /* why weak or not determined, in words; "" when ok */
    const char *method;    /* "continuous two-branch fit" or "two lines over given ranges" */
    double glass_slope, glass_intercept;   /* V = intercept + slope·T (Å³/K, Å³) */
    double liquid_slope, liquid_intercept;
    double glass_range[2], liquid_range[2]; /* K, ranges used */
    double glass_r2, liquid_r2, r2;         /* per branch, and of the whole fit */
    size_t glass_bins, liquid_bins;
    size_t nbins;
    double *bin_t, *bin_v;  /* [nbins] bin means (K, Å³), owned (free with bpel_tg_free) */
} tg_result;

void bpel_tg_defaults(tg_params *p);
/* Errors only for unusable input (no samples, bin <= 0, non-finite values);
 * data that cannot support a Tg give BPEL_OK with quality BPEL_Q_NOT_DETERMINED. */
int bpel_tg_fit(size_t n, const double *temp, const double *vol, const tg_params *p, tg_result *r);
void bpel_tg_free(tg_result *r);

#endif
