/* lanczos.c — see lanczos.h. */
#include "lanczos.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

void bpel_lanczos_defaults(lanczos_params *p)
{
    p->min_iter = 3;
    p->max_iter = 20;
    p->tol = 1e-3;
    p->eps = 1e-3;
    p->central = 0;
    p->resid_tol = 0.0;
}

static double dot(size_t n, const double *a, const double *b)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

static void axpy(size_t n, double a, const double *x, double *y)
{
    for (size_t i = 0; i < n; i++) y[i] += a * x[i];
}

static void project_out(size_t n, double *w, int nv, const double *const *v)
{
    for (int k = 0; k < nv; k++) axpy(n, -dot(n, w, v[k]), v[k], w);
}

/* Lowest eigenpair of the symmetric tridiagonal matrix (alpha, beta) of size m. */
static int tridiag_lowest(int m, const double *alpha, const double *beta, double *lam, double *y)
{
    double d[64], e[64], z[64 * 64];
    memcpy(d, alpha, m * sizeof *d);
    if (m > 1) memcpy(e, beta, (m - 1) * sizeof *e);
    int info = LAPACKE_dstev(LAPACK_COL_MAJOR, 'V', m, d, e, z, m);
    if (info != 0) return bpel_fail(BPEL_ECONV, "lanczos: tridiagonal eigensolver failed (info %d)", info);
    *lam = d[0];
    memcpy(y, z, m * sizeof *y);
    return BPEL_OK;
}

int bpel_lanczos_lowest(size_t n, bpel_force_fn fn, void *ctx, const double *x, const double *f0, const double *start,
                   int ndefl, const double *const *defl, const lanczos_params *p, double *eigvec,
                   lanczos_result *r)
{
    int maxit = p->max_iter < 1 ? 1 : (p->max_iter > 60 ? 60 : p->max_iter);
    if ((size_t)maxit > n - (size_t)ndefl) maxit = (int)(n - ndefl);
    memset(r, 0, sizeof *r);
    if (maxit < 1) return bpel_fail(BPEL_EINVAL, "lanczos: no degrees of freedom left (n %zu, deflated %d)", n, ndefl);
    double *q = bpel_malloc((size_t)(maxit + 1) * n * sizeof *q);
    double *w = bpel_malloc(n * sizeof *w), *xp = bpel_malloc(n * sizeof *xp), *fp = bpel_malloc(n * sizeof *fp);
    double *fm = p->central ? bpel_malloc(n * sizeof *fm) : NULL;
    int rc = BPEL_OK;
    if (!q || !w || !xp || !fp || (p->central && !fm)) {
        rc = BPEL_ENOMEM;
        goto done;
    }
    memcpy(q, start ? start : eigvec, n * sizeof *q);
    project_out(n, q, ndefl, defl);
    double nrm = sqrt(dot(n, q, q));
    if (!(nrm > 0)) {
        rc = bpel_fail(BPEL_EINVAL, "lanczos: start vector is zero after deflation");
        goto done;
    }
    for (size_t i = 0; i < n; i++) q[i] /= nrm;

    double alpha[64], beta[64], y[64], lam = 0, lam_prev = 0;
    int m = 0;
    double e;
    for (int j = 0; j < maxit; j++) {
        const double *qj = q + (size_t)j * n;
        for (size_t i = 0; i < n; i++) xp[i] = x[i] + p->eps * qj[i];
        if ((rc = fn(ctx, xp, &e, fp)) != 0) goto done;
        r->force_calls++;
        if (p->central) {
            for (size_t i = 0; i < n; i++) xp[i] = x[i] - p->eps * qj[i];
            if ((rc = fn(ctx, xp, &e, fm)) != 0) goto done;
            r->force_calls++;
            for (size_t i = 0; i < n; i++) w[i] = -(fp[i] - fm[i]) / (2 * p->eps);
        } else {
            for (size_t i = 0; i < n; i++) w[i] = -(fp[i] - f0[i]) / p->eps;
        }
        alpha[j] = dot(n, qj, w);
        /* Full re-orthogonalisation, twice (Kahan's "twice is enough"). */
        for (int pass = 0; pass < 2; pass++) {
            for (int k = 0; k <= j; k++) axpy(n, -dot(n, w, q + (size_t)k * n), q + (size_t)k * n, w);
            project_out(n, w, ndefl, defl);
        }
        beta[j] = sqrt(dot(n, w, w));
        m = j + 1;
        if ((rc = tridiag_lowest(m, alpha, beta, &lam, y)) != 0) goto done;
        /* |λ − α₀| ≤ β₀ and sin∠(q, v) ≤ β₀/gap: a start vector with a small
         * residual is kept as it is */
        if (j == 0 && p->resid_tol > 0 && beta[0] <= p->resid_tol) {
            r->converged = 1;
            break;
        }
        if (m >= p->min_iter && m > 1 && fabs(lam - lam_prev) <= p->tol * fmax(fabs(lam), 0.1)) {
            r->converged = 1;
            break;
        }
        lam_prev = lam;
        if (beta[j] <= 1e-10 * fmax(1.0, fabs(alpha[j]))) { /* invariant subspace: exact */
            r->converged = 1;
            break;
        }
        double *qn = q + (size_t)(j + 1) * n;
        for (size_t i = 0; i < n; i++) qn[i] = w[i] / beta[j];
    }
    memset(eigvec, 0, n * sizeof *eigvec);
    for (int k = 0; k < m; k++) axpy(n, y[k], q + (size_t)k * n, eigvec);
    project_out(n, eigvec, ndefl, defl);
    nrm = sqrt(dot(n, eigvec, eigvec));
    for (size_t i = 0; i < n; i++) eigvec[i] /= nrm;
    r->eigval = lam;
    r->iterations = m;
done:
    free(q);
    free(w);
    free(xp);
    free(fp);
    free(fm);
    return rc;
}
