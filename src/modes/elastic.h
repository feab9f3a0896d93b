/* elastic.h — athermal elastic constants of a configuration at a local
 * energy minimum: affine (Born) term minus the non-affine relaxation.
 *
 * With Lagrangian strain η (r² = d·(1+2η)·d for every pair vector d), V the
 * volume, U the energy and Ξ_{aα,γδ} = ∂²U/∂x_aα∂η_γδ (the force an affine
 * strain puts on each atom):
 *
 *   C_αβγδ = (1/V) [ ∂²U/∂η_αβ∂η_γδ  −  Ξ_αβ · H⁺ · Ξ_γδ ]
 *
 * H⁺ is the pseudo-inverse of the Hessian on the space orthogonal to the
 * rigid translations: Σ_k (e_k·M^{-1/2}Ξ)(e_k·M^{-1/2}Ξ)/λ_k over the
 * normal modes, or a conjugate-gradient solve H u = Ξ on the sparse Hessian.
 * For EAM, with R_i,γδ = Σ_j f'_ij d_γ d_δ / r:
 *   ∂²U/∂η∂η = Σ_i F''_i R_i ⊗ R_i + Σ_i Σ_j [F'_i(f''_ij − f'_ij/r)
 *             + ½(φ'' − φ'/r)] d_α d_β d_γ d_δ / r².
 * σ = (1/V)∂U/∂η is the stress (tension positive, = −LAMMPS pressure tensor).
 * Wave speeds need the stress–strain coefficients (Wallace)
 *   B_ijkl = C_ijkl + ½(δ_ik σ_jl + δ_il σ_jk + δ_jk σ_il + δ_jl σ_ik) − σ_ij δ_kl,
 * which equal C at zero stress. Voigt order xx yy zz yz xz xy; GPa. K and G of
 * a glass are the Voigt isotropic averages of B. */
#ifndef BPEL_ELASTIC_H
#define BPEL_ELASTIC_H

#include "hessian.h"
#include "model.h"
#include "vdos.h"

#define ELASTIC_EV_A3_TO_GPA 160.21766208 /* eV/Å³ in GPa */

typedef struct elastic_result {
    double born[6][6];      /* GPa, affine (Born) term */
    double nonaffine[6][6]; /* GPa, relaxation term subtracted from it */
    double C[6][6];         /* GPa, born − nonaffine */
    double B[6][6];         /* GPa, stress–strain coefficients */
    double stress[6];       /* GPa, tension positive */
    double K, G;            /* GPa, Voigt averages of B (relaxed) */
    double K_affine, G_affine; /* GPa, Voigt averages of the Born term with the stress terms */
    double volume;          /* Å³ */
    size_t modes_skipped;   /* modes with λ <= tolerance left out of H⁺ (unstable or zero) */
    int cg_iterations;      /* conjugate-gradient iterations (CG route) */
    char method[64];
} elastic_result;

/* Affine second derivatives (eV) and first derivatives (eV) of U wrt η. */
int bpel_elastic_born(const hess_model *m, double born[6][6], double dU[6]);
/* Ξ (eV/Å) as xi[6·(3a+α) + v]. */
int bpel_elastic_xi(const hess_model *m, double *xi);
/* Ξ·H⁺·Ξ (eV) from the modes (needs every mode). */
int bpel_elastic_nonaffine_modes(const vib_modes *v, const double *xi, double na[6][6], size_t *skipped);
/* Ξ·H⁺·Ξ (eV) by conjugate gradients on the sparse Hessian (relative residual tol). */
int bpel_elastic_nonaffine_cg(const hess_sparse *h, const double *xi, double tol, double na[6][6], int *iterations);
/* Fill C, B, stress, K, G from the pieces (eV) and the volume (Å³). */
void bpel_elastic_finish(elastic_result *r, const double born[6][6], const double na[6][6], const double dU[6], double V);
/* Voigt averages of a 6×6 matrix. */
void bpel_elastic_isotropic(const double C[6][6], double *K, double *G);
/* The whole route for a minimum `s` of `model`: Born term and Ξ from the
 * analytic Hessian, the non-affine term from every normal mode (`use_modes`,
 * dense: 8·(3N)² bytes) or by conjugate gradients on the sparse Hessian
 * (tolerance 1e-10), then C, B, K, G (bpel_elastic_finish); r->method says which. */
int bpel_elastic_compute(const bpel_model *model, const bpel_system *s, int use_modes, elastic_result *r);

/* Stress–strain coefficients B (GPa) by finite deformation, the independent
 * check of Born − non-affine: for each Voigt component w, box and positions
 * are deformed by F = 1 ± h·E_w (E_w upper triangular: xx, yy, zz, then the
 * simple shears yz, xz, xy), the positions re-minimised at fixed box with
 * minimise() to `ftol` (unless relax = 0: affine), and
 * B[v][w] = Δσ_v/(2h) − (the rigid rotation of a simple shear acting on σ₀). */
int bpel_elastic_strain_relax(const bpel_model *model, const bpel_system *s, double h,
                         double ftol, int relax, double B[6][6]);

/* Debye level of the reduced VDOS from K, G (GPa), mass density and number density:
 * v_T = √(G/ρ), v_L = √((K+4G/3)/ρ), 3/v_D³ = 1/v_L³ + 2/v_T³,
 * ω_D = v_D (6π² n)^{1/3}, level = 3/ω_D³. */
typedef struct debye_result {
    double v_L, v_T, v_D;  /* Å/ps (= 100 m/s) */
    double omega_D;        /* rad/ps */
    double level;          /* (rad/ps)^-3 */
    double number_density; /* Å^-3 */
    double mass_density;   /* amu/Å³ */
} debye_result;
int bpel_elastic_debye(double K, double G, const bpel_system *s, debye_result *d);

#endif
