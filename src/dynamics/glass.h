/* glass.h — starting configurations for glass preparation.
 *
 * A random solid solution: N atoms placed on the sites of an fcc lattice of
 * m³ cells (m the smallest with 4m³ >= N; when 4m³ > N the sites left empty
 * are chosen at random), species assigned at random in exact numbers
 * (largest-remainder rounding of the composition), with the density set from
 * a Vegard-like average of the pure elements' atomic volumes, each found
 * from the energy minimum of the fcc crystal of that element with the given
 * potential. Seeded GSL mt19937. */
#ifndef BPEL_GLASS_H
#define BPEL_GLASS_H

#include <gsl/gsl_rng.h>

#include "eam.h"
#include "structure.h"

#define GLASS_MAXEL 4

typedef struct glass_composition {
    int nel;                          /* number of elements */
    char element[GLASS_MAXEL][8];     /* symbols */
    double percent[GLASS_MAXEL];      /* atomic %, sums to 100 */
} glass_composition;

/* Parse "Cu50Zr50", "Cu64.5Zr35.5", "Cu" (100 %). Errors name the problem. */
int bpel_glass_parse_composition(const char *text, glass_composition *c);
/* Atomic volume (Å³) of the fcc crystal of element `el` at its energy
 * minimum with potential `pot`. */
int bpel_glass_atomic_volume(const bpel_eam *pot, const char *el, double *volume);
/* Build the random solid solution of `n` atoms. Types are numbered in the
 * order of the composition; masses from the potential. `*count` (optional)
 * receives the number of atoms of each element. */
int bpel_glass_random_solution(const bpel_eam *pot, const glass_composition *c, size_t n, gsl_rng *rng, bpel_system **out,
                          size_t count[GLASS_MAXEL]);

#endif
