/* mdrun.h — the run loop of the dynamics drivers (md, quench, inherent,
 * trajectory, tg): thermo output, CSV logs, dumps, checkpoints, and a clean
 * stop (on SIGINT/SIGTERM once bpel_restart_catch_signals() is installed, or when
 * the caller sets `stop`) that leaves a checkpoint from which a resumed run
 * continues bitwise.
 *
 * Bitwise continuation: the order in which forces are summed depends on the
 * neighbour list (ghost numbering, wrapping at rebuilds), so a resumed run,
 * which must build its list afresh, only reproduces the uninterrupted run if
 * that run rebuilt from scratch at the same step. With a restart file, the
 * list is therefore rebuilt from scratch every `sync_every` steps (global
 * step multiples), checkpoints are written only at those steps, and a stop
 * request lets the run go on to the next such step (at most sync_every − 1
 * steps) before it saves and stops. A resumed run (bpel_mdrun_restore) starts with
 * a fresh list and forces recomputed from the stored positions, as the
 * interrupted run did right after writing the checkpoint.
 *
 * Nothing here prints: messages for the user go through the hooks. */
#ifndef BPEL_MDRUN_H
#define BPEL_MDRUN_H

#include <gsl/gsl_rng.h>
#include <stdio.h>

#include "model.h"
#include "forces.h"
#include "md.h"
#include "restart.h"
#include "structure.h"

#define MDRUN_SKIN 1.0 /* Å, neighbour-list skin of all dynamics drivers */

typedef struct mdrun {
    bpel_system *sys;
    const bpel_model *model; /* the potential bound to the types of sys */
    bpel_forces *forces;
    md_integrator *md;
    gsl_rng *rng;             /* stored in checkpoints when set */
    long thermo_every;        /* 0: none */
    FILE *thermo_txt;         /* text thermo stream or NULL */
    FILE *thermo_csv;         /* CSV thermo or NULL */
    long dump_every;          /* 0: none */
    FILE *dump;
    const char *restart_path; /* where checkpoints go (also on a stop); NULL: none */
    long restart_every;       /* steps; 0: only on a stop */
    long sync_every;          /* steps between fresh neighbour builds */
    FILE *log;                /* CSV log (step,time,stage,T,P,V,PE,...) or NULL */
    const char *log_name, *thermo_csv_name, *dump_name; /* their paths, for messages */
    long log_every;
    int stage;                /* protocol stage written to the log and the checkpoint */
    rst_info info;            /* command and settings section to store */
    void *progress;           /* progress state of the caller's on_progress, or NULL */
    double progress_offset;   /* added to the step given to on_progress */
    /* called after every step (e.g. to record atoms; energies are fresh only
     * on thermo/log steps unless bpel_md_want_peratom is on); non-zero ends the
     * run with that code */
    int (*on_step)(struct mdrun *c, void *user);
    void *user;
    /* optional hooks: at thermo steps (after the streams), after every step
     * (done = progress_offset + step), and with a message for the user when a
     * stop request has to run on to the next sync step */
    void (*on_thermo)(struct mdrun *c, const md_thermo *t);
    void (*on_progress)(struct mdrun *c, double done);
    void (*on_notice)(struct mdrun *c, const char *msg);
    int stop;                 /* set (from a hook) to stop as on a signal */
} mdrun;

/* Create the force object for c->sys (or rebuild it from scratch). */
int bpel_mdrun_forces(mdrun *c);
/* Run until the integrator's step reaches `until`. Returns BPEL_OK, or
 * BPEL_EINTR on a stop request (after saving a checkpoint when there is a
 * restart path; the message says where). */
int bpel_mdrun_run(mdrun *c, long until);
/* Write a checkpoint, then rebuild the neighbour list from scratch and
 * recompute forces: a resumed run does the same, which is what makes the
 * continuation bitwise identical. */
int bpel_mdrun_checkpoint(mdrun *c);
/* Continue from a checkpoint `info` (c->sys and c->model set): forces
 * and an integrator with the stored parameters and state. The sync interval
 * is the stored one; every > 0 sets the checkpoint interval (rounded up to a
 * multiple of it). */
int bpel_mdrun_restore(mdrun *c, const rst_info *info, long every);
/* Thermo of the current state to the streams and on_thermo. */
void bpel_mdrun_thermo(mdrun *c);
/* Free the integrator, forces, generator and info blocks (not sys, model or
 * the streams). */
void bpel_mdrun_free(mdrun *c);
/* Set the checkpoint interval of a fresh run: the sync interval becomes
 * min(100, every) and checkpoints fall on multiples of it (every is rounded
 * up); every <= 0: sync every 100 steps, checkpoints only on a stop. */
void bpel_mdrun_set_restart_every(mdrun *c, long every);
/* The header line of the CSV log. */
void bpel_mdrun_log_header(FILE *fp);
/* Before a resumed run appends to its logs: cut a CSV log (a header, then
 * rows starting with the step) after the last row at or before `step`, and a
 * dump after the last frame at or before it. Rows and frames written after
 * the checkpoint by the interrupted run (and a torn last line) go, so the
 * continued log has every step once. A missing file is left missing. */
int bpel_mdrun_cut_csv(const char *path, long step);
int bpel_mdrun_cut_dump(const char *path, long step);

/* The settings section (restart.h) of bpel md's checkpoints: version 1 with
 * the fields potential (s) and threads (i, the OpenMP threads of the run:
 * bitwise resumes need the same). Loading also reads the checkpoints of bpel
 * before settings sections, whose extra bytes are a struct
 * { char potential[1024]; int threads; } (1028 bytes). */
int bpel_mdrun_md_settings_store(rst_info *info, const char *potential, int threads);
int bpel_mdrun_md_settings_load(const rst_info *info, const char *path, char *potential, size_t n, int *threads);

#endif
