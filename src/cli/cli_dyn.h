/* cli_dyn.h — the run loop shared by the dynamics commands (md, quench,
 * inherent, trajectory): thermo output, dumps, checkpoints and clean stops
 * on SIGINT/SIGTERM. */
#ifndef BPEL_CLI_DYN_H
#define BPEL_CLI_DYN_H

#include <gsl/gsl_rng.h>
#include <stdio.h>

#include "cli.h"
#include "md.h"
#include "restart.h"

#define DYN_SKIN 1.0 /* Å, neighbour-list skin of all dynamics commands */

typedef struct dyn_ctx {
    bpel_system *sys;
    const bpel_eam *pot;
    int map[BPEL_MAX_TYPES + 1];
    bpel_forces *forces;
    md_integrator *md;
    gsl_rng *rng;
    long thermo_every;        /* 0: none */
    FILE *thermo_txt;         /* text thermo (stdout) or NULL */
    FILE *thermo_csv;         /* CSV thermo or NULL */
    long dump_every;          /* 0: none */
    FILE *dump;
    const char *restart_path; /* where checkpoints go (also on a signal) */
    long restart_every;       /* steps; 0: only on a signal */
    long sync_every;          /* steps between fresh neighbour builds (see dyn_run) */
    FILE *log;                /* CSV log (step,time,stage,T,P,V,PE,...) or NULL */
    const char *log_name, *thermo_csv_name, *dump_name; /* their paths, for messages */
    long log_every;
    int stage;                /* protocol stage written to the log */
    rst_info info;            /* command, stage and extra block to store */
    cli_progress *progress;   /* or NULL */
    double progress_offset;   /* steps done before this run */
    /* called after every step (e.g. to record atoms; energies are fresh only
     * on thermo/log steps unless md_want_peratom is on) */
    int (*on_step)(struct dyn_ctx *c, void *user);
    void *user;
} dyn_ctx;

/* Create the force object for c->sys (or rebuild it from scratch). */
int dyn_forces(dyn_ctx *c);
/* Run until the integrator's step reaches `until`. Returns BPEL_OK, or
 * BPEL_EINTR after saving a checkpoint when a signal arrived.
 *
 * Bitwise continuation: the order in which forces are summed depends on the
 * neighbour list (ghost numbering, wrapping at rebuilds), so a resumed run,
 * which must build its list afresh, only reproduces the uninterrupted run if
 * that run rebuilt from scratch at the same step. With a restart file, the
 * list is therefore rebuilt from scratch every `sync_every` steps (global
 * step multiples), checkpoints are written only at those steps, and a signal
 * lets the run go on to the next such step (at most sync_every − 1 steps)
 * before it saves and stops. */
int dyn_run(dyn_ctx *c, long until);
/* Write a checkpoint, then rebuild the neighbour list from scratch and
 * recompute forces: a resumed run does the same, which is what makes the
 * continuation bitwise identical. */
int dyn_checkpoint(dyn_ctx *c);
/* Thermo of the current state to the streams. */
void dyn_thermo(dyn_ctx *c);
void dyn_free(dyn_ctx *c);
/* Message and exit status after an interrupted run. */
int dyn_interrupted(const dyn_ctx *c, const char *cmd);
/* Set the checkpoint interval: the sync interval becomes min(100, every)
 * and checkpoints fall on multiples of it (every is rounded up). */
void dyn_set_restart_every(dyn_ctx *c, long every);
void dyn_log_header(FILE *fp);
/* Before a resumed run appends to its logs: cut a CSV log (a header, then
 * rows starting with the step) after the last row at or before `step`, and a
 * dump after the last frame at or before it. Rows and frames written after
 * the checkpoint by the interrupted run (and a torn last line) go, so the
 * continued log has every step once. A missing file is left missing. */
int dyn_cut_csv(const char *path, long step);
int dyn_cut_dump(const char *path, long step);
/* Parse "--threads K" values etc.: sets the OpenMP thread count. */
int dyn_set_threads(long k);

#endif
