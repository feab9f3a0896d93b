/* quench.h — glass preparation as in the paper (§II.A), in one call:
 * random solid solution (glass.h) → melt (NPT at P, constant T) → quench
 * (NPT, linear ramp of the thermostat target at a constant rate) → optional
 * hold (NVT at the final temperature) → conjugate-gradient minimisation to
 * an inherent structure, written as a LAMMPS data file with a CSV log of the
 * MD (OUT with .log.csv unless given) and a JSON summary (OUT with .json).
 *
 * The MD is checkpointed (every `checkpoint_every` steps and on a stop) into
 * a restart file (restart.h) that holds the settings below as a settings
 * section (command "quench", version QUENCH_SETTINGS_VERSION, fields in this
 * order: composition s, natoms i, potential s, out s, log s, seed i,
 * thermo_every i, log_every i, rate d, melt_temperature d, melt_time d,
 * final_temperature d, hold_time d, dt d, tdamp d, pdamp d, pressure d,
 * ftol d, melt_steps i, quench_steps i, hold_steps i, threads i). A run
 * resumed from it with the same number of OpenMP threads ends bitwise
 * identical to an uninterrupted one (see mdrun.h); checkpoints of bpel
 * before settings sections (the raw settings struct of an LP64 build, 3280
 * bytes) are read as well. The checkpoint is removed when the preparation
 * has finished.
 *
 * A stop request — SIGINT/SIGTERM once the caller has installed
 * bpel_restart_catch_signals(), or a non-zero return of the callback — lets the
 * run go on to the next sync step, save and return BPEL_EINTR (the message
 * names the checkpoint). Nothing is printed: what a front end shows comes
 * through the callback. */
#ifndef BPEL_QUENCH_H
#define BPEL_QUENCH_H

#include <cjson/cJSON.h>

#include "glass.h"
#include "md.h"
#include "minimise.h"

#define QUENCH_SETTINGS_VERSION 1

/* Stages, as numbered in the log's `stage` column and in checkpoints. */
enum { QUENCH_STAGE_MELT = 0, QUENCH_STAGE_QUENCH = 1, QUENCH_STAGE_HOLD = 2, QUENCH_STAGE_MIN = 3 };

typedef struct quench_options {
    /* the protocol (stored in the checkpoint) */
    char composition[64];     /* e.g. "Cu50Zr50" (atomic %, elements of the potential) */
    long natoms;              /* exact number of atoms (>= 2; -1: not given) */
    char potential[1024];     /* EAM file, found by bpel_potential_find ("": BPEL_DEFAULT_POTENTIAL) */
    double rate;              /* cooling rate, K/s (NAN: not given) */
    double t_melt;            /* melt temperature, K (2000) */
    double melt_time;         /* ps (100) */
    double t_final;           /* final temperature, K (1) */
    double hold_time;         /* NVT hold at t_final, ps (0) */
    double pressure;          /* bar (0) */
    double dt;                /* time step, ps (0.002) */
    double tdamp, pdamp;      /* thermostat / barostat times, ps (0.1, 1.0) */
    double ftol;              /* CG tolerance on max|F|, eV/Å (1e-8) */
    long seed;                /* lattice occupation and velocities (12345) */
    /* outputs (stored in the checkpoint) */
    char out[1024];           /* inherent structure, LAMMPS data file */
    char log[1024];           /* CSV log ("": OUT with .log.csv) */
    long log_every;           /* log interval, steps (100) */
    long thermo_every;        /* QUENCH_THERMO events every so many steps (1000; 0: none) */
    /* this call only */
    char resume[1024];        /* continue this checkpoint ("": a fresh run); the
                               * fields above then come from it */
    char checkpoint[1024];    /* restart file ("": OUT.restart, or the file resumed) */
    long checkpoint_every;    /* steps (10000) */
    const char *provenance;   /* written into the summary, or NULL */
} quench_options;

typedef struct quench_result {
    quench_options settings;  /* of the run: given, or from the checkpoint; paths resolved */
    glass_composition composition; /* settings.composition, parsed */
    char checkpoint[1100];    /* the restart file of this call */
    char summary[1100];       /* the JSON summary's path */
    long melt_steps, quench_steps, hold_steps;
    int threads;              /* OpenMP threads of the run that started the preparation */
    int resumed;              /* continued from a checkpoint */
    size_t natoms;
    size_t count[GLASS_MAXEL];/* atoms of each element (fresh runs) */
    double box;               /* Å, edge of the starting box (fresh runs) */
    min_result min;           /* the minimisation */
    int converged;            /* it reached ftol */
    char min_message[512];    /* when not: why (the minimiser's message) */
    double volume;            /* Å³, of the inherent structure */
    double density;           /* g/cm³ */
} quench_result;

typedef enum {
    QUENCH_BEGIN,     /* a fresh run: the starting configuration is built (count, box) */
    QUENCH_WARNING,   /* `message` for the user (e.g. a thread count that differs from the checkpoint's) */
    QUENCH_START,     /* the MD loop starts, at `step` */
    QUENCH_STAGE,     /* a stage starts afresh (not the one a resumed run continues) */
    QUENCH_STEP,      /* after every MD step */
    QUENCH_THERMO,    /* every thermo_every steps: `thermo` */
    QUENCH_NOTICE,    /* `message`: a stop runs on to the next checkpoint step */
    QUENCH_MD_DONE,   /* the MD is done and its log closed */
    QUENCH_MINIMISED  /* the minimisation is done (result->min, result->converged) */
} quench_event;

typedef struct quench_progress {
    quench_event event;
    int stage;                    /* QUENCH_STAGE_* */
    long step;                    /* global MD step */
    long stage_steps;             /* steps of the stage */
    long total_steps;             /* MD steps of the whole protocol */
    const md_thermo *thermo;      /* QUENCH_THERMO */
    const char *message;          /* QUENCH_WARNING, QUENCH_NOTICE */
    const quench_result *result;  /* what is known so far */
} quench_progress;

/* Return non-zero to stop (as on a signal). */
typedef int (*quench_callback)(const quench_progress *p, void *user);

/* The defaults noted above; natoms -1 and rate NAN (to be given). */
void bpel_quench_defaults(quench_options *o);
/* Check the protocol of a fresh run (BPEL_EINVAL naming the problem). */
int bpel_quench_check(const quench_options *o);
/* Run (or resume) a preparation. `cb` may be NULL. Returns BPEL_OK when the
 * outputs are written — also when the minimisation stopped short of ftol
 * (r->converged 0) — BPEL_EINTR after a stop, or an error. `r` is filled as
 * far as the run got. */
int bpel_quench_run(const quench_options *o, quench_callback cb, void *user, quench_result *r);
/* The JSON summary of a finished run (as written to r->summary). */
cJSON *bpel_quench_summary(const quench_result *r, const char *provenance);

#endif
