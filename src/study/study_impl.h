/* study_impl.h — the pieces of the study stage (study.h) shared by
 * study_step.c (one step as a child process), study_plan.c (the steps of
 * every glass, and bpel_study_run), study_report.c (merged tables, summary,
 * report) and study_sweeps.c (Figs. 6, 7). Library-internal; not installed
 * as API. */
#ifndef BPEL_STUDY_IMPL_H
#define BPEL_STUDY_IMPL_H

#include "artn_columns.h"
#include "gruneisen_run.h"
#include "study.h"
#include "vibrations.h"

/* The per-atom tables of the steps, relative to the folder of a glass. */
#define STUDY_MODES_TABLE "modes/" VIB_FILE_ATOMS
#define STUDY_ARTN_TABLE "artn/" ARTN_FILE_ATOMS
#define STUDY_GRUN_TABLE "gruneisen/" GRU_FILE_ATOMS

#define STEP_MAX_ARGS 48
#define STEP_ARG_LEN 600

/* The merged per-atom table of a glass (study_report.c), read by the sweeps:
 * the type of each atom, then the columns of the step tables under their own
 * names. */
#define STUDY_MERGED_TABLE "atoms_merged.csv"
#define STUDY_MERGED_XYZ "atoms_merged.xyz"
#define STUDY_COL_TYPE "type"

typedef struct study_step {
    char name[64];                         /* unique within its folder */
    char dir[700];                         /* folder the step writes into */
    int argc;
    char argv[STEP_MAX_ARGS][STEP_ARG_LEN]; /* bpel arguments, argv[0] = subcommand */
    /* A step that saves its progress: the file an interrupted run leaves
     * ("" if none), and the arguments that continue from it (none: argv
     * continues by itself). Continued only when the interrupted run had the
     * same command line and the same upstream steps; otherwise the file is
     * removed and the step starts afresh. */
    char checkpoint[800];
    int rargc;
    char rargv[4][STEP_ARG_LEN];
} study_step;

/* One glass of the study. */
typedef struct study_sample {
    char composition[32];
    double rate;             /* K/s */
    char dir[700];           /* its folder */
} study_sample;

/* A study while it runs. */
typedef struct study_state {
    const study_config *cfg;
    const study_options *opt;
    study_result *res;        /* out, failed and skipped steps, notes */
    int threads;
    int index, total;         /* progress */
    int dirty;                /* a step of the current glass was (re)run: redo the later ones */
    int interrupted;          /* a signal stopped a step: no further step runs, no report */
    char interrupt_msg[512];
    unsigned long long chain; /* hash of the finished-step markers of the current glass so far */
    char program_id[24];      /* hash of the bpel executable's bytes: a step made by another build is redone */
} study_state;

/* study_step.c */
/* The 64-bit FNV-1a hash of a file's bytes in hex (BPEL_EIO if unreadable). */
int bpel_study_program_id(const char *path, char out[24]);
void bpel_step_init(study_step *st, const char *name, const char *dir);
void bpel_step_arg(study_step *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bpel_step_args_split(study_step *st, const char *opts);
/* Run one step (or reuse it); BPEL_EINTR when a signal stopped it. */
int bpel_study_step_run(study_state *S, const study_step *st);
void bpel_study_emit(const study_state *S, study_event_kind kind, const char *step, const char *dir, int continued,
                double seconds, const char *detail);
double bpel_study_wall_time(void);

/* study_plan.c */
const char *bpel_study_sample_name(const study_sample *sm);
void bpel_study_record_failure(study_state *S, const study_sample *sm, const char *step, const char *msg);
/* The failure recorded for a step of a glass (the quench's failure counts
 * for every step), or NULL. */
const study_failure *bpel_study_find_failure(const study_state *S, const study_sample *sm, const char *step);

/* study_report.c */
/* The merged per-atom table and extended XYZ of a glass. */
int bpel_study_merge_tables(const study_sample *sm);
/* summary.json, report.md and report.html of the study. */
int bpel_study_write_summary(const study_state *S, const study_sample *sm, int ns);

/* study_sweeps.c: Figs. 6 and 7 over the glasses of the study. */
int bpel_study_sweeps(const study_state *S, const study_sample *sm, int ns);

#endif
