/* glass.c — random solid solutions as melt starting points (see glass.h). */
#include "glass.h"

#include <ctype.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "forces.h"

int bpel_glass_parse_composition(const char *text, glass_composition *c)
{
    memset(c, 0, sizeof *c);
    const char *p = text;
    if (!p || !*p) return bpel_fail(BPEL_EINVAL, "empty composition");
    double total = 0;
    int nonum = 0;
    while (*p) {
        if (!isupper((unsigned char)*p))
            return bpel_fail(BPEL_EINVAL, "composition '%s': expected an element symbol at '%s'", text, p);
        if (c->nel == GLASS_MAXEL)
            return bpel_fail(BPEL_EINVAL, "composition '%s': more than %d elements", text, GLASS_MAXEL);
        char *el = c->element[c->nel];
        int k = 0;
        el[k++] = *p++;
        while (islower((unsigned char)*p) && k < 3) el[k++] = *p++;
        el[k] = '\0';
        for (int j = 0; j < c->nel; j++)
            if (!strcmp(c->element[j], el)) return bpel_fail(BPEL_EINVAL, "composition '%s': %s given twice", text, el);
        if (isdigit((unsigned char)*p) || *p == '.' || *p == '-' || *p == '+') {
            char *end;
            double x = strtod(p, &end);
            if (end == p) return bpel_fail(BPEL_EINVAL, "composition '%s': bad number at '%s'", text, p);
            if (!(x > 0) || x > 100)
                return bpel_fail(BPEL_EINVAL, "composition '%s': %s%g is not a percentage in (0, 100]", text, el, x);
            c->percent[c->nel] = x;
            p = end;
        } else {
            nonum++;
            c->percent[c->nel] = -1;
        }
        total += c->percent[c->nel] > 0 ? c->percent[c->nel] : 0;
        c->nel++;
    }
    if (nonum) {
        if (c->nel == 1) c->percent[0] = total = 100;
        else return bpel_fail(BPEL_EINVAL, "composition '%s': give the atomic %% of every element (e.g. Cu50Zr50)", text);
    }
    if (fabs(total - 100) > 1e-6)
        return bpel_fail(BPEL_EINVAL, "composition '%s': percentages add up to %g, not 100", text, total);
    return BPEL_OK;
}

static int element_index(const bpel_eam *pot, const char *el)
{
    for (int k = 0; k < bpel_eam_nelements(pot); k++)
        if (!strcmp(bpel_eam_element(pot, k), el)) return k;
    return -1;
}

/* Energy per atom of the fcc crystal of element k at lattice constant a. */
static int fcc_energy(const bpel_eam *pot, const char *el, double a, double *e)
{
    const int nc = 3;
    bpel_system *s = bpel_system_create(4 * nc * nc * nc, 1);
    if (!s) return BPEL_ENOMEM;
    static const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    size_t q = 0;
    for (int i = 0; i < nc; i++)
        for (int j = 0; j < nc; j++)
            for (int l = 0; l < nc; l++)
                for (int b = 0; b < 4; b++, q++) {
                    s->id[q] = (int64_t)q + 1;
                    s->type[q] = 1;
                    s->x[3 * q] = (i + basis[b][0]) * a;
                    s->x[3 * q + 1] = (j + basis[b][1]) * a;
                    s->x[3 * q + 2] = (l + basis[b][2]) * a;
                }
    for (int d = 0; d < 3; d++) s->box.len[d] = nc * a;
    bpel_model *model = NULL;
    bpel_forces *f = NULL;
    int rc = bpel_model_create(pot, s, el, &model);
    if (!rc) rc = bpel_forces_create(model, s, 0.5, &f);
    bpel_eval ev;
    if (!rc) rc = bpel_forces_compute(f, s, FORCES_ENERGY, &ev);
    if (!rc) *e = ev.energy / (double)s->n;
    bpel_forces_destroy(f);
    bpel_model_destroy(model);
    bpel_system_destroy(s);
    return rc;
}

int bpel_glass_atomic_volume(const bpel_eam *pot, const char *el, double *volume)
{
    if (element_index(pot, el) < 0)
        return bpel_fail(BPEL_EINVAL, "element %s is not in the potential %s", el, bpel_eam_path(pot));
    /* coarse scan, then golden section around the best point */
    double best = 0, ebest = INFINITY;
    for (double a = 2.8; a <= 6.0 + 1e-9; a += 0.1) {
        double e;
        int rc = fcc_energy(pot, el, a, &e);
        if (rc) return rc;
        if (e < ebest) ebest = e, best = a;
    }
    double lo = best - 0.1, hi = best + 0.1, g = 0.5 * (sqrt(5.0) - 1);
    double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo), e1, e2;
    int rc = fcc_energy(pot, el, x1, &e1);
    if (!rc) rc = fcc_energy(pot, el, x2, &e2);
    for (int it = 0; !rc && it < 40; it++) {
        if (e1 < e2) {
            hi = x2, x2 = x1, e2 = e1;
            x1 = hi - g * (hi - lo);
            rc = fcc_energy(pot, el, x1, &e1);
        } else {
            lo = x1, x1 = x2, e1 = e2;
            x2 = lo + g * (hi - lo);
            rc = fcc_energy(pot, el, x2, &e2);
        }
    }
    if (rc) return rc;
    double a = 0.5 * (lo + hi);
    *volume = a * a * a / 4.0;
    return BPEL_OK;
}

int bpel_glass_random_solution(const bpel_eam *pot, const glass_composition *c, size_t n, gsl_rng *rng, bpel_system **out,
                          size_t count_out[GLASS_MAXEL])
{
    *out = NULL;
    if (n < 2) return bpel_fail(BPEL_EINVAL, "need at least 2 atoms, not %zu", n);
    /* exact counts by largest remainder */
    size_t count[GLASS_MAXEL] = {0}, assigned = 0;
    double rem[GLASS_MAXEL];
    for (int k = 0; k < c->nel; k++) {
        if (element_index(pot, c->element[k]) < 0)
            return bpel_fail(BPEL_EINVAL, "element %s is not in the potential %s", c->element[k], bpel_eam_path(pot));
        double want = c->percent[k] / 100.0 * (double)n;
        count[k] = (size_t)floor(want);
        rem[k] = want - floor(want);
        assigned += count[k];
    }
    while (assigned < n) {
        int best = 0;
        for (int k = 1; k < c->nel; k++)
            if (rem[k] > rem[best]) best = k;
        count[best]++;
        rem[best] = -1;
        assigned++;
    }
    for (int k = 0; k < c->nel; k++)
        if (count[k] == 0)
            return bpel_fail(BPEL_EINVAL, "%zu atoms are too few for %g %% %s (no atom of it would remain)", n,
                             c->percent[k], c->element[k]);
    /* density */
    double vatom = 0;
    for (int k = 0; k < c->nel; k++) {
        double v;
        int rc = bpel_glass_atomic_volume(pot, c->element[k], &v);
        if (rc) return rc;
        vatom += c->percent[k] / 100.0 * v;
    }
    size_t m = 1;
    while (4 * m * m * m < n) m++;
    size_t nsites = 4 * m * m * m;
    double L = cbrt(vatom * (double)n), a = L / (double)m;
    bpel_system *s = bpel_system_create(n, c->nel);
    size_t *sites = bpel_malloc(nsites * sizeof *sites), *chosen = bpel_malloc(n * sizeof *chosen);
    int *types = bpel_malloc(n * sizeof *types);
    if (!s || !sites || !chosen || !types) {
        bpel_system_destroy(s);
        free(sites);
        free(chosen);
        free(types);
        return BPEL_ENOMEM;
    }
    for (size_t q = 0; q < nsites; q++) sites[q] = q;
    gsl_ran_choose(rng, chosen, n, sites, nsites, sizeof *sites); /* keeps lattice order */
    size_t q = 0;
    for (int k = 0; k < c->nel; k++)
        for (size_t j = 0; j < count[k]; j++) types[q++] = k + 1;
    gsl_ran_shuffle(rng, types, n, sizeof *types);
    static const double basis[4][3] = {{0.25, 0.25, 0.25}, {0.75, 0.75, 0.25}, {0.75, 0.25, 0.75}, {0.25, 0.75, 0.75}};
    for (size_t i = 0; i < n; i++) {
        size_t site = chosen[i], b = site % 4, cell = site / 4;
        size_t ix = cell % m, iy = (cell / m) % m, iz = cell / (m * m);
        s->id[i] = (int64_t)i + 1;
        s->type[i] = types[i];
        s->x[3 * i] = (ix + basis[b][0]) * a;
        s->x[3 * i + 1] = (iy + basis[b][1]) * a;
        s->x[3 * i + 2] = (iz + basis[b][2]) * a;
    }
    for (int d = 0; d < 3; d++) s->box.len[d] = L;
    for (int k = 0; k < c->nel; k++) {
        snprintf(s->element[k + 1], sizeof s->element[k + 1], "%s", c->element[k]);
        s->mass[k + 1] = bpel_eam_element_mass(pot, element_index(pot, c->element[k]));
    }
    snprintf(s->source, sizeof s->source, "random solid solution");
    free(sites);
    free(chosen);
    free(types);
    if (count_out)
        for (int k = 0; k < GLASS_MAXEL; k++) count_out[k] = k < c->nel ? count[k] : 0;
    *out = s;
    return BPEL_OK;
}
