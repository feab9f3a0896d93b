/* rdf.h — radial distribution functions and the potential of mean force
 * (paper §III, Fig. 10).
 *
 * Partial RDF of species a around species b, from all periodic images (so r
 * may exceed half the box):
 *   g_ab(r) = V / (N_a (N_b − δ_ab)) · Σ_{i∈a} Σ_{j∈b, j≠i} ⟨δ(r − r_ij)⟩ / (4πr²),
 * histogrammed in shells [r_k, r_k + dr) with the exact shell volume
 * 4π(r_{k+1}³ − r_k³)/3; the total g(r) uses N(N−1). With this normalisation
 * an ideal gas gives g = 1 at every r. The running coordination number
 * n_ab(r) = (pairs a–b closer than r) / N_a counts b neighbours of an a atom.
 *
 * Potential of mean force: w(r) = −k_B T ln g(r) (eV; k_B from units.h),
 * undefined (NaN) where g = 0. Its first well is fitted by a parabola
 * w0 + k (r − r0)²/2 over |r − r_min| <= halfwidth around the lowest bin,
 * and by a quartic over the whole well (from where g first exceeds 1 on the
 * left to the highest w within 1.5 Å on the right) for its Taylor
 * coefficients; the deviation w − parabola measures the anharmonicity. */
#ifndef BPEL_RDF_H
#define BPEL_RDF_H

#include <stddef.h>
#include "structure.h"

typedef struct rdf_result {
    size_t nbins;
    double dr;                          /* bin width, Å */
    double rmax;                        /* Å */
    int ntypes;
    double volume;                      /* Å³ */
    size_t natoms[BPEL_MAX_TYPES + 1];  /* atoms per type (index 1..ntypes), [0] all */
    double *r;                          /* [nbins] bin centres, Å */
    double *g;                          /* [nbins] total g(r) */
    double *n;                          /* [nbins] total coordination up to the bin's upper edge */
    double *gp;                         /* [ntypes²·nbins] g_ab, block ((a−1)·ntypes + b−1) */
    double *np;                         /* [ntypes²·nbins] n_ab (b neighbours of an a atom) */
} rdf_result;

/* Histogram all pairs closer than rmax in bins of dr. */
int bpel_rdf_compute(const bpel_system *s, double rmax, double dr, rdf_result *out);
void bpel_rdf_free(rdf_result *r);
/* The RDF stage's outputs in `dir` (existing): rdf.csv (r_A, g_total, n_total,
 * g_AB for each pair, n_AB = B neighbours of an A atom within r), rdf.json
 * (first peak, first minimum and coordination number of each g; `data` and
 * `provenance`, may be NULL, recorded) and the figure rdf (.png, .svg).
 * Species are named by the types' element names (spaces as '_'). */
int bpel_rdf_write(const bpel_system *s, const rdf_result *r, const char *data, const char *provenance, const char *dir);
/* Pointers into gp / np for the pair (a, b), types 1..ntypes. */
const double *bpel_rdf_partial(const rdf_result *r, int a, int b);
const double *bpel_rdf_partial_coord(const rdf_result *r, int a, int b);

/* Positions of the first peak of g (the highest bin for r < rsearch, or all
 * r if rsearch <= 0) and of the first minimum after it (lowest g within
 * 1.5 Å beyond the peak). Indices into the bins; -1 if not found. */
void bpel_rdf_first_peak(size_t nbins, const double *r, const double *g, double rsearch, long *peak, long *minimum);

/* w[k] = −k_B·T·ln g[k] (eV), NaN where g[k] <= 0. */
int bpel_rdf_pmf(size_t nbins, const double *g, double temperature_K, double *w);

typedef struct rdf_well {
    long imin;              /* bin of the lowest w */
    double r0;              /* parabola: position of its minimum, Å */
    double w0;              /* its value, eV */
    double k;               /* its curvature d²w/dr², eV/Å² */
    double halfwidth;       /* fitting window |r − r(imin)| <= halfwidth, Å */
    int npoints;            /* bins in the window */
    double r_left, r_right; /* the whole well, Å */
    double taylor[5];       /* quartic over the whole well about r0: d^n w/dr^n at r0 (n = 0..4) */
} rdf_well;

/* Fit the first well of w (see above). rsearch as in bpel_rdf_first_peak. */
int bpel_rdf_fit_well(size_t nbins, const double *r, const double *w, double halfwidth, double rsearch, rdf_well *out);
/* The fitted parabola at r. */
double bpel_rdf_well_parabola(const rdf_well *wl, double r);

#endif
