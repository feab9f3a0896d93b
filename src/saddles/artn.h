/* artn.h — saddle points next to a minimum by the activation–relaxation
 * technique nouveau (ARTn; Malek & Mousseau, Phys. Rev. E 62, 7723 (2000)),
 * and a slowest-ascent "lowest saddle" search after Bonfanti & Kob,
 * J. Chem. Phys. 147, 204104 (2017).
 *
 * Both work on a generic model: a function giving the energy (eV) and the
 * forces (eV/Å) of a displacement vector u[ndof] (Å) measured from the
 * initial minimum (u = 0). A model may also grow its set of degrees of
 * freedom during a search (a local region around the event that expands):
 * new coordinates are appended with zero displacement.
 *
 * ARTn, as bpel does it (all thresholds are options; defaults are those of
 * Yang, Wang & Zaccone, §II.C):
 *  1. kick: a random displacement of norm 0.1 Å on the central atom and its
 *     neighbours within 2 Å (the caller builds it, artn_kick helps);
 *  2. push out of the basin along the kick direction (as LAMMPS-ARTn; or, with
 *     push_from_min, along the displacement from the minimum as ART) in steps
 *     of push_step, with a few L-BFGS steps of
 *     relaxation perpendicular to the push, until the lowest eigenvalue of
 *     the Hessian (Lanczos, lanczos.h; taken when the curvature along the
 *     push gets low) is below eigval_threshold (−0.30 eV/Å²);
 *  3. climb: L-BFGS on the effective force F − 2(F·v)v, v the lowest
 *     eigenvector refreshed by a restarted Lanczos, until every force
 *     component and the 2-norm of the whole force vector are below ftol
 *     (0.05 eV/Å); the kick fails where the curvature turns positive (with
 *     max_lost > 0 the climb pushes on through such stretches instead);
 *  4. check: the lowest eigenvalue is negative and the second one (Lanczos
 *     deflated by the first eigenvector) is not, the saddle lies above the
 *     initial minimum and away from it;
 *  5. push over the saddle by ±push_over along v, relax both sides (L-BFGS):
 *     one side must come back to the initial minimum (the saddle is
 *     connected to it), the other is the final minimum.
 *  ΔQ = E_saddle − E_initial. */
#ifndef BPEL_ARTN_H
#define BPEL_ARTN_H

#include <stddef.h>
#include <stdio.h>

#include "lanczos.h"

typedef struct artn_model {
    size_t ndof;     /* current number of coordinates (3 × moving atoms) */
    size_t ndof_max; /* the most it can grow to */
    bpel_force_fn eval;
    /* Optional: after an accepted step at displacement u (ndof entries),
     * enlarge the model if its edge is being reached. Returns the new ndof
     * (≥ old; the new coordinates have zero displacement), or <0 on error. */
    long (*grow)(void *ctx, const double *u, size_t ndof);
    /* Optional: 1 when the model is invariant under rigid translations of
     * all its atoms (then the three zero modes are projected out of the
     * Lanczos vectors). */
    int (*translational)(void *ctx);
    void *ctx;
} artn_model;

typedef enum {
    ARTN_ACCEPTED = 0,
    ARTN_NO_EXIT,       /* the push never left the harmonic basin */
    ARTN_NO_CONVERGE,   /* the climb did not converge in max_climb steps */
    ARTN_LOST_CURVATURE,/* the lowest eigenvalue became positive for good */
    ARTN_MULTI_NEGATIVE,/* more than one negative eigenvalue at the saddle */
    ARTN_NOT_ABOVE,     /* saddle energy not above the initial minimum */
    ARTN_SAME_MINIMUM,  /* the "saddle" is the initial minimum */
    ARTN_DISCONNECTED,  /* neither side relaxes back to the initial minimum */
    ARTN_FAILED,        /* the model returned an error */
    ARTN_FULL_CHECK,    /* a full-system force evaluation found forces above ftol */
    ARTN_OVER_BUDGET,   /* push and climb spent more than max_calls force calls */
    ARTN_NSTATUS
} artn_status;

/* Short names written to files ("accepted", "no_exit", ...). */
const char *bpel_artn_status_name(int status);
int bpel_artn_status_parse(const char *name);

typedef enum { ARTN_METHOD_ARTN = 0, ARTN_METHOD_LOWEST = 1 } artn_method;

typedef struct artn_params {
    artn_method method;
    double kick_norm;        /* Å, norm of the initial random displacement (0.1) */
    double kick_radius;      /* Å, neighbours of the central atom that are kicked (2.0) */
    double eigval_threshold; /* eV/Å², basin exit when λ_min below this (−0.30) */
    double ftol;             /* eV/Å, saddle when every force component is below (0.05) */
    int saddle_norm;         /* 1: ... and the 2-norm of the whole force vector too, as LAMMPS-ARTn (1) */
    double push_step;        /* Å, step along the push direction (0.2) */
    int max_push;            /* push steps before giving up (40) */
    int perp_push;           /* perpendicular relaxation steps per push step (3) */
    double push_lanczos_kappa; /* eV/Å²: Lanczos in the push when the curvature along it is below this (0.2) */
    int push_lanczos_every;  /* ... and at least every this many push steps (4) */
    int push_from_min;       /* 1: push along the displacement from the minimum, as ART does; 0: along the kick, as LAMMPS-ARTn (0) */
    int ridge_exit;          /* 1: also leave the push when the energy starts to fall along it and λ_min < 0 (1) */
    int push_follow;         /* 1: once λ_min < push_follow_below, push along the lowest eigenvector (0) */
    double push_follow_below; /* eV/Å² (0) */
    int climb_lanczos_every; /* while λ < climb_lanczos_below·threshold, refresh the eigenvector every this many climb steps (4) */
    double climb_lanczos_below; /* (0.3) */
    double climb_lanczos_fperp; /* eV/Å: ... and while λ < 0 and the largest force component perpendicular to v exceeds this (0: off) */
    int climb_convex_follow; /* 1: where the climb finds λ > 0, push uphill along v, not away from the minimum (0) */
    int climb_newton;        /* 1: Newton step along v and L-BFGS perpendicular to it; 0: L-BFGS on F − 2(F·v)v (0) */
    double climb_step;       /* Å, largest step along the eigenvector (0.15) */
    int max_climb;           /* climb iterations (300) */
    int max_calls;           /* force calls a search may spend in push and climb before it is abandoned
                                (over_budget; 0: no limit) (800) */
    int attempts;            /* campaigns: a search that fails is tried again from a fresh random kick,
                                up to this many kicks in all, as LAMMPS-ARTn's max_trials (12) */
    double perp_step;        /* Å, largest perpendicular step (0.03) */
    double lbfgs_scale;      /* Å²/eV, first L-BFGS step = scale·force (0.05) */
    double lost_eigval;      /* eV/Å²: climbing with λ above this for more than max_lost steps in a row fails (0) */
    int max_lost;            /* (0: the first such step fails, as LAMMPS-ARTn) */
    int below_abort;         /* 1: a climb whose energy falls below the initial minimum stops there as not_above (1) */
    double grow_near;        /* the model may grow only once max force < grow_near·ftol (1: at convergence) */
    double climb_grow_near;  /* the same during the climb (1) */
    double second_min;       /* eV/Å², the second eigenvalue must exceed this (0) */
    int max_refine;          /* climbs restarted off a second-order saddle (2) */
    double refine_step;      /* Å, largest displacement (vector norm) along the second mode for that (0.6) */
    double refine_ftol;      /* those climbs stop at refine_ftol·ftol (0.3) */
    double dq_min;           /* eV, the saddle must be this far above the minimum (1e-3) */
    double dmin;             /* Å, largest atomic displacement at the saddle at least (0.02) */
    int check_connect;       /* relax both sides and check the connection (1) */
    int require_connect;     /* 1: reject saddles not connected to the initial minimum (0: only flag them) */
    double push_over;        /* Å, displacement over the saddle along v before relaxing (0.2) */
    double relax_ftol;       /* eV/Å, force tolerance of the minimisations (0.005) */
    double relax_step;       /* Å, largest per-atom step of the minimisations (0.1) */
    int max_relax;           /* L-BFGS steps per minimisation (3000) */
    double same_min;         /* Å, two minima are the same when no atom differs more than this (0.1) */
    lanczos_params lanczos;  /* during push/climb (restarted from the previous vector) */
    lanczos_params lanczos_check; /* for the final eigenvalue checks */
    /* Slowest ascent (method lowest): step radius and noise. */
    double ascent_step;      /* Å, radius of the hypersphere of each ascent step (0.05) */
    double ascent_noise;     /* Å, random displacement added before each step (0.005) */
    int max_ascent;          /* ascent steps (400) */
    int ascent_softest;      /* 1: the ascent starts along the softest mode of the minimum, signed by the kick (1) */
    int ascent_max_lost;     /* max_lost of the climb after the ascent, which stops just past the ridge (20) */
    int verbose;             /* 1: one line per push/climb step on stderr (0) */
} artn_params;

void bpel_artn_defaults(artn_params *p);
/* Set a field by its name (as in artn_params; "lanczos.tol" for nested
 * ones) from text; BPEL_EINVAL with a message for an unknown name or a bad
 * value. bpel_artn_param_list prints every name, its value in p and a line of help. */
int bpel_artn_param_set(artn_params *p, const char *name, const char *value);
void bpel_artn_param_list(FILE *fp, const artn_params *p);

typedef struct artn_result {
    int status;              /* artn_status */
    double e_initial;        /* eV, energy at u = 0 */
    double e_saddle;         /* eV */
    double e_final;          /* eV, the minimum on the far side (NAN if not relaxed) */
    double dq;               /* eV, e_saddle − e_initial */
    double eigval1, eigval2; /* eV/Å², lowest two Hessian eigenvalues at the saddle */
    double fmax;             /* eV/Å, largest force component at the saddle */
    long calls_saddle;       /* force calls up to the checked saddle (Lanczos included) */
    long calls_total;        /* including the relaxations */
    int connected;           /* 1 one side relaxes back to the initial minimum, 0 neither, −1 not checked */
    int push_steps, climb_steps;
    int convex_steps;        /* climb steps taken with λ_min > 0 (where LAMMPS-ARTn gives up) */
    size_t ndof;             /* final model size; the vectors below have this length */
    double *u_saddle;        /* Å, owned (free with bpel_artn_result_free) */
    double *u_final;         /* Å, owned, NULL unless relaxed */
    double *eigvec;          /* lowest eigenvector at the saddle, owned */
} artn_result;

void bpel_artn_result_free(artn_result *r);

/* Run one search from the minimum at u = 0 with the initial displacement
 * `kick` (ndof entries; its direction is the push direction). `seed` drives
 * the random vectors the method needs (Lanczos start, ascent noise). The
 * return value is BPEL_OK whenever a result (accepted or rejected) is
 * available, negative only on a model error or bad arguments. */
int bpel_artn_search(artn_model *m, const double *kick, unsigned long seed, const artn_params *p, artn_result *r);

/* L-BFGS minimisation of the model from u (in place, may grow the model).
 * Returns BPEL_OK or BPEL_ECONV; energy and max force component out. */
int bpel_artn_relax(artn_model *m, double *u, const artn_params *p, double *energy, double *fmax, long *calls);

#endif
