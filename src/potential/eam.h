/* eam.h — embedded-atom potentials read from LAMMPS files.
 *
 *   E = Σ_i F_i(ρ_i) + ½ Σ_i Σ_{j≠i} φ_ij(r_ij),   ρ_i = Σ_{j≠i} ρ_{ji}(r_ij)
 *
 * Files: `funcfl` (pair_style eam), `setfl` (eam/alloy) and Finnis–Sinclair
 * (eam/fs), parsed and tabulated exactly as LAMMPS does (pair_eam*.cpp):
 * the same resampling of funcfl tables, the same 7-coefficient cubic
 * splines per interval, so that energies and forces agree with LAMMPS to
 * round-off. Units: eV, Å. The spline is C¹: forces are the exact gradient
 * of the energy; second derivatives jump at knots. */
#ifndef BPEL_EAM_H
#define BPEL_EAM_H

#include "structure.h"

typedef struct bpel_eam bpel_eam;

/* Read a potential file. `style` is "eam" (funcfl), "eam/alloy" (setfl),
 * "eam/fs", or NULL to infer it from the file name (.eam, .eam.alloy or
 * .setfl, .eam.fs). Errors name the file and line. */
int bpel_eam_read(const char *path, const char *style, bpel_eam **out);
void bpel_eam_destroy(bpel_eam *p);

int bpel_eam_nelements(const bpel_eam *p);
const char *bpel_eam_element(const bpel_eam *p, int k);   /* k = 0..nelements-1 */
double bpel_eam_element_mass(const bpel_eam *p, int k);   /* amu */
double bpel_eam_cutoff(const bpel_eam *p);                /* Å */
const char *bpel_eam_path(const bpel_eam *p);

/* Relative tolerance between a type's mass in a data file and its element's
 * mass in the potential (bpel_model_create, model.h). */
#define EAM_MASS_TOLERANCE 0.01

/* Locate a potential file: the path itself if it exists, else in
 * $LAMMPS_POTENTIALS, else in /usr/share/lammps/potentials. Writes the full
 * path into `out` (size `n`). Default name: BPEL_DEFAULT_POTENTIAL. */
#define BPEL_DEFAULT_POTENTIAL "CuZr_mm.eam.fs"
int bpel_potential_find(const char *name, char *out, size_t n);

#endif
