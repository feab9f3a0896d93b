/* rdf.c — pair histograms from a half neighbour list with ghost images,
 * g(r), running coordination numbers, w(r) = −k_B T ln g(r) and fits of its
 * first well (equations in rdf.h). */
#include "rdf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>

#include "error.h"
#include "neighbour.h"
#include "units.h"

void bpel_rdf_free(rdf_result *r)
{
    if (!r) return;
    free(r->r);
    free(r->g);
    free(r->n);
    free(r->gp);
    free(r->np);
    memset(r, 0, sizeof *r);
}

int bpel_rdf_compute(const bpel_system *s, double rmax, double dr, rdf_result *out)
{
    memset(out, 0, sizeof *out);
    if (!(dr > 0) || !(rmax > dr)) return bpel_fail(BPEL_EINVAL, "RDF: need rmax > dr > 0 (got %g, %g Å)", rmax, dr);
    double w[3];
    bpel_box_widths(&s->box, w);
    double wmin = fmin(w[0], fmin(w[1], w[2]));
    if (rmax >= wmin)
        return bpel_fail(BPEL_EINVAL,
                         "%s: RDF range %g Å reaches the periodic images of each atom (smallest box width %g Å); "
                         "lower rmax", s->source[0] ? s->source : "configuration", rmax, wmin);
    if (s->n < 2) return bpel_fail(BPEL_EINVAL, "RDF needs at least 2 atoms");
    size_t nb = (size_t)floor(rmax / dr + 1e-9);
    rmax = nb * dr;
    int nt = s->ntypes;
    out->nbins = nb;
    out->dr = dr;
    out->rmax = rmax;
    out->ntypes = nt;
    out->volume = bpel_box_volume(&s->box);
    for (size_t i = 0; i < s->n; i++) {
        if (s->type[i] < 1 || s->type[i] > nt) return bpel_fail(BPEL_EINVAL, "atom %zu has type %d", i, s->type[i]);
        out->natoms[s->type[i]]++;
    }
    out->natoms[0] = s->n;
    size_t np = (size_t)nt * nt * nb;
    double *cnt = bpel_calloc(np, sizeof *cnt), *ctot = bpel_calloc(nb, sizeof *ctot);
    out->r = bpel_malloc(nb * sizeof *out->r);
    out->g = bpel_malloc(nb * sizeof *out->g);
    out->n = bpel_malloc(nb * sizeof *out->n);
    out->gp = bpel_malloc(np * sizeof *out->gp);
    out->np = bpel_malloc(np * sizeof *out->np);
    bpel_system *c = bpel_system_copy(s);
    nbr_list *l = bpel_nbr_create(rmax, 0.0, 1);
    int rc = BPEL_ENOMEM;
    if (!cnt || !ctot || !out->r || !out->g || !out->n || !out->gp || !out->np || !c || !l) goto out;
    if ((rc = bpel_nbr_build(l, c))) goto out;
    double r2max = rmax * rmax;
    for (size_t i = 0; i < s->n; i++) {
        const double *xi = l->xall + 3 * i;
        int ti = c->type[i] - 1;
        for (size_t k = l->start[i]; k < l->start[i + 1]; k++) {
            size_t g = l->nbr[k];
            const double *xj = l->xall + 3 * g;
            double dx = xj[0] - xi[0], dy = xj[1] - xi[1], dz = xj[2] - xi[2];
            double d2 = dx * dx + dy * dy + dz * dz;
            if (d2 >= r2max) continue;
            size_t b = (size_t)(sqrt(d2) / dr);
            if (b >= nb) continue;
            int tj = c->type[l->owner[g]] - 1;
            /* Each unordered pair once: count both orders. */
            cnt[((size_t)ti * nt + tj) * nb + b] += 1;
            cnt[((size_t)tj * nt + ti) * nb + b] += 1;
            ctot[b] += 2;
        }
    }
    double V = out->volume, N = (double)s->n;
    for (size_t b = 0; b < nb; b++) {
        double r0 = b * dr, r1 = (b + 1) * dr;
        double shell = 4.0 * BPEL_PI / 3.0 * (r1 * r1 * r1 - r0 * r0 * r0);
        out->r[b] = 0.5 * (r0 + r1);
        out->g[b] = ctot[b] / (N * (N - 1) / V * shell);
        out->n[b] = (b ? out->n[b - 1] : 0) + ctot[b] / N;
        for (int a = 0; a < nt; a++)
            for (int bb = 0; bb < nt; bb++) {
                size_t o = ((size_t)a * nt + bb) * nb;
                double na = (double)out->natoms[a + 1], nbb = (double)out->natoms[bb + 1] - (a == bb);
                out->gp[o + b] = na > 0 && nbb > 0 ? cnt[o + b] / (na * nbb / V * shell) : NAN;
                out->np[o + b] = (b ? out->np[o + b - 1] : 0) + (na > 0 ? cnt[o + b] / na : NAN);
            }
    }
    rc = BPEL_OK;
out:
    free(cnt);
    free(ctot);
    bpel_nbr_destroy(l);
    bpel_system_destroy(c);
    if (rc) bpel_rdf_free(out);
    return rc;
}

const double *bpel_rdf_partial(const rdf_result *r, int a, int b)
{
    if (a < 1 || b < 1 || a > r->ntypes || b > r->ntypes) return NULL;
    return r->gp + ((size_t)(a - 1) * r->ntypes + (b - 1)) * r->nbins;
}

const double *bpel_rdf_partial_coord(const rdf_result *r, int a, int b)
{
    if (a < 1 || b < 1 || a > r->ntypes || b > r->ntypes) return NULL;
    return r->np + ((size_t)(a - 1) * r->ntypes + (b - 1)) * r->nbins;
}

void bpel_rdf_first_peak(size_t nbins, const double *r, const double *g, double rsearch, long *peak, long *minimum)
{
    *peak = *minimum = -1;
    for (size_t k = 0; k < nbins; k++) {
        if (rsearch > 0 && r[k] >= rsearch) break;
        if (isfinite(g[k]) && (*peak < 0 || g[k] > g[*peak])) *peak = (long)k;
    }
    if (*peak < 0 || !(g[*peak] > 0)) {
        *peak = -1;
        return;
    }
    for (size_t k = (size_t)*peak + 1; k < nbins && r[k] <= r[*peak] + 1.5; k++)
        if (isfinite(g[k]) && (*minimum < 0 || g[k] < g[*minimum])) *minimum = (long)k;
}

int bpel_rdf_pmf(size_t nbins, const double *g, double temperature_K, double *w)
{
    if (!(temperature_K > 0)) return bpel_fail(BPEL_EINVAL, "PMF: temperature %g K must be positive", temperature_K);
    double kT = BPEL_BOLTZ * temperature_K;
    for (size_t k = 0; k < nbins; k++) w[k] = g[k] > 0 ? -kT * log(g[k]) : NAN;
    return BPEL_OK;
}

/* Least-squares polynomial of degree deg in d = r − about over bins [k0, k1];
 * c[0..deg]. Returns the number of points used. */
static int polyfit(const double *r, const double *w, long k0, long k1, double about, int deg, double *c)
{
    int m = 0;
    for (long k = k0; k <= k1; k++)
        if (isfinite(w[k])) m++;
    if (m < deg + 2) return -m;
    gsl_matrix *X = gsl_matrix_alloc(m, deg + 1), *cov = gsl_matrix_alloc(deg + 1, deg + 1);
    gsl_vector *y = gsl_vector_alloc(m), *cv = gsl_vector_alloc(deg + 1);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(m, deg + 1);
    if (!X || !cov || !y || !cv || !ws) {
        m = -1;
        goto out;
    }
    int i = 0;
    for (long k = k0; k <= k1; k++) {
        if (!isfinite(w[k])) continue;
        double d = r[k] - about, p = 1;
        for (int j = 0; j <= deg; j++, p *= d) gsl_matrix_set(X, i, j, p);
        gsl_vector_set(y, i, w[k]);
        i++;
    }
    double chisq;
    gsl_error_handler_t *old = gsl_set_error_handler_off(); /* report, never abort */
    int st = gsl_multifit_linear(X, y, cv, cov, &chisq, ws);
    gsl_set_error_handler(old);
    if (st) {
        m = -1;
        goto out;
    }
    for (int j = 0; j <= deg; j++) c[j] = gsl_vector_get(cv, j);
out:
    if (ws) gsl_multifit_linear_free(ws);
    if (X) gsl_matrix_free(X);
    if (cov) gsl_matrix_free(cov);
    if (y) gsl_vector_free(y);
    if (cv) gsl_vector_free(cv);
    return m;
}

int bpel_rdf_fit_well(size_t nbins, const double *r, const double *w, double halfwidth, double rsearch, rdf_well *out)
{
    memset(out, 0, sizeof *out);
    out->imin = -1;
    out->halfwidth = halfwidth;
    if (!(halfwidth > 0)) return bpel_fail(BPEL_EINVAL, "PMF fit: half-width %g Å must be positive", halfwidth);
    long im = -1;
    for (size_t k = 0; k < nbins; k++) {
        if (rsearch > 0 && r[k] >= rsearch) break;
        if (isfinite(w[k]) && (im < 0 || w[k] < w[im])) im = (long)k;
    }
    if (im < 0) return bpel_fail(BPEL_EINVAL, "PMF fit: w(r) is undefined everywhere (g = 0)");
    out->imin = im;
    long k0 = im, k1 = im;
    while (k0 > 0 && r[im] - r[k0 - 1] <= halfwidth + 1e-12) k0--;
    while (k1 + 1 < (long)nbins && r[k1 + 1] - r[im] <= halfwidth + 1e-12) k1++;
    double c[5];
    int m = polyfit(r, w, k0, k1, r[im], 2, c);
    if (m < 0 || !(c[2] > 0))
        return bpel_fail(BPEL_EINVAL, "PMF fit: %d usable bins within %g Å of the minimum at %g Å (need 4, and a "
                         "convex well); widen the window or refine the bins", m < 0 ? -m : m, halfwidth, r[im]);
    out->npoints = m;
    out->k = 2 * c[2];
    out->r0 = r[im] - c[1] / (2 * c[2]);
    out->w0 = c[0] - c[1] * c[1] / (4 * c[2]);
    /* The whole well: left to where g first exceeds 1, right to the top of
     * the barrier within 1.5 Å. */
    long kl = im;
    while (kl > 0 && isfinite(w[kl - 1]) && w[kl] < 0) kl--;
    long kr = im;
    for (long k = im + 1; k < (long)nbins && r[k] <= r[im] + 1.5; k++)
        if (isfinite(w[k]) && w[k] > w[kr]) kr = k;
    out->r_left = r[kl];
    out->r_right = r[kr];
    for (int j = 0; j < 5; j++) out->taylor[j] = NAN;
    if (polyfit(r, w, kl, kr, out->r0, 4, c) > 0) {
        double f = 1;
        for (int j = 0; j < 5; j++) {
            if (j) f *= j;
            out->taylor[j] = c[j] * f;
        }
    }
    return BPEL_OK;
}

double bpel_rdf_well_parabola(const rdf_well *wl, double r)
{
    double d = r - wl->r0;
    return wl->w0 + 0.5 * wl->k * d * d;
}
