/* gruneisen_run.h — the Grüneisen stage of the pipeline (paper Eqs. 3–5,
 * Fig. 11) as library calls; the parameters themselves and their routes are
 * in gruneisen.h.
 *
 *   bpel_gru_run        refuses a structure that is not at a minimum, computes the
 *                  mode γ_k by the chosen routes (bpel_gru_compute) and, from the
 *                  same modes at V₀, the VDOS and I_BP (bpel_vib_analyse);
 *   bpel_gru_run_write  writes the files and figures below, with the warnings and
 *                  quality verdicts of the summary: a re-minimisation that
 *                  moved an atom more than GRU_REARRANGEMENT_A beyond the
 *                  affine scaling (a jump to another basin), unstable modes
 *                  at V₀, mostly low overlaps on the figures' route.
 *
 * Files in DIR (created if missing):
 *   gruneisen_modes.csv  mode, ω, ν, translation flag, γ_k of every route, overlaps, the
 *                        flag of low overlaps, the sorted spectra at V±
 *   gamma_ave.csv        γ_ave(ω < ω₀) and its standard deviation for every route
 *   atoms.csv            γ_i of the figures' route, then of every route, and I_BP, by id
 *   atoms.xyz            extended XYZ with the same per-atom columns (OVITO)
 *   summary.json         parameters, volumes, re-minimisation, routes, warnings, quality
 *   fig11a_mode_gruneisen, fig11b_gamma_ave, fig11c_ibp_vs_gamma (.png, .svg; vib_figures.h)
 *
 * Nothing is printed: warnings go to an optional callback, one line each.
 * Errors follow error.h; messages name options as `bpel gruneisen` does. */
#ifndef BPEL_GRUNEISEN_RUN_H
#define BPEL_GRUNEISEN_RUN_H

#include "gruneisen.h"
#include "vibrations.h"

/* A re-minimisation that moves an atom this far (Å) beyond the affine
 * scaling is taken as a jump to another basin: γ there is not harmonic. */
#define GRU_REARRANGEMENT_A 0.1

/* Names in the files that other stages read back (the study's merged table
 * and report): the per-atom γ_i of the figures' route in atoms.csv, and γ_ave
 * in summary.json (also its key under "quality", quality.h). */
#define GRU_FILE_ATOMS "atoms.csv"
#define GRU_FILE_SUMMARY "summary.json"
#define GRU_COL_GAMMA "gamma_i"
#define GRU_KEY_GAMMA_AVE "gamma_ave"

typedef struct gru_run_options {
    gru_params gru;           /* the volumes and routes (bpel_gru_defaults) */
    vib_options vib;          /* the VDOS and I_BP at V₀ (bpel_vib_options_default); its
                               * max_initial_force is the refusal limit, checked once */
    int figures_method;       /* GRU_SORTED, GRU_OVERLAP or GRU_HF drawn in Fig. 11 and used for
                               * γ_i and γ_ave; 0: hf if computed, else overlap, else sorted */
    const char *data;         /* name of the structure in messages (NULL: its source) */
    const char *structure;    /* summary.json "structure" (NULL: the name above) */
    const char *provenance;   /* summary.json "provenance" (NULL: left out) */
    void (*note)(void *ctx, const char *line); /* warnings, one line without a newline; NULL: none */
    void *ctx;
} gru_run_options;

typedef struct gru_run_result {
    gru_result gru;           /* γ_k by route; gru.modes belongs to vib */
    vib_analysis vib;         /* VDOS and I_BP at V₀ */
    int figures_method;       /* the route settled */
    int worker;               /* an MPI rank that only helped the sparse solver: nothing else computed */
} gru_run_result;

void bpel_gru_run_defaults(gru_run_options *o);
/* `s` is wrapped into its box by the force check (the neighbour list). */
int bpel_gru_run(const bpel_model *model, bpel_system *s, const gru_run_options *o,
            gru_run_result *r);
int bpel_gru_run_write(const char *dir, const bpel_system *s, const gru_run_options *o, const gru_run_result *r);
void bpel_gru_run_free(gru_run_result *r);

#endif
