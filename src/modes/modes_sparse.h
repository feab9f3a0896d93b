/* modes_sparse.h — the low end of a large vibrational spectrum from the sparse
 * dynamical matrix, by spectrum slicing (SLEPc Krylov–Schur with
 * shift-and-invert, MUMPS LDLᵀ factorisations and their inertia).
 *
 * Every eigenpair of D = M^-1/2 H M^-1/2 with λ in [λ_lo, λ_c] is computed,
 * where λ_c = (ω_c/98.2269)² and λ_lo = −λ_c·lower_frac (a little below zero,
 * so the three translations, λ ≈ 0, lie inside the interval and the first
 * shift D − λ_lo I is positive definite for a stable glass).
 *
 *   The interval is cut into subintervals; in each, Krylov–Schur iterates on
 *   (D − σI)⁻¹ with the factorisation of D − σI by MUMPS (symmetric
 *   indefinite LDLᵀ). By Sylvester's law of inertia the number of negative
 *   pivots of D − σI is the number of eigenvalues below σ, so the count in
 *   each slice is known before it is solved, and SLEPc goes on until that many
 *   are converged. The whole count is checked again afterwards here:
 *   inertia(λ_c) − inertia(λ_lo) must equal the pairs returned.
 *
 *   Each pair is converged to SLEPc's relative residual ‖Dx − λx‖/|λ| ≤ tol
 *   (default 1e-10, with |λ| floored at 1 eV/(Å²·amu)); the largest absolute
 *   residual is returned. Unstable modes below λ_lo are not computed; their
 *   number (the inertia at λ_lo) is returned.
 *
 * Memory: the block-sparse Hessian (~300 nonzero 3×3 blocks per atom in a
 * Cu–Zr glass, 72 bytes each), PETSc's symmetric copy (half of it), the
 * MUMPS factor (fill grows as N^1.5 or so: measured figures in bench_modes.sh)
 * and the eigenvectors (8·3N bytes per mode, held twice while copied out).
 *
 * MPI: when the program runs under mpirun (or PETSc finds several ranks),
 * the matrix rows are distributed and MUMPS factorises in parallel; the
 * eigenvectors are gathered on rank 0, which alone gets them back (the other
 * ranks get m = 0 and `worker` set). PETSc options (PETSC_OPTIONS, e.g.
 * "-eps_krylovschur_partitions 2") reach the solver for tuning. */
#ifndef BPEL_MODES_SPARSE_H
#define BPEL_MODES_SPARSE_H

#include <stddef.h>

#include "hessian.h"

typedef struct sparse_eig_params {
    double lambda_c;   /* upper end of the interval, eV/(Å²·amu) (> 0) */
    double lower_frac; /* λ_lo = −lower_frac·λ_c (default 0.02) */
    double tol;        /* relative residual (default 1e-10) */
    int nev;           /* Krylov–Schur nev per slice (default 0: a sixth of the modes below λ_c, within 40–400) */
    double memory_limit; /* bytes (> 0): refuse, after MUMPS's analysis, when a factorisation and the
                          * matrix need more */
} sparse_eig_params;

typedef struct sparse_eig_result {
    size_t m;            /* pairs returned (on rank 0) */
    double *w;           /* [m] eigenvalues, ascending, eV/(Å²·amu) */
    double *z;           /* [3N·m] eigenvectors, column-major, ld = 3N (rank 0; NULL elsewhere) */
    size_t below;        /* eigenvalues below λ_lo (unstable modes not computed) */
    size_t count_inertia;/* eigenvalues in [λ_lo, λ_c] by inertia */
    size_t count_estimate; /* eigenvalues below λ_c, counted before the slicing (one extra factorisation) */
    int nev;             /* nev per slice used */
    double max_residual; /* largest ‖Dx − λx‖ over the pairs, eV/(Å²·amu) */
    int nshifts;         /* factorisations made */
    int ranks;           /* MPI ranks that took part */
    int worker;          /* 1 on ranks other than 0 */
    double matrix_bytes; /* PETSc's copy of D */
    double factor_entries, factor_bytes, factor_flops; /* MUMPS's estimate for one factorisation (analysis phase) */
    double t_setup, t_solve; /* s */
} sparse_eig_result;

void bpel_sparse_eig_params_default(sparse_eig_params *p);
/* All eigenpairs of D = M^-1/2 H M^-1/2 in [−lower_frac·λ_c, λ_c]; masses in amu. */
int bpel_sparse_eig_solve(const hess_sparse *h, const double *masses, const sparse_eig_params *p, sparse_eig_result *out);
void bpel_sparse_eig_result_free(sparse_eig_result *r);

#endif
