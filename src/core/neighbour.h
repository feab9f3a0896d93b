/* neighbour.h — periodic images, cell lists and Verlet lists.
 *
 * Periodicity is handled with ghost atoms, as in LAMMPS: every atom image
 * within `cut + skin` of the box (in perpendicular distance, so triclinic
 * and small boxes work) is stored after the nlocal real atoms, with the
 * index of the atom it copies (`owner`) and the lattice translation
 * (`image`). A box narrower than the cutoff simply gets several layers of
 * ghosts. Lists are CSR: the neighbours of local atom i are
 * nbr[start[i] .. start[i+1]-1], indices into the local+ghost arrays.
 *
 * Half lists hold each pair once (the rule: owner(j) > i, or owner(j) == i
 * with a lexicographically positive image); full lists hold both
 * directions. bpel_nbr_update() refreshes ghost positions from the owners and the
 * current box each call and rebuilds when any atom or ghost has moved more
 * than skin/2 since the last build. */
#ifndef BPEL_NEIGHBOUR_H
#define BPEL_NEIGHBOUR_H

#include <stddef.h>
#include <stdint.h>
#include "structure.h"

typedef struct nbr_list {
    double cut;          /* interaction cutoff, Å */
    double skin;         /* extra distance kept in the list, Å */
    int half;            /* 1: each pair once; 0: both directions */
    size_t nlocal;       /* real atoms */
    size_t nall;         /* real + ghost atoms */
    size_t *owner;       /* [nall] real atom each entry copies (i for real) */
    int *image;          /* [3*nall] lattice translation of each entry */
    double *xall;        /* [3*nall] positions, Å */
    size_t *ghost_start; /* [nlocal+1] the ghosts of atom i are entries
                            nlocal + ghost_start[i] .. nlocal + ghost_start[i+1]-1 */
    size_t *start;       /* [nlocal+1] CSR offsets */
    uint32_t *nbr;       /* [start[nlocal]] neighbour indices into xall */
    size_t nbr_cap;
    size_t cap_all;
    double *xbuild;      /* [3*nall] positions at the last build */
    long builds;         /* how many times the list was built */
} nbr_list;

nbr_list *bpel_nbr_create(double cut, double skin, int half);
void bpel_nbr_destroy(nbr_list *l);
/* Build from scratch (wraps atoms into the box first). */
int bpel_nbr_build(nbr_list *l, bpel_system *s);
/* Refresh ghosts; rebuild if needed. Returns 1 if rebuilt, 0 if not, <0 on error. */
int bpel_nbr_update(nbr_list *l, bpel_system *s);
/* Find the closest pair closer than rmin. Returns 1 and the two atom indices
 * and distance if one exists, 0 if none, <0 on error. */
int bpel_nbr_find_close_pair(const bpel_system *s, double rmin, size_t *i, size_t *j, double *r);

#endif
