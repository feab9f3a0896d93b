/* neighbour.c — ghost images, cell binning and Verlet lists (see neighbour.h).
 *
 * Binning is done in fractional coordinates of the ghost-extended box, with
 * bins at least (cut+skin)/2 wide in perpendicular distance, so all partners
 * lie within ±2 bins in each direction for any triclinic cell. */
#include "neighbour.h"
#include "error.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

nbr_list *bpel_nbr_create(double cut, double skin, int half)
{
    if (!(cut > 0) || !(skin >= 0)) {
        bpel_fail(BPEL_EINVAL, "neighbour list needs cut > 0 and skin >= 0 (got %g, %g)", cut, skin);
        return NULL;
    }
    nbr_list *l = bpel_calloc(1, sizeof *l);
    if (!l) return NULL;
    l->cut = cut;
    l->skin = skin;
    l->half = half;
    return l;
}

void bpel_nbr_destroy(nbr_list *l)
{
    if (!l) return;
    free(l->owner);
    free(l->image);
    free(l->xall);
    free(l->ghost_start);
    free(l->start);
    free(l->nbr);
    free(l->xbuild);
    free(l);
}

static int reserve_all(nbr_list *l, size_t need)
{
    if (need <= l->cap_all) return BPEL_OK;
    size_t cap = need + need / 4 + 64;
    size_t *o = bpel_realloc(l->owner, cap * sizeof *o);
    if (!o) return BPEL_ENOMEM;
    l->owner = o;
    int *im = bpel_realloc(l->image, 3 * cap * sizeof *im);
    if (!im) return BPEL_ENOMEM;
    l->image = im;
    double *xa = bpel_realloc(l->xall, 3 * cap * sizeof *xa);
    if (!xa) return BPEL_ENOMEM;
    l->xall = xa;
    double *xb = bpel_realloc(l->xbuild, 3 * cap * sizeof *xb);
    if (!xb) return BPEL_ENOMEM;
    l->xbuild = xb;
    l->cap_all = cap;
    return BPEL_OK;
}

static void image_shift(const bpel_box *b, const int *im, double d[3])
{
    d[0] = im[0] * b->len[0] + im[1] * b->xy + im[2] * b->xz;
    d[1] = im[1] * b->len[1] + im[2] * b->yz;
    d[2] = im[2] * b->len[2];
}

/* Create ghost images of all atoms within rc (perpendicular) of the box. */
static int make_ghosts(nbr_list *l, const bpel_system *s, double rc)
{
    const bpel_box *b = &s->box;
    double w[3];
    bpel_box_widths(b, w);
    int nl[3];
    double ext[3];
    for (int k = 0; k < 3; k++) {
        ext[k] = rc / w[k];
        nl[k] = (int)ceil(ext[k]);
    }
    size_t n = s->n;
    l->nlocal = n;
    if (reserve_all(l, n)) return BPEL_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        l->owner[i] = i;
        l->image[3 * i] = l->image[3 * i + 1] = l->image[3 * i + 2] = 0;
        memcpy(&l->xall[3 * i], &s->x[3 * i], 3 * sizeof(double));
    }
    size_t *gs = bpel_realloc(l->ghost_start, (n + 1) * sizeof *gs);
    if (!gs) return BPEL_ENOMEM;
    l->ghost_start = gs;
    size_t nall = n;
    for (size_t i = 0; i < n; i++) {
        gs[i] = nall - n;
        double f[3];
        bpel_box_to_frac(b, &s->x[3 * i], f);
        for (int a = -nl[0]; a <= nl[0]; a++) {
            double fa = f[0] + a;
            if (fa < -ext[0] || fa > 1 + ext[0]) continue;
            for (int bb = -nl[1]; bb <= nl[1]; bb++) {
                double fb = f[1] + bb;
                if (fb < -ext[1] || fb > 1 + ext[1]) continue;
                for (int c = -nl[2]; c <= nl[2]; c++) {
                    double fc = f[2] + c;
                    if (fc < -ext[2] || fc > 1 + ext[2]) continue;
                    if (a == 0 && bb == 0 && c == 0) continue;
                    if (nall >= l->cap_all && reserve_all(l, nall + 1)) return BPEL_ENOMEM;
                    if (nall >= UINT32_MAX)
                        return bpel_fail(BPEL_ENOMEM, "too many ghost atoms (box much smaller than the cutoff?)");
                    int im[3] = {a, bb, c};
                    double d[3];
                    image_shift(b, im, d);
                    l->owner[nall] = i;
                    memcpy(&l->image[3 * nall], im, sizeof im);
                    for (int k = 0; k < 3; k++) l->xall[3 * nall + k] = s->x[3 * i + k] + d[k];
                    nall++;
                }
            }
        }
    }
    gs[n] = nall - n;
    l->nall = nall;
    return BPEL_OK;
}

/* one ghost-extended entry in bin order */
typedef struct {
    double x[3];
    uint64_t key;
    uint32_t j;
} bin_entry;

static int lexi_positive(const int *im)
{
    if (im[0]) return im[0] > 0;
    if (im[1]) return im[1] > 0;
    return im[2] > 0;
}

int bpel_nbr_build(nbr_list *l, bpel_system *s)
{
    if (s->n >= UINT32_MAX) return bpel_fail(BPEL_ENOTSUP, "more than 2^32 atoms");
    bpel_system_wrap(s);
    double rc = l->cut + l->skin, rcsq = rc * rc;
    int rc_ = make_ghosts(l, s, rc);
    if (rc_) return rc_;
    const bpel_box *b = &s->box;
    double w[3], ext[3];
    bpel_box_widths(b, w);
    int nb[3];
    double span[3];
    for (int k = 0; k < 3; k++) {
        ext[k] = rc / w[k];
        span[k] = 1.0 + 2.0 * ext[k];
        nb[k] = (int)floor((w[k] + 2 * rc) / (0.5 * rc));
        if (nb[k] < 1) nb[k] = 1;
    }
    size_t nbins = (size_t)nb[0] * nb[1] * nb[2];
    size_t nall = l->nall, n = l->nlocal;
    size_t *bin_start = bpel_calloc(nbins + 1, sizeof *bin_start);
    size_t *bin_of = bpel_malloc(nall * sizeof *bin_of);
    bin_entry *sorted = bpel_malloc(nall * sizeof *sorted);
    size_t *cnt = bpel_malloc((n + 1) * sizeof *cnt);
    int nth = omp_get_max_threads();
    if (nth < 1) nth = 1;
    uint32_t **buf = bpel_calloc((size_t)nth, sizeof *buf);
    int err = BPEL_OK;
    if (!bin_start || !bin_of || !sorted || !cnt || !buf) { err = BPEL_ENOMEM; goto done; }
    for (size_t j = 0; j < nall; j++) {
        double f[3];
        bpel_box_to_frac(b, &l->xall[3 * j], f);
        int c[3];
        for (int k = 0; k < 3; k++) {
            c[k] = (int)floor((f[k] + ext[k]) / span[k] * nb[k]);
            if (c[k] < 0) c[k] = 0;
            if (c[k] >= nb[k]) c[k] = nb[k] - 1;
        }
        bin_of[j] = ((size_t)c[2] * nb[1] + c[1]) * nb[0] + c[0];
        bin_start[bin_of[j] + 1]++;
    }
    for (size_t k = 0; k < nbins; k++) bin_start[k + 1] += bin_start[k];
    {
        /* entries in bin order, with their positions and the half-list key
         * 2·owner + (image lexicographically positive): j is a half-list
         * partner of i exactly when key > 2i (this also excludes i itself) */
        size_t *fill = bpel_malloc(nbins * sizeof *fill);
        if (!fill) { err = BPEL_ENOMEM; goto done; }
        memcpy(fill, bin_start, nbins * sizeof *fill);
        for (size_t j = 0; j < nall; j++) {
            bin_entry *e = &sorted[fill[bin_of[j]]++];
            memcpy(e->x, &l->xall[3 * j], sizeof e->x);
            e->j = (uint32_t)j;
            e->key = 2 * (uint64_t)l->owner[j] + (uint64_t)(j >= n && lexi_positive(&l->image[3 * j]));
        }
        free(fill);
    }

    /* one pass: each thread lists a contiguous range of atoms into its own
     * buffer, sorting each atom's neighbours by index (locality, and an order
     * that depends on the positions alone); then the buffers are joined */
    const int half = l->half;
    const size_t guess = l->nlocal && l->builds ? l->start[l->nlocal] / l->nlocal + 8 : 64;
    int fail = 0; /* shared: any thread out of memory */
    cnt[n] = 0;
#pragma omp parallel num_threads(nth)
    {
        int bad = 0; /* this thread's */
        const size_t t = (size_t)omp_get_thread_num(), nt = (size_t)omp_get_num_threads();
        const size_t lo = n * t / nt, hi = n * (t + 1) / nt;
        size_t cap = (hi - lo) * guess + 64, m = 0;
        uint32_t *out = bpel_malloc(cap * sizeof *out);
        if (!out) bad = 1;
        for (size_t i = lo; i < hi && !bad; i++) {
            size_t bi = bin_of[i];
            int cx = (int)(bi % nb[0]), cy = (int)((bi / nb[0]) % nb[1]), cz = (int)(bi / ((size_t)nb[0] * nb[1]));
            const double xi = l->xall[3 * i], yi = l->xall[3 * i + 1], zi = l->xall[3 * i + 2];
            const uint64_t lim = 2 * (uint64_t)i;
            const size_t m0 = m;
            for (int dz = -2; dz <= 2 && !bad; dz++) {
                int z = cz + dz;
                if (z < 0 || z >= nb[2]) continue;
                for (int dy = -2; dy <= 2 && !bad; dy++) {
                    int y = cy + dy;
                    if (y < 0 || y >= nb[1]) continue;
                    int x0 = cx - 2 < 0 ? 0 : cx - 2, x1 = cx + 2 >= nb[0] ? nb[0] - 1 : cx + 2;
                    size_t row = ((size_t)z * nb[1] + y) * nb[0];
                    /* the bins x0..x1 of one row are contiguous in `sorted` */
                    /* every candidate is written and kept when it is a
                     * partner: no branch to mispredict on half of them */
                    for (size_t q = bin_start[row + x0]; q < bin_start[row + x1 + 1]; q++) {
                        const bin_entry *e = &sorted[q];
                        double dx_ = e->x[0] - xi, dy_ = e->x[1] - yi, dz_ = e->x[2] - zi;
                        const int inside = !(dx_ * dx_ + dy_ * dy_ + dz_ * dz_ >= rcsq);
                        const int partner = half ? e->key > lim : e->j != i;
                        if (m == cap) {
                            cap = 2 * cap;
                            uint32_t *g = bpel_realloc(out, cap * sizeof *g);
                            if (!g) { bad = 1; break; }
                            out = g;
                        }
                        out[m] = e->j;
                        m += (size_t)(inside & partner);
                    }
                }
            }
            if (bad) break;
            uint32_t *a = out + m0;
            size_t k = m - m0;
            for (size_t p = 1; p < k; p++) {
                uint32_t v = a[p];
                size_t q = p;
                while (q > 0 && a[q - 1] > v) { a[q] = a[q - 1]; q--; }
                a[q] = v;
            }
            cnt[i] = k;
        }
        buf[t] = out;
        if (bad) {
#pragma omp atomic write
            fail = 1;
        }
#pragma omp barrier
#pragma omp single
        {
            size_t *st = fail ? NULL : bpel_realloc(l->start, (n + 1) * sizeof *st);
            if (!st) fail = 1;
            else {
                l->start = st;
                st[0] = 0;
                for (size_t i = 0; i < n; i++) st[i + 1] = st[i] + cnt[i];
                size_t tot = st[n];
                if (tot > l->nbr_cap) {
                    uint32_t *nn = bpel_realloc(l->nbr, (tot + tot / 8 + 16) * sizeof *nn);
                    if (!nn) fail = 1;
                    else {
                        l->nbr = nn;
                        l->nbr_cap = tot + tot / 8 + 16;
                    }
                }
            }
        }
        /* a thread whose atoms have no neighbours copies nothing (l->nbr may still be NULL) */
        if (!fail && l->start[hi] > l->start[lo])
            memcpy(l->nbr + l->start[lo], out, (l->start[hi] - l->start[lo]) * sizeof *out);
    }
    if (fail) { err = BPEL_ENOMEM; goto done; }
    memcpy(l->xbuild, l->xall, 3 * nall * sizeof(double));
    l->builds++;
done:
    if (buf)
        for (int t = 0; t < nth; t++) free(buf[t]);
    free(buf);
    free(cnt);
    free(bin_start);
    free(bin_of);
    free(sorted);
    return err;
}

int bpel_nbr_update(nbr_list *l, bpel_system *s)
{
    if (l->builds == 0 || l->nlocal != s->n) return bpel_nbr_build(l, s) ? -1 : 1;
    const bpel_box *b = &s->box;
    size_t nall = l->nall;
    double lim = 0.25 * l->skin * l->skin;
    int need = 0;
#pragma omp parallel for reduction(| : need) schedule(static)
    for (size_t j = 0; j < nall; j++) {
        size_t o = l->owner[j];
        double d[3] = {0, 0, 0};
        if (j >= l->nlocal) image_shift(b, &l->image[3 * j], d);
        double r2 = 0;
        for (int k = 0; k < 3; k++) {
            double x = s->x[3 * o + k] + d[k];
            l->xall[3 * j + k] = x;
            double dd = x - l->xbuild[3 * j + k];
            r2 += dd * dd;
        }
        if (r2 > lim) need = 1;
    }
    if (need) return bpel_nbr_build(l, s) ? -1 : 1;
    return 0;
}

int bpel_nbr_find_close_pair(const bpel_system *s, double rmin, size_t *pi, size_t *pj, double *pr)
{
    bpel_system *c = bpel_system_copy(s);
    if (!c) return BPEL_ENOMEM;
    nbr_list *l = bpel_nbr_create(rmin, 0.0, 1);
    if (!l) { bpel_system_destroy(c); return BPEL_ENOMEM; }
    int rc = bpel_nbr_build(l, c);
    int found = 0;
    double best = INFINITY;
    if (!rc) {
        for (size_t i = 0; i < l->nlocal; i++)
            for (size_t q = l->start[i]; q < l->start[i + 1]; q++) {
                size_t j = l->nbr[q];
                double d2 = 0;
                for (int k = 0; k < 3; k++) {
                    double d = l->xall[3 * j + k] - l->xall[3 * i + k];
                    d2 += d * d;
                }
                if (d2 < best) {
                    best = d2;
                    *pi = i;
                    *pj = l->owner[j];
                    found = 1;
                }
            }
        if (found) {
            if (*pj < *pi) { size_t t = *pi; *pi = *pj; *pj = t; }
            *pr = sqrt(best);
        }
    }
    bpel_nbr_destroy(l);
    bpel_system_destroy(c);
    return rc ? rc : found;
}
