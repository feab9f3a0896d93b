/* vdos.h — normal modes of an inherent structure, the vibrational density of
 * states, its per-atom decomposition and the boson peak.
 *
 *   D = M^{-1/2} H M^{-1/2}   (eV/(Å²·amu)),   D e_k = λ_k e_k,
 *   ω_k = 98.2269·√λ_k rad/ps (BPEL_OMEGA_FACTOR); unstable modes (λ < 0) are
 *   kept and reported with ω_k = −98.2269·√|λ_k|.
 *   g(ω)   = 1/(3N−3) Σ_k δ(ω − ω_k)                  (translations excluded)
 *   g_i(ω) = 1/(3N−3) Σ_k |e_k^i|² δ(ω − ω_k),  Σ_i g_i = g   (paper Eq. 1)
 *   I_BP^i = max_{ω in window} g_i(ω)/ω²                (per (rad/ps)³)
 *
 * δ is a histogram of stated bin width (rad/ps), optionally a Gaussian of
 * width σ integrated over each bin (so normalisation is exact). The dense D
 * is built once, directly from the Hessian rows (no sparse copy), and handed
 * to the eigensolver; the eigenvectors are then streamed over, never copied. */
#ifndef BPEL_VDOS_H
#define BPEL_VDOS_H

#include <stddef.h>

#include "eigen.h"
#include "hessian.h"
#include "structure.h"

/* The sparse route: spectrum slicing of the sparse D (modes_sparse.h), for
 * the modes below --max-omega of glasses whose dense D does not fit. */
#define VIB_SPARSE_SOLVER "slepc"
/* The same by block shift-and-invert Lanczos with MUMPS (modes_block.c): many
 * vectors per solve, one process; the sparse route `auto` takes. */
#define VIB_BLOCK_SOLVER "block"

typedef struct vib_params {
    const char *solver; /* eigensolver: a dense back end (eigen.h), VIB_SPARSE_SOLVER, or NULL/"auto": dense
                         * while it fits in memory, else sparse when a window is given */
    double max_omega;   /* rad/ps; > 0: only modes with ω <= max_omega (window) */
    int need_vectors;   /* 1: the eigenvectors must be kept (Grüneisen, moduli from modes); 0: the block
                         * solver keeps per-atom weights only when the eigenvectors do not fit; −1: it
                         * keeps per-atom weights only (z NULL, wt set) */
    void (*progress)(void *ctx, double done, double total); /* NULL, or called by the block solver as pairs
                                                             * converge (done/total: modes) */
    int block;          /* block solver: vectors per solve (0: its default) */
    long basis;         /* block solver: Lanczos vectors per shift at most (0: its default) */
    void (*note)(void *ctx, const char *line); /* NULL, or given a line (no newline) on each stage of a
                                                * sparse run: the moduli, the opening counts, each shift */
    void *progress_ctx; /* ctx of both */
} vib_params;

typedef struct vib_modes {
    size_t natoms;        /* N */
    size_t ndof;          /* 3N */
    size_t nmodes;        /* modes computed: 3N, or those in the window */
    int complete;         /* 1 if all 3N modes were computed */
    double omega_top;     /* rad/ps: every mode with ω <= omega_top was computed (the window
                           * asked of the solver, vib_params.max_omega); INFINITY when complete */
    double *lambda;       /* [nmodes] eV/(Å²·amu), ascending */
    double *omega;        /* [nmodes] rad/ps, negative for λ < 0 */
    double *pr;           /* [nmodes] participation ratio 1/(N Σ_i |e_k^i|⁴) */
    double *trans;        /* [nmodes] weight of the mode in the rigid-translation subspace, 0..1 */
    unsigned char *is_translation; /* [nmodes] 1 for the three modes identified as translations */
    size_t ntranslation;  /* modes flagged as translations (3 unless the window excludes them) */
    size_t nnegative;     /* non-translational modes with λ < −neg_tol */
    double neg_tol;       /* eV/(Å²·amu): 1e-9 · max|λ| */
    double trace;         /* trace of D, eV/(Å²·amu) */
    double lambda_max_bound; /* Gershgorin bound on λ, eV/(Å²·amu) */
    const double *z;      /* eigenvectors: column k (length 3N) at z + k·ldz, unit norm; NULL when only
                           * the per-atom weights are kept (wt) */
    size_t ldz;
    const float *wt;      /* without z: |e_k^i|² at wt[k·N + i] (single precision) */
    double *mass;         /* [N] amu */
    const char *solver;   /* back end used */
    int worker;           /* sparse route under MPI: 1 on ranks other than 0, which hold no modes */
    size_t sparse_below;  /* sparse route: eigenvalues below its interval (unstable modes not computed) */
    double sparse_residual; /* sparse route: largest ‖Dx − λx‖, eV/(Å²·amu) */
    int sparse_shifts, sparse_ranks; /* sparse route: factorisations, MPI ranks */
    double sparse_factor_bytes; /* sparse route: MUMPS's estimate for one factorisation */
    int sparse_ordering;        /* sparse route: MUMPS's fill-reducing ordering, ICNTL(7) (2 AMF, 4 PORD) */
    int sparse_nev;       /* sparse route: Krylov-Schur nev per slice */
    int sparse_block;     /* block solver: vectors per solve */
    size_t sparse_basis;  /* block solver: Lanczos vectors per shift allowed */
    size_t sparse_solves; /* block solver: right-hand sides solved */
    int sparse_retries;   /* block solver: shifts redone because their basis filled first */
    double sparse_t_factor, sparse_t_solves; /* block solver: s in factorisations, in solves */
    double sparse_t_orth, sparse_t_ritz, sparse_t_check; /* block solver: s orthogonalising, in Rayleigh–Ritz,
                                                           forming and checking the stored pairs */
    double max_omega;     /* rad/ps: the bound the modes were asked for (0: all modes) */
    double t_build, t_solve, t_analyse; /* wall seconds */
    double *a_;           /* internal: the dense matrix */
    float *wt_;           /* internal: owns wt */
    double *trans_;       /* internal: the solver's translation weights (with wt) */
    eig_solution sol_;    /* internal */
} vib_modes;

/* Bytes `bpel_vib_modes_compute` will hold at its peak for N atoms (the n×n
 * matrix plus the eigensolver's extra), or an error if the solver cannot
 * handle the size. */
int bpel_vib_modes_plan(size_t natoms, const vib_params *p, size_t *bytes);
/* 1 if bpel_vib_modes_compute takes the sparse route for N atoms with these parameters. */
int bpel_vib_solver_is_sparse(const vib_params *p, size_t natoms);
/* Diagonalise D of `s` (the model must be built on the same system).
 * Refuses (BPEL_ENOMEM, saying how many bytes are needed) before allocating
 * when the memory is not available; zero or negative masses are an error. */
int bpel_vib_modes_compute(const hess_model *m, const bpel_system *s, const vib_params *p, vib_modes **out);
void bpel_vib_modes_destroy(vib_modes *v);
/* |e_k^i|² of atom i in mode k. */
static inline double vib_weight(const vib_modes *v, size_t k, size_t i)
{
    if (!v->z) return v->wt[k * v->natoms + i];
    const double *e = v->z + k * v->ldz + 3 * i;
    return e[0] * e[0] + e[1] * e[1] + e[2] * e[2];
}

typedef struct vdos_params {
    double bin_width;    /* rad/ps (default 0.5) */
    double sigma;        /* Gaussian broadening, rad/ps (0: plain histogram) */
    double bp_lo, bp_hi; /* window of the boson peak and of I_BP, rad/ps (required, lo > 0) */
    int per_atom;        /* 1: per-atom g_i and I_BP */
} vdos_params;

typedef struct vib_vdos {
    size_t natoms;
    size_t nbins;
    double omega_lo;     /* rad/ps: bin b covers [omega_lo + b·width, omega_lo + (b+1)·width) */
    double width;        /* rad/ps */
    double sigma;        /* rad/ps */
    double norm;         /* modes normalised over: 3N − (translations) */
    double *g;           /* [nbins] per rad/ps */
    double *gi;          /* [natoms·nbins] per rad/ps, atom-major; NULL without per_atom */
    double bp_lo, bp_hi; /* rad/ps */
    double bp_omega;     /* rad/ps: bin centre of max g/ω² in the window */
    double bp_height;    /* (rad/ps)^-3 */
    double *ibp;         /* [natoms] I_BP^i, (rad/ps)^-3 */
    double *ibp_omega;   /* [natoms] rad/ps where it is reached */
} vib_vdos;

int bpel_vib_vdos_compute(const vib_modes *v, const vdos_params *p, vib_vdos **out);
/* The highest top of a boson-peak window whose bins are complete when only
 * the modes with ω <= omega_top are known, rad/ps: a bin reaches half a bin
 * width above its centre, and a broadened mode contributes up to 8σ from its
 * frequency, so top = omega_top − w/2 − 8σ (bins of width w whose centres lie
 * at or below it hold exactly what they would hold with all modes). INFINITY
 * for an infinite omega_top. */
double bpel_vib_window_top(double omega_top, const vdos_params *p);
void bpel_vib_vdos_destroy(vib_vdos *d);
static inline double vib_bin_centre(const vib_vdos *d, size_t b) { return d->omega_lo + (b + 0.5) * d->width; }

#endif
