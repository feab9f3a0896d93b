/* vib_figures.h — the paper's vibrational figures (PNG + SVG via figure.h).
 *
 *   fig1b_reduced_vdos     g(ω)/ω² with the Debye level (dashed), inset g(ω)      (paper Fig. 1b)
 *   fig9_vdos_temperature  (a) g(ω) and (b) g(ω)/ω² of several inherent structures (Fig. 9)
 *   fig11a_mode_gruneisen  γ_k vs ω with the boson-peak frequency, inset |γ_k| on a log axis
 *   fig11b_gamma_ave       γ_ave(ω < ω₀) vs ω₀ with the standard deviation as error bars
 *   fig11c_ibp_vs_gamma    I_BP vs γ_i (log I_BP), density-coloured, with means of bins of 100 atoms
 * ω in rad/ps throughout (the paper's "THz"). */
#ifndef BPEL_VIB_FIGURES_H
#define BPEL_VIB_FIGURES_H

#include <stddef.h>

#include "vdos.h"

/* `debye_level` <= 0 leaves the line out. */
int vib_fig1b(const char *dir, const vib_vdos *d, double debye_level);
/* One VDOS per label (e.g. "300 K"); debye_level as above. */
int vib_fig9(const char *dir, int nseries, const vib_vdos *const *d, const char *const *labels, double debye_level);
/* gamma[k] per mode (NaN skipped), gamma_ave mean/std per mode, bp_omega <= 0 leaves the line out. */
int vib_fig11ab(const char *dir, const vib_modes *v, const double *gamma, const double *mean, const double *std,
                double bp_omega, const char *method);
int vib_fig11c(const char *dir, size_t n, const double *gamma_i, const double *ibp);

#endif
