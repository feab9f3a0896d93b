/* forces.h — energies, forces and virial of an EAM potential bound to a system.
 *
 * A `bpel_forces` object owns what repeated evaluations need: the potential's
 * spline tables arranged per (type, type) pair, a neighbour list with a skin,
 * and scratch arrays. Two kernels share the tables: a reference kernel that is
 * a direct transcription of the equations (full neighbour list, no tricks)
 * and the fast kernel (half list, interleaved coefficients, pair data cached
 * between the density and force passes, OpenMP with per-thread force
 * buffers). Tests hold them to each other and to LAMMPS.
 *
 * Virial W_ab = Σ_pairs r_ij,a f_ij,b in eV, order xx yy zz xy xz yz (LAMMPS);
 * pressure = (Σ m v_a v_b + W_ab)/V in bar with BPEL_NKTV2P. */
#ifndef BPEL_FORCES_H
#define BPEL_FORCES_H

#include "model.h"
#include "neighbour.h"
#include "structure.h"

typedef struct bpel_forces bpel_forces;

enum {
    FORCES_ENERGY = 1,   /* total energy */
    FORCES_VIRIAL = 2,   /* virial tensor */
    FORCES_PERATOM = 4,  /* per-atom energies */
    FORCES_REFERENCE = 8 /* use the reference kernel */
};

typedef struct bpel_eval {
    double energy;     /* eV */
    double virial[6];  /* eV: xx yy zz xy xz yz */
    const double *f;   /* [3n] eV/Å, owned by the bpel_forces object */
    const double *pe;  /* [n] eV per atom (with FORCES_PERATOM), owned likewise */
    const double *rho; /* [n] host electron density of each atom */
} bpel_eval;

/* Forces of `model` (the potential bound to the types of `s`, model.h) on
 * `s`. skin in Å (0.5–2 typical). */
int bpel_forces_create(const bpel_model *model, bpel_system *s, double skin,
                  bpel_forces **out);
void bpel_forces_destroy(bpel_forces *e);
/* Evaluate at the current positions of `s` (which may be wrapped back into
 * the box). */
int bpel_forces_compute(bpel_forces *e, bpel_system *s, int flags, bpel_eval *out);
/* The neighbour list in use (valid after a compute), for modules that need
 * pair geometry (Hessian, analysis). */
const nbr_list *bpel_forces_neighbours(const bpel_forces *e);
const bpel_eam *bpel_forces_potential(const bpel_forces *e);
const bpel_model *bpel_forces_model(const bpel_forces *e);
double bpel_forces_cutoff(const bpel_forces *e);

/* Refuse a configuration that is not an energy minimum: evaluates the
 * forces once and fails with BPEL_EINVAL ("NAME is not an energy minimum:
 * max |F| = … eV/Å on atom ID (limit …): WHAT") when the largest |F_i|
 * exceeds `limit` (eV/Å). Harmonic quantities (modes, elastic constants,
 * Grüneisen parameters) and ΔQ are only defined at a minimum. `fmax_out`
 * (may be NULL) receives the largest |F_i|. */
int bpel_forces_require_minimum(const bpel_model *model, bpel_system *s, double limit,
                           const char *name, const char *what, double *fmax_out);

/* Pressure tensor in bar (xx yy zz xy xz yz, LAMMPS convention: positive
 * when the system pushes outward) from the virial and the kinetic term of the
 * velocities, if any. Returns the scalar pressure (trace/3). */
double bpel_forces_stress(const bpel_system *s, const double virial[6], double stress[6]);

#endif
