/* cli_study.h — the pieces of `bpel study`: steps run as child processes,
 * the plan of a study, and the summary/report written at the end. */
#ifndef BPEL_CLI_STUDY_H
#define BPEL_CLI_STUDY_H

#include <stdarg.h>
#include "study_config.h"

#define STEP_MAX_ARGS 48
#define STEP_ARG_LEN 600

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

#define STUDY_MAX_FAILED 64

/* A step that failed (or was skipped because a step it needs failed). */
typedef struct study_failure {
    char sample[128];  /* e.g. Cu50Zr50_R1e13 */
    char step[64];
    char message[512];
} study_failure;

typedef struct study_run {
    const study_config *cfg;
    char out[512];
    char self[1024];  /* path of the bpel executable */
    int threads;
    int redo;
    int index, total; /* progress */
    int dirty;        /* a step of the current glass was (re)run: redo the later ones */
    int nfailed;      /* failed or skipped steps (failed[] holds the first STUDY_MAX_FAILED) */
    study_failure failed[STUDY_MAX_FAILED];
    int nnotes;       /* steps skipped by design (not failures), with the reason */
    study_failure notes[STUDY_MAX_FAILED];
    int interrupted;  /* a signal stopped a step: no further step runs, no report */
    char interrupt_msg[512];
    unsigned long long chain; /* hash of the finished-step markers of the current glass so far */
} study_run;

/* One glass of the study. */
typedef struct sample {
    char composition[32];
    double rate;             /* K/s */
    char dir[700];           /* its folder */
} sample;

void step_init(study_step *st, const char *name, const char *dir);
void step_arg(study_step *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void step_args_split(study_step *st, const char *opts);
int study_run_step(study_run *run, const study_step *st);

/* Plan and run every step of the study, then the sweeps, merged tables,
 * summary and report (cli_study_plan.c). A failed step does not stop the
 * study: the steps that need its output are skipped, the others run, the
 * report marks both with the message, and the return is BPEL_EIO. */
int study_execute(study_run *run);
/* Figs. 6 and 7 over the glasses of the study (cli_study_sweeps.c). */
int study_sweeps(study_run *run, const sample *sm, int ns);

#endif
