/* kpm_run.h — the KPM stage of the pipeline in one call: the VDOS of a
 * large inherent structure without diagonalising (kpm.h), from a
 * configuration to its files.
 *
 *   bpel_kpm_run   refuses a structure that is not at a minimum (max |F_i| above
 *             max_initial_force), builds the sparse Hessian, runs bpel_kpm_vdos,
 *             optionally diagonalises D densely and compares both on the same
 *             bins through the same kernel (χ² per bin of the KPM estimate
 *             against that expectation), takes the median relative error of
 *             the bins holding most of the spectrum (g above 10 % of its
 *             maximum) and, in a given window, the maximum of g/ω² with its
 *             error; then writes in DIR (created if missing):
 *   vdos_kpm.csv   bin_lo_radps, bin_hi_radps, omega_radps, nu_THz, g_per_radps, g_err_per_radps,
 *                  g_over_omega2_per_radps3, g_over_omega2_err_per_radps3, kernel_sigma_radps
 *                  (with dense also g_dense_per_radps, the histogram of the exact modes, and
 *                  g_dense_kernel_per_radps, the exact modes seen through the same kernel)
 *   summary.json   parameters, spectral bounds, resolution, error level, timings, quality
 *   fig_kpm_vdos   (.png, .svg; with `figures`) g and g/ω² with the ±2σ band (vib_figures.h)
 *
 * Nothing is printed; progress goes to an optional callback. Errors follow
 * error.h; messages name options as `bpel kpm` does. */
#ifndef BPEL_KPM_RUN_H
#define BPEL_KPM_RUN_H

#include <stddef.h>

#include "model.h"
#include "kpm.h"
#include "structure.h"
#include "vdos.h"

enum { KPM_RUN_BEGIN, KPM_RUN_PASS, KPM_RUN_END };

typedef struct kpm_run_options {
    kpm_params kpm;           /* the method (bpel_kpm_defaults); its progress hook is the run's */
    int dense;                /* also diagonalise D and compare (16 (3N)² bytes) */
    const char *solver;       /* eigensolver of the dense route (NULL: auto) */
    double bp_lo, bp_hi;      /* rad/ps; bp_lo < bp_hi: report the maximum of g/ω² there */
    double max_initial_force; /* eV/Å (1e-3); inf: no check */
    int figures;              /* draw fig_kpm_vdos (1) */
    const char *data;         /* name of the structure in messages (NULL: its source) */
    const char *structure;    /* summary.json "structure" (NULL: the name above) */
    const char *provenance;   /* summary.json "provenance" (NULL: left out) */
    double t_before;          /* s the caller spent loading the structure, counted in the timings */
    /* NULL, or called with KPM_RUN_BEGIN before the moments, KPM_RUN_PASS
     * after each pass over H (done/total in passes) and KPM_RUN_END after */
    void (*progress)(void *ctx, int event, double done, double total);
    void *ctx;
} kpm_run_options;

typedef struct kpm_run_result {
    kpm_result *kpm;          /* the estimate */
    vib_modes *modes;         /* the dense spectrum (dense), or NULL */
    double *g_dense;          /* [nbins] histogram of the exact modes (dense), per rad/ps */
    double *g_kernel;         /* [nbins] the exact modes through the same kernel (dense) */
    size_t natoms;
    double fmax;              /* largest |F_i| found (NaN without the check) */
    size_t hessian_blocks;    /* nonzero 3×3 blocks of the sparse Hessian */
    size_t cmp_used, cmp_over3, cmp_over4; /* bins compared, beyond 3σ and 4σ (dense) */
    double chi2, zworst;      /* χ² per compared bin, largest |z| */
    double rel_med;           /* median relative error of g over the bins above 10 % of its maximum */
    double bp_omega;          /* rad/ps, maximum of g/ω² in the window; 0: none */
    double bp_height, bp_err; /* (rad/ps)^-3 */
    size_t bp_bin;
    double t_load, t_hessian, t_dense, t_kpm, t_total; /* wall seconds */
} kpm_run_result;

void bpel_kpm_run_defaults(kpm_run_options *o);
int bpel_kpm_run(const bpel_model *model, const bpel_system *s, const kpm_run_options *o,
            const char *dir, kpm_run_result *r);
void bpel_kpm_run_free(kpm_run_result *r);

#endif
