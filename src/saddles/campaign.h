/* campaign.h — per-atom activation energies: many ARTn searches over a glass,
 * with a crash-safe event log.
 *
 * Each (central atom, search number) pair is one work item whose random
 * numbers come from a generator seeded by (seed, atom id, search), so
 * results do not depend on how items are spread over threads or MPI ranks.
 * Every finished item is one line of an append-only log (events.log),
 * written whole and fsync'ed; a line without its closing "END" token (a
 * torn write) is discarded on resume, so a campaign killed at any moment
 * loses at most the searches in flight. Outputs are made from the log,
 * sorted by (atom id, search):
 *   events.csv   one row per search (ΔQ in eV, status, force calls, ...)
 *   atoms.csv    id,type,element,dq_mean_eV,dq_std_eV,n_converged,n_tried,
 *                dq_connected_mean_eV,n_connected (the mean over the saddles that
 *                relax back to the initial minimum; NaN where none)
 *   saddles.dump, minima.dump   accepted saddles / final minima as LAMMPS
 *                text dumps (id type x y z of every moving atom: with the
 *                default, every atom of the glass, whole frames; with a region
 *                or store_disp the other atoms are at their reference
 *                positions and read_dump updates only the atoms listed),
 *                TIMESTEP = the row number in events.csv
 *   dq_histogram.csv, dq_map.xyz (extended XYZ with per-atom mean ΔQ),
 *   summary.json */
#ifndef BPEL_CAMPAIGN_H
#define BPEL_CAMPAIGN_H

#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include "artn.h"
#include "model.h"
#include "localforce.h"
#include "structure.h"

typedef struct campaign campaign;

typedef struct campaign_params {
    artn_params artn;
    lf_params region;
    int searches;           /* per atom (20) */
    unsigned long seed;     /* (1) */
    int full_check;         /* confirm each saddle with a full force evaluation (1) */
    int nmoved;             /* atoms listed as "moved most" per event (5) */
    double took_part;       /* Å: the central atom took part if it moved at least this at the saddle (0.1) */
    double hist_bin;        /* eV, ΔQ histogram bin (0.05) */
    double store_disp;      /* Å: keep in the log and dumps only atoms displaced more than this at the
                               saddle or final minimum (0: every moving atom, exact frames) */
} campaign_params;

void bpel_campaign_defaults(campaign_params *p);
/* Set one parameter by name, as `bpel artn --param NAME=VALUE`: store_disp,
 * region.NAME (bpel_lf_param_set) or a search parameter (bpel_artn_param_set).
 * BPEL_EINVAL with a message for an unknown name or a bad value. */
int bpel_campaign_param_set(campaign_params *p, const char *name, const char *value);
/* Every parameter bpel_campaign_param_set takes: name, value in p, meaning. */
void bpel_campaign_param_list(FILE *fp, const campaign_params *p);

/* Atom selection: "all", "ID,ID,...", "type:Cu" (element or type number),
 * "fraction:0.1" (seeded random subset). */
int bpel_campaign_create(const bpel_system *s, const bpel_model *model,
                    const char *atoms, const campaign_params *p, campaign **out);
void bpel_campaign_destroy(campaign *c);
size_t bpel_campaign_nitems(const campaign *c);
size_t bpel_campaign_natoms(const campaign *c);

/* Per-thread workspace. */
typedef struct campaign_worker campaign_worker;
int bpel_campaign_worker_create(campaign *c, campaign_worker **out);
void bpel_campaign_worker_destroy(campaign_worker *w);

/* Run item k (0 ≤ k < nitems) and format its log line (malloc'ed, ends in
 * "END\n"). Returns BPEL_OK or an error. */
int bpel_campaign_run_item(campaign_worker *w, size_t k, char **line, int *accepted);

/* Log: open DIR/events.log; with resume, check its header line names this
 * campaign (glass, atoms, searches, seed, parameters; a mismatch is refused
 * naming the field), keep its complete records (the torn tail is cut off)
 * and mark their items done; without, start afresh, which an existing log
 * refuses unless overwrite. done[k] (nitems) is filled. */
int bpel_campaign_log_open(campaign *c, const char *dir, int resume, int overwrite, unsigned char *done, size_t *ndone,
                      size_t *nacc);
/* Append one record and make it durable. */
int bpel_campaign_log_append(campaign *c, const char *line);
void bpel_campaign_log_close(campaign *c);

/* Run every item not done, with `threads` OpenMP threads; progress(ctx,
 * done, total, accepted) after each. When progress returns non-zero (e.g.
 * on SIGINT) no further item is started: the searches in flight finish and
 * are logged, and the call returns BPEL_EINTR if items are left, so that a
 * --resume runs exactly those (the log stays whole and the result the same). */
int bpel_campaign_run(campaign *c, const unsigned char *done, int threads,
                 int (*progress)(void *ctx, size_t done, size_t total, size_t accepted), void *ctx);

/* The same over the ranks of MPI_COMM_WORLD (MPI initialised, at least 2
 * ranks, the campaign created on every rank): rank 0 hands out the items not
 * done, receives each record, appends it to the log (opened there) and calls
 * progress(ctx, done, total, accepted); the other ranks search, one thread
 * each. A stop request (progress non-zero, or a caught signal) hands out no
 * further item. Returns on each rank its own result: BPEL_OK, an error (its
 * message on that rank), or on rank 0 BPEL_EINTR when a stop left items.
 * `out` is the same on every rank: whether any rank failed or the farm was
 * interrupted. *ndone and *nacc (rank 0) count the records, from the values
 * campaign_log_open gave. */
typedef struct campaign_ranks_outcome {
    int failed;      /* some rank failed */
    int interrupted; /* rank 0 stopped with items left */
} campaign_ranks_outcome;
int bpel_campaign_run_ranks(campaign *c, const unsigned char *done, size_t *ndone, size_t *nacc,
                            int (*progress)(void *ctx, size_t done, size_t total, size_t accepted), void *ctx,
                            campaign_ranks_outcome *out);

/* Write the outputs listed above from DIR/events.log. Fills summary numbers. */
typedef struct campaign_summary {
    size_t tried, accepted;
    double median_calls;        /* force calls to a checked saddle, accepted searches */
    double mean_time_s;         /* wall time per search */
    double dq_mean, dq_median, dq_min, dq_max; /* per-atom mean ΔQ over atoms with ≥1 saddle, eV */
    size_t checked, connected;  /* accepted saddles whose connection was checked / that relax back */
    double calls_per_saddle;    /* force calls to the saddle of every search (failed ones too) per accepted saddle */
} campaign_summary;
int bpel_campaign_write_outputs(campaign *c, const char *dir, campaign_summary *sum);
/* The summary in a few lines of text (searches, acceptance, force calls per
 * saddle, connected fraction, per-atom ΔQ), as `bpel artn` prints it. */
void bpel_campaign_summary_write(FILE *fp, const campaign_summary *s);

#endif
