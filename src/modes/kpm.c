/* kpm.c — kernel polynomial estimate of the VDOS with its statistical error (see kpm.h). */
#include "kpm.h"
#include "error.h"
#include "units.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <lapacke.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define KPM_BLOCK 16
/* a normalised moment beyond 1 + this reveals eigenvalues outside [a, b] */
#define KPM_RANGE_TOL 1e-6
/* margins of the automatic bounds, relative to the width of the spectrum */
#define KPM_MARGIN_HI 0.01
#define KPM_MARGIN_LO 1e-4

static double wall(void) { return omp_get_wtime(); }

void bpel_kpm_defaults(kpm_params *p)
{
    memset(p, 0, sizeof *p);
    p->moments = 512;
    p->vectors = 32;
    p->seed = 1;
    p->distribution = KPM_RADEMACHER;
    p->bin_width = 0.5;
    p->omega_lo = NAN;
    p->lanczos_steps = 40;
}

void bpel_kpm_result_destroy(kpm_result *r)
{
    if (!r) return;
    free(r->mu);
    free(r->mu_vec);
    free(r->jackson);
    free(r->g);
    free(r->g_err);
    free(r->sigma_omega);
    free(r);
}

void bpel_kpm_jackson(int M, double *g)
{
    const double q = BPEL_PI / (M + 1), cot = cos(q) / sin(q);
    for (int m = 0; m < M; m++) g[m] = ((M - m + 1) * cos(q * m) + sin(q * m) * cot) / (M + 1);
}

int bpel_kpm_moments_exact(size_t n, const double *lambda, double a, double b, int M, double *mu)
{
    if (!(b > a) || M < 2) return bpel_fail(BPEL_EINVAL, "KPM moments need a < b and at least 2 moments");
    if (n == 0) return bpel_fail(BPEL_EINVAL, "KPM moments of no eigenvalues");
    memset(mu, 0, (size_t)M * sizeof *mu);
    for (size_t k = 0; k < n; k++) {
        double x = (2 * lambda[k] - a - b) / (b - a);
        if (fabs(x) > 1 + 1e-12)
            return bpel_fail(BPEL_EINVAL, "eigenvalue %.6g outside the KPM interval [%.6g, %.6g]", lambda[k], a, b);
        x = fmax(-1.0, fmin(1.0, x));
        double t0 = 1, t1 = x;
        mu[0] += 1;
        mu[1] += x;
        for (int m = 2; m < M; m++) {
            double t2 = 2 * x * t1 - t0;
            mu[m] += t2;
            t0 = t1;
            t1 = t2;
        }
    }
    for (int m = 0; m < M; m++) mu[m] /= (double)n;
    return BPEL_OK;
}

/* λ of a frequency ω, negative for ω < 0 (the inverse of bpel_omega_of). */
static double lambda_of(double w) { return (w >= 0 ? 1.0 : -1.0) * (w / BPEL_OMEGA_FACTOR) * (w / BPEL_OMEGA_FACTOR); }

/* θ of each bin edge (the first at π, the last at 0, so that bin 0 and the
 * last bin take whatever lies beyond them) and the table
 * s[e·M + m] = 2 g_m sin(mθ_e)/(m π), m >= 1. */
static int edge_table(const kpm_result *r, double **theta_out, double **s_out)
{
    const size_t ne = r->nbins + 1;
    const int M = r->moments;
    double *theta = bpel_malloc(ne * sizeof *theta), *s = bpel_malloc(ne * (size_t)M * sizeof *s);
    if (!theta || !s) {
        free(theta);
        free(s);
        return BPEL_ENOMEM;
    }
    const double a = r->lambda_lo, b = r->lambda_hi;
    for (size_t e = 0; e < ne; e++) {
        double x = (2 * lambda_of(r->omega_lo + e * r->width) - a - b) / (b - a);
        if (e == 0) x = -1;
        if (e == r->nbins) x = 1;
        theta[e] = acos(fmax(-1.0, fmin(1.0, x)));
        double *se = s + e * (size_t)M;
        se[0] = 0;
        for (int m = 1; m < M; m++) se[m] = 2 * r->jackson[m] * sin(m * theta[e]) / (m * BPEL_PI);
    }
    *theta_out = theta;
    *s_out = s;
    return BPEL_OK;
}

/* Bin averages g[nbins] (per rad/ps) of the density with moments mu. */
static void bins_from_table(const kpm_result *r, const double *theta, const double *s, const double *mu, double *g)
{
    const int M = r->moments;
    double prev = 0;
    for (size_t e = 0; e <= r->nbins; e++) {
        const double *se = s + e * (size_t)M;
        double p = r->jackson[0] * mu[0] * (BPEL_PI - theta[e]) / BPEL_PI;
        for (int m = 1; m < M; m++) p -= se[m] * mu[m];
        if (e > 0) g[e - 1] = (p - prev) / r->width;
        prev = p;
    }
}

int bpel_kpm_bins(const kpm_result *r, const double *mu, double *g)
{
    double *theta, *s;
    int rc = edge_table(r, &theta, &s);
    if (rc) return rc;
    bins_from_table(r, theta, s, mu, g);
    free(theta);
    free(s);
    return BPEL_OK;
}

/* The operator: y = c1 S H S x − c0 x for a block of k vectors (row-major,
 * x[row·k + q]), S = diag(1/√m) per row. tmp is workspace. */
static void apply(const hess_sparse *h, const double *s3, double c1, double c0, const double *x, double *tmp,
                  double *y, int k)
{
    const size_t n3 = 3 * h->n;
#pragma omp parallel for schedule(static)
    for (size_t r = 0; r < n3; r++)
        for (int q = 0; q < k; q++) tmp[r * k + q] = s3[r] * x[r * k + q];
    bpel_hess_sparse_matmul(h, tmp, y, k);
#pragma omp parallel for schedule(static)
    for (size_t r = 0; r < n3; r++) {
        double f = c1 * s3[r];
        for (int q = 0; q < k; q++) y[r * k + q] = f * y[r * k + q] - c0 * x[r * k + q];
    }
}

/* Remove the components along the three mass-weighted translations
 * t_q[3i+α] = δ_qα tw[i] from each of the k vectors of a block. */
static void project_translations(size_t n, const double *tw, double *x, int k)
{
    double c[3 * KPM_BLOCK] = {0};
#pragma omp parallel for schedule(static) reduction(+ : c[:3 * KPM_BLOCK])
    for (size_t i = 0; i < n; i++)
        for (int al = 0; al < 3; al++)
            for (int q = 0; q < k; q++) c[al * KPM_BLOCK + q] += tw[i] * x[(3 * i + al) * k + q];
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++)
        for (int al = 0; al < 3; al++)
            for (int q = 0; q < k; q++) x[(3 * i + al) * k + q] -= c[al * KPM_BLOCK + q] * tw[i];
}

/* Column q of a block of k vectors: random vector number `index` of the
 * seed (its own generator state, so nothing depends on blocks or threads). */
static void random_column(gsl_rng *g, unsigned long seed, unsigned long index, int dist, size_t n3, double *x, int k,
                          int q)
{
    gsl_rng_set(g, seed * 1000003ul + index + 1);
    if (dist == KPM_GAUSSIAN) {
        for (size_t r = 0; r < n3; r++) x[r * k + q] = gsl_ran_gaussian_ziggurat(g, 1.0);
        return;
    }
    unsigned long bits = 0;
    int left = 0;
    for (size_t r = 0; r < n3; r++) {
        if (!left) {
            bits = gsl_rng_get(g); /* mt19937: 32 random bits */
            left = 32;
        }
        x[r * k + q] = (bits & 1) ? 1.0 : -1.0;
        bits >>= 1;
        left--;
    }
}

/* Gershgorin interval of D = S H S. */
static void gershgorin(const hess_sparse *h, const double *s3, double *lo, double *hi)
{
    double l = INFINITY, u = -INFINITY;
#pragma omp parallel for schedule(static) reduction(min : l) reduction(max : u)
    for (size_t a = 0; a < h->n; a++) {
        double c[3] = {0}, rad[3] = {0};
        for (size_t p = h->rowptr[a]; p < h->rowptr[a + 1]; p++) {
            size_t b = h->col[p];
            const double *blk = &h->val[9 * p];
            for (int al = 0; al < 3; al++)
                for (int be = 0; be < 3; be++) {
                    double v = blk[3 * al + be] * s3[3 * a + al] * s3[3 * b + be];
                    if (b == a && al == be) c[al] += v;
                    else rad[al] += fabs(v);
                }
        }
        for (int al = 0; al < 3; al++) {
            l = fmin(l, c[al] - rad[al]);
            u = fmax(u, c[al] + rad[al]);
        }
    }
    *lo = l;
    *hi = u;
}

/* Extreme Ritz values of D (translations projected out unless keep) after
 * `steps` Lanczos steps from a random vector, with their residual norms. */
static int lanczos_bounds(const hess_sparse *h, const double *s3, const double *tw, int keep, int steps,
                          unsigned long seed, gsl_rng *g, double out[4], long *products)
{
    const size_t n3 = 3 * h->n;
    size_t dim = keep ? n3 : n3 - 3;
    if ((size_t)steps > dim) steps = (int)dim;
    double *v = bpel_malloc(n3 * sizeof *v), *vp = bpel_calloc(n3, sizeof *vp), *w = bpel_malloc(n3 * sizeof *w),
           *tmp = bpel_malloc(n3 * sizeof *tmp);
    double *al = bpel_malloc((size_t)steps * sizeof *al), *be = bpel_calloc((size_t)steps + 1, sizeof *be);
    double *z = bpel_malloc((size_t)steps * steps * sizeof *z);
    int rc = BPEL_ENOMEM;
    if (!v || !vp || !w || !tmp || !al || !be || !z) goto out;
    random_column(g, seed, 0x7fffffff, KPM_RADEMACHER, n3, v, 1, 0);
    if (!keep) project_translations(h->n, tw, v, 1);
    double nv = 0;
    for (size_t r = 0; r < n3; r++) nv += v[r] * v[r];
    nv = sqrt(nv);
    for (size_t r = 0; r < n3; r++) v[r] /= nv;
    int m = 0;
    for (int j = 0; j < steps; j++) {
        apply(h, s3, 1.0, 0.0, v, tmp, w, 1);
        (*products)++;
        if (!keep) project_translations(h->n, tw, w, 1);
        double a = 0;
        for (size_t r = 0; r < n3; r++) a += v[r] * w[r];
        double b2 = 0;
        for (size_t r = 0; r < n3; r++) {
            w[r] -= a * v[r] + (j ? be[j] : 0.0) * vp[r];
            b2 += w[r] * w[r];
        }
        al[j] = a;
        m = j + 1;
        double b = sqrt(b2);
        be[j + 1] = b;
        if (!(b > 1e-12 * fabs(a))) break; /* an invariant subspace: the Ritz values are eigenvalues */
        for (size_t r = 0; r < n3; r++) {
            vp[r] = v[r];
            v[r] = w[r] / b;
        }
    }
    /* eigenpairs of the m×m tridiagonal matrix */
    double *d = tmp, *e = w; /* reuse: m <= n3 */
    for (int j = 0; j < m; j++) d[j] = al[j];
    for (int j = 0; j + 1 < m; j++) e[j] = be[j + 1];
    int info = LAPACKE_dstev(LAPACK_COL_MAJOR, 'V', m, d, e, z, m);
    if (info) {
        rc = bpel_fail(BPEL_ECONV, "KPM bounds: tridiagonal eigensolver failed (info %d)", info);
        goto out;
    }
    out[0] = d[0];
    out[1] = d[m - 1];
    out[2] = fabs(be[m] * z[(size_t)0 * m + (m - 1)]);
    out[3] = fabs(be[m] * z[(size_t)(m - 1) * m + (m - 1)]);
    rc = BPEL_OK;
out:
    free(v);
    free(vp);
    free(w);
    free(tmp);
    free(al);
    free(be);
    free(z);
    return rc;
}

/* Normalised moments mu_vec[r·M + m] of every random vector on [a, b].
 * Returns 1 (no error set) when a moment exceeds 1 in magnitude, i.e. the
 * spectrum reaches outside [a, b]. */
static int moments_all(const hess_sparse *h, const double *s3, const double *tw, const kpm_params *p, double a,
                       double b, double *mu_vec, long *products, int *passes)
{
    const size_t n3 = 3 * h->n;
    const int M = p->moments, R = p->vectors;
    const int nblocks = (R + KPM_BLOCK - 1) / KPM_BLOCK, kmax = (R + nblocks - 1) / nblocks;
    const double total = (double)nblocks * (M / 2);
    const double c1 = 2.0 / (b - a), c0 = (a + b) / (b - a);
    double *x0 = bpel_malloc(n3 * kmax * sizeof *x0), *x1 = bpel_malloc(n3 * kmax * sizeof *x1);
    double *y = bpel_malloc(n3 * kmax * sizeof *y), *tmp = bpel_malloc(n3 * kmax * sizeof *tmp);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = BPEL_ENOMEM, outside = 0;
    if (!x0 || !x1 || !y || !tmp || !g) {
        if (!g) bpel_fail(BPEL_ENOMEM, "out of memory for a random number generator");
        goto out;
    }
    for (int r0 = 0; r0 < R; r0 += kmax) {
        const int k = r0 + kmax <= R ? kmax : R - r0;
        for (int q = 0; q < k; q++) random_column(g, p->seed, (unsigned long)(r0 + q), p->distribution, n3, x0, k, q);
        if (!p->keep_translations) project_translations(h->n, tw, x0, k);
        /* α_0 = x0, α_1 = D̃ α_0 in x1 */
        apply(h, s3, c1, c0, x0, tmp, x1, k);
        (*products) += k;
        (*passes)++;
        double n0[KPM_BLOCK] = {0}, d01[KPM_BLOCK] = {0}, d11[KPM_BLOCK] = {0};
#pragma omp parallel for schedule(static) reduction(+ : n0[:KPM_BLOCK], d01[:KPM_BLOCK], d11[:KPM_BLOCK])
        for (size_t r = 0; r < n3; r++)
            for (int q = 0; q < k; q++) {
                double u = x0[r * k + q], v = x1[r * k + q];
                n0[q] += u * u;
                d01[q] += u * v;
                d11[q] += v * v;
            }
        double mu0[KPM_BLOCK], mu1[KPM_BLOCK];
        for (int q = 0; q < k; q++) {
            double *mu = mu_vec + (size_t)(r0 + q) * M;
            mu0[q] = n0[q];
            mu1[q] = d01[q];
            mu[0] = mu0[q];
            mu[1] = mu1[q];
            if (M > 2) mu[2] = 2 * d11[q] - mu0[q];
        }
        /* α_{n+1} = 2 D̃ α_n − α_{n−1}, written over α_{n−1} */
        double *prev = x0, *cur = x1;
        for (int nn = 1; 2 * nn + 1 < M; nn++) {
            apply(h, s3, c1, c0, cur, tmp, y, k);
            (*products) += k;
            (*passes)++;
            double d1[KPM_BLOCK] = {0}, d2[KPM_BLOCK] = {0};
#pragma omp parallel for schedule(static) reduction(+ : d1[:KPM_BLOCK], d2[:KPM_BLOCK])
            for (size_t r = 0; r < n3; r++)
                for (int q = 0; q < k; q++) {
                    double v = 2 * y[r * k + q] - prev[r * k + q];
                    prev[r * k + q] = v;
                    d1[q] += v * cur[r * k + q];
                    d2[q] += v * v;
                }
            for (int q = 0; q < k; q++) {
                double *mu = mu_vec + (size_t)(r0 + q) * M;
                mu[2 * nn + 1] = 2 * d1[q] - mu1[q];
                if (2 * nn + 2 < M) mu[2 * nn + 2] = 2 * d2[q] - mu0[q];
            }
            double *t = prev;
            prev = cur;
            cur = t;
            if (p->progress) p->progress(p->progress_ctx, (double)(r0 / kmax) * (M / 2) + nn + 1, total);
        }
        for (int q = 0; q < k; q++) {
            double *mu = mu_vec + (size_t)(r0 + q) * M, nrm = mu[0];
            for (int m = 0; m < M; m++) {
                mu[m] /= nrm;
                if (!(fabs(mu[m]) <= 1 + KPM_RANGE_TOL)) outside = 1;
            }
        }
        if (outside) break;
    }
    rc = outside ? 1 : BPEL_OK;
out:
    free(x0);
    free(x1);
    free(y);
    free(tmp);
    if (g) gsl_rng_free(g);
    return rc;
}

static int run(const hess_sparse *h, const double *mass, const kpm_params *p, kpm_result *res)
{
    const size_t n = h->n, n3 = 3 * n;
    const int M = p->moments, R = p->vectors;
    double *s3 = bpel_malloc(n3 * sizeof *s3), *tw = bpel_malloc(n * sizeof *tw);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = BPEL_ENOMEM;
    if (!s3 || !tw || !g) goto out;
    double mtot = 0;
    for (size_t i = 0; i < n; i++) mtot += mass[i];
    for (size_t i = 0; i < n; i++) {
        tw[i] = sqrt(mass[i] / mtot);
        for (int al = 0; al < 3; al++) s3[3 * i + al] = 1.0 / sqrt(mass[i]);
    }
    double t0 = wall();
    gershgorin(h, s3, &res->gersh_lo, &res->gersh_hi);
    double a, b;
    if (p->lambda_hi > p->lambda_lo) {
        a = p->lambda_lo;
        b = p->lambda_hi;
        res->ritz_lo = res->ritz_hi = res->resid_lo = res->resid_hi = NAN;
        snprintf(res->bounds_source, sizeof res->bounds_source, "given");
    } else {
        double lz[4] = {0, 0, 0, 0};
        rc = lanczos_bounds(h, s3, tw, p->keep_translations, p->lanczos_steps, p->seed, g, lz, &res->products);
        if (rc) goto out;
        res->matrix_passes = (int)res->products; /* one vector per product */
        res->ritz_lo = lz[0];
        res->ritz_hi = lz[1];
        res->resid_lo = lz[2];
        res->resid_hi = lz[3];
        double low = fmin(lz[0], 0.0);
        b = fmin(lz[1] + lz[3] + KPM_MARGIN_HI * (lz[1] - low), res->gersh_hi);
        a = fmax(low - KPM_MARGIN_LO * (b - low), res->gersh_lo);
        snprintf(res->bounds_source, sizeof res->bounds_source, "Lanczos (%d steps) with margins", p->lanczos_steps);
    }
    if (!(b > a)) {
        rc = bpel_fail(BPEL_EINVAL, "KPM: empty spectral interval [%g, %g] eV/(A^2 amu)", a, b);
        goto out;
    }
    double t1 = wall();
    res->t_bounds = t1 - t0;
    int retried = 0;
    for (;;) {
        rc = moments_all(h, s3, tw, p, a, b, res->mu_vec, &res->products, &res->matrix_passes);
        if (rc != 1) break;
        if (retried || p->lambda_hi > p->lambda_lo) {
            rc = bpel_fail(BPEL_EINVAL,
                           "KPM: the spectrum of D reaches outside [%.6g, %.6g] eV/(A^2 amu) (a Chebyshev moment "
                           "exceeds 1); %s",
                           a, b, retried ? "rounding trouble in the recursion" : "widen the bounds");
            goto out;
        }
        a = res->gersh_lo;
        b = res->gersh_hi;
        retried = 1;
        snprintf(res->bounds_source, sizeof res->bounds_source,
                 "Gershgorin (the Lanczos interval did not hold the spectrum)");
    }
    if (rc) goto out;
    res->lambda_lo = a;
    res->lambda_hi = b;
    for (int m = 0; m < M; m++) {
        double s = 0;
        for (int r = 0; r < R; r++) s += res->mu_vec[(size_t)r * M + m];
        res->mu[m] = s / R;
    }
    double t2 = wall();
    res->t_moments = t2 - t1;

    /* bins and their errors from the per-vector densities */
    double wa = bpel_omega_of(a), wb = bpel_omega_of(b);
    res->width = p->bin_width;
    res->omega_lo = isfinite(p->omega_lo) ? p->omega_lo : fmin(0.0, floor(wa / p->bin_width) * p->bin_width);
    double span = (wb - res->omega_lo) / res->width;
    res->nbins = span > 1 ? (size_t)ceil(span) : 1;
    const size_t nb = res->nbins;
    res->g = bpel_calloc(nb, sizeof *res->g);
    res->g_err = bpel_calloc(nb, sizeof *res->g_err);
    res->sigma_omega = bpel_malloc(nb * sizeof *res->sigma_omega);
    double *gr = bpel_malloc((size_t)R * nb * sizeof *gr), *theta = NULL, *tab = NULL;
    rc = BPEL_ENOMEM;
    if (!res->g || !res->g_err || !res->sigma_omega || !gr || edge_table(res, &theta, &tab)) {
        free(gr);
        goto out;
    }
#pragma omp parallel for schedule(dynamic, 1)
    for (int r = 0; r < R; r++) bins_from_table(res, theta, tab, res->mu_vec + (size_t)r * M, gr + (size_t)r * nb);
    for (size_t bb = 0; bb < nb; bb++) {
        double s = 0, s2 = 0;
        for (int r = 0; r < R; r++) s += gr[(size_t)r * nb + bb];
        double mean = s / R;
        for (int r = 0; r < R; r++) {
            double d = gr[(size_t)r * nb + bb] - mean;
            s2 += d * d;
        }
        res->g[bb] = mean;
        res->g_err[bb] = sqrt(s2 / ((double)R * (R - 1)));
    }
    /* kernel width: the image in ω of θ ± σ_θ around each bin centre */
    double st = 0;
    for (int m = 1; m < M; m++) st += res->jackson[m] * ((m & 1) ? -1.0 : 1.0) / ((double)m * m);
    res->sigma_theta = sqrt(fmax(0.0, BPEL_PI * BPEL_PI / 3 + 4 * st));
    const double c = 0.5 * (a + b), d = 0.5 * (b - a);
    for (size_t bb = 0; bb < nb; bb++) {
        double x = (2 * lambda_of(kpm_bin_centre(res, bb)) - a - b) / (b - a);
        double th = acos(fmax(-1.0, fmin(1.0, x)));
        double t_lo = fmax(0.0, th - res->sigma_theta), t_hi = fmin(BPEL_PI, th + res->sigma_theta);
        res->sigma_omega[bb] = 0.5 * fabs(bpel_omega_of(c + d * cos(t_lo)) - bpel_omega_of(c + d * cos(t_hi)));
    }
    free(gr);
    free(theta);
    free(tab);
    res->t_density = wall() - t2;
    rc = BPEL_OK;
out:
    free(s3);
    free(tw);
    if (g) gsl_rng_free(g);
    return rc;
}

int bpel_kpm_vdos(const hess_sparse *h, const double *mass, const kpm_params *p, kpm_result **out)
{
    *out = NULL;
    kpm_params defaults;
    bpel_kpm_defaults(&defaults);
    if (!p) p = &defaults;
    if (h->n < 2) return bpel_fail(BPEL_EINVAL, "KPM VDOS needs at least 2 atoms (got %zu)", h->n);
    if (p->moments < 4) return bpel_fail(BPEL_EINVAL, "KPM needs at least 4 moments (got %d)", p->moments);
    if (p->vectors < 2)
        return bpel_fail(BPEL_EINVAL, "KPM needs at least 2 random vectors for an error estimate (got %d)", p->vectors);
    if (!(p->bin_width > 0)) return bpel_fail(BPEL_EINVAL, "KPM bin width must be positive (got %g rad/ps)", p->bin_width);
    if (p->lanczos_steps < 2 && !(p->lambda_hi > p->lambda_lo))
        return bpel_fail(BPEL_EINVAL, "KPM bounds need at least 2 Lanczos steps (got %d)", p->lanczos_steps);
    if (p->distribution != KPM_RADEMACHER && p->distribution != KPM_GAUSSIAN)
        return bpel_fail(BPEL_EINVAL, "unknown KPM random-vector distribution %d", p->distribution);
    for (size_t i = 0; i < h->n; i++)
        if (!(mass[i] > 0) || !isfinite(mass[i]))
            return bpel_fail(BPEL_EINVAL, "KPM: atom %zu has mass %g amu; masses must be positive", i, mass[i]);
    kpm_result *r = bpel_calloc(1, sizeof *r);
    if (!r) return BPEL_ENOMEM;
    r->natoms = h->n;
    r->ndof = 3 * h->n;
    r->norm = p->keep_translations ? (double)r->ndof : (double)r->ndof - 3.0;
    r->moments = p->moments;
    r->vectors = p->vectors;
    r->distribution = p->distribution;
    r->seed = p->seed;
    r->mu = bpel_calloc((size_t)p->moments, sizeof *r->mu);
    r->mu_vec = bpel_calloc((size_t)p->moments * p->vectors, sizeof *r->mu_vec);
    r->jackson = bpel_malloc((size_t)p->moments * sizeof *r->jackson);
    if (!r->mu || !r->mu_vec || !r->jackson) {
        bpel_kpm_result_destroy(r);
        return BPEL_ENOMEM;
    }
    bpel_kpm_jackson(p->moments, r->jackson);
    int old = omp_get_max_threads();
    if (p->threads > 0) omp_set_num_threads(p->threads);
    int rc = run(h, mass, p, r);
    if (p->threads > 0) omp_set_num_threads(old);
    if (rc) {
        bpel_kpm_result_destroy(r);
        return rc;
    }
    *out = r;
    return BPEL_OK;
}
