/* modes_sparse.c — spectrum slicing of the sparse dynamical matrix with
 * SLEPc and MUMPS (see modes_sparse.h). */
#include "modes_sparse.h"
#include "error.h"
#include "sparse_petsc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slepceps.h>

void bpel_sparse_eig_params_default(sparse_eig_params *p)
{
    memset(p, 0, sizeof *p);
    p->lower_frac = 0.02;
    p->tol = 1e-10;
    p->block = 32;
    p->basis = 3000;
}

void bpel_sparse_eig_result_free(sparse_eig_result *r)
{
    if (!r) return;
    free(r->w);
    free(r->z);
    free(r->wt);
    free(r->trans);
    memset(r, 0, sizeof *r);
}

static void finalize_slepc(void) { SlepcFinalize(); }

int bpel_sparse_petsc_start(void)
{
    PetscBool done = PETSC_FALSE;
    SlepcInitialized(&done);
    if (done) return BPEL_OK;
    PetscOptionsSetValue(NULL, "-no_signal_handler", "true");
    PetscErrorCode e = SlepcInitialize(NULL, NULL, NULL, NULL);
    if (e) return bpel_fail(BPEL_EINVAL, "SLEPc could not be initialised (PETSc error %d)", (int)e);
    PetscPushErrorHandler(PetscReturnErrorHandler, NULL);
    atexit(finalize_slepc);
    return BPEL_OK;
}

int bpel_sparse_ranks(void)
{
    if (bpel_sparse_petsc_start()) {
        bpel_clear_error();
        return 1;
    }
    PetscMPIInt size = 1;
    MPI_Comm_size(PETSC_COMM_WORLD, &size);
    return (int)size;
}

static int block_is_zero(const double *v)
{
    for (int q = 0; q < 9; q++)
        if (v[q] != 0.0) return 0;
    return 1;
}

int bpel_sparse_matrix_create(const hess_sparse *h, const double *masses, size_t r0, size_t r1, Mat *out)
{
    int rc = BPEL_OK;
    Mat A = NULL;
    const size_t nloc = r1 - r0;
    PetscInt *dnz = calloc(nloc + 1, sizeof *dnz), *onz = calloc(nloc + 1, sizeof *onz);
    PetscInt *cols = NULL;
    PetscScalar *vals = NULL;
    size_t maxrow = 0;
    if (!dnz || !onz) { rc = bpel_fail(BPEL_ENOMEM, "sparse eigensolver: out of memory"); goto done; }
    for (size_t a = r0; a < r1; a++) {
        size_t cnt = 0;
        for (size_t p = h->rowptr[a]; p < h->rowptr[a + 1]; p++) {
            size_t b = h->col[p];
            if (b < a || block_is_zero(h->val + 9 * p)) continue;
            cnt++;
            if (b < r1) dnz[a - r0]++;
            else onz[a - r0]++;
        }
        if (cnt > maxrow) maxrow = cnt;
    }
    cols = malloc((maxrow + 1) * sizeof *cols);
    vals = malloc(9 * (maxrow + 1) * sizeof *vals);
    if (!cols || !vals) { rc = bpel_fail(BPEL_ENOMEM, "sparse eigensolver: out of memory"); goto done; }
    PETSC_TRY(MatCreate(PETSC_COMM_WORLD, &A));
    PETSC_TRY(MatSetSizes(A, (PetscInt)(3 * nloc), (PetscInt)(3 * nloc), (PetscInt)(3 * h->n), (PetscInt)(3 * h->n)));
    PETSC_TRY(MatSetType(A, MATSBAIJ));
    PETSC_TRY(MatSetBlockSize(A, 3));
    PETSC_TRY(MatXAIJSetPreallocation(A, 3, dnz, onz, dnz, onz));
    PETSC_TRY(MatSetOption(A, MAT_IGNORE_LOWER_TRIANGULAR, PETSC_TRUE));
    PETSC_TRY(MatSetOption(A, MAT_SYMMETRIC, PETSC_TRUE));
    for (size_t a = r0; a < r1; a++) {
        PetscInt k = 0, row = (PetscInt)a;
        double sa = 1.0 / sqrt(masses[a]);
        for (size_t p = h->rowptr[a]; p < h->rowptr[a + 1]; p++) {
            size_t b = h->col[p];
            const double *v = h->val + 9 * p;
            if (b < a || block_is_zero(v)) continue;
            cols[k] = (PetscInt)b;
            k++;
        }
        /* PETSc takes the block row as a 3 × 3k row-major strip */
        for (PetscInt j = 0, q = 0; q < (PetscInt)(h->rowptr[a + 1] - h->rowptr[a]); q++) {
            size_t pp = h->rowptr[a] + (size_t)q, b = h->col[pp];
            const double *v = h->val + 9 * pp;
            if (b < a || block_is_zero(v)) continue;
            double s = sa / sqrt(masses[b]);
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++) vals[(size_t)r * 3 * (size_t)k + 3 * (size_t)j + (size_t)c] = s * v[3 * r + c];
            j++;
        }
        PETSC_TRY(MatSetValuesBlocked(A, 1, &row, k, cols, vals, INSERT_VALUES));
    }
    PETSC_TRY(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
    PETSC_TRY(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
    *out = A;
    A = NULL;
done:
    if (A) MatDestroy(&A);
    free(dnz);
    free(onz);
    free(cols);
    free(vals);
    return rc;
}

/* MUMPS's analysis of B with ordering `ord` (ICNTL(7)) into f->F; its estimates into *mb, *fl, *e. */
static int analyse_with(sparse_factor *f, int nranks, int ord, PetscInt *mb, PetscReal *fl, PetscInt *e)
{
    int rc = BPEL_OK;
    PETSC_TRY(MatGetFactor(f->B, MATSOLVERMUMPS, MAT_FACTOR_CHOLESKY, &f->F));
    if (nranks > 1) PETSC_TRY(MatMumpsSetIcntl(f->F, 13, 1)); /* inertia needs the root node without ScaLAPACK */
    if (ord >= 0) {
        /* through the options database: PETSc sets MUMPS's ICNTL from it when the analysis starts,
         * over a value given by MatMumpsSetIcntl before */
        char v[16];
        snprintf(v, sizeof v, "%d", ord);
        PETSC_TRY(PetscOptionsSetValue(NULL, "-mat_mumps_icntl_7", v));
    }
    PetscErrorCode pe = MatCholeskyFactorSymbolic(f->F, f->B, f->perm, &f->info);
    if (ord >= 0) PETSC_TRY(PetscOptionsClearValue(NULL, "-mat_mumps_icntl_7"));
    PETSC_TRY(pe);
    PETSC_TRY(MatMumpsGetInfog(f->F, 20, e));  /* estimated factor entries; < 0: millions */
    PETSC_TRY(MatMumpsGetInfog(f->F, 17, mb)); /* estimated in-core memory, MB, all ranks */
    PETSC_TRY(MatMumpsGetRinfog(f->F, 1, fl)); /* estimated flops of the elimination */
    PetscInt used = ord;
    PETSC_TRY(MatMumpsGetInfog(f->F, 7, &used)); /* the ordering effectively used */
    f->ordering = (int)used;
done:
    return rc;
}

int bpel_sparse_factor_open(sparse_factor *f, Mat A, int nranks, double limit, double extra, size_t natoms,
                            sparse_eig_result *out)
{
    int rc = BPEL_OK;
    memset(f, 0, sizeof *f);
    f->A = A;
    PETSC_TRY(MatDuplicate(A, MAT_COPY_VALUES, &f->B));
    PETSC_TRY(MatFactorInfoInitialize(&f->info));
    PETSC_TRY(MatGetOrdering(f->B, MATORDERINGNATURAL, &f->perm, &f->cperm));
    PetscInt e = 0, mb = 0;
    PetscReal fl = 0;
    PetscBool user = PETSC_FALSE;
    PETSC_TRY(PetscOptionsHasName(NULL, NULL, "-mat_mumps_icntl_7", &user));
    if (user) {
        rc = analyse_with(f, nranks, -1, &mb, &fl, &e);
        if (rc) goto done;
    } else {
        /* The fill of D's factor depends much on the ordering, and not the same way on every glass:
         * on two 19,652-atom Cu50Zr50 glasses MUMPS's estimate was 12.2 and 13.7 GB with AMF
         * (ICNTL(7) = 2) but 17.8 and 13.1 GB with PORD, MUMPS's automatic choice (7) there, and
         * AMD was worse than both. AMF and the automatic choice are analysed (seconds) and the one
         * needing less memory kept. (PORD itself is not forced: on a few dozen atoms it stops the
         * process, where the automatic choice takes another ordering.) */
        rc = analyse_with(f, nranks, 2, &mb, &fl, &e);
        if (rc) goto done;
        Mat first = f->F;
        int first_ord = f->ordering;
        f->F = NULL;
        PetscInt mb2 = 0, e2 = 0;
        PetscReal fl2 = 0;
        rc = analyse_with(f, nranks, 7, &mb2, &fl2, &e2);
        if (rc) {
            MatDestroy(&first);
            goto done;
        }
        if (mb2 < mb || (mb2 == mb && fl2 < fl)) {
            MatDestroy(&first);
            mb = mb2;
            fl = fl2;
            e = e2;
        } else {
            MatDestroy(&f->F);
            f->F = first;
            f->ordering = first_ord;
        }
    }
    out->factor_entries = e < 0 ? -1e6 * (double)e : (double)e;
    out->factor_bytes = 1e6 * (double)mb;
    out->factor_flops = fl;
    out->factor_ordering = f->ordering;
    if (limit > 0 && out->factor_bytes + out->matrix_bytes + extra > limit) {
        rc = bpel_fail(BPEL_ENOMEM,
                       "the sparse eigensolver for %zu atoms needs %.3g GB for each MUMPS factorisation (%.3g G "
                       "entries, %.3g Tflop: MUMPS's estimate) beside the %.3g GB matrix%s, but only %.3g GB are "
                       "available",
                       natoms, out->factor_bytes / 1e9, out->factor_entries / 1e9, out->factor_flops / 1e12,
                       out->matrix_bytes / 1e9, extra > 0 ? " and its working vectors" : "", limit / 1e9);
        goto done;
    }
done:
    if (rc) bpel_sparse_factor_close(f);
    return rc;
}

int bpel_sparse_factor_at(sparse_factor *f, double sigma, PetscInt *nneg)
{
    int rc = BPEL_OK;
    double t0 = MPI_Wtime();
    if (f->A) {
        PETSC_TRY(MatCopy(f->A, f->B, SAME_NONZERO_PATTERN));
        PETSC_TRY(MatShift(f->B, -sigma));
    } else {
        PETSC_TRY(MatShift(f->B, f->sigma - sigma)); /* rounding of ~1e-16 of the diagonal per shift */
    }
    f->sigma = sigma;
    PETSC_TRY(MatCholeskyFactorNumeric(f->F, f->B, &f->info));
    *nneg = 0; /* the zero and positive counts would need MUMPS's null-pivot detection */
    PETSC_TRY(MatGetInertia(f->F, nneg, NULL, NULL));
    f->nfactor++;
    f->t_factor += MPI_Wtime() - t0;
done:
    return rc;
}

void bpel_sparse_factor_close(sparse_factor *f)
{
    if (f->perm) ISDestroy(&f->perm);
    if (f->cperm) ISDestroy(&f->cperm);
    if (f->F) MatDestroy(&f->F);
    if (f->B) MatDestroy(&f->B);
    f->A = NULL;
}

/* The modes below `shift` counted by one factorisation (after the analysis
 * and its memory check). */
static int analyse_and_count(Mat A, double shift, int nranks, double limit, size_t natoms, sparse_eig_result *out,
                             PetscInt *count)
{
    sparse_factor f;
    int rc = bpel_sparse_factor_open(&f, A, nranks, limit, 0.0, natoms, out);
    if (rc) return rc;
    rc = bpel_sparse_factor_at(&f, shift, count);
    bpel_sparse_factor_close(&f);
    return rc;
}

typedef struct pair_order {
    double w;
    PetscInt i;
} pair_order;

static int by_value(const void *a, const void *b)
{
    double x = ((const pair_order *)a)->w, y = ((const pair_order *)b)->w;
    return (x > y) - (x < y);
}

int bpel_sparse_eig_solve(const hess_sparse *h, const double *masses, const sparse_eig_params *p, sparse_eig_result *out)
{
    if (p->method == SPARSE_BLOCK) return bpel_sparse_eig_solve_block(h, masses, p, out);
    memset(out, 0, sizeof *out);
    if (!(p->lambda_c > 0)) return bpel_fail(BPEL_EINVAL, "sparse eigensolver: the upper bound must be positive");
    if (h->n > (size_t)PETSC_MAX_INT / 3)
        return bpel_fail(BPEL_ENOTSUP, "sparse eigensolver: %zu atoms exceed PETSc's integer range", h->n);
    int rc = bpel_sparse_petsc_start();
    if (rc) return rc;
    PetscMPIInt rank = 0, size = 1;
    MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
    MPI_Comm_size(PETSC_COMM_WORLD, &size);
    out->ranks = size;
    out->worker = rank != 0;
    const size_t n = h->n, N = 3 * n;
    size_t r0 = n * (size_t)rank / (size_t)size, r1 = n * ((size_t)rank + 1) / (size_t)size;

    Mat A = NULL;
    EPS eps = NULL;
    Vec x = NULL, x0 = NULL;
    VecScatter to0 = NULL;
    PetscReal *shifts = NULL;
    PetscInt *inertias = NULL, nshift = 0;
    pair_order *ord = NULL;
    double t0 = MPI_Wtime();
    rc = bpel_sparse_matrix_create(h, masses, r0, r1, &A);
    if (rc) goto done;
    {
        MatInfo mi;
        PETSC_TRY(MatGetInfo(A, MAT_GLOBAL_SUM, &mi));
        out->matrix_bytes = mi.nz_allocated * (sizeof(PetscScalar) + sizeof(PetscInt) / 9.0);
    }
    const double lo = -p->lower_frac * p->lambda_c, hi = p->lambda_c;
    /* MUMPS's estimate checked, and the modes below the bound counted (one factorisation): the
     * eigenvectors' memory is checked before the slicing starts, and the slices are sized from the count */
    PetscInt nbelow = 0;
    rc = analyse_and_count(A, hi, size, p->memory_limit, n, out, &nbelow);
    if (rc) goto done;
    {
        /* the slices' factorisations take the ordering chosen by that analysis, unless the options
         * name one (asked once: later calls find this function's own setting) */
        static int user_ordering = -1;
        if (user_ordering < 0) {
            PetscBool set = PETSC_FALSE;
            PETSC_TRY(PetscOptionsHasName(NULL, NULL, "-st_mat_mumps_icntl_7", &set));
            user_ordering = set ? 1 : 0;
        }
        if (!user_ordering) {
            char v[16];
            snprintf(v, sizeof v, "%d", out->factor_ordering);
            PETSC_TRY(PetscOptionsSetValue(NULL, "-st_mat_mumps_icntl_7", v));
        }
    }
    out->count_estimate = (size_t)nbelow;
    {
        /* the eigenvectors twice (SLEPc's basis and the copy returned) */
        double vec_bytes = 2.0 * 8.0 * (double)N * (double)nbelow;
        if (p->memory_limit > 0 && out->factor_bytes + out->matrix_bytes + vec_bytes > p->memory_limit) {
            rc = bpel_fail(BPEL_ENOMEM,
                           "spectrum slicing of %zu atoms: %d modes lie below the bound, whose eigenvectors need "
                           "%.3g GB beside %.3g GB for a MUMPS factorisation, but only %.3g GB are available; "
                           "lower --max-omega",
                           n, (int)nbelow, vec_bytes / 1e9, out->factor_bytes / 1e9, p->memory_limit / 1e9);
            goto done;
        }
    }
    int nev = p->nev;
    if (nev <= 0) { /* measured on a 2,048-atom glass (962 modes): count/6 beat SLEPc's default 2x */
        nev = (int)(nbelow / 6);
        if (nev < 40) nev = 40;
        if (nev > 400) nev = 400;
    }
    out->nev = nev;
    ST st;
    KSP ksp;
    PC pc;
    PETSC_TRY(EPSCreate(PETSC_COMM_WORLD, &eps));
    PETSC_TRY(EPSSetOperators(eps, A, NULL));
    PETSC_TRY(EPSSetProblemType(eps, EPS_HEP));
    PETSC_TRY(EPSSetType(eps, EPSKRYLOVSCHUR));
    PETSC_TRY(EPSSetWhichEigenpairs(eps, EPS_ALL));
    PETSC_TRY(EPSSetInterval(eps, lo, hi));
    PETSC_TRY(EPSSetConvergenceTest(eps, EPS_CONV_NORM));
    PETSC_TRY(EPSSetTolerances(eps, p->tol > 0 ? p->tol : 1e-10, PETSC_DEFAULT));
    PETSC_TRY(EPSKrylovSchurSetDimensions(eps, nev, PETSC_DEFAULT, PETSC_DEFAULT));
    PETSC_TRY(EPSGetST(eps, &st));
    PETSC_TRY(STSetType(st, STSINVERT));
    PETSC_TRY(STGetKSP(st, &ksp));
    PETSC_TRY(KSPSetType(ksp, KSPPREONLY));
    PETSC_TRY(KSPGetPC(ksp, &pc));
    PETSC_TRY(PCSetType(pc, PCCHOLESKY));
    PETSC_TRY(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
    {
        /* spectrum slicing sets up its own factorisations from the options database */
        PetscBool set = PETSC_FALSE;
        PETSC_TRY(PetscOptionsHasName(NULL, NULL, "-st_pc_factor_mat_solver_type", &set));
        if (!set) PETSC_TRY(PetscOptionsSetValue(NULL, "-st_pc_factor_mat_solver_type", "mumps"));
    }
    if (size > 1) {
        /* inertia from a parallel MUMPS factorisation needs the root node factored without ScaLAPACK */
        PETSC_TRY(PetscOptionsSetValue(NULL, "-st_mat_mumps_icntl_13", "1"));
    }
    PETSC_TRY(EPSSetFromOptions(eps));
    out->t_setup = MPI_Wtime() - t0;
    PETSC_TRY(EPSSolve(eps));
    out->t_solve = MPI_Wtime() - t0 - out->t_setup;

    PetscInt nconv = 0;
    PETSC_TRY(EPSGetConverged(eps, &nconv));
    PETSC_TRY(EPSKrylovSchurGetInertias(eps, &nshift, &shifts, &inertias));
    out->nshifts = (int)nshift;
    {
        PetscInt at_lo = -1, at_hi = -1;
        for (PetscInt s = 0; s < nshift; s++) {
            if (shifts[s] == lo) at_lo = inertias[s];
            if (shifts[s] == hi) at_hi = inertias[s];
        }
        if (at_lo < 0 || at_hi < 0) {
            rc = bpel_fail(BPEL_EINVAL, "sparse eigensolver: no inertia at the interval ends");
            goto done;
        }
        out->below = (size_t)at_lo;
        out->count_inertia = (size_t)(at_hi - at_lo);
    }
    if ((size_t)nconv != out->count_inertia) {
        rc = bpel_fail(BPEL_EINVAL,
                       "sparse eigensolver: %d eigenpairs converged in [%.6g, %.6g] eV/(A^2 amu) but the inertia counts "
                       "%zu there: modes were missed",
                       (int)nconv, lo, hi, out->count_inertia);
        goto done;
    }
    const size_t m = (size_t)nconv;
    ord = malloc((m + 1) * sizeof *ord);
    out->w = malloc((m + 1) * sizeof *out->w);
    if (!ord || !out->w) { rc = bpel_fail(BPEL_ENOMEM, "sparse eigensolver: out of memory"); goto done; }
    for (size_t k = 0; k < m; k++) {
        PetscScalar kr;
        PETSC_TRY(EPSGetEigenvalue(eps, (PetscInt)k, &kr, NULL));
        ord[k].w = PetscRealPart(kr);
        ord[k].i = (PetscInt)k;
    }
    qsort(ord, m, sizeof *ord, by_value);
    if (!out->worker) {
        if (m && N > SIZE_MAX / sizeof(double) / m) { rc = bpel_fail(BPEL_ENOMEM, "eigenvector array overflows"); goto done; }
        out->z = malloc(N * m * sizeof *out->z + 1);
        if (!out->z)
            {
                rc = bpel_fail(BPEL_ENOMEM, "sparse eigensolver: %.3g GB for %zu eigenvectors not available",
                               N * m * 8.0 / 1e9, m);
                goto done;
            }
    }
    PETSC_TRY(MatCreateVecs(A, &x, NULL));
    PETSC_TRY(VecScatterCreateToZero(x, &to0, &x0));
    double maxres = 0.0;
    for (size_t k = 0; k < m; k++) {
        PetscScalar kr;
        PetscReal err;
        PETSC_TRY(EPSGetEigenpair(eps, ord[k].i, &kr, NULL, x, NULL));
        PETSC_TRY(EPSComputeError(eps, ord[k].i, EPS_ERROR_ABSOLUTE, &err));
        if (err > maxres) maxres = err;
        out->w[k] = PetscRealPart(kr);
        PETSC_TRY(VecScatterBegin(to0, x, x0, INSERT_VALUES, SCATTER_FORWARD));
        PETSC_TRY(VecScatterEnd(to0, x, x0, INSERT_VALUES, SCATTER_FORWARD));
        if (!out->worker) {
            const PetscScalar *a;
            PETSC_TRY(VecGetArrayRead(x0, &a));
            double nrm = 0.0;
            for (size_t r = 0; r < N; r++) nrm += a[r] * a[r];
            nrm = 1.0 / sqrt(nrm);
            double *zk = out->z + k * N;
            for (size_t r = 0; r < N; r++) zk[r] = nrm * a[r];
            PETSC_TRY(VecRestoreArrayRead(x0, &a));
        }
    }
    out->max_residual = maxres;
    out->m = out->worker ? 0 : m;
done:
    free(ord);
    if (shifts) PetscFree(shifts);
    if (inertias) PetscFree(inertias);
    if (to0) VecScatterDestroy(&to0);
    if (x0) VecDestroy(&x0);
    if (x) VecDestroy(&x);
    if (eps) EPSDestroy(&eps);
    if (A) MatDestroy(&A);
    if (rc) bpel_sparse_eig_result_free(out);
    return rc;
}
