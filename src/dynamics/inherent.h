/* inherent.h — inherent structures at several temperatures (paper §II.A
 * and Fig. 9) in one call: for each T, Maxwell–Boltzmann velocities at T
 * (seed + index of T), NVT (Nosé–Hoover chain, LAMMPS fix nvt equations) at
 * the volume of the configuration for a given time, then conjugate
 * gradients to max|F| <= ftol.
 *
 * Files in DIR (which must exist):
 *   inherent_<T>K.data     the inherent structure (LAMMPS data file)
 *   inherent_<T>K.log.csv  the NVT run's CSV log (mdrun.h's columns)
 *   inherent.csv           temperature_K, mean_temp_K (over the second half of the run),
 *                          energy_per_atom_eV, fmax_eV_per_A, converged
 *   inherent.json          the same with the source, time and tolerance
 * A minimisation that stops short of ftol is not an error: the structure
 * is written, marked unconverged, and the call goes on.
 *
 * Nothing is printed: what a front end shows comes through the callback.
 * Errors follow error.h. */
#ifndef BPEL_INHERENT_H
#define BPEL_INHERENT_H

#include <stddef.h>

#include "model.h"
#include "structure.h"

typedef struct inherent_options {
    const double *temperatures; /* K, each > 0 */
    int ntemperatures;
    double time;             /* NVT time at each temperature, ps (>= 0) */
    double ftol;             /* eV/Å (1e-8) */
    double dt, tdamp;        /* ps (0.002, 0.1) */
    long seed;               /* temperature k uses seed + k (12345) */
    long log_every;          /* steps between log rows (100) */
    const char *source;      /* inherent.json "source" (NULL: the configuration's) */
    const char *provenance;  /* inherent.json "provenance" (NULL: left out) */
} inherent_options;

/* One inherent structure. */
typedef struct inherent_structure {
    double temperature;      /* K, of the run */
    double mean_temperature; /* K, over the second half of the run */
    double energy_per_atom;  /* eV, of the inherent structure */
    double fmax;             /* eV/Å reached */
    int converged;           /* ftol reached */
    char file[4096];         /* its data file */
} inherent_structure;

typedef enum {
    INHERENT_BEGIN,    /* the NVT run at `temperature` starts: `nsteps` steps */
    INHERENT_STEP,     /* after every step: `step` */
    INHERENT_END,      /* the run has ended (well or not) */
    INHERENT_WARNING,  /* `message`: the minimisation at `temperature` stopped short of ftol */
    INHERENT_DONE,     /* `structure` is written */
    INHERENT_NOTICE    /* `message` from the run loop (a stop runs on to the next sync step) */
} inherent_event;

typedef struct inherent_progress {
    inherent_event event;
    double temperature;
    long step, nsteps;
    const char *message;
    const inherent_structure *structure;
} inherent_progress;

typedef void (*inherent_callback)(const inherent_progress *p, void *user);

typedef struct inherent_result {
    int n;                      /* structures written */
    inherent_structure *structures; /* [ntemperatures] */
    int all_converged;
} inherent_result;

void bpel_inherent_defaults(inherent_options *o);
/* The runs start from copies of `s`. `cb` may be NULL. */
int bpel_inherent_run(const bpel_model *model, const bpel_system *s,
                 const inherent_options *o, const char *dir, inherent_callback cb, void *user, inherent_result *r);
void bpel_inherent_result_free(inherent_result *r);

#endif
