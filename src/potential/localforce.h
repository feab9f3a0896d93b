/* localforce.h — EAM energy and forces of a moving region inside a frozen
 * glass, at a cost that does not depend on the size of the glass.
 *
 * A saddle search moves only the atoms of a region M around its central
 * atom (displacements u, Å); every other atom keeps its reference position
 * x⁰. With E = Σ_i F_i(ρ_i) + ½ Σ_{i≠j} φ_ij(r_ij) and the reference
 * densities ρ⁰ and energy E⁰ of the whole glass computed once,
 *   ρ_k = ρ⁰_k + Σ_{i∈M} [ρ_{k←i}(r_ik) − ρ_{k←i}(r⁰_ik)]       (k ∉ M)
 *   E   = E⁰ + Σ_{k touched} [F_k(ρ_k) − F_k(ρ⁰_k)] + Σ_{pairs with one end in M} [φ(r) − φ(r⁰)]
 * so only pairs with one end in M are visited: the two cutoff shells that
 * forces depend on (the densities of atoms within the cutoff of M, and
 * their embedding derivatives F'(ρ)) come out of the same pair loop.
 * Forces on the atoms of M are exact (the same tables as forces.c); forces
 * on the frozen atoms next to M (within `shell` Å) are computed when the
 * region is asked to grow: a frozen atom whose force exceeds `grow_force`
 * joins M. Neighbour lists of the region carry a skin and are rebuilt from
 * a cell grid of the reference positions (any box size, triclinic).
 *
 * Units: Å, eV, eV/Å. */
#ifndef BPEL_LOCALFORCE_H
#define BPEL_LOCALFORCE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "forces.h"
#include "structure.h"

/* Read-only data shared by every search on one glass (thread safe). */
typedef struct lf_shared lf_shared;
/* One search's region and scratch (one per thread). */
typedef struct lf_region lf_region;

typedef struct lf_params {
    double radius;      /* Å, initial region: atoms within this of the central atom (6.0) */
    double shell;       /* Å, frozen atoms within this of M are watched for growth (5.0) */
    double grow_force;  /* eV/Å, a watched atom with a larger force component joins M (0.045) */
    double skin;        /* Å, neighbour-list skin of the region (1.0) */
    size_t max_atoms;   /* largest region (2000, at most the glass) */
    int whole;          /* 1: the region is the whole glass from the start (full-system searches; 0) */
} lf_params;

void bpel_lf_defaults(lf_params *p);
/* Set a field by name (radius, shell, grow_force, skin, max_atoms) from
 * text; BPEL_EINVAL with a message for an unknown name or a bad value. */
int bpel_lf_param_set(lf_params *p, const char *name, const char *value);

/* Reference state: a full force evaluation of `s` (positions taken as the
 * minimum) with the potential bound by `map`. */
int bpel_lf_shared_create(const bpel_model *model, const bpel_system *s, lf_shared **out);
void bpel_lf_shared_destroy(lf_shared *sh);
double bpel_lf_shared_energy(const lf_shared *sh);      /* E⁰, eV */
const bpel_system *bpel_lf_shared_system(const lf_shared *sh);

int bpel_lf_region_create(const lf_shared *sh, const lf_params *p, lf_region **out);
void bpel_lf_region_destroy(lf_region *r);
/* Start a region around atom `center` (index): returns its size in atoms. */
long bpel_lf_region_start(lf_region *r, size_t center);
size_t bpel_lf_region_natoms(const lf_region *r);
const size_t *bpel_lf_region_atoms(const lf_region *r);  /* indices into the system, in dof order */
size_t bpel_lf_region_max_dof(const lf_region *r);

/* bpel_force_fn on the region: u[3·natoms] → energy (eV, whole glass), f[3·natoms]. */
int bpel_lf_eval(void *region, const double *u, double *energy, double *f);
/* artn_model.grow on the region. */
long bpel_lf_grow(void *region, const double *u, size_t ndof);
/* artn_model.translational: 1 when the region is the whole glass. */
int bpel_lf_translational(void *ctx);
/* Largest force component on the watched frozen atoms at u (eV/Å). */
double bpel_lf_shell_fmax(lf_region *r, const double *u);

/* Positions of the whole glass with the region displaced by u (x[3n]). */
void bpel_lf_positions(const lf_region *r, const double *u, double *x);

#endif
