/* modes_block.c — the low end of the spectrum of the sparse dynamical matrix
 * by block shift-and-invert Lanczos over slices, one MUMPS factorisation per
 * shift serving as inertia count and operator (see modes_sparse.h). */
#define _GNU_SOURCE /* qsort_r */
#include "modes_sparse.h"
#include "error.h"
#include "sparse_petsc.h"
#include "units.h"

#include <cblas.h>
#include <gsl/gsl_rng.h>
#include <lapacke.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* A shift's outcome. */
#define SHIFT_DONE 0
#define SHIFT_SHORT 1 /* the basis filled before its lower part converged: retry with the shift nearer its bottom */
#define SHIFT_UNCOUNTED 2 /* pairs converged below λ_lo, where none had been assumed: count there, redo */

typedef struct lanczos {
    sparse_factor f;
    Mat A;
    const double *masses;
    double mtot;       /* total mass, amu */
    size_t natoms, n3;
    int p;             /* block size */
    size_t cap;        /* basis columns used per shift */
    size_t capmax;     /* basis columns allocated (pages are touched only as the basis grows) */
    double *V;         /* [n3·cap] orthonormal basis */
    double *H;         /* [ldh·cap] (D − σI)⁻¹ projected: H[i + j·ldh] = v_iᵀ T v_j, and the couplings below */
    size_t ldh;        /* cap + p */
    double *W;         /* [n3·p] the block being orthogonalised, then its orthonormal part */
    double *C;         /* [cap·p] */
    double *S, *Z;     /* [cap·cap] symmetrised projection, its eigenvectors */
    double *theta, *res, *lam; /* [cap] */
    unsigned char *conv;       /* [cap] */
    lapack_int *isuppz, *jpvt; /* [2cap], [p] */
    double *tau;       /* [p] */
    double *tmp;       /* [p·cap] */
    double *X;         /* [n3·48] Ritz vectors being stored, and their products */
    const hess_sparse *h; /* NULL once given back: residuals with D − σI (f.B) */
    double *rsqm;      /* [N] 1/√m_i */
    gsl_rng *rng;
    double tol;
    double hnorm;      /* largest |H| entry seen: scale of (D − σI)⁻¹ */
    double dnorm;      /* bound on ‖D‖ (Gershgorin) */
    sparse_eig_result *out;
    size_t stored, room;
    void (*progress)(void *ctx, double done, double total);
    void (*note)(void *ctx, const char *line);
    void *progress_ctx;
    int short_low;     /* the last shift that filled its basis had not converged its lower part */
    int lo_unknown;    /* ν(λ_lo) not yet counted nor proved 0 */
    int lowmiss;       /* at the last Rayleigh–Ritz, pairs below σ were still missing */
    double t_solves, t_orth, t_ritz, t_check;
} lanczos;

static double now(void) { return MPI_Wtime(); }

/* W = (D − σI)⁻¹ V for k columns: one MUMPS solve with k right-hand sides. */
static int solve_block(lanczos *L, double *v, double *w, int k)
{
    int rc = BPEL_OK;
    Mat B = NULL, X = NULL;
    double t0 = now();
    PetscInt n = (PetscInt)L->n3;
    PETSC_TRY(MatCreateDense(PETSC_COMM_WORLD, n, k, n, k, v, &B));
    PETSC_TRY(MatCreateDense(PETSC_COMM_WORLD, n, k, n, k, w, &X));
    /* MUMPS takes the right-hand sides ICNTL(27) at a time (32 by default): all k at once, which at
     * 19,652 atoms cuts the time per right-hand side from 80 ms (32) to 67 (64) and 51 (128) */
    PETSC_TRY(MatMumpsSetIcntl(L->f.F, 27, k));
    PETSC_TRY(MatMatSolve(L->f.F, B, X));
    L->out->nsolves += (size_t)k;
done:
    if (B) MatDestroy(&B);
    if (X) MatDestroy(&X);
    L->t_solves += now() - t0;
    return rc;
}

/* w −= V[:, 0:k] (V[:, 0:k]ᵀ w) for a single vector, twice. */
static void orth_one(lanczos *L, size_t k, double *w, double *c)
{
    for (int pass = 0; pass < 2; pass++) {
        if (!k) return;
        cblas_dgemv(CblasColMajor, CblasTrans, (int)L->n3, (int)k, 1.0, L->V, (int)L->n3, w, 1, 0.0, c, 1);
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)L->n3, (int)k, -1.0, L->V, (int)L->n3, c, 1, 1.0, w, 1);
    }
}

static void random_fill(lanczos *L, double *w, size_t len)
{
    for (size_t r = 0; r < len; r++) w[r] = gsl_rng_uniform(L->rng) - 0.5;
}

/* Orthogonalise the pc columns of W against V[:, 0:k] (twice; coefficients
 * added to H[0:k, m:m+pc] when m is given, m < 0 for the start block) and
 * among themselves by a column-pivoted QR, whose R (un-pivoted) is the
 * coupling H[k:k+pn, m:m+pc]. The orthonormal block goes to V[:, k:k+pn],
 * pn = min(pc, n3 − k). Columns whose pivot falls below 1e-12 of the
 * operator's scale (an exhausted Krylov space) are replaced by random
 * directions orthogonal to everything before them, with zero coupling. */
static int orth_block(lanczos *L, size_t k, long m, int pc, int *pn_out)
{
    const size_t n3 = L->n3;
    double t0 = now();
    for (int pass = 0; pass < 2 && k; pass++) {
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)k, pc, (int)n3, 1.0, L->V, (int)n3, L->W, (int)n3,
                    0.0, L->C, (int)k);
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n3, pc, (int)k, -1.0, L->V, (int)n3, L->C, (int)k,
                    1.0, L->W, (int)n3);
        if (m >= 0)
            for (int j = 0; j < pc; j++)
                for (size_t i = 0; i < k; i++) {
                    double *h = L->H + i + ((size_t)m + (size_t)j) * L->ldh;
                    *h += L->C[i + (size_t)j * k];
                    if (fabs(*h) > L->hnorm) L->hnorm = fabs(*h);
                }
    }
    for (int j = 0; j < pc; j++) L->jpvt[j] = 0;
    lapack_int info = LAPACKE_dgeqp3(LAPACK_COL_MAJOR, (lapack_int)n3, pc, L->W, (lapack_int)n3, L->jpvt, L->tau);
    if (info) return bpel_fail(BPEL_EINVAL, "block Lanczos: QR of a block failed (LAPACK info %d)", (int)info);
    int pn = pc;
    if ((size_t)pn > n3 - k) pn = (int)(n3 - k);
    double scale = fmax(L->hnorm, fabs(L->W[0]));
    int keep = 0; /* leading pivots that are not negligible */
    while (keep < pn && fabs(L->W[(size_t)keep + (size_t)keep * n3]) > 1e-12 * scale) keep++;
    if (m >= 0)
        for (int i = 0; i < pn; i++)
            for (int j = 0; j < pc; j++) {
                double r = (i < keep && j >= i) ? L->W[(size_t)i + (size_t)j * n3] : 0.0;
                double *h = L->H + (k + (size_t)i) + ((size_t)m + (size_t)(L->jpvt[j] - 1)) * L->ldh;
                *h = r;
                if (fabs(r) > L->hnorm) L->hnorm = fabs(r);
            }
    if (pn > 0) {
        info = LAPACKE_dorgqr(LAPACK_COL_MAJOR, (lapack_int)n3, pn, pn, L->W, (lapack_int)n3, L->tau);
        if (info) return bpel_fail(BPEL_EINVAL, "block Lanczos: forming Q failed (LAPACK info %d)", (int)info);
    }
    double *dst = L->V + k * n3;
    memcpy(dst, L->W, (size_t)pn * n3 * sizeof *dst);
    for (int i = keep; i < pn; i++) {
        double *q = dst + (size_t)i * n3;
        for (int attempt = 0;; attempt++) {
            random_fill(L, q, n3);
            orth_one(L, k + (size_t)i, q, L->C);
            double nr = cblas_dnrm2((int)n3, q, 1);
            if (nr > 1e-3 || attempt > 5) {
                cblas_dscal((int)n3, 1.0 / nr, q, 1);
                break;
            }
        }
    }
    *pn_out = pn;
    L->t_orth += now() - t0;
    return BPEL_OK;
}

/* Rayleigh–Ritz on the m processed columns: θ, Z, and for each pair the
 * residual ‖(D − σI)⁻¹x − θx‖ = ‖R z_last‖ through the coupling of the last
 * block (pc columns from m − pc) to the pn vectors after it. */
static int ritz(lanczos *L, size_t m, int pc, int pn, double sigma)
{
    double t0 = now();
    for (size_t j = 0; j < m; j++)
        for (size_t i = 0; i < m; i++)
            L->S[i + j * m] = 0.5 * (L->H[i + j * L->ldh] + L->H[j + i * L->ldh]);
    lapack_int nf = 0;
    lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'A', 'U', (lapack_int)m, L->S, (lapack_int)m, 0, 0, 0, 0,
                                     0.0, &nf, L->theta, L->Z, (lapack_int)m, L->isuppz);
    if (info || (size_t)nf != m)
        return bpel_fail(BPEL_EINVAL, "block Lanczos: the projected eigenproblem failed (LAPACK info %d)", (int)info);
    if (pn > 0) {
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, pn, (int)m, pc, 1.0, L->H + m + (m - (size_t)pc) * L->ldh,
                    (int)L->ldh, L->Z + (m - (size_t)pc), (int)m, 0.0, L->tmp, pn);
        for (size_t i = 0; i < m; i++) L->res[i] = cblas_dnrm2(pn, L->tmp + i * (size_t)pn, 1);
    } else {
        for (size_t i = 0; i < m; i++) L->res[i] = 0.0; /* the basis spans an invariant subspace */
    }
    for (size_t i = 0; i < m; i++) {
        double t = L->theta[i];
        L->lam[i] = t != 0.0 ? sigma + 1.0 / t : (t >= 0 ? INFINITY : -INFINITY);
        L->conv[i] = t != 0.0 && L->res[i] * (L->dnorm + fabs(sigma)) <= L->tol * fabs(t);
    }
    L->t_ritz += now() - t0;
    return BPEL_OK;
}

typedef struct slice {
    double sigma, a, target, hi;
    size_t below_a;   /* eigenvalues below a (inertia, or inertia plus pairs found) */
    size_t below_s;   /* below σ (this shift's inertia) */
    size_t below_hi;  /* below λ_c */
    double split;     /* out: top of this shift's subinterval (hi for the last) */
    double density;   /* out: converged pairs per unit λ along the run above σ (0: unknown) */
    double kcount;    /* out: K of a count ν(λ) ≈ K λ^{3/2} (Debye-like) fitted along that run (0: unknown) */
    double yield;     /* out: converged pairs per basis vector when the shift ended (0: unknown) */
    size_t found;     /* out: pairs stored */
} slice;

/* The clocks and the count of solves, read at the start of a shift (before its factorisation). */
typedef struct tally {
    double wall, factor, solves, orth, ritz, check;
    size_t nsolves;
} tally;

static tally tally_take(const lanczos *L)
{
    return (tally){now(), L->f.t_factor, L->t_solves, L->t_orth, L->t_ritz, L->t_check, L->out->nsolves};
}

/* A line on the shift just ended: what it found and where its time went since *t0. */
static void note_shift(const lanczos *L, int j, const slice *sl, int outcome, const tally *t0)
{
    if (!L->note) return;
    tally t = tally_take(L);
    char line[400];
    if (outcome == SHIFT_UNCOUNTED)
        snprintf(line, sizeof line,
                 "shift %d at %.4g rad/ps: pairs converged below %.4g rad/ps, so the counts are made again from "
                 "there and the shift redone (%.1f s)",
                 j, bpel_omega_of(sl->sigma), bpel_omega_of(sl->a), t.wall - t0->wall);
    else if (outcome == SHIFT_SHORT)
        snprintf(line, sizeof line,
                 "shift %d at %.4g rad/ps: its basis of %zu filled before the pairs below it converged; redone "
                 "(%.1f s: factorisation %.1f, %zu solves %.1f, orthogonalisation %.1f, Rayleigh-Ritz %.1f)",
                 j, bpel_omega_of(sl->sigma), L->cap, t.wall - t0->wall, t.factor - t0->factor, t.nsolves - t0->nsolves,
                 t.solves - t0->solves, t.orth - t0->orth, t.ritz - t0->ritz);
    else
        snprintf(line, sizeof line,
                 "shift %d at %.4g rad/ps: %zu pairs in [%.4g, %.4g) rad/ps, %zu of %zu; basis %zu; %.1f s: "
                 "factorisation %.1f, %zu solves %.1f, orthogonalisation %.1f, Rayleigh-Ritz %.1f, residuals %.1f",
                 j, bpel_omega_of(sl->sigma), sl->found, bpel_omega_of(sl->a), bpel_omega_of(sl->split), L->stored, L->room, L->cap,
                 t.wall - t0->wall, t.factor - t0->factor, t.nsolves - t0->nsolves, t.solves - t0->solves,
                 t.orth - t0->orth, t.ritz - t0->ritz, t.check - t0->check);
    L->note(L->progress_ctx, line);
}

static int by_lambda(const void *x, const void *y, void *ctx)
{
    const double *lam = ctx;
    double a = lam[*(const size_t *)x], b = lam[*(const size_t *)y];
    return (a > b) - (a < b);
}

static void sort_by_lambda(size_t *idx, size_t n, const double *lam)
{
    qsort_r(idx, n, sizeof *idx, by_lambda, (void *)lam);
}

/* The widest gap wider than *best between consecutive run members q0..q1: *split at its middle. */
static int widest_gap(const lanczos *L, const size_t *idx, size_t q0, size_t q1, double *best, double *split)
{
    int found = 0;
    for (size_t q = q0; q < q1; q++) {
        double g = L->lam[idx[q + 1]] - L->lam[idx[q]];
        if (g > *best) {
            found = 1;
            *best = g;
            *split = 0.5 * (L->lam[idx[q + 1]] + L->lam[idx[q]]);
        }
    }
    return found;
}

/* Decide after a Rayleigh–Ritz whether the shift is done, and where its
 * subinterval ends. Returns 1 when done (sl->split set), 0 to go on, < 0 on
 * an inconsistency with the inertia (error set). With `full` (the basis can
 * grow no further) any converged run is taken. */
static int decide(lanczos *L, size_t m, slice *sl, int full, size_t *idx)
{
    size_t low = 0, to_hi = 0;
    for (size_t i = 0; i < m; i++) {
        if (!L->conv[i]) continue;
        double l = L->lam[i];
        if (l >= sl->a && l < sl->sigma) low++;
        if (l >= sl->sigma && l < sl->hi) to_hi++;
    }
    size_t want_low = sl->below_s - sl->below_a, want_hi = sl->below_hi - sl->below_s;
    if (L->lo_unknown)
        for (size_t i = 0; i < m; i++)
            if (L->conv[i] && L->lam[i] < sl->a) return 2; /* ν(λ_lo) > 0, so the counts above are wrong */
    if (low > want_low || to_hi > want_hi) {
        bpel_fail(BPEL_EINVAL,
                  "block Lanczos: %zu converged pairs in [%.6g, %.6g) and %zu in [%.6g, %.6g) eV/(A^2 amu), but "
                  "the inertia counts %zu and %zu there",
                  low, sl->a, sl->sigma, to_hi, sl->sigma, sl->hi, want_low, want_hi);
        return -1;
    }
    L->lowmiss = low < want_low;
    if (low < want_low) return 0;
    size_t nconv = 0;
    for (size_t i = 0; i < m; i++) nconv += L->conv[i] != 0;
    sl->yield = m > 0 ? (double)nconv / (double)m : 0.0;
    if (to_hi == want_hi) {
        sl->split = sl->hi;
        return 1;
    }
    /* the contiguous run of converged pairs upward from σ */
    size_t nup = 0;
    for (size_t i = 0; i < m; i++)
        if (L->lam[i] >= sl->sigma && isfinite(L->lam[i])) idx[nup++] = i;
    sort_by_lambda(idx, nup, L->lam);
    size_t run = 0;
    while (run < nup && L->conv[idx[run]] && L->lam[idx[run]] < sl->hi) run++;
    if (run < 2) return 0;
    sl->density = run >= 8 ? (double)(run - 1) / (L->lam[idx[run - 1]] - L->lam[idx[0]]) : 0.0;
    {
        double b15 = pow(fmax(L->lam[idx[0]], 0.0), 1.5), t15 = pow(fmax(L->lam[idx[run - 1]], 0.0), 1.5);
        sl->kcount = run >= 8 && t15 > b15 ? (double)(run - 1) / (t15 - b15) : 0.0;
    }
    /* a boundary in the widest gap between consecutive members of the run: beyond the target
     * (among the next few members), or in the run's top quarter when the basis is full */
    size_t q0, q1;
    if (full) {
        q0 = run - 1 - (run - 1) / 4;
        if (q0 > run - 2) q0 = run - 2;
        q1 = run - 1;
    } else {
        q0 = 0;
        while (q0 + 1 < run && L->lam[idx[q0 + 1]] < sl->target) q0++;
        if (q0 + 1 >= run) return 0;
        q1 = q0 + 8 < run - 1 ? q0 + 8 : run - 1;
        if (q1 == q0 + 1 && run - 1 > q1) q1++;
    }
    /* a gap narrower than 1e-6 λ_c may be a degenerate multiplet seen twice, its two copies a
     * rounding error apart: no boundary there */
    double best = 1e-6 * sl->hi;
    int found = widest_gap(L, idx, q0, q1, &best, &sl->split);
    if (!found && full && q0 > 0) /* none in the run's top quarter: anywhere in it */
        found = widest_gap(L, idx, 0, q0, &best, &sl->split);
    return found;
}

/* y = (D − σI) x for nc ≤ 16 columns, both row-major (y[r·nc + c]), read straight from the
 * upper-triangular 3 × 3 blocks of the matrix just factorised (PETSc's SBAIJ arrays, each block
 * column-major): the matrix is read once for all nc columns, where MatMult reads it once per
 * column (67 ms a column at 19,652 atoms). Each thread adds its share of the block rows, and
 * their transposes, into its own copy of y; the copies are summed at the end. */
static int residual_products(lanczos *L, const double *x, double *y, int nc)
{
    int rc = BPEL_OK;
    PetscInt nb = 0;
    const PetscInt *ia = NULL, *ja = NULL;
    PetscBool got = PETSC_FALSE;
    PetscScalar *a = NULL;
    double *extra = NULL;
    const size_t n3 = L->n3, len = n3 * (size_t)nc;
    PETSC_TRY(MatGetRowIJ(L->f.B, 0, PETSC_FALSE, PETSC_TRUE, &nb, &ia, &ja, &got));
    if (!got || 3 * (size_t)nb != n3) {
        rc = bpel_fail(BPEL_EINVAL, "block Lanczos: the factorised matrix has no 3 x 3 block rows to check residuals with");
        goto done;
    }
    PETSC_TRY(MatSeqSBAIJGetArray(L->f.B, &a));
    int nt = omp_get_max_threads();
    if (nt > 1 && !(extra = calloc((size_t)(nt - 1) * len, sizeof *extra))) nt = 1;
    memset(y, 0, len * sizeof *y);
#pragma omp parallel num_threads(nt)
    {
        int t = omp_get_thread_num();
        double *yt = t == 0 ? y : extra + (size_t)(t - 1) * len;
#pragma omp for schedule(dynamic, 64)
        for (PetscInt i = 0; i < nb; i++) {
            const double *xi = x + 3 * (size_t)i * nc;
            double *yi = yt + 3 * (size_t)i * nc;
            for (PetscInt q = ia[i]; q < ia[i + 1]; q++) {
                const PetscInt j = ja[q];
                const double *v = a + 9 * (size_t)q, *xj = x + 3 * (size_t)j * nc;
                for (int c = 0; c < nc; c++) {
                    yi[c] += v[0] * xj[c] + v[3] * xj[nc + c] + v[6] * xj[2 * nc + c];
                    yi[nc + c] += v[1] * xj[c] + v[4] * xj[nc + c] + v[7] * xj[2 * nc + c];
                    yi[2 * nc + c] += v[2] * xj[c] + v[5] * xj[nc + c] + v[8] * xj[2 * nc + c];
                }
                if (j == i) continue;
                double *yj = yt + 3 * (size_t)j * nc;
                for (int c = 0; c < nc; c++) {
                    yj[c] += v[0] * xi[c] + v[1] * xi[nc + c] + v[2] * xi[2 * nc + c];
                    yj[nc + c] += v[3] * xi[c] + v[4] * xi[nc + c] + v[5] * xi[2 * nc + c];
                    yj[2 * nc + c] += v[6] * xi[c] + v[7] * xi[nc + c] + v[8] * xi[2 * nc + c];
                }
            }
        }
#pragma omp for schedule(static)
        for (size_t r = 0; r < len; r++)
            for (int u = 0; u + 1 < nt; u++) y[r] += extra[(size_t)u * len + r];
    }
    PETSC_TRY(MatSeqSBAIJRestoreArray(L->f.B, &a));
done:
    if (ia) MatRestoreRowIJ(L->f.B, 0, PETSC_FALSE, PETSC_TRUE, &nb, &ia, &ja, &got);
    free(extra);
    return rc;
}

/* Resident memory of the process, bytes (0 if unknown). */
static double resident_bytes(void)
{
    long pages = 0, res = 0;
    FILE *fp = fopen("/proc/self/statm", "r");
    if (!fp) return 0.0;
    if (fscanf(fp, "%ld %ld", &pages, &res) != 2) res = 0;
    fclose(fp);
    return (double)res * (double)sysconf(_SC_PAGESIZE);
}

/* The pairs of [a, split): Ritz vectors formed 16 at a time, their residuals
 * ‖Dx − λx‖ computed with the sparse Hessian, or, once it has been given back,
 * with D − σI (one pass over either for the 16), then stored. */
static int store_pairs(lanczos *L, size_t m, slice *sl, size_t *idx)
{
    double t0 = now();
    size_t nsel = 0;
    for (size_t i = 0; i < m; i++)
        if (L->conv[i] && L->lam[i] >= sl->a && L->lam[i] < sl->split) idx[nsel++] = i;
    sort_by_lambda(idx, nsel, L->lam);
    if (L->stored + nsel > L->room) {
        return bpel_fail(BPEL_EINVAL,
                         "block Lanczos: %zu pairs found, more than the %zu the inertia counts in the interval",
                         L->stored + nsel, L->room);
    }
    const size_t n3 = L->n3, N = L->natoms;
    sparse_eig_result *o = L->out;
    double *X = L->X, *xr = L->X + 16 * n3, *yr = L->X + 32 * n3; /* column-major; row-major in and out */
    for (size_t c0 = 0; c0 < nsel; c0 += 16) {
        int nc = nsel - c0 < 16 ? (int)(nsel - c0) : 16;
        /* X = V Z[:, sel]: the selected columns of Z gathered, one product */
        for (int c = 0; c < nc; c++) memcpy(L->tmp + (size_t)c * m, L->Z + idx[c0 + c] * m, m * sizeof *L->tmp);
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n3, nc, (int)m, 1.0, L->V, (int)n3, L->tmp, (int)m,
                    0.0, X, (int)n3);
        for (int c = 0; c < nc; c++) {
            double *x = X + (size_t)c * n3;
            cblas_dscal((int)n3, 1.0 / cblas_dnrm2((int)n3, x, 1), x, 1);
        }
        /* D x = M^-1/2 H M^-1/2 x with the Hessian, else (D − σI) x */
        const int hs = L->h != NULL;
#pragma omp parallel for schedule(static)
        for (size_t r = 0; r < n3; r++)
            for (int c = 0; c < nc; c++) xr[r * (size_t)nc + c] = X[(size_t)c * n3 + r] * (hs ? L->rsqm[r / 3] : 1.0);
        if (hs) {
            bpel_hess_sparse_matmul(L->h, xr, yr, nc);
        } else {
            int rc = residual_products(L, xr, yr, nc);
            if (rc) return rc;
        }
        for (int c = 0; c < nc; c++) {
            const double *x = X + (size_t)c * n3;
            double lam = L->lam[idx[c0 + c]], dl = hs ? lam : lam - sl->sigma, r2 = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : r2)
            for (size_t r = 0; r < n3; r++) {
                double d = yr[r * (size_t)nc + c] * (hs ? L->rsqm[r / 3] : 1.0) - dl * x[r];
                r2 += d * d;
            }
            if (sqrt(r2) > o->max_residual) o->max_residual = sqrt(r2);
            size_t k = L->stored++;
            o->w[k] = lam;
            if (o->z) {
                memcpy(o->z + k * n3, x, n3 * sizeof *x);
            } else {
                double t[3] = {0, 0, 0};
                for (size_t i = 0; i < N; i++) {
                    const double *e = x + 3 * i;
                    o->wt[k * N + i] = (float)(e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
                    double sm = sqrt(L->masses[i] / L->mtot);
                    for (int d = 0; d < 3; d++) t[d] += sm * e[d];
                }
                o->trans[k] = t[0] * t[0] + t[1] * t[1] + t[2] * t[2];
            }
        }
    }
    sl->found = nsel;
    L->t_check += now() - t0;
    return BPEL_OK;
}

/* One shift: factorise at σ (done by the caller), grow the basis, store the
 * pairs of the shift's subinterval. *outcome: SHIFT_DONE or SHIFT_SHORT. */
static int run_shift(lanczos *L, slice *sl, size_t *idx, int *outcome)
{
    const size_t n3 = L->n3;
    int p0 = L->p;
    L->hnorm = 0.0;
    memset(L->H, 0, L->ldh * L->cap * sizeof *L->H);
    random_fill(L, L->W, (size_t)p0 * n3);
    int pn = 0;
    int rc = orth_block(L, 0, -1, p0, &pn);
    if (rc) return rc;
    size_t k = (size_t)pn, m = 0;
    /* the first look when the basis could hold the pairs meant for this shift (~2.9 vectors per
     * converged pair measured), then every 25 % more; for the last shift, whose pairs the inertia
     * counts, at 3 vectors per pair when that comes sooner (its 348 pairs at 19,652 atoms had
     * taken 2,784 solves, 8 per pair) */
    size_t next_rr = (size_t)(0.7 * (double)L->cap);
    if (sl->target >= sl->hi && 3 * (sl->below_hi - sl->below_a) < next_rr) next_rr = 3 * (sl->below_hi - sl->below_a);
    if (next_rr < 2 * (size_t)L->p) next_rr = 2 * (size_t)L->p;
    for (;;) {
        int pc = (int)(k - m);
        int full = 0, done = 0;
        if (pc > 0) {
            rc = solve_block(L, L->V + m * n3, L->W, pc);
            if (rc) return rc;
            rc = orth_block(L, k, (long)m, pc, &pn);
            if (rc) return rc;
            m = k;
            k += (size_t)pn;
        } else {
            pn = 0;
        }
        full = pn == 0 || k + (size_t)L->p > L->cap;
        if (full && pn > 0 && L->cap < L->capmax && m >= next_rr) {
            /* not yet looked at this size: look first, grow below if the pairs under σ are missing */
            full = 0;
        }
        if (m >= next_rr || full) {
            rc = ritz(L, m, pc, pn, sl->sigma);
            if (rc) return rc;
            int d = decide(L, m, sl, full, idx);
            if (d < 0) return BPEL_EINVAL;
            if (d == 2) {
                *outcome = SHIFT_UNCOUNTED;
                return BPEL_OK;
            }
            done = d;
            if (L->progress) {
                size_t now_ = 0; /* converged pairs of this shift's part so far */
                for (size_t i = 0; i < m; i++)
                    if (L->conv[i] && L->lam[i] >= sl->a && L->lam[i] < (d ? sl->split : sl->target)) now_++;
                L->progress(L->progress_ctx, (double)(L->stored + now_), (double)L->room);
            }
            next_rr = m + (m / 4 > (size_t)L->p ? m / 4 : (size_t)L->p);
        }
        if (done) break;
        if (!full && pn > 0 && k + (size_t)L->p > L->cap && L->cap < L->capmax) {
            if (L->lowmiss) {
                /* the pairs below σ are not all converged: a larger basis, the work so far kept */
                size_t c = L->cap + L->cap / 2 < L->capmax ? L->cap + L->cap / 2 : L->capmax;
                memset(L->H + L->ldh * L->cap, 0, L->ldh * (c - L->cap) * sizeof *L->H);
                L->cap = c;
                if (L->cap > L->out->basis) L->out->basis = L->cap;
                continue;
            }
            full = 1; /* take the run converged so far (the Rayleigh–Ritz above is of this basis) */
            int d = decide(L, m, sl, 1, idx);
            if (d < 0) return BPEL_EINVAL;
            if (d == 2) {
                *outcome = SHIFT_UNCOUNTED;
                return BPEL_OK;
            }
            if (d) break;
        }
        if (full) {
            *outcome = SHIFT_SHORT;
            L->short_low = L->lowmiss;
            return BPEL_OK;
        }
    }
    *outcome = SHIFT_DONE;
    return store_pairs(L, m, sl, idx);
}

/* ν(λ_lo) by inertia, when the first shift shows it may not be 0: the counts, and the pairs wanted,
 * start from it. */
static int count_lo(lanczos *L, slice *sl, double lo, double hi, PetscInt nu_hi, PetscInt *nu_lo, size_t *total)
{
    int rc = bpel_sparse_factor_at(&L->f, lo, nu_lo);
    if (rc) return rc;
    if (*nu_lo > nu_hi)
        return bpel_fail(BPEL_EINVAL, "block Lanczos: %zu eigenvalues below %.6g eV/(A^2 amu) by inertia, but %zu below %.6g",
                         (size_t)*nu_lo, lo, (size_t)nu_hi, hi);
    L->lo_unknown = 0;
    sl->below_a = (size_t)*nu_lo;
    *total = (size_t)(nu_hi - *nu_lo);
    L->out->below = (size_t)*nu_lo;
    L->out->count_inertia = *total;
    L->room = *total;
    if (L->note && *nu_lo > 0) {
        char line[200];
        snprintf(line, sizeof line, "%zu modes lie below %.4g rad/ps (by inertia): not computed", (size_t)*nu_lo,
                 bpel_omega_of(lo));
        L->note(L->progress_ctx, line);
    }
    return BPEL_OK;
}

int bpel_sparse_eig_solve_block(const hess_sparse *h, const double *masses, const sparse_eig_params *p,
                                sparse_eig_result *out)
{
    memset(out, 0, sizeof *out);
    if (!(p->lambda_c > 0)) return bpel_fail(BPEL_EINVAL, "sparse eigensolver: the upper bound must be positive");
    if (h->n > (size_t)PETSC_MAX_INT / 3 || 3 * h->n > (size_t)INT32_MAX / 2)
        return bpel_fail(BPEL_ENOTSUP, "block Lanczos: %zu atoms exceed the integer range of PETSc or BLAS", h->n);
    int rc = bpel_sparse_petsc_start();
    if (rc) return rc;
    PetscMPIInt size = 1;
    MPI_Comm_size(PETSC_COMM_WORLD, &size);
    if (size > 1)
        return bpel_fail(BPEL_ENOTSUP,
                         "the block Lanczos solver runs in one process (%d MPI ranks given): use the slepc solver "
                         "across ranks",
                         (int)size);
    out->ranks = 1;
    lanczos L;
    memset(&L, 0, sizeof L);
    L.out = out;
    L.masses = masses;
    L.progress = p->progress;
    L.note = p->note;
    L.progress_ctx = p->progress_ctx;
    L.h = h;
    L.natoms = h->n;
    L.n3 = 3 * h->n;
    L.tol = p->tol > 0 ? p->tol : 1e-10;
    {
        /* ‖D‖ ≤ its largest absolute row sum (Gershgorin), for the convergence test */
        double g = 0.0;
#pragma omp parallel for schedule(static) reduction(max : g)
        for (size_t a = 0; a < h->n; a++) {
            double row[3] = {0, 0, 0};
            for (size_t q = h->rowptr[a]; q < h->rowptr[a + 1]; q++) {
                double sc = 1.0 / sqrt(masses[a] * masses[h->col[q]]);
                for (int x = 0; x < 3; x++)
                    for (int y = 0; y < 3; y++) row[x] += fabs(h->val[9 * q + 3 * x + y]) * sc;
            }
            for (int x = 0; x < 3; x++) g = fmax(g, row[x]);
        }
        L.dnorm = g > 0 ? g : 1.0;
    }
    const size_t n3 = L.n3;
    int pmax = (int)(n3 / 8 > 0 ? n3 / 8 : 1);
    L.p = p->block > 0 ? p->block : 32;
    if (L.p > pmax) L.p = pmax;
    L.cap = p->basis > 0 ? p->basis : 6000; /* the most; lowered below once a factorisation is timed */
    if (L.cap > n3) L.cap = n3;
    if (L.cap < 4 * (size_t)L.p) L.cap = 4 * (size_t)L.p < n3 ? 4 * (size_t)L.p : n3;
    L.ldh = L.cap + (size_t)L.p;
    out->block = L.p;
    out->basis = L.cap;
    for (size_t i = 0; i < h->n; i++) L.mtot += masses[i];
    const double lo = -p->lower_frac * p->lambda_c, hi = p->lambda_c;
    size_t *idx = NULL;
    double t0 = now();
    int opened = 0;

    rc = bpel_sparse_matrix_create(h, masses, 0, h->n, &L.A);
    if (rc) goto done;
    {
        MatInfo mi;
        PETSC_TRY(MatGetInfo(L.A, MAT_GLOBAL_SUM, &mi));
        out->matrix_bytes = mi.nz_allocated * (sizeof(PetscScalar) + sizeof(PetscInt) / 9.0);
    }
    /* the Lanczos vectors, the projected matrices and the stored vectors' work space for c columns */
#define WORK_BYTES(c) (8.0 * ((double)n3 * ((double)(c) + 2.0 * L.p + 48) + ((double)(c) + L.p) * (double)(c) + \
                              3.0 * (double)(c) * (double)(c)))
    const size_t cap_least = 512 < L.cap ? 512 : L.cap;
    double work_bytes = WORK_BYTES(cap_least);
    double t_open = now();
    rc = bpel_sparse_factor_open(&L.f, L.A, 1, p->memory_limit, work_bytes, h->n, out);
    if (rc) goto done;
    opened = 1;
    t_open = now() - t_open;
    /* The count at λ_c only. None is made at λ_lo: ν(λ_lo) = 0 is taken (λ_lo lies below the
     * spectrum of a relaxed glass) and proved by the first shift, which lies inside the first slice
     * and must converge all ν(σ₁) pairs below it, every one of them at or above λ_lo. Should it fall
     * short, ν(λ_lo) is counted then (see the loop below). This saves a factorisation (262 s at
     * 19,652 atoms), and the first shift finds pairs on both sides of σ₁ instead of above only. */
    PetscInt nu_hi = 0, nu_lo = 0, nu = 0;
    rc = bpel_sparse_factor_at(&L.f, hi, &nu_hi);
    if (rc) goto done;
    double t_count_hi = L.f.t_factor;
    {
        /* The basis per shift: its Rayleigh–Ritz steps (~4 dense eigenproblems of order m, ~1e-10 m³ s
         * each measured on 2 cores) and orthogonalisation (~4 m² 3N flops at ~4e10 flop/s) should cost
         * about one factorisation, as timed just now. More vectors per shift would mean fewer
         * factorisations but a cost growing as m³. */
        double tf = t_count_hi, lo_m = 256.0, hi_m = (double)L.cap;
        if (lo_m > hi_m) lo_m = hi_m;
        double a = lo_m, b = hi_m;
        for (int it = 0; it < 60; it++) {
            double mid = 0.5 * (a + b);
            double cost = 4e-10 * mid * mid * mid + 1e-10 * mid * mid * (double)n3;
            if (cost > tf) b = mid;
            else a = mid;
        }
        L.capmax = L.cap;
        if (!(p->basis > 0) || (size_t)a < L.cap) L.cap = (size_t)a;
        /* a Krylov degree of at least 16 per shift */
        if ((size_t)L.p > L.cap / 16) L.p = L.cap / 16 > 2 ? (int)(L.cap / 16) : 2;
        if (L.p > pmax) L.p = pmax;
        out->block = L.p;
        out->basis = L.cap;
    }
    out->count_estimate = (size_t)nu_hi;
    out->below = (size_t)nu_lo;
    size_t total = nu_hi > nu_lo ? (size_t)(nu_hi - nu_lo) : 0;
    out->count_inertia = total;
    int compact = p->compact > 0;
    {
        /* the largest basis (down to cap_least) that fits beside the factor and the pairs; the
         * eigenvectors, or with compact < 0 the per-atom weights when the eigenvectors do not fit.
         * What the process holds now (the factor just made, D − σI, MUMPS's copy of it) is read from
         * its resident memory, with 4 % of MUMPS's estimate kept for factorisations at other shifts
         * needing more; MUMPS's estimate itself (which at 19,652 atoms exceeds what the
         * factorisation touches by ~1.4 GB) where that cannot be read. */
        double base = 0, res_bytes = 0;
        size_t c = 0;
        for (int pass = 0; pass < 2; pass++) {
            base = out->factor_bytes + out->matrix_bytes;
            double rss = resident_bytes();
            if (rss > 0 && rss + 0.04 * out->factor_bytes < base) base = rss + 0.04 * out->factor_bytes;
            double full = (8.0 * (double)n3 + 8.0) * (double)total,
                   weights = (4.0 * (double)L.natoms + 16.0) * (double)total;
            if (p->compact < 0)
                compact = p->memory_limit > 0 && base + WORK_BYTES(cap_least) + full > p->memory_limit;
            res_bytes = compact ? weights : full;
            c = L.capmax;
            while (p->memory_limit > 0 && c > cap_least && base + WORK_BYTES(c) + res_bytes > p->memory_limit)
                c = c * 19 / 20 > cap_least ? c * 19 / 20 : cap_least;
            if (pass || (c >= L.cap && !p->give_always) || !p->give_hessian || *p->give_hessian != h) break;
            /* memory limits the basis: from here on only D − σI (the factor's B, shifted in place)
             * is needed, so the Hessian and the unshifted D go back to the system (0.69 GB at
             * 19,652 atoms) and the plan is made again. (Residuals are then checked with D − σI,
             * read from its stored blocks, as fast as with the Hessian at 4,000 atoms; the Hessian
             * is kept where memory allows only because it is already there.) */
            bpel_hess_sparse_destroy(*p->give_hessian);
            *p->give_hessian = NULL;
            L.h = NULL;
            MatDestroy(&L.A);
            L.f.A = NULL;
#ifdef __GLIBC__
            malloc_trim(0);
#endif
        }
        work_bytes = WORK_BYTES(c);
        double need = base + work_bytes + res_bytes;
        if (p->memory_limit > 0 && need > p->memory_limit) {
            rc = bpel_fail(BPEL_ENOMEM,
                           "block Lanczos for %zu atoms: %zu modes lie in the interval, whose %s need %.3g GB beside "
                           "%.3g GB for a MUMPS factorisation and %.3g GB of Lanczos vectors, but only %.3g GB are "
                           "available; lower --max-omega%s",
                           L.natoms, total, compact ? "per-atom weights" : "eigenvectors", res_bytes / 1e9,
                           out->factor_bytes / 1e9, work_bytes / 1e9, p->memory_limit / 1e9,
                           compact ? "" : ", or keep per-atom weights only");
            goto done;
        }
        L.capmax = c;
        if (L.cap > c) L.cap = c;
        out->basis = L.cap;
        out->compact = compact;
    }
    L.room = total;
    /* a block no wider than a quarter of the pairs wanted (a glass of a few hundred atoms) */
    if ((size_t)L.p > total / 4) L.p = total / 4 > 2 ? (int)(total / 4) : 2;
    if (L.p > pmax) L.p = pmax;
    out->block = L.p;
    out->w = malloc((total + 1) * sizeof *out->w);
    if (compact) {
        out->wt = malloc((total * L.natoms + 1) * sizeof *out->wt);
        out->trans = malloc((total + 1) * sizeof *out->trans);
    } else {
        out->z = malloc((total * n3 + 1) * sizeof *out->z);
    }
    L.V = malloc(n3 * L.capmax * sizeof *L.V);
    L.H = malloc(L.ldh * L.capmax * sizeof *L.H);
    L.W = malloc(n3 * (size_t)L.p * sizeof *L.W);
    L.C = malloc(L.capmax * (size_t)L.p * sizeof *L.C);
    L.S = malloc(L.capmax * L.capmax * sizeof *L.S);
    L.Z = malloc(L.capmax * L.capmax * sizeof *L.Z);
    L.theta = malloc(L.capmax * sizeof *L.theta);
    L.res = malloc(L.capmax * sizeof *L.res);
    L.lam = malloc(L.capmax * sizeof *L.lam);
    L.conv = malloc(L.capmax);
    L.isuppz = malloc(2 * L.capmax * sizeof *L.isuppz);
    L.jpvt = malloc((size_t)L.p * sizeof *L.jpvt);
    L.tau = malloc((size_t)L.p * sizeof *L.tau);
    L.tmp = malloc((size_t)(L.p > 16 ? L.p : 16) * L.capmax * sizeof *L.tmp);
    L.X = malloc(n3 * 48 * sizeof *L.X);
    L.rsqm = malloc((L.natoms + 1) * sizeof *L.rsqm);
    idx = malloc(L.capmax * sizeof *idx);
    L.rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!out->w || (compact ? !out->wt || !out->trans : !out->z) || !L.V || !L.H || !L.W || !L.C || !L.S ||
        !L.Z || !L.theta || !L.res || !L.lam || !L.conv || !L.isuppz || !L.jpvt || !L.tau || !L.tmp || !L.X || !L.rsqm || !idx ||
        !L.rng) {
        rc = bpel_fail(BPEL_ENOMEM, "block Lanczos: out of memory for %zu Lanczos vectors of %zu atoms", L.cap, L.natoms);
        goto done;
    }
    gsl_rng_set(L.rng, 20221);
    for (size_t i = 0; i < L.natoms; i++) L.rsqm[i] = 1.0 / sqrt(masses[i]);
    out->t_setup = now() - t0;
    if (L.note) {
        static const char *const ord[] = {"AMD", "user", "AMF", "SCOTCH", "PORD", "METIS", "QAMD", "auto"};
        char line[400];
        snprintf(line, sizeof line,
                 "%zu modes below %.4g rad/ps by inertia (none below %.4g rad/ps, to be proved by the first shift); "
                 "analysis %.0f s (%s, %.3g GB per factor); factorisation for the count %.0f s; basis %zu, block %d, "
                 "%s kept; setup %.0f s",
                 total, bpel_omega_of(hi), bpel_omega_of(lo), t_open,
                 L.f.ordering >= 0 && L.f.ordering <= 7 ? ord[L.f.ordering] : "?", out->factor_bytes / 1e9,
                 t_count_hi, L.cap, L.p, compact ? "per-atom weights" : "eigenvectors", out->t_setup);
        L.note(L.progress_ctx, line);
    }

    /* Slices planned by a Debye-like count, ν(λ) ∝ λ^{3/2}, between the shift's
     * bottom and λ_c; each shift is meant to find per_shift pairs. */
    const size_t per_shift = (size_t)(0.35 * (double)L.cap) > 1 ? (size_t)(0.35 * (double)L.cap) : 1;
    slice sl = {.a = lo, .hi = hi, .below_a = (size_t)nu_lo, .below_hi = (size_t)nu_hi};
    {
        /* the first shift 0.4 of the way (in pairs, by the Debye-like count) into the first slice */
        size_t nsl = (total + per_shift - 1) / per_shift;
        double u15 = pow(hi, 1.5) / (double)(nsl > 1 ? nsl : 1);
        sl.target = nsl <= 1 ? hi : pow(u15, 2.0 / 3.0);
        sl.sigma = pow(0.4 * u15, 2.0 / 3.0);
    }
    int retries = 0, nshift = 0;
    tally t_shift = tally_take(&L);
    L.lo_unknown = 1;
    if (total > 0) {
        rc = bpel_sparse_factor_at(&L.f, sl.sigma, &nu);
        if (rc) goto done;
        sl.below_s = (size_t)nu;
    }
    while (total > 0) {
        int outcome = SHIFT_DONE;
        rc = run_shift(&L, &sl, idx, &outcome);
        if (rc) goto done;
        note_shift(&L, ++nshift, &sl, outcome, &t_shift);
        t_shift = tally_take(&L);
        if (outcome == SHIFT_UNCOUNTED) {
            /* pairs converged below λ_lo: count ν(λ_lo), then the same shift again */
            out->retries++;
            rc = count_lo(&L, &sl, lo, hi, nu_hi, &nu_lo, &total);
            if (rc) goto done;
            rc = bpel_sparse_factor_at(&L.f, sl.sigma, &nu);
            if (rc) goto done;
            continue;
        }
        if (outcome == SHIFT_SHORT) {
            out->retries++;
            if (L.lo_unknown && !L.short_low) L.lo_unknown = 0; /* all ν(σ₁) pairs below σ₁ converged above λ_lo */
            if (L.lo_unknown) {
                /* the first shift's pairs below it fell short, which eigenvalues below λ_lo (not
                 * found by it, but counted below σ₁) would explain: count them; the shift is then
                 * moved down and factorised below, as for any shift short below */
                rc = count_lo(&L, &sl, lo, hi, nu_hi, &nu_lo, &total);
                if (rc) goto done;
            }
            /* the basis filled first: a larger one (up to the most allowed), and a shift nearer the
             * bottom when the pairs below it were not all converged */
            if (L.cap < L.capmax) {
                L.cap = L.cap + L.cap / 2 < L.capmax ? L.cap + L.cap / 2 : L.capmax;
                if (L.cap > out->basis) out->basis = L.cap;
                if (!L.short_low) { retries++; continue; }
            }
            if (++retries > 6 || !(sl.sigma > sl.a)) {
                rc = bpel_fail(BPEL_EINVAL,
                               "block Lanczos: the pairs above %.6g eV/(A^2 amu) do not converge within %zu Lanczos "
                               "vectors; give a larger basis",
                               sl.a, L.cap);
                goto done;
            }
            sl.sigma = sl.a + 0.5 * (sl.sigma - sl.a);
            rc = bpel_sparse_factor_at(&L.f, sl.sigma, &nu);
            if (rc) goto done;
            if ((size_t)nu < sl.below_a) {
                rc = bpel_fail(BPEL_EINVAL, "block Lanczos: the inertia at %.6g is below the count at %.6g", sl.sigma, sl.a);
                goto done;
            }
            sl.below_s = (size_t)nu;
            continue;
        }
        retries = 0;
        L.lo_unknown = 0; /* the first shift found all ν(σ₁) pairs below σ₁ at or above λ_lo: none lie below */
        if (sl.split >= hi) break;
        /* the next slice starts at the split; its count below the split is the pairs found so far */
        sl.below_a += sl.found;
        sl.a = sl.split;
        size_t rem = sl.below_hi - sl.below_a;
        size_t nsl = (rem + per_shift - 1) / per_shift;
        if (nsl < 1) nsl = 1;
        double a15 = pow(fmax(sl.a, 0.0), 1.5), h15 = pow(hi, 1.5);
        double u15 = a15 + (h15 - a15) / (double)nsl;
        sl.target = nsl == 1 ? hi : pow(u15, 2.0 / 3.0);
        sl.sigma = pow(a15 + 0.4 * (u15 - a15), 2.0 / 3.0);
        if (sl.kcount > 0) {
            /* from the last shift: the pairs it converged per basis vector (C pairs expected of this
             * one) and the count along its run, ν ≈ K λ^{3/2}. σ is put where 0.4 C pairs lie
             * between a and σ, the target 0.6 C pairs above σ: the pairs converge outward from σ
             * on both sides, and the density grows upward, so the pairs below σ, which must all
             * converge, take less than half of C. (With the target at 0.4 C the shifts ended at
             * their first look, with 70 % of the basis used; at 0.6 C they use more of it: at
             * 4,000 atoms four or five shifts instead of five. With the target 0.9 C above σ a
             * shift there had to be redone: the fuller basis raised the yield measured, which put
             * the next σ too far up.) */
            double y = fmin(fmax(sl.yield, 0.15), 0.6), c = 0.4 * y * (double)L.cap / sl.kcount;
            if (a15 + 2.5 * c >= h15) {
                sl.target = hi;
                sl.sigma = pow(a15 + fmin(c, 0.4 * (h15 - a15)), 2.0 / 3.0);
            } else {
                sl.sigma = pow(a15 + c, 2.0 / 3.0);
                sl.target = pow(a15 + 2.5 * c, 2.0 / 3.0);
            }
        } else if (sl.density > 0 && nsl > 1) {
            /* the density the last run measured (it only grows with λ in a glass's VDOS, so the
             * slice comes out at most as planned) */
            double w = (double)per_shift / sl.density;
            sl.target = fmin(hi, sl.a + w);
            sl.sigma = sl.a + 0.4 * (sl.target - sl.a);
        }
        if (!(sl.sigma > sl.a)) sl.sigma = sl.a + 0.5 * (fmin(sl.target, hi) - sl.a);
        rc = bpel_sparse_factor_at(&L.f, sl.sigma, &nu);
        if (rc) goto done;
        if ((size_t)nu < sl.below_a) {
            rc = bpel_fail(BPEL_EINVAL,
                           "block Lanczos: %zu eigenvalues below %.6g eV/(A^2 amu) by inertia, but %zu pairs were "
                           "found below %.6g: the count does not close",
                           (size_t)nu, sl.sigma, sl.below_a, sl.a);
            goto done;
        }
        sl.below_s = (size_t)nu;
    }
    if (L.stored != total) {
        rc = bpel_fail(BPEL_EINVAL,
                       "block Lanczos: %zu eigenpairs found in [%.6g, %.6g] eV/(A^2 amu) but the inertia counts %zu "
                       "there: modes were missed",
                       L.stored, lo, hi, total);
        goto done;
    }
    out->m = total;
    out->nshifts = L.f.nfactor;
    out->t_solve = now() - t0 - out->t_setup;
    out->t_factor = L.f.t_factor;
    out->t_solves = L.t_solves;
    out->t_orth = L.t_orth;
    out->t_ritz = L.t_ritz;
    out->t_check = L.t_check;
done:
    if (opened) bpel_sparse_factor_close(&L.f);
    if (L.A) MatDestroy(&L.A);
    free(L.V);
    free(L.H);
    free(L.W);
    free(L.C);
    free(L.S);
    free(L.Z);
    free(L.theta);
    free(L.res);
    free(L.lam);
    free(L.conv);
    free(L.isuppz);
    free(L.jpvt);
    free(L.tau);
    free(L.tmp);
    free(L.X);
    free(L.rsqm);
    free(idx);
    if (L.rng) gsl_rng_free(L.rng);
    if (rc) bpel_sparse_eig_result_free(out);
    return rc;
}
