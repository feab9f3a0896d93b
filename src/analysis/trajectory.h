/* trajectory.h — the anharmonicity probe of paper Fig. 8 (§III) as one
 * library call. From the inherent structure (IS) of a configuration (CG to
 * 1e-8 eV/Å unless `minimise` is 0), NVT MD at a low temperature (100 K,
 * 1 ps); at every step, for chosen atoms, the per-atom potential energy and
 * the displacement from the IS, |r_i(t) − r_i^IS| (the atom's RMSD; unwrapped
 * positions, so periodic wrapping does not count); for the whole glass the
 * RMSD sqrt(<|Δr|²>). Atoms whose displacement exceeded a threshold (1 Å)
 * during the run are listed with their displacement vectors (string-like
 * cooperative motion).
 *
 * The followed atoms are given by id (`atoms`, "ID,ID,...": the first is
 * drawn in panel a, the second in b), or ranked by a per-atom column
 * (`rank`, "FILE.csv:COLUMN[:inv]", table.h): the `bottom` lowest (group −1)
 * and the `top` highest (group +1) values, optionally of one element only.
 *
 * Files of bpel_traj_run in DIR (created if missing):
 *   inherent.data          the IS (reference of the displacements; not with minimise 0)
 *   trajectory_atoms.csv   step,time_ps,id,type,group,pe_eV,disp_A,dx_A,dy_A,dz_A
 *   trajectory_system.csv  step,time_ps,temp_K,pe_eV,rmsd_A
 *   trajectory.dump        all atoms every dump_every steps, with c_pe and disp (dump_every > 0)
 *   moved_atoms.csv        id,type,element,dx_A,dy_A,dz_A,disp_A,max_disp_A of the moved atoms
 *   moved.xyz              extended XYZ of the IS with the final displacement vectors (OVITO)
 *   fig8_anharmonicity     (.png, .svg) RMSD–energy and x–y paths of two followed atoms,
 *                          the moved atoms' vectors as an inset (with `figures`)
 *   summary.json           the run (T, time, mean temperature, RMSD of the glass) and, per
 *                          group of followed atoms (top, bottom, chosen), the mean and
 *                          largest displacement from the IS and how many moved beyond
 *                          `moved`; the ratio of the mean displacements of the top and
 *                          bottom groups (paper Fig. 8: high-I_BP atoms stray further) with
 *                          its quality (quality.h: weak below 5 atoms per group, or
 *                          when the run's mean temperature is 10 % off the thermostat's)
 * The CSV and dump streams are written under temporary names during the run
 * and only kept when it ends well.
 *
 * Nothing is printed: what a front end shows comes through the callback.
 * Errors follow error.h; messages name options as `bpel trajectory` does. */
#ifndef BPEL_TRAJECTORY_H
#define BPEL_TRAJECTORY_H

#include <stddef.h>

#include "model.h"
#include "minimise.h"
#include "structure.h"

#define TRAJ_FILE_SUMMARY "summary.json"
#define TRAJ_KEY_DISP_RATIO "disp_mean_ratio_top_bottom"

typedef struct traj_options {
    const char *atoms;       /* "ID,ID,..." to follow, or NULL */
    const char *rank;        /* or "FILE.csv:COLUMN[:inv]" to rank by (exactly one of the two) */
    long top, bottom;        /* with rank: highest / lowest atoms followed (1, 1) */
    const char *element;     /* with rank: only atoms of this element (NULL: all) */
    double temperature;      /* K (100) */
    double time;             /* recorded MD time, ps (1) */
    double equilibrate;      /* NVT before recording, ps (1) */
    double moved;            /* displacement threshold of the moved-atoms list, Å (1) */
    double dt;               /* ps (0.002) */
    double tdamp;            /* thermostat time, ps (0.1) */
    long seed;               /* velocities (12345) */
    long dump_every;         /* steps between dump frames (10; 0: no dump) */
    int minimise;            /* 1: minimise to the IS first (1) */
    int figures;             /* 1: draw fig8_anharmonicity (1) */
} traj_options;

typedef struct traj_result {
    bpel_system *sys;        /* the configuration run (the caller's), ids and elements for output */
    size_t n;                /* atoms of the system */
    size_t m;                /* followed atoms */
    size_t *idx;             /* [m] their indices */
    int *group;              /* [m] 0 chosen by id, −1 bottom, +1 top of the rank */
    int minimised;           /* the IS was made (minimise 1) */
    min_result min;          /* the minimisation */
    double *ref;             /* [3n] unwrapped IS positions */
    double *disp;            /* [n] final displacement */
    double *dvec;            /* [3n] final displacement vectors */
    double *maxd;            /* [n] largest displacement during the run */
    long nsteps, step0;      /* recorded steps; integrator step at the start of the recording */
    double dt;               /* ps */
    double *pe_t, *d_t, *dx_t, *dy_t; /* [(nsteps+1)·m] energy, displacement, Δx, Δy of each followed atom */
    size_t nmoved;           /* atoms with a largest displacement above `moved` */
    long nrec;               /* recorded frames so far */
    double rmsd_sum, temp_sum; /* sums over them of the glass's RMSD (Å) and temperature (K) */
    double rmsd_last;        /* Å, RMSD of the last frame */
} traj_result;

typedef enum {
    TRAJ_WARNING,     /* `message` for the user (the minimisation stopped short of its tolerance) */
    TRAJ_MINIMISED,   /* the IS is made: result->min */
    TRAJ_START,       /* the recorded MD starts: `nsteps` steps */
    TRAJ_STEP,        /* after every recorded step: `step` of `nsteps` */
    TRAJ_MD_DONE,     /* the recorded MD has ended (well or not) */
    TRAJ_NOTICE       /* `message` from the run loop (a stop runs on to the next sync step) */
} traj_event;

typedef struct traj_progress {
    traj_event event;
    long step, nsteps;
    const char *message;
    const traj_result *result;
} traj_progress;

typedef void (*traj_callback)(const traj_progress *p, void *user);

void bpel_traj_defaults(traj_options *o);
/* Exactly one of atoms and rank; top + bottom > 0 with rank; positive T,
 * times, threshold, dt and tdamp. BPEL_OK or BPEL_EINVAL. */
int bpel_traj_check(const traj_options *o);
/* Run the probe on `s` (with `model`, its potential bound to its types) and write the
 * files above in `dir`. `s` is changed in place: minimised, then advanced by
 * the MD. `cb` may be NULL. `r` is filled as far as the run got; free it
 * with bpel_traj_result_free in any case. */
int bpel_traj_run(const bpel_model *model, bpel_system *s, const traj_options *o,
             const char *dir, traj_callback cb, void *user, traj_result *r);
/* fig8_anharmonicity in `dir` from a finished run (bpel_traj_run draws it with figures 1). */
int bpel_traj_figure(const char *dir, const traj_result *r, double moved);
void bpel_traj_result_free(traj_result *r);

#endif
