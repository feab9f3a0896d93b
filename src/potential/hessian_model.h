/* hessian_model.h — the EAM second-derivative model shared by hessian.c and
 * elastic.c (library-internal; not installed as API).
 *
 * Built once per configuration: a full neighbour list without skin over a
 * private wrapped copy of the system, ρ_i, F'(ρ_i), F''(ρ_i), and for every
 * atom c the gradient ∇ρ_c as a short list of (atom a, ∂ρ_c/∂x_a) with all
 * periodic images of a folded together, plus its transpose (for each atom a,
 * the atoms c whose density depends on a). The list holds only exactly
 * nonzero gradients: a neighbour beyond the range of the density function
 * (f'(r) = 0, e.g. 6.0 Å against the 7.6 Å pair cutoff of CuZr_mm) is left
 * out, so the cross terms reach twice the density range, not twice the
 * cutoff. */
#ifndef BPEL_HESSIAN_MODEL_H
#define BPEL_HESSIAN_MODEL_H

#include "eam_tables.h"
#include "hessian.h"
#include "neighbour.h"

struct hess_model {
    eam_tables tab;
    int flags;
    size_t n;
    bpel_system *sys;  /* private wrapped copy */
    nbr_list *list;    /* full list, skin 0 */
    double *rho;       /* [n] host density */
    double *Fp, *Fpp;  /* [n] F'(ρ) eV, F''(ρ) eV */
    size_t *dstart;    /* [n+1] capacity offsets of ∇ρ_c */
    size_t *dcount;    /* [n] entries used, only those with ∂ρ_c/∂x_a ≠ 0 */
    uint32_t *datom;   /* atom a of each entry */
    double *dvec;      /* [3·] ∂ρ_c/∂x_a, 1/Å */
    size_t *tstart;    /* [n+1] transpose offsets */
    size_t *tentry;    /* index into datom/dvec of each transpose entry */
    uint32_t *tcen;    /* centre c of each transpose entry */
};

/* One radial spline: value, first and second derivative at r. */
static inline void hess_spline(const eam_tables *t, const eam_coef *tab, double r, double *v, double *d1, double *d2)
{
    double p;
    const double *c = eam_r_interval(t, tab, r, &p);
    *v = eam_val(c, p);
    *d1 = eam_d1(c, p);
    *d2 = (2.0 * c[0] * p + c[1]) * t->rdr;
}

/* The tabulated density at an atom of type ti from a neighbour of type tj,
 * honouring the HESS_WRONG_SPECIES diagnostic. */
static inline const eam_coef *hess_density_table(const struct hess_model *m, int ti, int tj)
{
    return (m->flags & HESS_WRONG_SPECIES) ? m->tab.rhor[ti][ti] : m->tab.rhor[ti][tj];
}

/* Pair-like radial function of the pair (i, neighbour slot of type tj at
 * distance r): s = φ + F'_i f_ij + F'_j f_ji; returns s' and s''. */
static inline void hess_pair_radial(const struct hess_model *m, int ti, int tj, double Fpi, double Fpj, double r,
                                    double *s1, double *s2)
{
    const eam_tables *t = &m->tab;
    double z, z1, z2, v, a1, a2, b1, b2;
    hess_spline(t, t->z2r[ti][tj], r, &z, &z1, &z2);
    hess_spline(t, hess_density_table(m, ti, tj), r, &v, &a1, &a2);
    hess_spline(t, hess_density_table(m, tj, ti), r, &v, &b1, &b2);
    double ir = 1.0 / r;
    double phi = z * ir, phi1 = (z1 - phi) * ir, phi2 = (z2 - 2.0 * phi1) * ir;
    *s1 = phi1 + Fpi * a1 + Fpj * b1;
    *s2 = phi2 + Fpi * a2 + Fpj * b2;
}

#endif
