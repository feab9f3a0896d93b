/* lanczos.h — lowest eigenpairs of a Hessian known only through forces.
 *
 * The Hessian H = ∂²E/∂x∂x (unweighted, eV/Å²) is never formed: the Lanczos
 * recursion only needs products H·q, taken as finite differences of the
 * forces F = −∇E along the unit vector q,
 *     H·q ≈ −[F(x + εq) − F(x)]/ε              (forward, one force call)
 *     H·q ≈ −[F(x + εq) − F(x − εq)]/(2ε)      (central, two force calls)
 * with ε in Å. Krylov vectors are fully re-orthogonalised (k ≤ ~30), and
 * optionally against a set of "deflation" vectors, so that the lowest
 * eigenvalue in their orthogonal complement comes out: with the lowest
 * eigenvector deflated this is the second-lowest eigenvalue, which tells an
 * index-1 saddle from a higher-order one. The recursion can be started from
 * the previous eigenvector, which converges in 2–4 products when the point
 * has moved little (as between two ARTn steps). */
#ifndef BPEL_LANCZOS_H
#define BPEL_LANCZOS_H

#include <stddef.h>

/* Energy and forces of a configuration x[ndof]: the generic model every
 * landscape method of bpel works on. Returns 0 or a negative BPEL_E* code. */
typedef int (*bpel_force_fn)(void *ctx, const double *x, double *energy, double *f);

typedef struct lanczos_params {
    int min_iter;   /* at least this many products (default 3) */
    int max_iter;   /* at most this many (default 20) */
    double tol;     /* stop when |λ_k − λ_{k−1}| <= tol·max(|λ_k|, 0.1) (default 1e-3) */
    double eps;     /* finite-difference step, Å (default 1e-3) */
    int central;    /* 1: central differences (default 0: forward) */
    double resid_tol; /* eV/Å²: accept the start vector after one product when
                         |H q − (q·H q) q| is below this (a restart whose vector
                         is still an eigenvector to that accuracy; 0: off) */
} lanczos_params;

typedef struct lanczos_result {
    double eigval;     /* lowest eigenvalue found, eV/Å² */
    int iterations;    /* Krylov dimension used */
    long force_calls;  /* model evaluations spent */
    int converged;     /* 1 if the tolerance was met before max_iter */
} lanczos_result;

void bpel_lanczos_defaults(lanczos_params *p);

/* Lowest eigenpair of the Hessian at x (forces f0 = F(x) already known; not
 * used with central differences). `start` (unit-normalised inside; may be
 * NULL only when eigvec holds the start) seeds the recursion; the result
 * vector (unit norm) goes to eigvec[n]. ndefl vectors defl[k][n], assumed
 * orthonormal, are projected out of every Krylov vector. */
int bpel_lanczos_lowest(size_t n, bpel_force_fn fn, void *ctx, const double *x, const double *f0, const double *start,
                   int ndefl, const double *const *defl, const lanczos_params *p, double *eigvec,
                   lanczos_result *r);

#endif
