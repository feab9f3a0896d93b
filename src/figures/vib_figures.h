/* vib_figures.h — the paper's vibrational figures (PNG + SVG via figure.h).
 *
 *   fig1b_reduced_vdos     g(ω)/ω² with the Debye level (dashed), inset g(ω)      (paper Fig. 1b)
 *   fig9_vdos_temperature  (a) g(ω) and (b) g(ω)/ω² of several inherent structures (Fig. 9)
 *   fig11a_mode_gruneisen  γ_k vs ω with the boson-peak frequency, inset |γ_k| on a log axis
 *   fig11b_gamma_ave       γ_ave(ω < ω₀) vs ω₀ with the standard deviation as error bars
 *   fig11c_ibp_vs_gamma    I_BP vs γ_i (log I_BP), density-coloured, with means of bins of 100 atoms
 *   fig_kpm_vdos           (a) the KPM g(ω) and (b) g(ω)/ω², each with its ±2σ statistical band and,
 *                          when given, the dense histogram on the same bins
 * ω in rad/ps throughout (the paper's "THz"). */
#ifndef BPEL_VIB_FIGURES_H
#define BPEL_VIB_FIGURES_H

#include <stddef.h>

#include "kpm.h"
#include "vdos.h"

/* `debye_level` <= 0 leaves the line out. */
int bpel_vib_fig1b(const char *dir, const vib_vdos *d, double debye_level);
/* One VDOS per label (e.g. "300 K"); debye_level as above. */
int bpel_vib_fig9(const char *dir, int nseries, const vib_vdos *const *d, const char *const *labels, double debye_level);
/* gamma[k] per mode (NaN skipped), gamma_ave mean/std per mode, bp_omega <= 0 leaves the line out. */
int bpel_vib_fig11ab(const char *dir, const vib_modes *v, const double *gamma, const double *mean, const double *std,
                double bp_omega, const char *method);
int bpel_vib_fig11c(const char *dir, size_t n, const double *gamma_i, const double *ibp);
/* g_dense[r->nbins] (per rad/ps) may be NULL; bp_lo < bp_hi marks the boson-peak window and
 * bp_omega > 0 the peak, otherwise they are left out. */
int bpel_vib_fig_kpm(const char *dir, const kpm_result *r, const double *g_dense, double bp_lo, double bp_hi,
                double bp_omega);

#endif
