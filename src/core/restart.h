/* restart.h — binary checkpoints for a bitwise continuation of a run.
 *
 * A restart file holds the system (ids, types, masses, elements, box,
 * positions, velocities, image flags), the MD parameters and full
 * integrator state (step, chain and barostat variables, targets), the
 * state of the GSL random number generator, the protocol stage, and the
 * command's own settings (a settings section, below). Doubles are stored as their
 * bytes, so nothing is rounded. Layout: magic "BPELRST1", then sections,
 * then an FNV-1a checksum of everything before it; a truncated or foreign
 * file is rejected with a message naming it, and so is one whose checksum
 * holds but whose contents do not make a runnable state (types outside
 * 1..ntypes, masses, box, positions or integrator variables not finite and
 * positive where they must be, duplicate ids, invalid MD parameters). Files are written atomically:
 * to PATH.tmp, fsync, rename to PATH, fsync of the directory.
 *
 * SIGINT and SIGTERM, once bpel_restart_catch_signals() is called, only set a
 * flag (bpel_restart_signalled()) so that a run can save its state at the end of
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
    unsigned char *extra;   /* command settings (a settings section), or NULL */
    size_t extra_size;
} rst_info;

int bpel_restart_write(const char *path, const bpel_system *s, const rst_info *r);
/* Read a restart file; `s` and the blocks in `r` are allocated (free with
 * bpel_system_destroy and bpel_restart_free). */
int bpel_restart_read(const char *path, bpel_system **s, rst_info *r);
void bpel_restart_free(rst_info *r);

/* Save / restore a GSL generator into / from an rst_info. */
int bpel_restart_store_rng(rst_info *r, const gsl_rng *g);
int bpel_restart_load_rng(const rst_info *r, gsl_rng *g);

/* Settings sections. A command stores its settings in rst_info.extra field
 * by field, named, so that a checkpoint does not depend on the memory
 * layout of any struct. Layout (integers in native byte order, like the rest
 * of the file):
 *
 *   8 bytes   "BPELSET1" (this encoding)
 *   u32       version of the command's settings (the command numbers them;
 *             a reader refuses versions newer than it knows)
 *   u32       number of fields
 *   fields:   u8 type: 'i' (integer), 'd' (double), 's' (string)
 *             u8 length of the name (1..RST_NAME_MAX), the name (no NUL)
 *             'i': int64; 'd': the 8 bytes of the double;
 *             's': u32 length, then the bytes (no NUL)
 *
 * Fields are read by name (their order is the writer's); a name appears
 * once. Files of bpel before settings sections hold the raw bytes of a
 * command's settings struct instead: bpel_rst_settings_raw() tells them apart. */
#define RST_NAME_MAX 63

typedef struct rst_settings {
    unsigned char *buf;
    size_t size, cap;
    unsigned count;
    int err;                /* an allocation failed or a name was invalid */
} rst_settings;

void bpel_rst_settings_begin(rst_settings *w, unsigned version);
void bpel_rst_settings_long(rst_settings *w, const char *name, long v);
void bpel_rst_settings_double(rst_settings *w, const char *name, double v);
void bpel_rst_settings_string(rst_settings *w, const char *name, const char *v);
/* Hand the section to r->extra (replacing what was there); on an error the
 * section is discarded. */
int bpel_rst_settings_finish(rst_settings *w, rst_info *r);

/* 1 when r->extra holds something that is not a settings section (the raw
 * settings of an older bpel), else 0. */
int bpel_rst_settings_raw(const rst_info *r);

typedef struct rst_fields {
    const unsigned char *p; /* the fields (inside r->extra) */
    size_t size;
    unsigned version, count;
    const char *path;       /* for messages */
} rst_fields;

/* Check the whole settings section of `r` (read from `path`): the magic,
 * the version (at most max_version), every field well formed, nothing after
 * the last. BPEL_EPARSE with a message naming the file otherwise. */
int bpel_rst_fields_open(const rst_info *r, const char *path, unsigned max_version, rst_fields *f);
/* A field by name; BPEL_EPARSE when it is missing or of another type (or a
 * string that does not fit in n bytes with its NUL). */
int bpel_rst_fields_long(const rst_fields *f, const char *name, long *v);
int bpel_rst_fields_double(const rst_fields *f, const char *name, double *v);
int bpel_rst_fields_string(const rst_fields *f, const char *name, char *out, size_t n);

/* Install `handler` for SIGINT and SIGTERM (no SA_RESTART: a blocking call
 * returns EINTR). */
void bpel_restart_on_signals(void (*handler)(int));
void bpel_restart_catch_signals(void);
/* The signal number caught (SIGINT or SIGTERM), or 0. */
int bpel_restart_signalled(void);

#endif
