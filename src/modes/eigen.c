/* eigen.c — LAPACK back ends of the eigensolver interface (see eigen.h). */
#include "eigen.h"
#include "error.h"

#include <ctype.h>
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAPACK_INT_MAX ((size_t)INT32_MAX)

void bpel_eig_solution_free(eig_solution *s)
{
    if (!s) return;
    free(s->w);
    if (s->z_owned) free(s->z);
    memset(s, 0, sizeof *s);
}

size_t bpel_eig_memory_available(void)
{
    const char *lim = getenv("BPEL_MEMORY_LIMIT");
    if (lim && *lim) {
        char *end;
        double v = strtod(lim, &end);
        switch (toupper((unsigned char)*end)) {
        case 'K': v *= 1024.0; break;
        case 'M': v *= 1024.0 * 1024.0; break;
        case 'G': v *= 1024.0 * 1024.0 * 1024.0; break;
        default: break;
        }
        if (v > 0) return (size_t)v;
    }
    FILE *fp = fopen("/proc/meminfo", "r");
    if (!fp) return 0;
    char line[256];
    size_t kb = 0;
    while (fgets(line, sizeof line, fp))
        if (sscanf(line, "MemAvailable: %zu kB", &kb) == 1) break;
    fclose(fp);
    return kb * 1024;
}

int bpel_eig_memory_check(size_t bytes, const char *what)
{
    size_t avail = bpel_eig_memory_available();
    if (avail == 0 || bytes <= avail) return BPEL_OK;
    return bpel_fail(BPEL_ENOMEM, "%s needs %.3g GB (%zu bytes) but only %.3g GB are available (MemAvailable%s)",
                     what, bytes / 1e9, bytes, avail / 1e9, getenv("BPEL_MEMORY_LIMIT") ? " / BPEL_MEMORY_LIMIT" : "");
}

static int check_order(const eig_problem *p, const char *who)
{
    if (p->n < 1) return bpel_fail(BPEL_EINVAL, "%s: empty matrix", who);
    if (p->n > LAPACK_INT_MAX / 26)
        return bpel_fail(BPEL_ENOTSUP, "%s: order %zu exceeds what 32-bit LAPACK integers can index", who, p->n);
    return BPEL_OK;
}

/* ---- dsyevd ---- */

static int dsyevd_plan(const eig_problem *p, size_t *extra)
{
    int rc = check_order(p, "dsyevd");
    if (rc) return rc;
    if (p->window) return bpel_fail(BPEL_ENOTSUP, "dsyevd computes all eigenpairs; use dsyevr for a window");
    size_t n = p->n;
    /* lwork = 1 + 6n + 2n² must fit in a 32-bit lapack_int */
    if (n > 46341 || 1 + 6 * n + 2 * n * n > LAPACK_INT_MAX)
        return bpel_fail(BPEL_ENOTSUP,
                         "dsyevd: order %zu needs a workspace of 1+6n+2n^2 = %zu doubles, beyond the 32-bit "
                         "LAPACK integer limit (%zu; n <= 32766); use the dsyevr back end or a 64-bit-integer "
                         "LAPACK",
                         n, 1 + 6 * n + 2 * n * n, LAPACK_INT_MAX);
    *extra = (1 + 6 * n + 2 * n * n) * sizeof(double) + (3 + 5 * n) * sizeof(lapack_int) + n * sizeof(double);
    return BPEL_OK;
}

static int dsyevd_solve(double *a, size_t lda, const eig_problem *p, eig_solution *out)
{
    memset(out, 0, sizeof *out);
    size_t n = p->n, extra;
    int rc = dsyevd_plan(p, &extra);
    if (rc) return rc;
    out->w = bpel_malloc(n * sizeof *out->w);
    size_t lwork = 1 + 6 * n + 2 * n * n, liwork = 3 + 5 * n;
    double *work = bpel_malloc(lwork * sizeof *work);
    lapack_int *iwork = bpel_malloc(liwork * sizeof *iwork);
    if (!out->w || !work || !iwork) {
        free(work);
        free(iwork);
        bpel_eig_solution_free(out);
        return BPEL_ENOMEM;
    }
    lapack_int info = LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, 'V', 'L', (lapack_int)n, a, (lapack_int)lda, out->w,
                                          work, (lapack_int)lwork, iwork, (lapack_int)liwork);
    free(work);
    free(iwork);
    if (info != 0) {
        bpel_eig_solution_free(out);
        return bpel_fail(BPEL_ECONV, "dsyevd failed (info = %d)", (int)info);
    }
    out->m = n;
    out->z = a;
    out->ldz = lda;
    out->z_owned = 0;
    return BPEL_OK;
}

/* ---- dsyevr ---- */

static int dsyevr_plan(const eig_problem *p, size_t *extra)
{
    int rc = check_order(p, "dsyevr");
    if (rc) return rc;
    size_t n = p->n;
    size_t small = (26 * n + 3 * n) * sizeof(double) + (10 * n + 2 * n) * sizeof(lapack_int);
    *extra = small + (p->window ? 0 : n * n * sizeof(double));
    return BPEL_OK;
}

static int dsyevr_all(double *a, size_t lda, size_t n, eig_solution *out)
{
    out->z = bpel_malloc(n * n * sizeof *out->z);
    lapack_int *isuppz = bpel_malloc(2 * n * sizeof *isuppz);
    if (!out->z || !isuppz) { free(isuppz); return BPEL_ENOMEM; }
    out->z_owned = 1;
    out->ldz = n;
    lapack_int m = 0;
    lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'A', 'L', (lapack_int)n, a, (lapack_int)lda, 0.0, 0.0, 0,
                                     0, 0.0, &m, out->w, out->z, (lapack_int)n, isuppz);
    free(isuppz);
    if (info != 0) return bpel_fail(BPEL_ECONV, "dsyevr failed (info = %d)", (int)info);
    out->m = (size_t)m;
    return BPEL_OK;
}

/* Eigenpairs with λ <= upper: dsytrd, count with dstemr, vectors, dormtr. */
static int dsyevr_window(double *a, size_t lda, size_t n, double upper, eig_solution *out)
{
    lapack_int N = (lapack_int)n, LDA = (lapack_int)lda;
    double *d = bpel_malloc(n * sizeof *d), *e = bpel_malloc(n * sizeof *e), *tau = bpel_malloc(n * sizeof *tau);
    double *d2 = bpel_malloc(n * sizeof *d2), *e2 = bpel_malloc(n * sizeof *e2);
    double *work = bpel_malloc(18 * n * sizeof *work);
    lapack_int *iwork = bpel_malloc(10 * n * sizeof *iwork), *isuppz = bpel_malloc(2 * n * sizeof *isuppz);
    int rc = BPEL_OK;
    if (!d || !e || !tau || !d2 || !e2 || !work || !iwork || !isuppz) { rc = BPEL_ENOMEM; goto done; }
    lapack_int info = LAPACKE_dsytrd(LAPACK_COL_MAJOR, 'L', N, a, LDA, d, e, tau);
    if (info) { rc = bpel_fail(BPEL_ECONV, "dsytrd failed (info = %d)", (int)info); goto done; }
    e[n - 1] = 0.0;
    /* a lower bound below every eigenvalue (Gershgorin on the tridiagonal) */
    double lower = 0.0;
    for (size_t i = 0; i < n; i++) {
        double g = d[i] - fabs(e[i]) - (i ? fabs(e[i - 1]) : 0.0);
        if (i == 0 || g < lower) lower = g;
    }
    lower -= 1.0 + fabs(lower) * 1e-6;
    if (upper <= lower) { out->m = 0; goto done; }
    memcpy(d2, d, n * sizeof *d);
    memcpy(e2, e, n * sizeof *e);
    lapack_int m = 0, tryrac = 1;
    double zq = 0.0;
    info = LAPACKE_dstemr_work(LAPACK_COL_MAJOR, 'V', 'V', N, d2, e2, lower, upper, 0, 0, &m, out->w, &zq, N, -1,
                               isuppz, &tryrac, work, (lapack_int)(18 * n), iwork, (lapack_int)(10 * n));
    if (info) { rc = bpel_fail(BPEL_ECONV, "dstemr (count) failed (info = %d)", (int)info); goto done; }
    size_t nzc = (size_t)zq;
    if (nzc == 0) { out->m = 0; goto done; }
    rc = bpel_eig_memory_check(n * nzc * sizeof(double), "the eigenvectors of the window");
    if (rc) goto done;
    out->z = bpel_malloc(n * nzc * sizeof *out->z);
    if (!out->z) { rc = BPEL_ENOMEM; goto done; }
    out->z_owned = 1;
    out->ldz = n;
    tryrac = 1;
    info = LAPACKE_dstemr_work(LAPACK_COL_MAJOR, 'V', 'V', N, d, e, lower, upper, 0, 0, &m, out->w, out->z, N,
                               (lapack_int)nzc, isuppz, &tryrac, work, (lapack_int)(18 * n), iwork,
                               (lapack_int)(10 * n));
    if (info) { rc = bpel_fail(BPEL_ECONV, "dstemr failed (info = %d)", (int)info); goto done; }
    out->m = (size_t)m;
    if (m > 0) {
        info = LAPACKE_dormtr(LAPACK_COL_MAJOR, 'L', 'L', 'N', N, m, a, LDA, tau, out->z, N);
        if (info) { rc = bpel_fail(BPEL_ECONV, "dormtr failed (info = %d)", (int)info); goto done; }
    }
done:
    free(d);
    free(e);
    free(tau);
    free(d2);
    free(e2);
    free(work);
    free(iwork);
    free(isuppz);
    return rc;
}

static int dsyevr_solve(double *a, size_t lda, const eig_problem *p, eig_solution *out)
{
    memset(out, 0, sizeof *out);
    size_t extra;
    int rc = dsyevr_plan(p, &extra);
    if (rc) return rc;
    out->w = bpel_calloc(p->n, sizeof *out->w);
    if (!out->w) return BPEL_ENOMEM;
    rc = p->window ? dsyevr_window(a, lda, p->n, p->upper, out) : dsyevr_all(a, lda, p->n, out);
    if (rc) bpel_eig_solution_free(out);
    return rc;
}

static const eig_backend backends[] = {
    {"dsyevr", "LAPACK MRRR (dsyevr; windowed: dsytrd + dstemr + dormtr)", 1, dsyevr_plan, dsyevr_solve},
    {"dsyevd", "LAPACK divide and conquer (dsyevd), all eigenpairs", 0, dsyevd_plan, dsyevd_solve},
};

const eig_backend *bpel_eig_backend_find(const char *name)
{
    if (!name || !strcmp(name, "auto")) return &backends[0];
    for (size_t k = 0; k < sizeof backends / sizeof *backends; k++)
        if (!strcmp(name, backends[k].name)) return &backends[k];
    return NULL;
}

const char *bpel_eig_backend_names(void) { return "auto, dsyevr, dsyevd"; }
