/* model.h — an EAM potential bound to the atom types of a system, once.
 *
 * A `bpel_model` is what every force, Hessian and dynamics call needs: the
 * potential and, for each atom type t = 1..ntypes of the system, the element
 * of the potential it is (LAMMPS keeps the same map inside its pair style,
 * set by `pair_coeff * * file Cu Zr`). Binding checks the elements exist in
 * the file and that each type's mass agrees with its element's
 * (EAM_MASS_TOLERANCE), fills missing masses, and arranges the potential's
 * spline tables per type pair. The model does not own the potential: keep
 * the potential alive until the model is destroyed. It may be shared between
 * threads and between systems with the same types (a copy, a replica, a
 * strained box). */
#ifndef BPEL_MODEL_H
#define BPEL_MODEL_H

#include "eam.h"
#include "structure.h"

typedef struct bpel_model bpel_model;

/* Bind `pot` to the types of `s`. With `elements` ("Cu,Zr", one per type)
 * the names are used; otherwise the types' element names if set (from a
 * data file's comments or an earlier call), else the potential's order.
 * Sets s->element and fills missing masses from the potential. Errors name
 * an unknown element or a type whose mass does not fit its element. */
int bpel_model_create(const bpel_eam *pot, bpel_system *s, const char *elements, bpel_model **out);
void bpel_model_destroy(bpel_model *m);

const bpel_eam *bpel_model_potential(const bpel_model *m);
int bpel_model_ntypes(const bpel_model *m);
/* The potential's element index (0..eam_nelements-1) of atom type t. */
int bpel_model_element(const bpel_model *m, int type);
double bpel_model_cutoff(const bpel_model *m); /* Å */
/* BPEL_EINVAL with a message when `s` has more types than the model binds. */
int bpel_model_check_system(const bpel_model *m, const bpel_system *s);

#endif
