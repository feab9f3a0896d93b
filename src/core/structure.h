/* structure.h — atoms in a periodic box, and the files they live in.
 *
 * Units are LAMMPS `metal`: positions in Å, velocities in Å/ps, masses in amu.
 * The box follows LAMMPS: origin `lo`, edge vectors a = (lx,0,0),
 * b = (xy,ly,0), c = (xz,yz,lz), so r = lo + h·s with fractional s in [0,1)
 * and h the upper-triangular matrix whose columns are a, b, c. Orthogonal
 * boxes have xy = xz = yz = 0. Periodic in all three directions.
 *
 * Files: LAMMPS data files (atomic style; Masses, Atoms, Velocities),
 * LAMMPS text dumps and extended XYZ, both with any per-atom columns. */
#ifndef BPEL_STRUCTURE_H
#define BPEL_STRUCTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

#define BPEL_MAX_TYPES 16

typedef struct bpel_box {
    double lo[3];         /* Å */
    double len[3];        /* lx, ly, lz in Å */
    double xy, xz, yz;    /* tilt factors in Å */
} bpel_box;

typedef struct bpel_system {
    size_t n;                        /* number of atoms */
    int ntypes;                      /* atom types 1..ntypes */
    int64_t *id;                     /* [n] atom ids as in the file */
    int *type;                       /* [n] 1..ntypes */
    double *x;                       /* [3n] positions, Å */
    double *v;                       /* [3n] velocities, Å/ps; NULL if none */
    int *image;                      /* [3n] periodic image flags */
    int *line;                       /* [n] source line of each atom, or NULL */
    double mass[BPEL_MAX_TYPES + 1]; /* amu per type (index 1..ntypes); 0 unknown */
    char element[BPEL_MAX_TYPES + 1][8]; /* element symbol per type; "" unknown */
    bpel_box box;
    char source[256];                /* file it came from, for messages */
} bpel_system;

bpel_system *bpel_system_create(size_t n, int ntypes);
bpel_system *bpel_system_copy(const bpel_system *s);
void bpel_system_destroy(bpel_system *s);
/* Allocate velocities (zeroed) if absent. Returns BPEL_OK or BPEL_ENOMEM. */
int bpel_system_ensure_velocities(bpel_system *s);
/* Mass of atom i in amu. */
static inline double system_mass(const bpel_system *s, size_t i) { return s->mass[s->type[i]]; }
/* Name of type t in outputs: its element, else "type T". */
const char *bpel_system_type_name(const bpel_system *s, int t, char *buf, size_t n);
/* Checks every type has a positive mass; error names the type otherwise. */
int bpel_system_check_masses(const bpel_system *s);
/* Assign elements to types from a comma list "Cu,Zr" (count must match
 * ntypes); masses of types without one come from the periodic table. */
int bpel_system_set_elements(bpel_system *s, const char *list);

/* Box geometry. */
double bpel_box_volume(const bpel_box *b);
void bpel_box_matrix(const bpel_box *b, double h[3][3]);          /* columns a,b,c */
void bpel_box_to_frac(const bpel_box *b, const double r[3], double s[3]);
void bpel_box_from_frac(const bpel_box *b, const double s[3], double r[3]);
/* Perpendicular widths of the box (distance between opposite faces), Å. */
void bpel_box_widths(const bpel_box *b, double w[3]);
int bpel_box_is_triclinic(const bpel_box *b);
/* Scale the box and atom positions affinely about the box centre by
 * factor f in each length (volume changes by f^3). */
void bpel_system_scale(bpel_system *s, double f);
/* Wrap positions into the box, updating image flags. */
void bpel_system_wrap(bpel_system *s);
/* Minimum-image displacement r_j - r_i (valid when the box is at least
 * twice the distance of interest in every width). */
void bpel_box_minimum_image(const bpel_box *b, double d[3]);

/* Periodic table subset: mass (amu) of an element, 0 if unknown. */
double bpel_element_mass(const char *symbol);

/* LAMMPS data file, atomic style. */
int bpel_data_read(const char *path, bpel_system **out);
int bpel_data_write(const char *path, const bpel_system *s, const char *comment);

/* A per-atom column for dumps and extended XYZ. If `data` is NULL the
 * name must be one of the built-ins id, type, element, x, y, z, vx, vy,
 * vz, ix, iy, iz. Otherwise value of atom i is data[i*stride + offset]. */
typedef struct bpel_column {
    const char *name;
    const double *data;
    int stride;
    int offset;
} bpel_column;

/* One frame of a LAMMPS text dump (ITEM: TIMESTEP ...), atoms sorted by id. */
int bpel_dump_write_frame(FILE *fp, const bpel_system *s, long step, int ncol, const bpel_column *cols);
/* One frame of extended XYZ (species, pos, then the columns). */
int bpel_xyz_write_frame(FILE *fp, const bpel_system *s, int ncol, const bpel_column *cols,
                    const char *comment);
/* Read one frame of a LAMMPS text dump that has id and x y z columns into
 * the positions of `s` (atoms matched by id, each once; box read too).
 * `lineno` (may be NULL) counts the file's lines across calls, for the
 * messages: start it at 0. Returns BPEL_OK, 1 at end of file, or an error
 * (then `s` may hold part of the frame's positions). */
int bpel_dump_read_frame(FILE *fp, const char *path, bpel_system *s, long *step, int *lineno);

/* Index permutation that sorts atoms by id (caller frees). */
size_t *bpel_system_id_order(const bpel_system *s);
/* Index of the atom with a given id, or -1, by binary search in `order`
 * (from bpel_system_id_order). */
long bpel_system_find_id(const bpel_system *s, const size_t *order, int64_t id);

#endif
