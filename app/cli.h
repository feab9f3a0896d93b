/* cli.h — helpers shared by the bpel subcommands: option parsing, loading a
 * structure with its potential, progress bars. */
#ifndef BPEL_CLI_H
#define BPEL_CLI_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "cli_opts.h"
#include "eam.h"
#include "forces.h"
#include "structure.h"

struct bpel_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

/* Print "bpel: <message>" for the current library error and return 1. */
int cli_error(void);
/* Print a formatted error and return 2 (usage errors). */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* mkdir DIR (its parent must exist; an existing DIR is fine); otherwise print
 * "bpel CMD: cannot create DIR: reason" and return 1. */
int cli_mkdir(const char *cmd, const char *dir);
/* Print a JSON document on stdout (pretty: indented, else on one line) and
 * delete it; BPEL_ENOMEM (error set) when it cannot be printed. */
int cli_print_json(cJSON *json, int pretty);

/* Number parsing that rejects trailing junk. Return 0 on success. */
int cli_parse_double(const char *s, double *v);
int cli_parse_long(const char *s, long *v);

/* Load a data file, read the potential (found via bpel_potential_find), map types
 * (elements list optional), check masses and overlapping atoms. */
typedef struct cli_setup {
    bpel_system *sys;
    bpel_eam *pot;
    bpel_model *model; /* pot bound to the types of sys */
    char potential_path[1024];
} cli_setup;
int cli_load(const char *data, const char *potential, const char *elements, cli_setup *out);
void cli_setup_free(cli_setup *c);

/* Progress on stderr: a bar when it is a terminal; otherwise (batch jobs)
 * a plain line every BPEL_PROGRESS_INTERVAL seconds (default 30) with
 * done/total, rate and ETA. BPEL_NO_PROGRESS silences both. */
typedef struct cli_progress {
    const char *label;
    double total;
    double start;       /* wall time, s */
    double last_draw;
    int tty;
    int plain;          /* plain lines (stderr is not a terminal) */
    double interval;    /* s between plain lines */
    int seen;           /* an update has come: the rate is measured from it */
    double done0, t0;   /* the first update's count and time (a resumed run starts above 0) */
} cli_progress;
void cli_progress_start(cli_progress *p, const char *label, double total);
void cli_progress_update(cli_progress *p, double done, const char *extra);
void cli_progress_finish(cli_progress *p);
double cli_wall_time(void);
/* Threads when --threads is not given, the same for every command:
 * OMP_NUM_THREADS if set, else every core. */
int cli_default_threads(void);

/* For commands without a resumable state (modes): on SIGINT/SIGTERM remove
 * the temporary files of outputs being written, print one line and exit with
 * 128 + the signal number. */
void cli_catch_signals_abort(const char *cmd);

/* Build provenance line ("bpel 0.1.0 (GCC 12.2.0, -O3 ..., OpenBLAS ...)"). */
const char *cli_provenance(void);

#endif
