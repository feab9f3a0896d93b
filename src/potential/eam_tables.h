/* eam_tables.h — the tabulated EAM shared by the force kernels and the
 * Hessian (library-internal; not installed as API).
 *
 * For each table LAMMPS stores, per grid interval m (1-based, as LAMMPS), seven
 * coefficients c[0..6] of the cubic in p = r/Δ + 1 - m ∈ [0,1]:
 *   f(p)  = ((c3 p + c4) p + c5) p + c6
 *   f'(r) = (c0 p + c1) p + c2           (already divided by Δ)
 *   f''(r)= (2 c0 p + c1) / Δ
 * Tables here are bound to system types (1..ntypes): rho[i][j] is the density
 * an atom of type j contributes at an atom of type i; z2r[i][j] is r·φ_ij. */
#ifndef BPEL_EAM_TABLES_H
#define BPEL_EAM_TABLES_H

#include "structure.h"

typedef double eam_coef[7];

typedef struct eam_tables {
    int ntypes;
    int nr, nrho;
    double dr, drho, rdr, rdrho; /* grid spacings and inverses */
    double cut, cutsq;           /* Å, Å² */
    double rhomax;               /* top of the F(ρ) table */
    const eam_coef *frho[BPEL_MAX_TYPES + 1];                        /* [nrho+1] */
    const eam_coef *rhor[BPEL_MAX_TYPES + 1][BPEL_MAX_TYPES + 1];    /* [nr+1], j at i */
    const eam_coef *z2r[BPEL_MAX_TYPES + 1][BPEL_MAX_TYPES + 1];     /* [nr+1] */
} eam_tables;

/* Fill `t` for the system types under `map` (see bpel_eam_map_types). The
 * coefficient arrays stay owned by the potential. */
struct bpel_eam;
struct bpel_model;
void bpel_eam_bind_tables(const struct bpel_eam *p, const int *map, int ntypes, eam_tables *t);

/* Map the system's atom types to the potential's elements (bpel_model_create's
 * rules, model.h); `map[t]` (t = 1..ntypes) receives the element index. */
int bpel_eam_map_types(const struct bpel_eam *p, bpel_system *s, const char *elements, int map[BPEL_MAX_TYPES + 1]);

/* The tables of a model, bound once to its types. */
const eam_tables *bpel_model_tables(const struct bpel_model *m);

/* Locate r on the radial grid as LAMMPS does. */
static inline const double *eam_r_interval(const eam_tables *t, const eam_coef *tab, double r, double *p)
{
    double q = r * t->rdr + 1.0;
    int m = (int)q;
    if (m > t->nr - 1) m = t->nr - 1;
    q -= m;
    if (q > 1.0) q = 1.0;
    *p = q;
    return tab[m];
}

static inline double eam_val(const double *c, double p) { return ((c[3] * p + c[4]) * p + c[5]) * p + c[6]; }
static inline double eam_d1(const double *c, double p) { return (c[0] * p + c[1]) * p + c[2]; }

/* F(ρ), F'(ρ) and F''(ρ) of type `type`, with LAMMPS's linear extension above rhomax. */
static inline void eam_embed(const eam_tables *t, int type, double rho, double *F, double *Fp, double *Fpp)
{
    double p = rho * t->rdrho + 1.0;
    int m = (int)p;
    if (m < 1) m = 1;
    if (m > t->nrho - 1) m = t->nrho - 1;
    p -= m;
    if (p > 1.0) p = 1.0;
    const double *c = t->frho[type][m];
    double fp = (c[0] * p + c[1]) * p + c[2];
    if (Fp) *Fp = fp;
    if (F) {
        double f = ((c[3] * p + c[4]) * p + c[5]) * p + c[6];
        if (rho > t->rhomax) f += fp * (rho - t->rhomax);
        *F = f;
    }
    if (Fpp) *Fpp = (p >= 1.0) ? 0.0 : (2.0 * c[0] * p + c[1]) * t->rdrho;
}

#endif
