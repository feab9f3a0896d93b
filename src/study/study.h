/* study.h — a whole study as one library call: the stage behind `bpel study`.
 *
 * For every glass of a description (study_config.h: composition × cooling
 * rate) bpel_study_run runs the steps quench → Tg → modes (VDOS, I_BP) → ARTn (ΔQ)
 * → correlations (all saddles, connected saddles) → low-T trajectories → PMF
 * → Grüneisen → temperature series, each as a child process of the bpel
 * program (`program`, e.g. bpel quench ...) with its own log; then the
 * sweeps over compositions and rates (Figs. 6, 7), one merged per-atom table
 * per glass, summary.json and the report.
 *
 * Files in OUT:
 *   <composition>_R<rate>/  one glass: glass.data and its quench log, tg/,
 *                           modes/, artn/, correlate/, correlate_connected/,
 *                           trajectory/, pmf/, gruneisen/, series/ (the steps'
 *                           outputs), logs/<step>.log, atoms_merged.csv and
 *                           atoms_merged.xyz (every per-atom quantity, OVITO)
 *   fig6_compositions, fig7_cooling_rates  (.png, .svg) the sweeps
 *   summary.json            the step summaries of every glass and the failed steps
 *   report.md, report.html  the key numbers beside the paper's, with their
 *                           quality verdicts, and every figure
 *
 * Each step leaves in its glass's folder a marker when it starts and one
 * when it has finished, with its command line and a hash of the finished
 * markers before it: a rerun reuses a finished step whose command line and
 * upstream steps are unchanged, redoes the others, and continues an
 * interrupted quench or ARTn run from its checkpoint.
 *
 * A failed step does not stop the study: the steps that need its output are
 * skipped, the others run, the report and the result list both, and the
 * return is BPEL_EIO. A signal (see `signalled`) goes on to the running step,
 * which saves its state and stops; no later step runs, nothing is written at
 * the end, and the return is BPEL_EINTR (rerun to resume).
 *
 * Nothing is printed: what happens goes to an optional callback, one event
 * at a time. Errors follow error.h.
 *
 * Typical use:
 *
 *     study_config c;
 *     int rc = bpel_study_config_read("demo.yaml", &c);
 *     study_options o;
 *     bpel_study_options_default(&o);
 *     o.program = "/usr/bin/bpel";
 *     study_result r;
 *     if (!rc) rc = bpel_study_run(&c, &o, &r);  // r.out holds report.html
 */
#ifndef BPEL_STUDY_H
#define BPEL_STUDY_H

#include <signal.h>

#include "study_config.h"

typedef enum study_event_kind {
    STUDY_BEGIN,            /* the output folder `dir` is usable; no step has run */
    STUDY_STEP_REUSED,      /* finished before with the same inputs: not run again */
    STUDY_STEP_START,       /* the step starts (`continued`: from its checkpoint) */
    STUDY_STEP_DONE,        /* it finished after `seconds` */
    STUDY_STEP_FAILED,      /* its process failed after `seconds` (STUDY_ERROR follows) */
    STUDY_STEP_INTERRUPTED, /* a signal stopped it after `seconds` */
    STUDY_STEP_SKIPPED,     /* not run: the step named by `detail` failed */
    STUDY_STEP_LEFT_OUT,    /* not run by design: `detail` says why */
    STUDY_ERROR             /* a step failed or could not run: `detail` is the message;
                             * the study goes on with the steps that do not need it */
} study_event_kind;

typedef struct study_event {
    study_event_kind kind;
    int index, total;     /* the step's place in the plan, 1..total (the last one
                           * for the steps after a failed quench, named "later steps") */
    const char *step;     /* its name, e.g. "modes", "modes_T300"; NULL for STUDY_BEGIN */
    const char *dir;      /* the glass's folder (STUDY_BEGIN: the study's) */
    int continued;        /* STUDY_STEP_START */
    double seconds;       /* wall time: STUDY_STEP_DONE, _FAILED, _INTERRUPTED */
    const char *detail;   /* STUDY_STEP_SKIPPED, _LEFT_OUT, STUDY_ERROR; else NULL */
} study_event;

typedef struct study_options {
    const char *program;    /* the bpel executable that runs the steps (required) */
    const char *out;        /* the study's folder; NULL: `output` of the description,
                             * else its name */
    int threads;            /* OpenMP threads of every step; <= 0: `threads` of the
                             * description, else 1 */
    int redo;               /* run every step again, finished or not */
    const char *provenance; /* markers, summary.json and the report; NULL: left out */
    /* Set (to the signal's number) by the caller's SIGINT/SIGTERM handler;
     * NULL: none. */
    const volatile sig_atomic_t *signalled;
    void (*event)(void *ctx, const study_event *e); /* NULL: none */
    void *ctx;
} study_options;

#define STUDY_MAX_FAILED 64

/* A step that failed, was skipped because a step it needs failed, or (notes)
 * was left out by design. */
typedef struct study_failure {
    char sample[128];  /* the glass, e.g. Cu50Zr50_R1e13 */
    char step[64];
    char message[512];
} study_failure;

typedef struct study_result {
    char out[512];      /* the study's folder */
    int nsteps;         /* steps planned */
    int nfailed;        /* failed or skipped steps; failed[] holds the first STUDY_MAX_FAILED */
    study_failure failed[STUDY_MAX_FAILED];
    int nnotes;         /* steps left out by design, with the reason */
    study_failure notes[STUDY_MAX_FAILED];
} study_result;

void bpel_study_options_default(study_options *o);

/* Run the study `c` (read and checked by bpel_study_config_read and
 * bpel_study_config_check_potential). `r` is filled as far as the study got.
 * Returns BPEL_OK when every step ran (or was reused); BPEL_EIO when some
 * failed or were skipped (the report and summary are written and name them);
 * BPEL_EINTR when a signal stopped it; another error when the folder cannot
 * be used or the final files cannot be written. */
int bpel_study_run(const study_config *c, const study_options *o, study_result *r);

#endif
