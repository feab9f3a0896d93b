/* localforce.c — see localforce.h for the equations. */
#include "localforce.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eam_tables.h"
#include "error.h"

void bpel_lf_defaults(lf_params *p)
{
    p->radius = 6.0;
    p->shell = 5.0;
    p->grow_force = 0.045;
    p->skin = 1.0;
    p->max_atoms = 2000;
    p->whole = 0;
}

int bpel_lf_param_set(lf_params *p, const char *name, const char *value)
{
    double *slot = !strcmp(name, "radius") ? &p->radius : !strcmp(name, "shell") ? &p->shell
                 : !strcmp(name, "grow_force") ? &p->grow_force : !strcmp(name, "skin") ? &p->skin : NULL;
    int is_count = !strcmp(name, "max_atoms");
    if (!slot && !is_count)
        return bpel_fail(BPEL_EINVAL, "no region parameter named '%s' (radius, shell, grow_force, skin, max_atoms)", name);
    char *end;
    errno = 0;
    double d = strtod(value, &end);
    if (end == value || *end || errno || !isfinite(d))
        return bpel_fail(BPEL_EINVAL, "region parameter %s: '%s' is not a number", name, value);
    if (is_count) {
        if (!(d >= 1 && d <= 1e9 && d == floor(d)))
            return bpel_fail(BPEL_EINVAL, "region parameter max_atoms must be a positive integer, not '%s'", value);
        p->max_atoms = (size_t)d;
        return BPEL_OK;
    }
    if (!(d > 0)) return bpel_fail(BPEL_EINVAL, "region parameter %s must be positive, not '%s'", name, value);
    *slot = d;
    return BPEL_OK;
}

struct lf_shared {
    bpel_system *s;          /* reference (wrapped) */
    eam_tables tab;
    double e0;               /* eV */
    double *rho0;            /* [n] */
    double avec[3], bvec[3], cvec[3]; /* box edge vectors */
    double width[3];
    int nc[3];
    size_t *cell_start;      /* [ncell+1] */
    size_t *cell_atom;       /* [n] */
};

typedef struct lf_list {
    size_t n, cap;           /* lists */
    size_t *start;           /* [cap+1] */
    uint32_t *k;             /* neighbour atom */
    double *sh;              /* [3·entries] periodic translation added to x⁰_k */
    size_t ecap;
} lf_list;

struct lf_region {
    const lf_shared *sh;
    lf_params p;
    size_t n;                /* atoms in the glass */
    size_t cap;              /* largest region */
    size_t nm;
    size_t *atoms;           /* [cap] */
    int32_t *slot;           /* [n] index in M or −1 */
    size_t nb;
    size_t *bnd;             /* watched frozen atoms */
    uint8_t *inb;            /* [n] */
    lf_list lm, lb;          /* lists of M atoms and of watched atoms */
    int lb_stale;
    double *ubuild;          /* [3cap] displacements at the last build */
    int built;
    double *drho;            /* [n] density change of frozen atoms */
    size_t *touched, ntouched;
    uint8_t *istouched;
    double *rhom;            /* [cap] densities of M atoms */
    double *fpc;             /* [n] F' cache */
    uint32_t *stamp, cur;
    const double *u;         /* displacements in use */
    double *ulast;           /* [3cap] displacements of the last evaluation */
    size_t nlast;            /* their count (0: none valid) */
};

/* ---- shared reference ----------------------------------------------------- */

int bpel_lf_shared_create(const bpel_model *model, const bpel_system *s0, lf_shared **out)
{
    *out = NULL;
    lf_shared *sh = bpel_calloc(1, sizeof *sh);
    if (!sh) return BPEL_ENOMEM;
    int rc = BPEL_ENOMEM;
    sh->s = bpel_system_copy(s0);
    if (!sh->s) goto fail;
    bpel_system_wrap(sh->s);
    size_t n = sh->s->n;
    sh->tab = *bpel_model_tables(model);
    bpel_forces *fo = NULL;
    if ((rc = bpel_forces_create(model, sh->s, 1.0, &fo))) goto fail;
    bpel_eval ev;
    rc = bpel_forces_compute(fo, sh->s, FORCES_ENERGY, &ev);
    if (!rc) {
        sh->e0 = ev.energy;
        sh->rho0 = bpel_malloc(n * sizeof(double));
        if (sh->rho0) memcpy(sh->rho0, ev.rho, n * sizeof(double));
        else rc = BPEL_ENOMEM;
    }
    bpel_forces_destroy(fo);
    if (rc) goto fail;
    const bpel_box *b = &sh->s->box;
    double a[3] = {b->len[0], 0, 0}, bb[3] = {b->xy, b->len[1], 0}, c[3] = {b->xz, b->yz, b->len[2]};
    memcpy(sh->avec, a, sizeof a);
    memcpy(sh->bvec, bb, sizeof bb);
    memcpy(sh->cvec, c, sizeof c);
    bpel_box_widths(b, sh->width);
    double rc0 = sh->tab.cut + 1.0;
    size_t ncell = 1;
    for (int d = 0; d < 3; d++) {
        int m = (int)(sh->width[d] / rc0);
        sh->nc[d] = m < 1 ? 1 : (m > 200 ? 200 : m);
        ncell *= sh->nc[d];
    }
    sh->cell_start = bpel_calloc(ncell + 1, sizeof(size_t));
    sh->cell_atom = bpel_malloc(n * sizeof(size_t));
    size_t *cid = bpel_malloc(n * sizeof(size_t));
    if (!sh->cell_start || !sh->cell_atom || !cid) {
        free(cid);
        rc = BPEL_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        double f[3];
        bpel_box_to_frac(b, sh->s->x + 3 * i, f);
        int ci[3];
        for (int d = 0; d < 3; d++) {
            ci[d] = (int)floor(f[d] * sh->nc[d]);
            if (ci[d] < 0) ci[d] = 0;
            if (ci[d] >= sh->nc[d]) ci[d] = sh->nc[d] - 1;
        }
        cid[i] = ((size_t)ci[2] * sh->nc[1] + ci[1]) * sh->nc[0] + ci[0];
        sh->cell_start[cid[i] + 1]++;
    }
    for (size_t c2 = 0; c2 < ncell; c2++) sh->cell_start[c2 + 1] += sh->cell_start[c2];
    size_t *fill = bpel_calloc(ncell, sizeof(size_t));
    if (!fill) {
        free(cid);
        rc = BPEL_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < n; i++) sh->cell_atom[sh->cell_start[cid[i]] + fill[cid[i]]++] = i;
    free(fill);
    free(cid);
    *out = sh;
    return BPEL_OK;
fail:
    bpel_lf_shared_destroy(sh);
    return rc;
}

void bpel_lf_shared_destroy(lf_shared *sh)
{
    if (!sh) return;
    bpel_system_destroy(sh->s);
    free(sh->rho0);
    free(sh->cell_start);
    free(sh->cell_atom);
    free(sh);
}

double bpel_lf_shared_energy(const lf_shared *sh) { return sh->e0; }
const bpel_system *bpel_lf_shared_system(const lf_shared *sh) { return sh->s; }

/* ---- region ----------------------------------------------------------------- */

void bpel_lf_region_destroy(lf_region *r)
{
    if (!r) return;
    free(r->atoms);
    free(r->slot);
    free(r->bnd);
    free(r->inb);
    lf_list *ls[2] = {&r->lm, &r->lb};
    for (int k = 0; k < 2; k++) {
        free(ls[k]->start);
        free(ls[k]->k);
        free(ls[k]->sh);
    }
    free(r->ubuild);
    free(r->ulast);
    free(r->drho);
    free(r->touched);
    free(r->istouched);
    free(r->rhom);
    free(r->fpc);
    free(r->stamp);
    free(r);
}

int bpel_lf_region_create(const lf_shared *sh, const lf_params *p, lf_region **out)
{
    *out = NULL;
    lf_region *r = bpel_calloc(1, sizeof *r);
    if (!r) return BPEL_ENOMEM;
    r->sh = sh;
    r->p = *p;
    r->n = sh->s->n;
    r->cap = p->whole || p->max_atoms > r->n ? r->n : p->max_atoms;
    if (r->cap < 1) r->cap = 1;
    r->atoms = bpel_malloc(r->cap * sizeof(size_t));
    r->slot = bpel_malloc(r->n * sizeof(int32_t));
    r->bnd = bpel_malloc(r->n * sizeof(size_t));
    r->inb = bpel_calloc(r->n, 1);
    r->ubuild = bpel_calloc(3 * r->cap, sizeof(double));
    r->ulast = bpel_calloc(3 * r->cap, sizeof(double));
    r->drho = bpel_calloc(r->n, sizeof(double));
    r->touched = bpel_malloc(r->n * sizeof(size_t));
    r->istouched = bpel_calloc(r->n, 1);
    r->rhom = bpel_calloc(r->cap, sizeof(double));
    r->fpc = bpel_calloc(r->n, sizeof(double));
    r->stamp = bpel_calloc(r->n, sizeof(uint32_t));
    if (!r->atoms || !r->slot || !r->bnd || !r->inb || !r->ubuild || !r->ulast || !r->drho || !r->touched || !r->istouched ||
        !r->rhom || !r->fpc || !r->stamp) {
        bpel_lf_region_destroy(r);
        return BPEL_ENOMEM;
    }
    for (size_t i = 0; i < r->n; i++) r->slot[i] = -1;
    *out = r;
    return BPEL_OK;
}

size_t bpel_lf_region_natoms(const lf_region *r) { return r->nm; }
const size_t *bpel_lf_region_atoms(const lf_region *r) { return r->atoms; }
size_t bpel_lf_region_max_dof(const lf_region *r) { return 3 * r->cap; }

static inline void pos(const lf_region *r, size_t k, double out[3])
{
    const double *x0 = r->sh->s->x + 3 * k;
    int32_t a = r->slot[k];
    if (a >= 0 && r->u) {
        const double *u = r->u + 3 * (size_t)a;
        out[0] = x0[0] + u[0];
        out[1] = x0[1] + u[1];
        out[2] = x0[2] + u[2];
    } else {
        out[0] = x0[0];
        out[1] = x0[1];
        out[2] = x0[2];
    }
}

static int list_reserve(lf_list *l, size_t nlists, size_t nent)
{
    if (nlists + 1 > l->cap) {
        size_t c = 2 * (nlists + 1);
        size_t *s = bpel_realloc(l->start, c * sizeof(size_t));
        if (!s) return BPEL_ENOMEM;
        l->start = s;
        l->cap = c;
    }
    if (nent > l->ecap) {
        size_t c = 2 * nent + 1024;
        uint32_t *k = bpel_realloc(l->k, c * sizeof(uint32_t));
        if (!k) return BPEL_ENOMEM;
        l->k = k;
        double *sh = bpel_realloc(l->sh, 3 * c * sizeof(double));
        if (!sh) return BPEL_ENOMEM;
        l->sh = sh;
        l->ecap = c;
    }
    return BPEL_OK;
}

/* Append to list l the atoms (with translations) within rq of atom i's
 * current position; `dmax` bounds how far any atom is from its reference. */
static int query(lf_region *r, lf_list *l, size_t i, double rq, double dmax)
{
    const lf_shared *sh = r->sh;
    const bpel_box *b = &sh->s->box;
    double pi[3], f[3];
    pos(r, i, pi);
    bpel_box_to_frac(b, pi, f);
    int c[3], K[3];
    for (int d = 0; d < 3; d++) {
        c[d] = (int)floor(f[d] * sh->nc[d]);
        K[d] = (int)ceil((rq + dmax) * sh->nc[d] / sh->width[d]);
    }
    double rq2 = rq * rq;
    size_t e = l->start[l->n];
    for (int o2 = -K[2]; o2 <= K[2]; o2++) {
        int cc2 = c[2] + o2, w2 = ((cc2 % sh->nc[2]) + sh->nc[2]) % sh->nc[2], n2 = (cc2 - w2) / sh->nc[2];
        for (int o1 = -K[1]; o1 <= K[1]; o1++) {
            int cc1 = c[1] + o1, w1 = ((cc1 % sh->nc[1]) + sh->nc[1]) % sh->nc[1], n1 = (cc1 - w1) / sh->nc[1];
            for (int o0 = -K[0]; o0 <= K[0]; o0++) {
                int cc0 = c[0] + o0, w0 = ((cc0 % sh->nc[0]) + sh->nc[0]) % sh->nc[0], n0 = (cc0 - w0) / sh->nc[0];
                double t[3];
                for (int d = 0; d < 3; d++) t[d] = n0 * sh->avec[d] + n1 * sh->bvec[d] + n2 * sh->cvec[d];
                size_t cell = ((size_t)w2 * sh->nc[1] + w1) * sh->nc[0] + w0;
                for (size_t q = sh->cell_start[cell]; q < sh->cell_start[cell + 1]; q++) {
                    size_t k = sh->cell_atom[q];
                    if (k == i && n0 == 0 && n1 == 0 && n2 == 0) continue;
                    double pk[3];
                    pos(r, k, pk);
                    double dx = pk[0] + t[0] - pi[0], dy = pk[1] + t[1] - pi[1], dz = pk[2] + t[2] - pi[2];
                    if (dx * dx + dy * dy + dz * dz >= rq2) continue;
                    if (e + 1 > l->ecap && list_reserve(l, l->n, e + 1)) return BPEL_ENOMEM;
                    l->k[e] = (uint32_t)k;
                    l->sh[3 * e] = t[0];
                    l->sh[3 * e + 1] = t[1];
                    l->sh[3 * e + 2] = t[2];
                    e++;
                }
            }
        }
    }
    l->n++;
    l->start[l->n] = e;
    return BPEL_OK;
}

static double max_disp(const lf_region *r)
{
    double m = 0;
    if (!r->u) return 0;
    for (size_t a = 0; a < r->nm; a++) {
        const double *u = r->u + 3 * a;
        m = fmax(m, u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
    }
    return sqrt(m);
}

static int build_lists(lf_region *r)
{
    double rq = r->sh->tab.cut + r->p.skin, dmax = max_disp(r) + 0.5 * r->p.skin;
    lf_list *l = &r->lm;
    l->n = 0;
    if (list_reserve(l, r->nm, r->nm * 64)) return BPEL_ENOMEM;
    l->start[0] = 0;
    for (size_t a = 0; a < r->nm; a++) {
        if (list_reserve(l, a + 1, l->start[a] + 1)) return BPEL_ENOMEM;
        int rc = query(r, l, r->atoms[a], rq, dmax);
        if (rc) return rc;
    }
    for (size_t a = 0; a < r->nm; a++)
        for (int d = 0; d < 3; d++) r->ubuild[3 * a + d] = r->u ? r->u[3 * a + d] : 0.0;
    /* watched frozen atoms: within `shell` of an M atom */
    for (size_t q = 0; q < r->nb; q++) r->inb[r->bnd[q]] = 0;
    r->nb = 0;
    double s2 = r->p.shell * r->p.shell;
    for (size_t a = 0; a < r->nm; a++) {
        double pi[3];
        pos(r, r->atoms[a], pi);
        for (size_t e = l->start[a]; e < l->start[a + 1]; e++) {
            size_t k = l->k[e];
            if (r->slot[k] >= 0 || r->inb[k]) continue;
            double pk[3];
            pos(r, k, pk);
            double dx = pk[0] + l->sh[3 * e] - pi[0], dy = pk[1] + l->sh[3 * e + 1] - pi[1],
                   dz = pk[2] + l->sh[3 * e + 2] - pi[2];
            if (dx * dx + dy * dy + dz * dz < s2) {
                r->inb[k] = 1;
                r->bnd[r->nb++] = k;
            }
        }
    }
    r->lb_stale = 1;
    r->built = 1;
    return BPEL_OK;
}

static int need_rebuild(const lf_region *r)
{
    if (!r->built) return 1;
    double lim = 0.25 * r->p.skin * r->p.skin;
    for (size_t a = 0; a < r->nm; a++) {
        double s = 0;
        for (int d = 0; d < 3; d++) {
            double x = (r->u ? r->u[3 * a + d] : 0.0) - r->ubuild[3 * a + d];
            s += x * x;
        }
        if (s > lim) return 1;
    }
    return 0;
}

long bpel_lf_region_start(lf_region *r, size_t center)
{
    for (size_t a = 0; a < r->nm; a++) r->slot[r->atoms[a]] = -1;
    for (size_t q = 0; q < r->nb; q++) r->inb[r->bnd[q]] = 0;
    r->nm = r->nb = 0;
    r->u = NULL;
    r->built = 0;
    r->nlast = 0;
    r->atoms[r->nm] = center;
    r->slot[center] = (int32_t)r->nm++;
    if (r->p.whole) { /* every atom moves: the centre first, then the others in order;
                         the lists are built by the first bpel_lf_eval, if any (campaigns
                         evaluate the whole glass with forces.c and only need the order) */
        for (size_t k = 0; k < r->n; k++)
            if (r->slot[k] < 0) {
                r->atoms[r->nm] = k;
                r->slot[k] = (int32_t)r->nm++;
            }
        return (long)r->nm;
    }
    /* a temporary list around the centre */
    lf_list tmp = {0};
    if (list_reserve(&tmp, 1, 256)) return BPEL_ENOMEM;
    tmp.start[0] = 0;
    int rc = query(r, &tmp, center, r->p.radius, 0.0);
    if (rc == 0) {
        for (size_t e = 0; e < tmp.start[1] && r->nm < r->cap; e++) {
            size_t k = tmp.k[e];
            if (r->slot[k] >= 0) continue;
            r->atoms[r->nm] = k;
            r->slot[k] = (int32_t)r->nm++;
        }
        rc = build_lists(r);
    }
    free(tmp.start);
    free(tmp.k);
    free(tmp.sh);
    return rc ? rc : (long)r->nm;
}

/* ---- energy and forces ------------------------------------------------------- */

/* Interval of r on the radial grid (as eam_r_interval), shared by all tables. */
static inline int r_index(const eam_tables *t, double r, double *p)
{
    double q = r * t->rdr + 1.0;
    int m = (int)q;
    if (m > t->nr - 1) m = t->nr - 1;
    q -= m;
    if (q > 1.0) q = 1.0;
    *p = q;
    return m;
}

static inline double fprime(lf_region *r, size_t k)
{
    if (r->stamp[k] == r->cur) return r->fpc[k];
    int32_t a = r->slot[k];
    double rho = a >= 0 ? r->rhom[a] : r->sh->rho0[k] + r->drho[k];
    double fp;
    eam_embed(&r->sh->tab, r->sh->s->type[k], rho, NULL, &fp, NULL);
    r->fpc[k] = fp;
    r->stamp[k] = r->cur;
    return fp;
}

/* Force on atom i (in M or watched) from its list entries [e0, e1). */
static void atom_force(lf_region *r, const lf_list *l, size_t e0, size_t e1, size_t i, double f[3])
{
    const eam_tables *t = &r->sh->tab;
    const int *type = r->sh->s->type;
    double pi[3];
    pos(r, i, pi);
    double fpi = fprime(r, i);
    int ti = type[i];
    f[0] = f[1] = f[2] = 0;
    for (size_t e = e0; e < e1; e++) {
        size_t k = l->k[e];
        double pk[3];
        pos(r, k, pk);
        double dx = pk[0] + l->sh[3 * e] - pi[0], dy = pk[1] + l->sh[3 * e + 1] - pi[1],
               dz = pk[2] + l->sh[3 * e + 2] - pi[2];
        double r2 = dx * dx + dy * dy + dz * dz;
        if (r2 >= t->cutsq) continue;
        double rr = sqrt(r2), p;
        int tk = type[k];
        int m = r_index(t, rr, &p);
        const double *cik = t->rhor[ti][tk][m], *cki = t->rhor[tk][ti][m], *cz = t->z2r[ti][tk][m];
        double z = eam_val(cz, p), zp = eam_d1(cz, p);
        double phi = z / rr, phip = (zp - phi) / rr;
        double dedr = fpi * eam_d1(cik, p) + fprime(r, k) * eam_d1(cki, p) + phip;
        f[0] += dedr * dx / rr;
        f[1] += dedr * dy / rr;
        f[2] += dedr * dz / rr;
    }
}

int bpel_lf_eval(void *ctx, const double *u, double *energy, double *f)
{
    lf_region *r = ctx;
    r->u = u;
    if (need_rebuild(r)) {
        int rc = build_lists(r);
        if (rc) return rc;
    }
    const lf_shared *sh = r->sh;
    const eam_tables *t = &sh->tab;
    const int *type = sh->s->type;
    const double *x0 = sh->s->x;
    const lf_list *l = &r->lm;
    for (size_t q = 0; q < r->ntouched; q++) {
        r->drho[r->touched[q]] = 0;
        r->istouched[r->touched[q]] = 0;
    }
    r->ntouched = 0;
    if (++r->cur == 0) { /* stamp wrapped: clear */
        memset(r->stamp, 0, r->n * sizeof(uint32_t));
        r->cur = 1;
    }
    double epair = 0;
    /* densities of M atoms, density changes of their frozen neighbours, pair energy change */
    for (size_t a = 0; a < r->nm; a++) {
        size_t i = r->atoms[a];
        int ti = type[i];
        double pi[3];
        pos(r, i, pi);
        const double *x0i = x0 + 3 * i;
        double rho = 0;
        for (size_t e = l->start[a]; e < l->start[a + 1]; e++) {
            size_t k = l->k[e];
            int tk = type[k];
            double pk[3];
            pos(r, k, pk);
            const double *s3 = l->sh + 3 * e;
            double dx = pk[0] + s3[0] - pi[0], dy = pk[1] + s3[1] - pi[1], dz = pk[2] + s3[2] - pi[2];
            double r2 = dx * dx + dy * dy + dz * dz;
            double phi = 0, phi0 = 0, rk = 0, rk0 = 0, p;
            if (r2 < t->cutsq) {
                double rr = sqrt(r2);
                int m = r_index(t, rr, &p);
                rho += eam_val(t->rhor[ti][tk][m], p);
                phi = eam_val(t->z2r[ti][tk][m], p) / rr;
                rk = eam_val(t->rhor[tk][ti][m], p);
            }
            int frozen = r->slot[k] < 0;
            {
                const double *x0k = x0 + 3 * k;
                double ex = x0k[0] + s3[0] - x0i[0], ey = x0k[1] + s3[1] - x0i[1], ez = x0k[2] + s3[2] - x0i[2];
                double r02 = ex * ex + ey * ey + ez * ez;
                if (r02 < t->cutsq) {
                    double rr0 = sqrt(r02);
                    int m = r_index(t, rr0, &p);
                    phi0 = eam_val(t->z2r[ti][tk][m], p) / rr0;
                    rk0 = eam_val(t->rhor[tk][ti][m], p);
                }
            }
            if (frozen) {
                epair += phi - phi0;
                double d = rk - rk0;
                if (d != 0) {
                    if (!r->istouched[k]) {
                        r->istouched[k] = 1;
                        r->touched[r->ntouched++] = k;
                    }
                    r->drho[k] += d;
                }
            } else {
                epair += 0.5 * (phi - phi0);
            }
        }
        r->rhom[a] = rho;
    }
    /* embedding energy change */
    double eemb = 0, F, F0;
    for (size_t a = 0; a < r->nm; a++) {
        size_t i = r->atoms[a];
        eam_embed(t, type[i], r->rhom[a], &F, NULL, NULL);
        eam_embed(t, type[i], sh->rho0[i], &F0, NULL, NULL);
        eemb += F - F0;
    }
    for (size_t q = 0; q < r->ntouched; q++) {
        size_t k = r->touched[q];
        eam_embed(t, type[k], sh->rho0[k] + r->drho[k], &F, NULL, NULL);
        eam_embed(t, type[k], sh->rho0[k], &F0, NULL, NULL);
        eemb += F - F0;
    }
    *energy = sh->e0 + eemb + epair;
    for (size_t a = 0; a < r->nm; a++) atom_force(r, l, l->start[a], l->start[a + 1], r->atoms[a], f + 3 * a);
    memcpy(r->ulast, u, 3 * r->nm * sizeof(double));
    r->nlast = 3 * r->nm;
    return BPEL_OK;
}

static int build_watch_lists(lf_region *r)
{
    lf_list *l = &r->lb;
    l->n = 0;
    if (list_reserve(l, r->nb, r->nb * 64)) return BPEL_ENOMEM;
    l->start[0] = 0;
    double rq = r->sh->tab.cut + r->p.skin, dmax = max_disp(r) + 0.5 * r->p.skin;
    for (size_t q = 0; q < r->nb; q++) {
        if (list_reserve(l, q + 1, l->start[q] + 1)) return BPEL_ENOMEM;
        int rc = query(r, l, r->bnd[q], rq, dmax);
        if (rc) return rc;
    }
    r->lb_stale = 0;
    return BPEL_OK;
}

/* Forces on watched atoms need the densities of the current u: evaluate first. */
static int watched_forces(lf_region *r, const double *u, double *fmax_out, double thr, size_t *add, size_t *nadd,
                          size_t maxadd)
{
    int rc;
    /* the densities must be those of u: evaluate unless the last evaluation was at u */
    if (!(r->nlast == 3 * r->nm && r->built && !memcmp(r->ulast, u, r->nlast * sizeof(double)))) {
        double e;
        double *ftmp = bpel_malloc(3 * r->nm * sizeof(double));
        if (!ftmp) return BPEL_ENOMEM;
        rc = bpel_lf_eval(r, u, &e, ftmp);
        free(ftmp);
        if (rc) return rc;
    }
    r->u = u;
    if (r->lb_stale && (rc = build_watch_lists(r))) return rc;
    double fm = 0;
    *nadd = 0;
    for (size_t q = 0; q < r->nb; q++) {
        double f[3];
        atom_force(r, &r->lb, r->lb.start[q], r->lb.start[q + 1], r->bnd[q], f);
        double m = fmax(fabs(f[0]), fmax(fabs(f[1]), fabs(f[2])));
        fm = fmax(fm, m);
        if (m > thr && add && *nadd < maxadd) add[(*nadd)++] = r->bnd[q];
    }
    *fmax_out = fm;
    return BPEL_OK;
}

double bpel_lf_shell_fmax(lf_region *r, const double *u)
{
    double fm = 0;
    size_t nadd;
    if (watched_forces(r, u, &fm, INFINITY, NULL, &nadd, 0)) return NAN;
    return fm;
}

long bpel_lf_grow(void *ctx, const double *u, size_t ndof)
{
    lf_region *r = ctx;
    if (r->nm >= r->cap) return (long)ndof;
    size_t room = r->cap - r->nm, nadd;
    size_t *add = bpel_malloc((r->nb + 1) * sizeof(size_t));
    if (!add) return BPEL_ENOMEM;
    double fm;
    int rc = watched_forces(r, u, &fm, r->p.grow_force, add, &nadd, room);
    if (rc) {
        free(add);
        return rc;
    }
    if (nadd == 0) {
        free(add);
        return (long)ndof;
    }
    /* the new atoms take zero displacement; `u` is the caller's vector and
     * the caller zero-fills its tail, so lists are rebuilt from it later */
    for (size_t q = 0; q < nadd; q++) {
        r->atoms[r->nm] = add[q];
        r->slot[add[q]] = (int32_t)r->nm++;
    }
    free(add);
    r->built = 0; /* rebuild (lists, watched set) at the next evaluation */
    r->nlast = 0;
    r->u = NULL;
    return (long)(3 * r->nm);
}

void bpel_lf_positions(const lf_region *r, const double *u, double *x)
{
    const bpel_system *s = r->sh->s;
    memcpy(x, s->x, 3 * s->n * sizeof(double));
    for (size_t a = 0; a < r->nm; a++)
        for (int d = 0; d < 3; d++) x[3 * r->atoms[a] + d] += u[3 * a + d];
}

int bpel_lf_translational(void *ctx)
{
    const lf_region *r = ctx;
    return r->nm == r->n;
}
