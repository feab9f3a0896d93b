/* restart.h — binary checkpoints for a bitwise continuation of a run.
 *
 * A restart file holds the system (ids, types, masses, elements, box,
 * positions, velocities, image flags), the MD parameters and full
 * integrator state (step, chain and barostat variables, targets), the
 * state of the GSL random number generator, the protocol stage, and an
 * opaque block of the command's own settings. Doubles are stored as their
 * bytes, so nothing is rounded. Layout: magic "BPELRST1", then sections,
 * then an FNV-1a checksum of everything before it; a truncated or foreign
 * file is rejected with a message naming it, and so is one whose checksum
 * holds but whose contents do not make a runnable state (types outside
 * 1..ntypes, masses, box, positions or integrator variables not finite and
 * positive where they must be, duplicate ids, invalid MD parameters). Files are written atomically:
 * to PATH.tmp, fsync, rename to PATH, fsync of the directory.
 *
 * SIGINT and SIGTERM, once restart_catch_signals() is called, only set a
 * flag (restart_signalled()) so that a run can save its state at the end of
 * the current step and stop cleanly; a second signal ends the process at
 * once (the last checkpoint stays valid). */
#ifndef BPEL_RESTART_H
#define BPEL_RESTART_H

#include <stddef.h>

#include "md.h"
#include "structure.h"

typedef struct rst_info {
    char command[16];       /* the command that wrote it: "md", "quench", ... */
    int stage;              /* protocol stage (command specific) */
    long sync_every;        /* steps between fresh neighbour builds */
    md_params params;       /* MD parameters of the stage */
    md_state md;            /* integrator state */
    unsigned char *rng;     /* gsl_rng state bytes, or NULL */
    size_t rng_size;
    char rng_name[32];      /* gsl_rng type name */
    unsigned char *extra;   /* command settings, or NULL */
    size_t extra_size;
} rst_info;

int restart_write(const char *path, const bpel_system *s, const rst_info *r);
/* Read a restart file; `s` and the blocks in `r` are allocated (free with
 * system_destroy and restart_free). */
int restart_read(const char *path, bpel_system **s, rst_info *r);
void restart_free(rst_info *r);

/* Save / restore a GSL generator into / from an rst_info. */
int restart_store_rng(rst_info *r, const gsl_rng *g);
int restart_load_rng(const rst_info *r, gsl_rng *g);

/* Install `handler` for SIGINT and SIGTERM (no SA_RESTART: a blocking call
 * returns EINTR). */
void restart_on_signals(void (*handler)(int));
void restart_catch_signals(void);
/* The signal number caught (SIGINT or SIGTERM), or 0. */
int restart_signalled(void);

#endif
