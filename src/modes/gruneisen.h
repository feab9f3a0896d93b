/* gruneisen.h — mode and particle Grüneisen parameters (paper Eqs. 3–5).
 *
 *   γ_k = −(V/ω_k) Δω_k/ΔV,   ΔV = V₊ − V₋ = 2·dv·V₀   (V± = (1 ± dv) V₀)
 *   γ_i = Σ_k γ_k |e_k^i|²    (V₀ eigenvectors, translations excluded)
 *   γ_ave(ω₀) = mean of γ_k over modes with 0 < ω_k < ω₀ (and its std)
 *
 * The volumes are made by scaling box and positions affinely about the box
 * centre; then, by default, the positions are re-minimised at fixed box
 * (minimise(), CG to max|F| ≤ ftol), since an affinely scaled glass is not
 * at a minimum. Three ways to decide which mode at V± "is" mode k at V₀:
 *   sorted   the paper's: the k-th lowest frequency at each volume;
 *   overlap  the mode at V± whose eigenvector has the largest |⟨e_k(V₀)|e_j(V±)⟩|;
 *            every overlap is reported, and those below `low_overlap` flagged;
 *   hf       no pairing at all: first-order perturbation (Hellmann–Feynman)
 *            dλ_k/dV = ⟨e_k|D₊ − D₋|e_k⟩/ΔV at V₀, so γ_k = −V ⟨e_k|ΔD|e_k⟩/(2 λ_k ΔV);
 *            needs only the sparse Hessians at V±, no diagonalisation there.
 * Within a degenerate multiplet only the multiplet's mean is defined for the
 * pairing routes; hf gives the mean of the multiplet's shifts as well. */
#ifndef BPEL_GRUNEISEN_H
#define BPEL_GRUNEISEN_H

#include "model.h"
#include "vdos.h"

enum { GRU_SORTED = 1, GRU_OVERLAP = 2, GRU_HF = 4, GRU_ALL = 7 };

typedef struct gru_params {
    double dv;          /* fractional volume change (default 0.01) */
    int relax;          /* 1: re-minimise positions at V± (default 1) */
    double ftol;        /* eV/Å, force tolerance of the re-minimisation (default 1e-8) */
    int methods;        /* GRU_* mask (default GRU_ALL) */
    double low_overlap; /* flag overlaps below this (default 0.5) */
    const char *solver; /* eigensolver, NULL: auto */
    double max_omega;   /* rad/ps; > 0: only the modes with ω <= max_omega at V₀ (and up to 1.1 max_omega at
                         * V±, so that the pairing routes find every partner); γ_i and γ_ave then sum over
                         * those modes only. 0: all modes */
} gru_params;

void bpel_gru_defaults(gru_params *p);

typedef struct gru_result {
    vib_modes *modes;      /* at V₀ (owned) */
    size_t nmodes;
    double V0;             /* Å³ */
    double *gamma_sorted;  /* [nmodes] NAN for translations or where not computed */
    double *gamma_overlap;
    double *overlap_plus, *overlap_minus; /* [nmodes] best |⟨e₀|e±⟩| */
    size_t *match_plus, *match_minus;     /* [nmodes] matched mode index at V± */
    size_t nlow;           /* modes with an overlap below low_overlap (either side) */
    double *gamma_hf;
    double *omega_plus, *omega_minus; /* [nmodes] sorted spectra at V± (rad/ps), pairing routes */
    double relax_disp[2];  /* max non-affine displacement of the re-minimisation at V₊, V₋ (Å) */
    double relax_fmax[2];  /* eV/Å reached */
    int relaxed;
    int methods;
} gru_result;

int bpel_gru_compute(const bpel_model *model, const bpel_system *s, const gru_params *p,
                gru_result *out);
void bpel_gru_result_free(gru_result *r);
/* Particle γ_i for one per-mode γ array (NaN modes skipped). */
int bpel_gru_particle(const vib_modes *v, const double *gamma, double *gi);
/* γ_ave(ω₀) at the frequencies of the modes: for the first m non-translational
 * positive modes (sorted by ω), mean and standard deviation of their γ. */
void bpel_gru_average(const vib_modes *v, const double *gamma, double *mean, double *std);

#endif
