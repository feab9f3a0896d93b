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

/* The two solvers of the same problem. */
#define SPARSE_KRYLOV_SCHUR 0 /* SLEPc Krylov–Schur: one vector per solve; runs across MPI ranks */
#define SPARSE_BLOCK 1        /* block Lanczos on (D − σI)⁻¹ (modes_block.c): many vectors per solve; one process */

typedef struct sparse_eig_params {
    int method;        /* SPARSE_KRYLOV_SCHUR (default) or SPARSE_BLOCK */
    double lambda_c;   /* upper end of the interval, eV/(Å²·amu) (> 0) */
    double lower_frac; /* λ_lo = −lower_frac·λ_c (default 0.02) */
    double tol;        /* relative residual (default 1e-10) */
    int nev;           /* Krylov–Schur nev per slice (default 0: a sixth of the modes below λ_c, within 40–400) */
    double memory_limit; /* bytes (> 0): refuse, after MUMPS's analysis, when a factorisation and the
                          * matrix need more */
    /* SPARSE_BLOCK only */
    int block;         /* vectors per solve (default 32; at most 3N/8 and basis/16) */
    size_t basis;      /* Lanczos vectors per shift at most (bpel_sparse_eig_params_default: 3000; 0: 6000,
                        * what `bpel modes` passes unless --basis is given); fewer when a shift's
                        * orthogonalisation and Rayleigh–Ritz would cost more than about one
                        * factorisation, timed, and when memory is short; at most 3N */
    hess_sparse **give_hessian; /* NULL, or the address of the h passed: when memory limits the basis
                                 * (or always, with give_always), the block solver frees it once D is
                                 * built (setting *give_hessian to NULL), and with it the unshifted copy
                                 * of D, checking residuals with D − σI instead (0.69 GB less at
                                 * 19,652 atoms) */
    int give_always;   /* with give_hessian: give it back even when memory does not limit the basis (tests) */
    int compact;       /* 1: return (−1: when the eigenvectors do not fit), instead of the eigenvectors, each mode's per-atom weights |e_k^i|² in
                        * single precision (wt) and its weight in the translation subspace (trans): a third
                        * (a sixth) of the memory */
    void (*progress)(void *ctx, double done, double total); /* NULL, or called as pairs converge */
    void (*note)(void *ctx, const char *line); /* NULL, or a line on the opening counts and on each shift
                                                * (its pairs and where its time went) */
    void *progress_ctx; /* ctx of both */
} sparse_eig_params;

typedef struct sparse_eig_result {
    size_t m;            /* pairs returned (on rank 0) */
    double *w;           /* [m] eigenvalues, ascending, eV/(Å²·amu) */
    double *z;           /* [3N·m] eigenvectors, column-major, ld = 3N (rank 0; NULL elsewhere, or compact) */
    float *wt;           /* compact: [N·m] |e_k^i|², mode-major (wt[k·N + i]) */
    double *trans;       /* compact: [m] weight of each mode in the rigid-translation subspace, 0..1 */
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
    int factor_ordering; /* MUMPS's ICNTL(7) used: 2 AMF, or MUMPS's automatic choice (4 PORD, ...) when that needs less memory */
    double t_setup, t_solve; /* s */
    /* SPARSE_BLOCK only */
    int block;           /* vectors per solve */
    size_t basis;        /* Lanczos vectors per shift allowed */
    int compact;         /* 1: wt and trans returned instead of z */
    size_t nsolves;      /* right-hand sides solved in all */
    int retries;         /* shifts redone because their basis filled first (a larger basis or a lower shift) */
    double t_factor, t_solves, t_orth, t_ritz, t_check; /* s: factorisations, solves, orthogonalisation,
                                                          * Rayleigh–Ritz, residual checks */
} sparse_eig_result;

void bpel_sparse_eig_params_default(sparse_eig_params *p);
/* All eigenpairs of D = M^-1/2 H M^-1/2 in [−lower_frac·λ_c, λ_c]; masses in amu.
 * With p->method SPARSE_BLOCK it calls bpel_sparse_eig_solve_block. */
int bpel_sparse_eig_solve(const hess_sparse *h, const double *masses, const sparse_eig_params *p, sparse_eig_result *out);
/* The same interval by block shift-and-invert Lanczos (one process):
 *
 *   The interval is covered from the bottom up by shifts σ_1 < σ_2 < …, each
 *   responsible for a subinterval [a_j, a_{j+1}) that contains it, a_1 = λ_lo.
 *   One MUMPS factorisation of D − σ_j I serves both as the inertia count
 *   ν(σ_j) (eigenvalues below σ_j) and as the operator (D − σ_j I)⁻¹, applied
 *   to `block` vectors per solve. Block Lanczos with full
 *   reorthogonalisation grows a basis until the Ritz pairs of the lower part
 *   [a_j, σ_j) are converged, as many as the count ν(σ_j) − ν(a_j) says, and a
 *   contiguous run of converged pairs above σ_j reaches the subinterval's
 *   planned top; a_{j+1} is then put in the widest gap near the end of that
 *   run, so no pair lies near a boundary. The last shift's run reaches λ_c,
 *   whose inertia (one factorisation, made first, with MUMPS's memory
 *   estimate) closes the count: every mode in the interval is accounted for
 *   by Sylvester's law, and a missing or doubled one is an error. ν(λ_lo) = 0
 *   is not counted but proved by the first shift (all ν(σ_1) pairs found at or
 *   above λ_lo); it is counted only when that fails, e.g. for an unrelaxed
 *   structure with eigenvalues below λ_lo.
 *
 *   A pair (θ, x) of (D − σI)⁻¹ with residual r gives λ = σ + 1/θ and
 *   Dx − λx = −(D − σI) r/θ; pairs are taken with ‖r‖·‖D − σI‖ ≤ tol·|θ|
 *   (‖D‖ bounded by Gershgorin), so ‖Dx − λx‖ ≤ tol (eV/(Å²·amu)), the
 *   accuracy SLEPc's test gives for |λ| < 1. Every returned pair's residual
 *   ‖Dx − λx‖ is then computed with the sparse D and the largest returned.
 *
 *   Memory: one factorisation, the basis (8·3N bytes per vector), the pairs
 *   returned (8·3N bytes per mode, or 4·N + 8 with `compact`). */
int bpel_sparse_eig_solve_block(const hess_sparse *h, const double *masses, const sparse_eig_params *p,
                                sparse_eig_result *out);
void bpel_sparse_eig_result_free(sparse_eig_result *r);
/* MPI ranks the sparse solvers would run on (PETSc is started if needed); 1 if it cannot be started. */
int bpel_sparse_ranks(void);

#endif
