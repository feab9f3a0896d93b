/* hessian.h — analytic Hessian of an EAM potential, H = ∂²E/∂x∂x in eV/Å².
 *
 * For E = Σ_i F_i(ρ_i) + ½ Σ_i Σ_{j≠i} φ(r_ij), ρ_i = Σ_j f_{ij}(r_ij):
 *
 *   H = Σ_pairs K[φ + F'_i f_ij + F'_j f_ji]        (pair-like, range: cutoff)
 *     + Σ_i F''(ρ_i) ∇ρ_i ⊗ ∇ρ_i                    (range: 2 × density range)
 *
 * where for a function s(r) of one pair distance the 3×3 block is
 * K[s] = s'' û û + (s'/r)(1 − û û), and ∇ρ_i has entries f'_ij û_ij on every
 * neighbour j and −Σ_j f'_ij û_ij on i. The second line couples two
 * neighbours j, k of a common atom i (the "cross terms"): atoms up to twice
 * the range of the density functions apart (where f' ends; 2 × 6.0 Å for
 * CuZr_mm, whose pair terms reach 7.6 Å), a few hundred atoms per row in a
 * dense glass.
 *
 * Everything is evaluated from the same spline tables as the forces
 * (eam_tables.h), so H is the exact derivative of bpel's (and LAMMPS's)
 * forces wherever the C¹ splines are twice differentiable. Periodic images
 * are handled through neighbour-list ghosts: contributions of every image
 * are folded onto its owner, so boxes smaller than twice the cutoff are
 * correct. Rows are assembled independently (row a gathers from every atom
 * whose density depends on a), so the OpenMP loop has no write races. */
#ifndef BPEL_HESSIAN_H
#define BPEL_HESSIAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "structure.h"

/* Block-sparse symmetric matrix: row a holds the 3×3 blocks H_ab for every
 * atom b it couples to, columns sorted. Only blocks with a nonzero entry are
 * stored: the pattern holds the pair slots with a nonzero K[s] and the pairs
 * with a nonzero ∂ρ_c/∂x for a common centre c (where F''(ρ_c) ≠ 0), less
 * any block whose contributions cancel to exactly zero; every nonzero of H
 * is in it. A row can be empty (an atom with no neighbour in range). */
typedef struct hess_sparse {
    size_t n;       /* atoms (block rows) */
    size_t *rowptr; /* [n+1] offsets into col/val */
    uint32_t *col;  /* [nnz] column atom index (0-based system index) */
    double *val;    /* [9 nnz] blocks, row-major 3×3, eV/Å² */
} hess_sparse;

/* Diagnostic variants, used by the tests to show that their tolerances
 * catch a wrong Hessian. Never set them for physics. */
enum {
    HESS_OMIT_CROSS = 1,  /* drop F''(ρ_i) ∂ρ_i/∂x_j ⊗ ∂ρ_i/∂x_k for j ≠ k, both ≠ i */
    HESS_WRONG_SPECIES = 2 /* take every neighbour's density function as if it had the centre's species */
};

/* The potential bound to a configuration with everything the second
 * derivatives need (full neighbour list with ghosts, ρ, F', F'', ∇ρ). */
typedef struct hess_model hess_model;

int bpel_hess_model_create(const bpel_model *model, const bpel_system *s, int flags,
                      hess_model **out);
void bpel_hess_model_destroy(hess_model *m);
/* Host density of each atom (for checks against bpel_forces_compute). */
const double *bpel_hess_model_rho(const hess_model *m);

/* Block-sparse Hessian. */
int bpel_hess_build_sparse(const hess_model *m, hess_sparse **out);
void bpel_hess_sparse_destroy(hess_sparse *h);
/* y = H x for x, y of length 3n (Å, eV/Å). */
void bpel_hess_sparse_matvec(const hess_sparse *h, const double *x, double *y);
/* Y = H X for k vectors at once, stored row-major (X[r·k + q] is component r
 * of vector q): one pass over the matrix for all of them (k <= 16). */
void bpel_hess_sparse_matmul(const hess_sparse *h, const double *x, double *y, int k);
/* Largest |H_ab − H_ba^T| and largest |Σ_b H_ab| over rows, eV/Å². */
void bpel_hess_sparse_checks(const hess_sparse *h, double *asym, double *rowsum);

/* Dense mass-weighted dynamical matrix D_{aα,bβ} = H_{aα,bβ}/√(m_a m_b) in
 * eV/(Å²·amu), written straight into `d` (column-major, leading dimension
 * ld ≥ 3n, zeroed here) without a sparse intermediate. With masses NULL the
 * plain Hessian (eV/Å²) is written. */
int bpel_hess_build_dense(const hess_model *m, const double *masses, double *d, size_t ld);

/* Matrix Market coordinate file (real symmetric, lower triangle), row and
 * column = 3·(id−1)+dir+1, values in eV/Å². */
int bpel_hess_write_mtx(const char *path, const hess_sparse *h, const bpel_system *s, const char *comment);
/* Read such a file back into a dense 3n×3n array (row-major) ordered like `s`
 * (tests, small systems). */
int bpel_hess_read_mtx_dense(const char *path, const bpel_system *s, double **out);

#endif
