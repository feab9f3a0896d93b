/* sparse_petsc.h — what the two sparse eigensolvers (modes_sparse.c: SLEPc
 * Krylov–Schur; modes_block.c: block shift-and-invert Lanczos) share:
 * starting PETSc, D as a PETSc matrix, and MUMPS LDLᵀ factorisations of
 * D − σI with their inertia. Library-internal (not installed). */
#ifndef BPEL_SPARSE_PETSC_H
#define BPEL_SPARSE_PETSC_H

#include <petscmat.h>

#include "error.h"
#include "hessian.h"
#include "modes_sparse.h"

/* A PETSc call in a function with `rc` and a `done` label. */
#define PETSC_TRY(call)                                                                                           \
    do {                                                                                                          \
        PetscErrorCode e_ = (call);                                                                               \
        if (e_) {                                                                                                 \
            const char *text_ = NULL;                                                                             \
            PetscErrorMessage(e_, &text_, NULL);                                                                  \
            rc = bpel_fail(e_ == PETSC_ERR_MEM ? BPEL_ENOMEM : BPEL_EINVAL, "sparse eigensolver: %s failed: %s", \
                           #call, text_ ? text_ : "PETSc error");                                                 \
            goto done;                                                                                            \
        }                                                                                                         \
    } while (0)

/* SLEPc (and with it PETSc and, if needed, MPI) started once per process and
 * finalised at exit; bpel keeps its own signal handling. */
int bpel_sparse_petsc_start(void);

/* The upper triangle of D = M^-1/2 H M^-1/2 as a PETSc SBAIJ matrix (3×3
 * blocks, all-zero blocks left out), block rows [r0, r1) on this rank. */
int bpel_sparse_matrix_create(const hess_sparse *h, const double *masses, size_t r0, size_t r1, Mat *out);

/* MUMPS LDLᵀ factorisations of A − σI for a sequence of shifts σ, sharing
 * one analysis (ordering and symbolic factorisation). */
typedef struct sparse_factor {
    Mat A, B, F; /* A (borrowed), its shifted copy, the factor */
    IS perm, cperm;
    MatFactorInfo info;
    int ordering;   /* MUMPS's ICNTL(7) used: 2 AMF, 4 PORD, ... */
    double sigma;   /* B = A − sigma·I (0 after opening) */
    int nfactor;    /* numeric factorisations made */
    double t_factor; /* s */
} sparse_factor;

/* The analysis, with the ordering (AMF or MUMPS's automatic choice, PORD on
 * large glasses, unless -mat_mumps_icntl_7 is among the PETSc options) whose
 * factor MUMPS estimates to need less memory.
 * MUMPS's estimate of one factorisation (entries, bytes over all ranks,
 * flops) goes into out->factor_*; with limit > 0 it is refused
 * (BPEL_ENOMEM, naming the numbers) when the factor, the matrix and `extra`
 * bytes need more. */
int bpel_sparse_factor_open(sparse_factor *f, Mat A, int nranks, double limit, double extra, size_t natoms,
                            sparse_eig_result *out);
/* Factorise A − σI; *nneg gets its negative pivots: the eigenvalues of A below σ. Once the
 * caller has destroyed A and set f->A to NULL (to save its memory), B is shifted in place. */
int bpel_sparse_factor_at(sparse_factor *f, double sigma, PetscInt *nneg);
void bpel_sparse_factor_close(sparse_factor *f);

#endif
