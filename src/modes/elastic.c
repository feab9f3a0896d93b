/* elastic.c — Born term, Ξ, non-affine relaxation, Debye level (see elastic.h). */
#include "elastic.h"
#include "forces.h"
#include "hessian_model.h"
#include "minimise.h"
#include "error.h"
#include "units.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int VA[6] = {0, 1, 2, 1, 0, 0}, VB[6] = {0, 1, 2, 2, 2, 1};

/* R_i,v = Σ_j f'_ij d_a d_b / r for every atom. */
static int density_strain(const hess_model *m, double *R)
{
    const nbr_list *l = m->list;
    const int *type = m->sys->type;
#pragma omp parallel for schedule(dynamic, 32)
    for (size_t i = 0; i < m->n; i++) {
        double acc[6] = {0};
        for (size_t q = l->start[i]; q < l->start[i + 1]; q++) {
            size_t j = l->nbr[q], o = l->owner[j];
            double d[3] = {l->xall[3 * j] - l->xall[3 * i], l->xall[3 * j + 1] - l->xall[3 * i + 1],
                           l->xall[3 * j + 2] - l->xall[3 * i + 2]};
            double rsq = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            if (rsq >= m->tab.cutsq) continue;
            double r = sqrt(rsq), f, f1, f2;
            hess_spline(&m->tab, hess_density_table(m, type[i], type[o]), r, &f, &f1, &f2);
            for (int v = 0; v < 6; v++) acc[v] += f1 * d[VA[v]] * d[VB[v]] / r;
        }
        memcpy(&R[6 * i], acc, sizeof acc);
    }
    return BPEL_OK;
}

int bpel_elastic_born(const hess_model *m, double born[6][6], double dU[6])
{
    double *R = bpel_malloc(6 * m->n * sizeof *R);
    if (!R) return BPEL_ENOMEM;
    density_strain(m, R);
    const nbr_list *l = m->list;
    const int *type = m->sys->type;
    double b[36] = {0}, s[6] = {0};
#pragma omp parallel
    {
        double bl[36] = {0}, sl[6] = {0};
#pragma omp for schedule(dynamic, 32)
        for (size_t i = 0; i < m->n; i++) {
            const double *Ri = &R[6 * i];
            for (int v = 0; v < 6; v++) {
                sl[v] += m->Fp[i] * Ri[v];
                for (int w = 0; w < 6; w++) bl[6 * v + w] += m->Fpp[i] * Ri[v] * Ri[w];
            }
            for (size_t q = l->start[i]; q < l->start[i + 1]; q++) {
                size_t j = l->nbr[q], o = l->owner[j];
                double d[3] = {l->xall[3 * j] - l->xall[3 * i], l->xall[3 * j + 1] - l->xall[3 * i + 1],
                               l->xall[3 * j + 2] - l->xall[3 * i + 2]};
                double rsq = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                if (rsq >= m->tab.cutsq) continue;
                double r = sqrt(rsq), z, z1, z2, f, f1, f2;
                hess_spline(&m->tab, m->tab.z2r[type[i]][type[o]], r, &z, &z1, &z2);
                hess_spline(&m->tab, hess_density_table(m, type[i], type[o]), r, &f, &f1, &f2);
                double phi = z / r, phi1 = (z1 - phi) / r, phi2 = (z2 - 2.0 * phi1) / r;
                double t = (0.5 * (phi2 - phi1 / r) + m->Fp[i] * (f2 - f1 / r)) / rsq;
                double dd[6];
                for (int v = 0; v < 6; v++) {
                    dd[v] = d[VA[v]] * d[VB[v]];
                    sl[v] += 0.5 * phi1 * dd[v] / r;
                }
                for (int v = 0; v < 6; v++)
                    for (int w = 0; w < 6; w++) bl[6 * v + w] += t * dd[v] * dd[w];
            }
        }
#pragma omp critical
        {
            for (int k = 0; k < 36; k++) b[k] += bl[k];
            for (int k = 0; k < 6; k++) s[k] += sl[k];
        }
    }
    for (int v = 0; v < 6; v++) {
        dU[v] = s[v];
        for (int w = 0; w < 6; w++) born[v][w] = b[6 * v + w];
    }
    free(R);
    return BPEL_OK;
}

int bpel_elastic_xi(const hess_model *m, double *xi)
{
    double *R = bpel_malloc(6 * m->n * sizeof *R);
    if (!R) return BPEL_ENOMEM;
    density_strain(m, R);
    const nbr_list *l = m->list;
    const int *type = m->sys->type;
#pragma omp parallel for schedule(dynamic, 32)
    for (size_t a = 0; a < m->n; a++) {
        double x[18] = {0};
        for (size_t q = l->start[a]; q < l->start[a + 1]; q++) {
            size_t j = l->nbr[q], o = l->owner[j];
            double d[3] = {l->xall[3 * j] - l->xall[3 * a], l->xall[3 * j + 1] - l->xall[3 * a + 1],
                           l->xall[3 * j + 2] - l->xall[3 * a + 2]};
            double rsq = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            if (rsq >= m->tab.cutsq) continue;
            double r = sqrt(rsq), s1, s2, f, fa1, fj1, f2;
            hess_pair_radial(m, type[a], type[o], m->Fp[a], m->Fp[o], r, &s1, &s2);
            hess_spline(&m->tab, hess_density_table(m, type[a], type[o]), r, &f, &fa1, &f2);
            hess_spline(&m->tab, hess_density_table(m, type[o], type[a]), r, &f, &fj1, &f2);
            double c3 = (s2 - s1 / r) / rsq, c1 = s1 / r;
            for (int v = 0; v < 6; v++) {
                int g = VA[v], h = VB[v];
                double emb = (m->Fpp[a] * R[6 * a + v] * fa1 + m->Fpp[o] * R[6 * o + v] * fj1) / r;
                for (int al = 0; al < 3; al++) {
                    double t = c3 * d[al] * d[g] * d[h] + emb * d[al];
                    if (al == g) t += 0.5 * c1 * d[h];
                    if (al == h) t += 0.5 * c1 * d[g];
                    x[6 * al + v] -= t;
                }
            }
        }
        memcpy(&xi[18 * a], x, sizeof x);
    }
    free(R);
    return BPEL_OK;
}

int bpel_elastic_nonaffine_modes(const vib_modes *v, const double *xi, double na[6][6], size_t *skipped)
{
    if (!v->complete)
        return bpel_fail(BPEL_EINVAL, "the non-affine term from modes needs all 3N modes (%zu of %zu computed)",
                         v->nmodes, v->ndof);
    double acc[36] = {0};
    size_t skip = 0;
    const size_t n = v->natoms;
    double *isq = bpel_malloc(n * sizeof *isq);
    if (!isq) return BPEL_ENOMEM;
    for (size_t i = 0; i < n; i++) isq[i] = 1.0 / sqrt(v->mass[i]);
#pragma omp parallel
    {
        double al[36] = {0};
        size_t sk = 0;
#pragma omp for schedule(dynamic, 16)
        for (size_t k = 0; k < v->nmodes; k++) {
            if (v->is_translation[k]) continue;
            if (v->lambda[k] <= v->neg_tol) { sk++; continue; }
            const double *e = v->z + k * v->ldz;
            double y[6] = {0};
            for (size_t i = 0; i < n; i++)
                for (int a = 0; a < 3; a++) {
                    double ea = e[3 * i + a] * isq[i];
                    const double *x = &xi[18 * i + 6 * a];
                    for (int w = 0; w < 6; w++) y[w] += ea * x[w];
                }
            for (int p = 0; p < 6; p++)
                for (int q = 0; q < 6; q++) al[6 * p + q] += y[p] * y[q] / v->lambda[k];
        }
#pragma omp critical
        {
            for (int k = 0; k < 36; k++) acc[k] += al[k];
            skip += sk;
        }
    }
    free(isq);
    for (int p = 0; p < 6; p++)
        for (int q = 0; q < 6; q++) na[p][q] = acc[6 * p + q];
    if (skipped) *skipped = skip;
    return BPEL_OK;
}

/* Six conjugate-gradient solves H u_v = Ξ_v run side by side, so that each
 * iteration reads the sparse Hessian once for all of them. Vectors are
 * row-major n3 × 6. */
int bpel_elastic_nonaffine_cg(const hess_sparse *h, const double *xi, double tol, double na[6][6], int *iterations)
{
    const size_t n3 = 3 * h->n;
    double *x = bpel_calloc(6 * n3, sizeof *x), *r = bpel_malloc(6 * n3 * sizeof *r);
    double *p = bpel_malloc(6 * n3 * sizeof *p), *Ap = bpel_malloc(6 * n3 * sizeof *Ap);
    int rc = BPEL_OK, it = 0;
    if (!x || !r || !p || !Ap) { rc = BPEL_ENOMEM; goto done; }
    /* right-hand sides without net force, so they are orthogonal to the translations */
    memcpy(r, xi, 6 * n3 * sizeof *r);
    for (int v = 0; v < 6; v++)
        for (int a = 0; a < 3; a++) {
            double mean = 0.0;
            for (size_t i = a; i < n3; i += 3) mean += r[6 * i + v];
            mean /= h->n;
            for (size_t i = a; i < n3; i += 3) r[6 * i + v] -= mean;
        }
    memcpy(p, r, 6 * n3 * sizeof *p);
    double rr[6] = {0}, bb[6];
    for (size_t i = 0; i < n3; i++)
        for (int v = 0; v < 6; v++) rr[v] += r[6 * i + v] * r[6 * i + v];
    memcpy(bb, rr, sizeof bb);
    int active[6];
    for (int v = 0; v < 6; v++) active[v] = bb[v] > 0 && rr[v] > tol * tol * bb[v];
    while (active[0] || active[1] || active[2] || active[3] || active[4] || active[5]) {
        if (++it > (int)(10 * n3 + 100)) {
            rc = bpel_fail(BPEL_ECONV, "non-affine CG: no convergence after %d iterations", it - 1);
            break;
        }
        bpel_hess_sparse_matmul(h, p, Ap, 6);
        double pAp[6] = {0}, alpha[6], rn[6] = {0};
        for (size_t i = 0; i < n3; i++)
            for (int v = 0; v < 6; v++) pAp[v] += p[6 * i + v] * Ap[6 * i + v];
        for (int v = 0; v < 6; v++) {
            if (active[v] && !(pAp[v] > 0)) {
                rc = bpel_fail(BPEL_ECONV, "non-affine CG: Hessian not positive along a search direction "
                                           "(p.Hp = %.3g); is the configuration a minimum?", pAp[v]);
                goto done;
            }
            alpha[v] = active[v] ? rr[v] / pAp[v] : 0.0;
        }
        for (size_t i = 0; i < n3; i++)
            for (int v = 0; v < 6; v++) {
                x[6 * i + v] += alpha[v] * p[6 * i + v];
                r[6 * i + v] -= alpha[v] * Ap[6 * i + v];
                rn[v] += r[6 * i + v] * r[6 * i + v];
            }
        double beta[6];
        for (int v = 0; v < 6; v++) {
            beta[v] = active[v] ? rn[v] / rr[v] : 0.0;
            if (active[v]) rr[v] = rn[v];
        }
        for (size_t i = 0; i < n3; i++)
            for (int v = 0; v < 6; v++)
                if (active[v]) p[6 * i + v] = r[6 * i + v] + beta[v] * p[6 * i + v];
                else p[6 * i + v] = 0.0;
        for (int v = 0; v < 6; v++) active[v] = active[v] && rr[v] > tol * tol * bb[v];
    }
    if (!rc)
        for (int v = 0; v < 6; v++)
            for (int w = 0; w < 6; w++) {
                double s = 0.0;
                for (size_t i = 0; i < n3; i++) s += xi[6 * i + v] * x[6 * i + w];
                na[v][w] = s;
            }
    if (iterations) *iterations = it;
done:
    free(x);
    free(r);
    free(p);
    free(Ap);
    return rc;
}

void bpel_elastic_isotropic(const double C[6][6], double *K, double *G)
{
    double a = C[0][0] + C[1][1] + C[2][2], b = C[0][1] + C[0][2] + C[1][2], c = C[3][3] + C[4][4] + C[5][5];
    *K = (a + 2.0 * b) / 9.0;
    *G = (a - b + 3.0 * c) / 15.0;
}

static void wallace(const double C[6][6], const double sig[6], double B[6][6])
{
    double S[3][3];
    for (int v = 0; v < 6; v++) S[VA[v]][VB[v]] = S[VB[v]][VA[v]] = sig[v];
    for (int v = 0; v < 6; v++)
        for (int w = 0; w < 6; w++) {
            int i = VA[v], j = VB[v], k = VA[w], l = VB[w];
            double t = 0.5 * ((i == k) * S[j][l] + (i == l) * S[j][k] + (j == k) * S[i][l] + (j == l) * S[i][k]) -
                       S[i][j] * (k == l);
            B[v][w] = C[v][w] + t;
        }
}

void bpel_elastic_finish(elastic_result *r, const double born[6][6], const double na[6][6], const double dU[6], double V)
{
    const double f = ELASTIC_EV_A3_TO_GPA / V;
    r->volume = V;
    for (int v = 0; v < 6; v++) {
        r->stress[v] = f * dU[v];
        for (int w = 0; w < 6; w++) {
            r->born[v][w] = f * born[v][w];
            r->nonaffine[v][w] = f * na[v][w];
            r->C[v][w] = r->born[v][w] - r->nonaffine[v][w];
        }
    }
    wallace(r->C, r->stress, r->B);
    bpel_elastic_isotropic(r->B, &r->K, &r->G);
    double Ba[6][6];
    wallace(r->born, r->stress, Ba);
    bpel_elastic_isotropic(Ba, &r->K_affine, &r->G_affine);
}

int bpel_elastic_debye(double K, double G, const bpel_system *s, debye_result *d)
{
    memset(d, 0, sizeof *d);
    if (!(K > 0) || !(G > 0))
        return bpel_fail(BPEL_EINVAL, "Debye level needs positive K and G (got %g, %g GPa)", K, G);
    double V = bpel_box_volume(&s->box), M = 0.0;
    for (size_t i = 0; i < s->n; i++) M += system_mass(s, i);
    d->number_density = s->n / V;
    d->mass_density = M / V;
    /* v² = modulus/ρ: GPa -> eV/Å³, / (amu/Å³) gives eV/amu; × BPEL_FTM2V gives Å²/ps² */
    double k = K / ELASTIC_EV_A3_TO_GPA, g = G / ELASTIC_EV_A3_TO_GPA;
    d->v_T = sqrt(g / d->mass_density * BPEL_FTM2V);
    d->v_L = sqrt((k + 4.0 * g / 3.0) / d->mass_density * BPEL_FTM2V);
    d->v_D = pow(3.0 / (1.0 / pow(d->v_L, 3) + 2.0 / pow(d->v_T, 3)), 1.0 / 3.0);
    d->omega_D = d->v_D * cbrt(6.0 * BPEL_PI * BPEL_PI * d->number_density);
    d->level = 3.0 / pow(d->omega_D, 3);
    return BPEL_OK;
}

/* F = 1 + h·E_w applied to box and positions; the box stays upper triangular. */
static void deform(bpel_system *s, int w, double h)
{
    static const int R[6] = {0, 1, 2, 1, 0, 0}, C[6] = {0, 1, 2, 2, 2, 1};
    double F[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, H[3][3], Hn[3][3], lo[3];
    F[R[w]][C[w]] += h;
    bpel_box_matrix(&s->box, H);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) Hn[i][j] = F[i][0] * H[0][j] + F[i][1] * H[1][j] + F[i][2] * H[2][j];
    for (int i = 0; i < 3; i++) lo[i] = F[i][0] * s->box.lo[0] + F[i][1] * s->box.lo[1] + F[i][2] * s->box.lo[2];
    memcpy(s->box.lo, lo, sizeof lo);
    s->box.len[0] = Hn[0][0];
    s->box.len[1] = Hn[1][1];
    s->box.len[2] = Hn[2][2];
    s->box.xy = Hn[0][1];
    s->box.xz = Hn[0][2];
    s->box.yz = Hn[1][2];
    for (size_t a = 0; a < s->n; a++) {
        double *x = &s->x[3 * a], y[3];
        for (int i = 0; i < 3; i++) y[i] = F[i][0] * x[0] + F[i][1] * x[1] + F[i][2] * x[2];
        memcpy(x, y, sizeof y);
    }
}

/* σ (GPa, tension positive, Voigt) of s, re-minimised first if asked. */
static int stress_after(const bpel_model *model, bpel_system *s, double ftol, int relax, double sig[6])
{
    bpel_forces *ff;
    int rc = bpel_forces_create(model, s, 1.0, &ff);
    if (rc) return rc;
    if (relax) {
        min_params mp;
        bpel_min_defaults(&mp);
        mp.ftol = ftol;
        min_result mr;
        rc = bpel_minimise(ff, s, &mp, &mr);
    }
    bpel_eval ev;
    if (!rc) rc = bpel_forces_compute(ff, s, FORCES_VIRIAL, &ev);
    if (!rc) {
        double f = -ELASTIC_EV_A3_TO_GPA / bpel_box_volume(&s->box);
        const int lmp[6] = {0, 1, 2, 5, 4, 3}; /* LAMMPS virial order xx yy zz xy xz yz */
        for (int v = 0; v < 6; v++) sig[v] = f * ev.virial[lmp[v]];
    }
    bpel_forces_destroy(ff);
    return rc;
}

int bpel_elastic_strain_relax(const bpel_model *model, const bpel_system *s, double h,
                         double ftol, int relax, double B[6][6])
{
    if (!(h > 0 && h < 0.01)) return bpel_fail(BPEL_EINVAL, "strain step %g must be in (0, 0.01)", h);
    bpel_system *c0 = bpel_system_copy(s);
    if (!c0) return BPEL_ENOMEM;
    double s0[6];
    int rc = stress_after(model, c0, ftol, 0, s0);
    bpel_system_destroy(c0);
    double S[3][3];
    for (int v = 0; v < 6; v++) S[VA[v]][VB[v]] = S[VB[v]][VA[v]] = s0[v];
    for (int w = 0; w < 6 && !rc; w++) {
        double sp[6], sm[6];
        bpel_system *a = bpel_system_copy(s), *b = bpel_system_copy(s);
        if (!a || !b) rc = BPEL_ENOMEM;
        if (!rc) {
            deform(a, w, h);
            deform(b, w, -h);
            rc = stress_after(model, a, ftol, relax, sp);
        }
        if (!rc) rc = stress_after(model, b, ftol, relax, sm);
        bpel_system_destroy(a);
        bpel_system_destroy(b);
        if (rc) break;
        /* rotation part of the simple shear F = 1 + h E_rc: Ω_rc = ½, Ω_cr = −½ per unit h */
        double Om[3][3] = {{0}};
        if (VA[w] != VB[w]) {
            Om[VA[w]][VB[w]] = 0.5; /* deform() puts h at row VA[w], column VB[w] */
            Om[VB[w]][VA[w]] = -0.5;
        }
        for (int v = 0; v < 6; v++) {
            int i = VA[v], j = VB[v];
            double rot = 0.0;
            for (int k = 0; k < 3; k++) rot += Om[i][k] * S[k][j] - S[i][k] * Om[k][j];
            B[v][w] = (sp[v] - sm[v]) / (2 * h) - rot;
        }
    }
    if (rc) return bpel_fail_context(rc, "strain-and-relax elastic constants");
    return BPEL_OK;
}

int bpel_elastic_compute(const bpel_model *model, const bpel_system *s, int use_modes, elastic_result *r)
{
    hess_model *m = NULL;
    hess_sparse *h = NULL;
    vib_modes *v = NULL;
    double born[6][6], dU[6], na[6][6], *xi = bpel_malloc(18 * s->n * sizeof *xi);
    memset(r, 0, sizeof *r);
    int rc = xi ? bpel_hess_model_create(model, s, 0, &m) : BPEL_ENOMEM;
    if (!rc) rc = bpel_elastic_born(m, born, dU);
    if (!rc) rc = bpel_elastic_xi(m, xi);
    if (!rc && use_modes) {
        rc = bpel_vib_modes_compute(m, s, NULL, &v);
        if (!rc) rc = bpel_elastic_nonaffine_modes(v, xi, na, &r->modes_skipped);
        snprintf(r->method, sizeof r->method, "Born - non-affine (normal modes)");
    } else if (!rc) {
        rc = bpel_hess_build_sparse(m, &h);
        if (!rc) rc = bpel_elastic_nonaffine_cg(h, xi, 1e-10, na, &r->cg_iterations);
        snprintf(r->method, sizeof r->method, "Born - non-affine (conjugate gradients)");
    }
    if (!rc) bpel_elastic_finish(r, born, na, dU, bpel_box_volume(&s->box));
    free(xi);
    bpel_vib_modes_destroy(v);
    bpel_hess_sparse_destroy(h);
    bpel_hess_model_destroy(m);
    return rc;
}
