/* tg_run.h — the Tg stage of the pipeline as library calls; the fit itself
 * is bpel_tg_fit (tg.h).
 *
 *   bpel_tg_cooling_run  an NPT cooling run (P = 0, LAMMPS fix npt equations): NPT
 *                   at t_from for `equilibrate` ps (stage 0 of the log), then a
 *                   linear ramp of the thermostat target to t_to at `rate`
 *                   (stage 1), logged as CSV (mdrun.h's columns) every
 *                   log_every steps;
 *   bpel_tg_run_fit      reads temp_K and volume_A3 of a log (table.h; only the
 *                   rows of one stage when it has a `stage` column) and fits;
 *   bpel_tg_run_write    writes in DIR (which must exist):
 *     tg.json                  Tg with its 95 % interval and verdict, the fits of both branches
 *     tg_vt.csv                the binned curve: temp_K, volume_A3
 *     tg_volume_temperature    (.png, .svg) the binned V(T), both branches and Tg
 *
 * Nothing is printed: progress goes to an optional callback. Errors follow
 * error.h. */
#ifndef BPEL_TG_RUN_H
#define BPEL_TG_RUN_H

#include <stddef.h>

#include "model.h"
#include "structure.h"
#include "tg.h"

enum { TG_RUN_BEGIN, TG_RUN_STEP, TG_RUN_END };

typedef struct tg_cooling {
    double t_from, t_to;     /* K, t_to < t_from */
    double rate;             /* K/s */
    double equilibrate;      /* NPT at t_from first, ps (10) */
    double dt;               /* ps (0.002) */
    long seed;               /* velocities (12345) */
    long log_every;          /* steps between log rows (50) */
    /* NULL, or called with TG_RUN_BEGIN (total steps), TG_RUN_STEP after every
     * step (done: the integrator's step) and TG_RUN_END when the run has ended well */
    void (*progress)(void *ctx, int event, double done, double total);
    void (*notice)(void *ctx, const char *msg); /* a stop runs on to the next sync step; NULL: none */
    void *ctx;
} tg_cooling;

void bpel_tg_cooling_defaults(tg_cooling *c);
/* Run on `s` (changed in place) and write the log to `log_path`. */
int bpel_tg_cooling_run(const bpel_model *model, bpel_system *s, const tg_cooling *c,
                   const char *log_path);

/* The fit of the log's V(T): rows of `stage` when the log has a stage column
 * and stage >= 0, else all. *nsamples gets the rows used. Errors of unusable
 * input name the log. */
int bpel_tg_run_fit(const char *log, long stage, const tg_params *p, tg_result *r, size_t *nsamples);
/* The files above; `source` and `provenance` (NULL: left out) go into tg.json. */
int bpel_tg_run_write(const char *dir, const char *source, const char *provenance, const tg_params *p, const tg_result *r,
                 size_t nsamples);

/* Keys of tg.json that other stages read back (the study's report): Tg, also
 * its key under "quality" (quality.h). */
#define TG_FILE_JSON "tg.json"
#define TG_KEY_TG "Tg_K"

#endif
