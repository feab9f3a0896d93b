/* minimise.h — energy minimisation of a configuration (inherent structures).
 *
 * Conjugate gradient (Polak–Ribière with a line search) and FIRE, at fixed
 * box or with isotropic box relaxation to a target pressure. Convergence is
 * on the largest per-atom force norm max_i |F_i| (eV/Å) and/or the relative
 * energy change between iterations. Hessians need tight minima: the default
 * force tolerance is 1e-8 eV/Å, and failing to reach it is reported, never
 * hidden. */
#ifndef BPEL_MINIMISE_H
#define BPEL_MINIMISE_H

#include "forces.h"
#include "structure.h"

typedef enum { MIN_CG = 0, MIN_FIRE = 1 } min_method;

typedef struct min_params {
    min_method method; /* default MIN_CG */
    double ftol;       /* stop when max_i |F_i| <= ftol, eV/Å (default 1e-8) */
    double etol;       /* stop when |ΔE| <= etol·|E| (default 0: off) */
    long max_iter;     /* default 200000 */
    long max_eval;     /* force evaluations, default 1000000 */
    int relax_box;     /* 1: isotropic box relaxation towards `pressure` */
    double pressure;   /* target pressure, bar (default 0) */
    int verbose;       /* print progress lines to stderr every so often */
} min_params;

typedef struct min_result {
    double energy;     /* eV */
    double fmax;       /* max_i |F_i|, eV/Å */
    double pressure;   /* bar, at the end */
    long iterations;
    long evaluations;
    int converged;     /* 1 if a stopping criterion was met */
    char reason[96];   /* why it stopped */
} min_result;

void bpel_min_defaults(min_params *p);
/* Minimise `s` in place. Returns BPEL_OK when converged, BPEL_ECONV (with
 * `r` filled and the message saying how close it got) when not. */
int bpel_minimise(bpel_forces *e, bpel_system *s, const min_params *p, min_result *r);

#endif
