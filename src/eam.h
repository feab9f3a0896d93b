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
int eam_read(const char *path, const char *style, bpel_eam **out);
void eam_destroy(bpel_eam *p);

int eam_nelements(const bpel_eam *p);
const char *eam_element(const bpel_eam *p, int k);   /* k = 0..nelements-1 */
double eam_element_mass(const bpel_eam *p, int k);   /* amu */
double eam_cutoff(const bpel_eam *p);                /* Å */
const char *eam_path(const bpel_eam *p);

/* Map the system's atom types to the potential's elements. With `elements`
 * ("Cu,Zr": one per type) the names are used; otherwise the types' element
 * names if set (e.g. from a previous call), else the potential's order.
 * Sets s->element and fills missing masses from the potential. Unknown
 * elements are an error naming them, and so is a type whose mass (from the
 * data file) differs from its element's mass in the potential by more than
 * EAM_MASS_TOLERANCE (relative): a swapped --elements or a wrong potential.
 * `map[t]` (t = 1..ntypes) receives the element index. */
#define EAM_MASS_TOLERANCE 0.01
int eam_map_types(const bpel_eam *p, bpel_system *s, const char *elements, int map[BPEL_MAX_TYPES + 1]);

/* Locate a potential file: the path itself if it exists, else in
 * $LAMMPS_POTENTIALS, else in /usr/share/lammps/potentials. Writes the full
 * path into `out` (size `n`). Default name: BPEL_DEFAULT_POTENTIAL. */
#define BPEL_DEFAULT_POTENTIAL "CuZr_mm.eam.fs"
int potential_find(const char *name, char *out, size_t n);

#endif
