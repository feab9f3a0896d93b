/* eigen.h — dense symmetric eigensolvers behind one small interface.
 *
 * A back end is a table of three functions: what it can do, how much memory
 * it needs beyond the caller's n×n matrix (so the caller can refuse before
 * allocating anything), and the solve itself. LAPACK back ends:
 *
 *   dsyevd  divide and conquer, all eigenpairs; eigenvectors overwrite the
 *           matrix; workspace 1+6n+2n² doubles (2×8n² bytes), which overflows
 *           LAPACK's 32-bit integers beyond n = 32766 and is refused there.
 *   dsyevr  MRRR. All eigenpairs: LAPACKE_dsyevr with a separate n×n
 *           eigenvector array and O(n) workspace. Window (λ ≤ upper): the same
 *           steps done one by one — dsytrd, dstemr asked first how many
 *           eigenvalues lie in the window, then the n×m eigenvectors, back-
 *           transformed with dormtr — so only n×m is allocated.
 *
 * ScaLAPACK/ELPA/cuSOLVER back ends plug in as further tables. Sizes are
 * size_t on the C side; anything passed to a 32-bit lapack_int is checked. */
#ifndef BPEL_EIGEN_H
#define BPEL_EIGEN_H

#include <stddef.h>

typedef struct eig_problem {
    size_t n;         /* order of the matrix */
    int window;       /* 0: all eigenpairs; 1: only eigenvalues <= upper */
    double upper;     /* window bound (units of the matrix) */
} eig_problem;

typedef struct eig_solution {
    size_t m;      /* eigenpairs found */
    double *w;     /* [n] eigenvalues, ascending; the first m are valid */
    double *z;     /* eigenvectors, column-major n×m with leading dimension ldz */
    size_t ldz;
    int z_owned;   /* 1: z was allocated by the solver (free with bpel_eig_solution_free) */
} eig_solution;

typedef struct eig_backend {
    const char *name;
    const char *description;
    int supports_window;
    /* Bytes the solve will allocate beyond the caller's matrix, with the
     * eigenvector array counted at its largest (n×n when all pairs are
     * wanted; n×0 for a window, whose size is checked again once known).
     * Returns an error for sizes the back end cannot handle. */
    int (*plan)(const eig_problem *p, size_t *extra_bytes);
    /* Solve for the symmetric matrix `a` (column-major, leading dimension
     * lda, lower triangle used, destroyed). */
    int (*solve)(double *a, size_t lda, const eig_problem *p, eig_solution *out);
} eig_backend;

/* "dsyevd", "dsyevr", or "auto" (dsyevr: the same speed or better with a third
 * less memory). NULL if unknown. */
const eig_backend *bpel_eig_backend_find(const char *name);
/* Comma-separated list of back-end names, for help texts. */
const char *bpel_eig_backend_names(void);
void bpel_eig_solution_free(eig_solution *s);

/* Memory available to this process in bytes: MemAvailable from /proc/meminfo,
 * or $BPEL_MEMORY_LIMIT (bytes; suffixes K, M, G) when set. 0 if unknown. */
size_t bpel_eig_memory_available(void);
/* BPEL_OK if `bytes` fit in the available memory, else BPEL_ENOMEM with a
 * message saying what needed how much and how much is available. */
int bpel_eig_memory_check(size_t bytes, const char *what);

#endif
