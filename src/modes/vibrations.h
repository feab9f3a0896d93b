/* vibrations.h — the vibrational analysis of one inherent structure, from
 * configuration to files: modes, VDOS and boson peak, per-atom I_BP,
 * elastic constants and the Debye level of the reduced VDOS.
 *
 * Defaults (written into summary.json with every run):
 *   bin width 0.5 rad/ps, no broadening;
 *   boson-peak window [1.2·ω_T1, max(ω_D/2, 2·lo)] with ω_T1 = 2π v_T / L_max the
 *   lowest transverse sound wave the periodic box admits (finite-size modes
 *   below it are excluded) and ω_D the Debye frequency; without moduli the
 *   window starts at 1.2× the lowest non-translational mode and ends at 15 rad/ps.
 *   When only the modes up to W were computed (vib_params.max_omega) and the
 *   default top lies higher, the top is clipped to bpel_vib_window_top(W) (the
 *   last bin that holds every mode it would hold with all modes), recorded
 *   in window_source and flagged; an explicit window above W is refused.
 *   K, G: Born minus non-affine term, from the modes when all are available,
 *   otherwise by conjugate gradients on the sparse Hessian. */
#ifndef BPEL_VIBRATIONS_H
#define BPEL_VIBRATIONS_H

#include "model.h"
#include "elastic.h"
#include "vdos.h"

struct cJSON;

typedef struct vib_options {
    vib_params modes;
    vdos_params vdos;   /* bp_lo/bp_hi <= 0: defaults above */
    double K, G;        /* GPa; > 0: use these instead of computing the moduli */
    int elastic_route;  /* 0 auto, 1 modes, 2 conjugate gradients, -1 none */
    vib_modes *modes_given; /* modes already computed for this structure (ownership passes to the analysis) */
    double max_initial_force; /* eV/Å (default 1e-3): bpel_vib_analyse refuses a structure whose largest |F_i| is
                               * above it, since modes, moduli and I_BP are only defined at a minimum;
                               * inf: no check */
} vib_options;

void bpel_vib_options_default(vib_options *o);
/* Checks the options against each other before any work: an explicit
 * boson-peak window (vdos.bp_hi > 0) whose top lies above the modes that
 * will be computed (modes.max_omega, or the omega_top of modes_given) is
 * refused with BPEL_EINVAL naming both numbers. bpel_vib_analyse calls it first. */
int bpel_vib_options_check(const vib_options *o);

typedef struct vib_analysis {
    vib_modes *modes;
    vib_vdos *vdos;
    int have_elastic;
    elastic_result elastic;
    int have_debye;
    debye_result debye;
    double K, G;          /* GPa used for the Debye level */
    char moduli_source[96];
    double omega_T1;      /* rad/ps, 0 if unknown */
    char window_source[320];
    char solver_choice[256]; /* why the sparse route was taken with solver auto; "" otherwise */
    int window_clipped;   /* 1: the default window top was lowered to the computed modes */
    double window_hi_default; /* rad/ps: the default top before clipping (window_clipped) */
    double window_omega_top;  /* rad/ps: the computed modes' bound it was clipped to (window_clipped) */
    double t_total;       /* s */
} vib_analysis;

/* Under MPI with the sparse solver every rank calls this; ranks other than 0
 * return with a->modes->worker set and nothing else computed. */
int bpel_vib_analyse(const bpel_model *model, const bpel_system *s, const vib_options *o,
                vib_analysis *out);
void bpel_vib_analysis_free(vib_analysis *a);

/* Names in the files of bpel_vib_write that other stages read back (the study's
 * merged table and report): per-atom columns of atoms.csv (and atoms.xyz),
 * and keys of summary.json; a number of the summary is found at its dotted
 * path, e.g. VIB_KEY_BOSON_PEAK "." VIB_KEY_BP_OMEGA, which is also its key
 * under "quality" (quality.h). */
#define VIB_FILE_ATOMS "atoms.csv"
#define VIB_FILE_SUMMARY "summary.json"
#define VIB_COL_IBP "I_BP_per_radps3"       /* per-atom boson-peak intensity, (rad/ps)^-3 */
#define VIB_COL_OMEGA_BP "omega_BP_radps"   /* frequency of the atom's maximum */
#define VIB_KEY_MODES "modes"
#define VIB_KEY_NEGATIVE_MODES "negative_modes"
#define VIB_KEY_BOSON_PEAK "boson_peak"
#define VIB_KEY_BP_OMEGA "omega_radps"
#define VIB_KEY_BP_HEIGHT "height_g_over_omega2_per_radps3"
#define VIB_KEY_DEBYE "debye"
#define VIB_KEY_DEBYE_LEVEL "debye_level_per_radps3"

/* Files in `dir` (created if missing): modes.csv, vdos.csv, atoms.csv,
 * gi.csv (per-atom VDOS), atoms.xyz (extended XYZ for OVITO), summary.json.
 * `extra` (may be NULL) is a cJSON object merged into the summary. */
int bpel_vib_write(const char *dir, const bpel_system *s, const vib_analysis *a, const char *provenance,
              const char *source, struct cJSON *extra);

/* Read back the VDOS of a `bpel modes` output directory (vdos.csv and
 * summary.json): bins, g, the boson peak and its window; *debye_level gets
 * the Debye level, or 0 if the summary has none. No per-atom data. Errors
 * name the file and line. */
int bpel_vib_vdos_read(const char *dir, vib_vdos **out, double *debye_level);

#endif
