/* campaign.c — see campaign.h. */
#define _GNU_SOURCE
#include "campaign.h"
#include "artn_columns.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "figure.h"
#include "quality.h"
#include "forces.h"
#include "outfile.h"

void bpel_campaign_defaults(campaign_params *p)
{
    memset(p, 0, sizeof *p);
    bpel_artn_defaults(&p->artn);
    bpel_lf_defaults(&p->region);
    p->region.whole = 1; /* every atom free: the paper's set-up (SPEC §5); a region is opt-in */
    p->searches = 20;
    p->seed = 1;
    p->full_check = 1;
    p->nmoved = 5;
    p->took_part = 0.1;
    p->store_disp = 0.0;
    p->hist_bin = 0.05;
}

int bpel_campaign_param_set(campaign_params *p, const char *name, const char *value)
{
    if (!strcmp(name, "store_disp")) {
        char *end;
        errno = 0;
        double d = strtod(value, &end);
        if (end == value || *end || errno == ERANGE || !isfinite(d) || !(d >= 0))
            return bpel_fail(BPEL_EINVAL, "store_disp must be a length >= 0 in Å, not '%s'", value);
        p->store_disp = d;
        return BPEL_OK;
    }
    if (!strncmp(name, "region.", 7)) return bpel_lf_param_set(&p->region, name + 7, value);
    return bpel_artn_param_set(&p->artn, name, value);
}

void bpel_campaign_param_list(FILE *fp, const campaign_params *p)
{
    bpel_artn_param_list(fp, &p->artn);
    const lf_params *r = &p->region;
    fprintf(fp, "    %-24s %-8g %s\n", "region.radius", r->radius, "Å, initial moving region (with --region X)");
    fprintf(fp, "    %-24s %-8g %s\n", "region.shell", r->shell, "Å, frozen atoms this close to the region are watched");
    fprintf(fp, "    %-24s %-8g %s\n", "region.grow_force", r->grow_force,
            "eV/Å, a watched atom with a larger force component joins");
    fprintf(fp, "    %-24s %-8g %s\n", "region.skin", r->skin, "Å, neighbour-list skin of the region");
    fprintf(fp, "    %-24s %-8zu %s\n", "region.max_atoms", r->max_atoms, "largest region, atoms");
    fprintf(fp, "    %-24s %-8g %s\n", "store_disp", p->store_disp,
            "Å, log and dump only atoms displaced more than this (0: all; ~100 bytes per atom per saddle)");
}

struct campaign {
    campaign_params p;
    char header[1024];    /* first line of events.log: what defines the campaign */
    const bpel_model *model;
    lf_shared *sh;
    size_t natoms;        /* selected central atoms */
    size_t *atom;         /* [natoms] indices, sorted by id */
    int fd;               /* log */
    char logpath[1100];
};

struct campaign_worker {
    campaign *c;
    lf_region *reg;
    bpel_system *full;    /* for the full-system check */
    bpel_forces *fo;
    double *x;
    /* every atom free (region.whole): the fast kernel on the whole glass */
    bpel_system *gs;      /* positions x⁰ + u (+ the lattice shifts of wrapping) */
    bpel_forces *gfo;
    double *gshift;       /* [3n] lattice translation each atom picked up when wrapped */
};

/* The whole glass as an ARTn model: u is indexed in the region's dof order
 * (the central atom first); positions x⁰ + u go to the fast kernel of
 * forces.c (half list with a skin, the same tables as every other path). */
static int whole_eval(void *ctx, const double *u, double *energy, double *f)
{
    campaign_worker *w = ctx;
    const bpel_system *s0 = bpel_lf_shared_system(w->c->sh);
    const size_t *atoms = bpel_lf_region_atoms(w->reg);
    size_t n = s0->n;
    double *x = w->gs->x;
    for (size_t a = 0; a < n; a++) {
        size_t i = atoms[a];
        for (int q = 0; q < 3; q++) x[3 * i + q] = s0->x[3 * i + q] + u[3 * a + q] + w->gshift[3 * i + q];
    }
    bpel_eval ev;
    int rc = bpel_forces_compute(w->gfo, w->gs, FORCES_ENERGY, &ev);
    if (rc) return rc;
    for (size_t a = 0; a < n; a++) {
        size_t i = atoms[a];
        for (int q = 0; q < 3; q++) {
            f[3 * a + q] = ev.f[3 * i + q];
            /* a rebuild may have wrapped the atom: remember the lattice shift */
            w->gshift[3 * i + q] = x[3 * i + q] - s0->x[3 * i + q] - u[3 * a + q];
        }
    }
    *energy = ev.energy;
    return BPEL_OK;
}

static int whole_translational(void *ctx)
{
    (void)ctx;
    return 1;
}

static uint64_t splitmix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int cmp_by_id(const void *a, const void *b, void *s)
{
    const bpel_system *sys = s;
    int64_t x = sys->id[*(const size_t *)a], y = sys->id[*(const size_t *)b];
    return (x > y) - (x < y);
}

static int select_atoms(campaign *c, const bpel_system *s, const char *spec)
{
    size_t n = s->n;
    c->atom = bpel_malloc(n * sizeof(size_t));
    if (!c->atom) return BPEL_ENOMEM;
    c->natoms = 0;
    if (!spec || !strcmp(spec, "all")) {
        for (size_t i = 0; i < n; i++) c->atom[c->natoms++] = i;
    } else if (!strncmp(spec, "type:", 5)) {
        const char *t = spec + 5;
        char *end;
        long tt = strtol(t, &end, 10);
        for (size_t i = 0; i < n; i++) {
            int ok = (*end == '\0' && end != t) ? s->type[i] == tt : !strcmp(s->element[s->type[i]], t);
            if (ok) c->atom[c->natoms++] = i;
        }
        if (!c->natoms) return bpel_fail(BPEL_EINVAL, "--atoms %s: no atom of that type or element", spec);
    } else if (!strncmp(spec, "fraction:", 9)) {
        char *end;
        double f = strtod(spec + 9, &end);
        if (*end || !(f > 0 && f <= 1)) return bpel_fail(BPEL_EINVAL, "--atoms %s: fraction must be in (0,1]", spec);
        size_t k = (size_t)llround(f * n);
        if (k < 1) k = 1;
        size_t *all = bpel_malloc(n * sizeof(size_t));
        if (!all) return BPEL_ENOMEM;
        for (size_t i = 0; i < n; i++) all[i] = i;
        qsort_r(all, n, sizeof(size_t), cmp_by_id, (void *)s);
        gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(g, c->p.seed);
        gsl_ran_choose(g, c->atom, k, all, n, sizeof(size_t));
        gsl_rng_free(g);
        free(all);
        c->natoms = k;
    } else {
        size_t *order = bpel_system_id_order(s);
        if (!order) return BPEL_ENOMEM;
        const char *p = spec;
        while (*p) {
            char *end;
            errno = 0;
            long long id = strtoll(p, &end, 10);
            if (end == p || errno || (*end && *end != ',')) {
                free(order);
                return bpel_fail(BPEL_EINVAL, "--atoms %s: expected all, ID,ID,..., type:T or fraction:F", spec);
            }
            long i = bpel_system_find_id(s, order, id);
            if (i < 0) {
                free(order);
                return bpel_fail(BPEL_EINVAL, "--atoms: no atom with id %lld", id);
            }
            c->atom[c->natoms++] = (size_t)i;
            p = *end ? end + 1 : end;
        }
        free(order);
    }
    qsort_r(c->atom, c->natoms, sizeof(size_t), cmp_by_id, (void *)s);
    return BPEL_OK;
}

/* ---- what defines a campaign ----------------------------------------------------
 * events.log starts with one line naming the glass (a hash of its types,
 * masses, box and positions, and its energy under the potential, which
 * changes with the potential and the type map), the atom selection, the
 * searches per atom, the seed and every search parameter (a hash of their
 * listing). --resume refuses a log whose line differs and says which field. */

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static int make_header(campaign *c, const char *atoms)
{
    const bpel_system *s = bpel_lf_shared_system(c->sh);
    uint64_t g = 0xcbf29ce484222325ULL;
    g = fnv1a(g, &s->n, sizeof s->n);
    g = fnv1a(g, s->type, s->n * sizeof *s->type);
    g = fnv1a(g, s->id, s->n * sizeof *s->id);
    g = fnv1a(g, s->x, 3 * s->n * sizeof *s->x);
    g = fnv1a(g, &s->box, sizeof s->box);
    g = fnv1a(g, s->mass, sizeof s->mass);
    char *txt = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&txt, &len);
    if (!mem) return BPEL_ENOMEM;
    bpel_artn_param_list(mem, &c->p.artn);
    fprintf(mem, "region %d %.17g %.17g %.17g %.17g %zu store %.17g full_check %d method %d connect %d %d\n",
            c->p.region.whole, c->p.region.radius, c->p.region.shell, c->p.region.grow_force, c->p.region.skin,
            c->p.region.max_atoms, c->p.store_disp, c->p.full_check, (int)c->p.artn.method, c->p.artn.check_connect,
            c->p.artn.require_connect);
    fclose(mem);
    uint64_t h = fnv1a(0xcbf29ce484222325ULL, txt, len);
    free(txt);
    char sel[256];
    snprintf(sel, sizeof sel, "%s", atoms && *atoms ? atoms : "all");
    for (char *q = sel; *q; q++)
        if (*q == ' ') *q = '_';
    snprintf(c->header, sizeof c->header,
             "# bpel-artn-campaign 3 glass=%016llx energy=%.8f atoms=%s searches=%d seed=%lu params=%016llx\n",
             (unsigned long long)g, bpel_lf_shared_energy(c->sh), sel, c->p.searches, c->p.seed, (unsigned long long)h);
    return BPEL_OK;
}

/* The first field (name=value) where two header lines differ, or NULL. */
static const char *header_mismatch(const char *a, const char *b, char *field, size_t n)
{
    const char *pa = a, *pb = b;
    while (*pa && *pb) {
        size_t la = strcspn(pa, " \n"), lb = strcspn(pb, " \n");
        if (la != lb || strncmp(pa, pb, la)) {
            size_t k = strcspn(pa, "=");
            snprintf(field, n, "%.*s", (int)(k < la ? k : la), pa);
            return field;
        }
        pa += la;
        pb += lb;
        while (*pa == ' ' || *pa == '\n') pa++;
        while (*pb == ' ' || *pb == '\n') pb++;
    }
    if (*pa || *pb) {
        snprintf(field, n, "header");
        return field;
    }
    return NULL;
}

int bpel_campaign_create(const bpel_system *s, const bpel_model *model, const char *atoms,
                    const campaign_params *p, campaign **out)
{
    *out = NULL;
    if (p->searches < 1) return bpel_fail(BPEL_EINVAL, "searches per atom must be at least 1");
    campaign *c = bpel_calloc(1, sizeof *c);
    if (!c) return BPEL_ENOMEM;
    c->p = *p;
    c->model = model;
    c->fd = -1;
    int rc = bpel_lf_shared_create(model, s, &c->sh);
    if (!rc) rc = select_atoms(c, bpel_lf_shared_system(c->sh), atoms);
    if (!rc) rc = make_header(c, atoms);
    if (rc) {
        bpel_campaign_destroy(c);
        return rc;
    }
    *out = c;
    return BPEL_OK;
}

void bpel_campaign_destroy(campaign *c)
{
    if (!c) return;
    bpel_campaign_log_close(c);
    bpel_lf_shared_destroy(c->sh);
    free(c->atom);
    free(c);
}

size_t bpel_campaign_nitems(const campaign *c) { return c->natoms * (size_t)c->p.searches; }
size_t bpel_campaign_natoms(const campaign *c) { return c->natoms; }

int bpel_campaign_worker_create(campaign *c, campaign_worker **out)
{
    *out = NULL;
    campaign_worker *w = bpel_calloc(1, sizeof *w);
    if (!w) return BPEL_ENOMEM;
    w->c = c;
    int rc = bpel_lf_region_create(c->sh, &c->p.region, &w->reg);
    if (!rc && c->p.region.whole) {
        w->gs = bpel_system_copy(bpel_lf_shared_system(c->sh));
        w->gshift = w->gs ? bpel_calloc(3 * w->gs->n, sizeof(double)) : NULL;
        rc = (!w->gs || !w->gshift) ? BPEL_ENOMEM : bpel_forces_create(c->model, w->gs, 1.0, &w->gfo);
    }
    if (!rc && c->p.full_check && !c->p.region.whole) {
        w->full = bpel_system_copy(bpel_lf_shared_system(c->sh));
        w->x = w->full ? bpel_malloc(3 * w->full->n * sizeof(double)) : NULL;
        rc = (!w->full || !w->x) ? BPEL_ENOMEM : bpel_forces_create(c->model, w->full, 1.0, &w->fo);
    }
    if (rc) {
        bpel_campaign_worker_destroy(w);
        return rc;
    }
    *out = w;
    return BPEL_OK;
}

void bpel_campaign_worker_destroy(campaign_worker *w)
{
    if (!w) return;
    bpel_lf_region_destroy(w->reg);
    bpel_forces_destroy(w->gfo);
    bpel_system_destroy(w->gs);
    free(w->gshift);
    bpel_forces_destroy(w->fo);
    bpel_system_destroy(w->full);
    free(w->x);
    free(w);
}

/* ---- one search --------------------------------------------------------------- */

typedef struct strbuf {
    char *s;
    size_t n, cap;
} strbuf;

static int sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sb_printf(strbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) return BPEL_EIO;
        if (b->s && b->n + (size_t)k < b->cap) {
            b->n += k;
            return BPEL_OK;
        }
        size_t cap = 2 * (b->cap + k) + 256;
        char *s = bpel_realloc(b->s, cap);
        if (!s) return BPEL_ENOMEM;
        b->s = s;
        b->cap = cap;
    }
}

/* One ARTn search of the central atom from the kick numbered (search, attempt):
 * a Gaussian vector on the centre and its neighbours within kick_radius,
 * drawn from a generator seeded by (seed, atom id, search[, attempt]). A
 * model error is returned as a failed search with its message cleared. */
static int search_once(campaign_worker *w, size_t center, int64_t id, int search, int attempt, artn_result *r)
{
    campaign *c = w->c;
    const bpel_system *s = bpel_lf_shared_system(c->sh);
    long nm = bpel_lf_region_start(w->reg, center);
    if (nm < 0) return (int)nm;
    size_t ndof = 3 * (size_t)nm;
    uint64_t h = splitmix(splitmix(splitmix(c->p.seed) ^ (uint64_t)id) ^ (uint64_t)search);
    if (attempt > 0) h = splitmix(h ^ ((uint64_t)attempt << 40));
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    if (!g) return BPEL_ENOMEM;
    gsl_rng_set(g, (unsigned long)(h & 0xffffffffUL) ^ (unsigned long)(h >> 32));
    double *kick = bpel_calloc(bpel_lf_region_max_dof(w->reg), sizeof(double));
    if (!kick) {
        gsl_rng_free(g);
        return BPEL_ENOMEM;
    }
    const size_t *atoms = bpel_lf_region_atoms(w->reg);
    double nrm = 0, rk2 = c->p.artn.kick_radius * c->p.artn.kick_radius;
    for (long a = 0; a < nm; a++) {
        double d[3];
        for (int q = 0; q < 3; q++) d[q] = s->x[3 * atoms[a] + q] - s->x[3 * center + q];
        bpel_box_minimum_image(&s->box, d);
        if (a > 0 && d[0] * d[0] + d[1] * d[1] + d[2] * d[2] > rk2) continue;
        for (int q = 0; q < 3; q++) {
            kick[3 * a + q] = gsl_ran_gaussian_ziggurat(g, 1.0);
            nrm += kick[3 * a + q] * kick[3 * a + q];
        }
    }
    for (size_t i = 0; i < ndof; i++) kick[i] *= c->p.artn.kick_norm / sqrt(nrm);
    unsigned long aseed = gsl_rng_get(g);
    gsl_rng_free(g);

    if (c->p.region.whole) {
        /* every search starts from the same state of the whole-glass model
         * (positions, lattice shifts, a fresh neighbour list), so its round-off
         * does not depend on which searches this worker ran before: results
         * are identical for any number of threads or ranks */
        bpel_forces_destroy(w->gfo);
        w->gfo = NULL;
        memcpy(w->gs->x, s->x, 3 * s->n * sizeof(double));
        memset(w->gshift, 0, 3 * s->n * sizeof(double));
        int frc = bpel_forces_create(c->model, w->gs, 1.0, &w->gfo);
        if (frc) {
            free(kick);
            return frc;
        }
    }
    artn_model m = {ndof, bpel_lf_region_max_dof(w->reg), bpel_lf_eval, bpel_lf_grow, bpel_lf_translational, w->reg};
    if (c->p.region.whole) m = (artn_model){ndof, ndof, whole_eval, NULL, whole_translational, w};
    int rc = bpel_artn_search(&m, kick, aseed, &c->p.artn, r);
    free(kick);
    if (rc) {
        /* a model error is a failed search, recorded with its message */
        r->status = ARTN_FAILED;
        bpel_clear_error();
    }
    return BPEL_OK;
}

int bpel_campaign_run_item(campaign_worker *w, size_t k, char **line, int *accepted)
{
    campaign *c = w->c;
    const bpel_system *s = bpel_lf_shared_system(c->sh);
    size_t ai = k / c->p.searches, center = c->atom[ai];
    int search = (int)(k % c->p.searches);
    int64_t id = s->id[center];
    double t0 = now();
    *line = NULL;
    *accepted = 0;
    artn_result r;
    long calls = 0, calls_total = 0;
    int kicks = 0;
    for (;;) {
        int rc = search_once(w, center, id, search, kicks++, &r);
        if (rc) return rc;
        calls += r.calls_saddle;
        calls_total += r.calls_total;
        /* a failed search starts again from a fresh kick (a model error would only repeat) */
        if (r.status == ARTN_ACCEPTED || r.status == ARTN_FAILED || kicks >= c->p.artn.attempts) break;
        bpel_artn_result_free(&r);
    }
    int rc = BPEL_OK;
    long nm = (long)bpel_lf_region_natoms(w->reg);
    const size_t *atoms = bpel_lf_region_atoms(w->reg);
    double fmax_full = NAN;
    if (r.status == ARTN_ACCEPTED && c->p.full_check && c->p.region.whole) {
        fmax_full = r.fmax; /* the search evaluated the whole glass itself */
    } else if (r.status == ARTN_ACCEPTED && c->p.full_check) {
        bpel_lf_positions(w->reg, r.u_saddle, w->full->x);
        bpel_eval ev;
        rc = bpel_forces_compute(w->fo, w->full, FORCES_ENERGY, &ev);
        if (rc) {
            bpel_artn_result_free(&r);
            return rc;
        }
        fmax_full = 0;
        for (size_t i = 0; i < 3 * w->full->n; i++) fmax_full = fmax(fmax_full, fabs(ev.f[i]));
        if (fmax_full >= c->p.artn.ftol) r.status = ARTN_FULL_CHECK;
        /* keep the energy from the full evaluation: identical up to round-off */
        r.e_saddle = ev.energy;
        r.dq = r.e_saddle - r.e_initial;
    }
    /* atoms that moved most at the saddle, and the central atom */
    int nmv = c->p.nmoved;
    size_t top[64];
    double topd[64];
    int ntop = 0;
    double cdisp = 0;
    if (r.u_saddle) {
        cdisp = sqrt(r.u_saddle[0] * r.u_saddle[0] + r.u_saddle[1] * r.u_saddle[1] + r.u_saddle[2] * r.u_saddle[2]);
        for (long a = 0; a < (long)(r.ndof / 3); a++) {
            const double *u = r.u_saddle + 3 * a;
            double d = sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
            int cap = nmv < 64 ? nmv : 64, q;
            if (ntop < cap) q = ntop++;
            else if (ntop > 0 && d > topd[ntop - 1]) q = ntop - 1;
            else continue;
            topd[q] = d;
            top[q] = atoms[a];
            for (; q > 0 && topd[q] > topd[q - 1]; q--) {
                double td = topd[q];
                topd[q] = topd[q - 1];
                topd[q - 1] = td;
                size_t tt = top[q];
                top[q] = top[q - 1];
                top[q - 1] = tt;
            }
        }
    }
    double dt = now() - t0;
    strbuf b = {0};
    rc = sb_printf(&b, "ev %lld %d %s %.10f %.10f %.10f %ld %ld %.6g %.6g %.6g %.6g %d %.6f %d %.4f %ld %d %d ",
                   (long long)id, search, bpel_artn_status_name(r.status), r.dq, r.e_saddle, r.e_final, calls,
                   calls_total, r.fmax, fmax_full, r.eigval1, r.eigval2, cdisp >= c->p.took_part, cdisp,
                   r.connected, dt, nm, r.convex_steps, kicks);
    for (int q = 0; q < ntop && !rc; q++) rc = sb_printf(&b, "%s%lld", q ? "," : "", (long long)s->id[top[q]]);
    if (!rc && ntop == 0) rc = sb_printf(&b, "-");
    int keep = r.status == ARTN_ACCEPTED && r.u_saddle;
    /* the atoms of the event: every moving atom, or with store_disp > 0 those
     * displaced more than that at the saddle or the final minimum (and the
     * central atom); the others are at their positions in the data file */
    size_t nkeep = 0;
    double sd2 = c->p.store_disp * c->p.store_disp;
    unsigned char *store = keep ? bpel_calloc(r.ndof / 3 + 1, 1) : NULL;
    if (keep && !store) rc = BPEL_ENOMEM;
    for (size_t a = 0; keep && store && a < r.ndof / 3; a++) {
        const double *us = r.u_saddle + 3 * a, *uf = r.u_final ? r.u_final + 3 * a : NULL;
        double d2 = us[0] * us[0] + us[1] * us[1] + us[2] * us[2];
        if (uf) d2 = fmax(d2, uf[0] * uf[0] + uf[1] * uf[1] + uf[2] * uf[2]);
        store[a] = a == 0 || sd2 <= 0 || d2 > sd2;
        nkeep += store[a];
    }
    if (!rc) rc = sb_printf(&b, " %ld", (long)nkeep);
    if (keep && store) {
        for (size_t a = 0; a < r.ndof / 3 && !rc; a++) {
            if (!store[a]) continue;
            const double *x0 = s->x + 3 * atoms[a];
            const double *us = r.u_saddle + 3 * a;
            double xf[3] = {NAN, NAN, NAN}; /* no final minimum without the relaxation */
            if (r.u_final)
                for (int q = 0; q < 3; q++) xf[q] = x0[q] + r.u_final[3 * a + q];
            rc = sb_printf(&b, " %lld %.9f %.9f %.9f %.9f %.9f %.9f", (long long)s->id[atoms[a]], x0[0] + us[0],
                           x0[1] + us[1], x0[2] + us[2], xf[0], xf[1], xf[2]);
        }
    }
    free(store);
    if (!rc) rc = sb_printf(&b, " END\n");
    *accepted = r.status == ARTN_ACCEPTED;
    bpel_artn_result_free(&r);
    if (rc) {
        free(b.s);
        return rc;
    }
    *line = b.s;
    return BPEL_OK;
}

/* ---- the log ------------------------------------------------------------------- */

typedef struct record {
    int64_t id;
    int search;
    int status;
    double dq, es, ef, fmax, fmax_full, l1, l2, cdisp, time;
    long calls, calls_total, nreg, nregion;
    int central, connected, convex, kicks;
    char moved[160];
    const char *coords; /* points into the line */
    char *line;
} record;

/* Parse one complete log line (modifies a copy). Returns 0 if valid. */
static int parse_record(const char *line, record *r)
{
    size_t len = strlen(line);
    if (len < 8 || strcmp(line + len - 4, "END\n") != 0) return -1;
    memset(r, 0, sizeof *r);
    char status[64];
    long long id;
    int pos = 0;
    int k = sscanf(line, "ev %lld %d %63s %lf %lf %lf %ld %ld %lf %lf %lf %lf %d %lf %d %lf %ld %d %d %159s %ld%n", &id,
                   &r->search, status, &r->dq, &r->es, &r->ef, &r->calls, &r->calls_total, &r->fmax, &r->fmax_full,
                   &r->l1, &r->l2, &r->central, &r->cdisp, &r->connected, &r->time, &r->nregion, &r->convex, &r->kicks,
                   r->moved, &r->nreg, &pos);
    if (k != 21) return -1;
    r->id = id;
    r->status = bpel_artn_status_parse(status);
    if (r->status < 0) return -1;
    r->coords = line + pos;
    /* count the coordinate fields: 7 per atom, then END */
    long fields = 0;
    const char *p = r->coords;
    while (*p) {
        while (*p == ' ') p++;
        if (!*p || *p == '\n') break;
        fields++;
        while (*p && *p != ' ' && *p != '\n') p++;
    }
    if (fields != 7 * r->nreg + 1) return -1;
    return 0;
}

int bpel_campaign_log_open(campaign *c, const char *dir, int resume, int overwrite, unsigned char *done, size_t *ndone,
                      size_t *nacc)
{
    *ndone = *nacc = 0;
    size_t nitems = bpel_campaign_nitems(c);
    memset(done, 0, nitems);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) return bpel_fail(BPEL_EIO, "%s: cannot create directory: %s", dir, strerror(errno));
    snprintf(c->logpath, sizeof c->logpath, "%s/events.log", dir);
    struct stat st;
    int have_log = stat(c->logpath, &st) == 0 && st.st_size > 0;
    if (have_log && !resume && !overwrite)
        return bpel_fail(BPEL_EINVAL, "%s holds a campaign (events.log): --resume continues it, --overwrite starts afresh",
                         dir);
    if (!resume || !have_log) {
        c->fd = open(c->logpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (c->fd < 0) return bpel_fail(BPEL_EIO, "%s: cannot open: %s", c->logpath, strerror(errno));
        return bpel_campaign_log_append(c, c->header);
    }
    FILE *fp = fopen(c->logpath, "r");
    off_t good = 0;
    if (!fp) return bpel_fail(BPEL_EIO, "%s: cannot read: %s", c->logpath, strerror(errno));
    {
        /* the campaign it holds must be this one */
        char *first = NULL;
        size_t fcap = 0;
        ssize_t flen = getline(&first, &fcap, fp);
        char field[64];
        if (flen > 0 && !strncmp(first, "# bpel-artn-campaign ", 21) && strncmp(first, "# bpel-artn-campaign 3 ", 23)) {
            int rc = bpel_fail(BPEL_EINVAL, "%s: a campaign of an older log format (%.*s): its searches cannot be "
                               "continued by this version; use --overwrite or another --out", c->logpath,
                               (int)strcspn(first + 21, " \n"), first + 21);
            free(first);
            fclose(fp);
            return rc;
        }
        if (flen <= 0 || strncmp(first, "# bpel-artn-campaign 3 ", 23)) {
            free(first);
            fclose(fp);
            return bpel_fail(BPEL_EINVAL, "%s: no campaign header (an older or foreign log): cannot check that "
                             "--resume continues the same campaign; use --overwrite or another --out", c->logpath);
        }
        if (header_mismatch(first, c->header, field, sizeof field)) {
            int rc = bpel_fail(BPEL_EINVAL, "%s: --resume with a different %s than the campaign there "
                               "(was: %.*s); use the same inputs, --overwrite, or another --out",
                               c->logpath, field, (int)strcspn(first, "\n"), first);
            free(first);
            fclose(fp);
            return rc;
        }
        good = flen;
        free(first);
        const bpel_system *s = bpel_lf_shared_system(c->sh);
        size_t *order = bpel_system_id_order(s);
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        off_t off = good;
        while ((len = getline(&line, &cap, fp)) > 0) {
            record r;
            if (parse_record(line, &r) != 0) break; /* torn tail: stop here */
            off += len;
            good = off;
            long i = bpel_system_find_id(s, order, r.id);
            if (i < 0 || r.search < 0 || r.search >= c->p.searches) continue;
            /* position of the atom in the selection (sorted by id) */
            size_t lo = 0, hi = c->natoms;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (s->id[c->atom[mid]] < r.id) lo = mid + 1;
                else hi = mid;
            }
            if (lo >= c->natoms || c->atom[lo] != (size_t)i) continue;
            size_t k = lo * c->p.searches + r.search;
            if (!done[k]) {
                done[k] = 1;
                (*ndone)++;
                if (r.status == ARTN_ACCEPTED) (*nacc)++;
            }
        }
        free(line);
        free(order);
        fclose(fp);
    }
    c->fd = open(c->logpath, O_WRONLY | O_CREAT, 0644);
    if (c->fd < 0) return bpel_fail(BPEL_EIO, "%s: cannot open: %s", c->logpath, strerror(errno));
    if (ftruncate(c->fd, good) != 0 || lseek(c->fd, good, SEEK_SET) < 0)
        return bpel_fail(BPEL_EIO, "%s: cannot cut the torn tail: %s", c->logpath, strerror(errno));
    return BPEL_OK;
}

int bpel_campaign_log_append(campaign *c, const char *line)
{
    size_t len = strlen(line), off = 0;
    while (off < len) {
        ssize_t k = write(c->fd, line + off, len - off);
        if (k < 0) {
            if (errno == EINTR) continue;
            return bpel_fail(BPEL_EIO, "%s: write failed: %s", c->logpath, strerror(errno));
        }
        off += (size_t)k;
    }
    if (fsync(c->fd) != 0) return bpel_fail(BPEL_EIO, "%s: fsync failed: %s", c->logpath, strerror(errno));
    return BPEL_OK;
}

void bpel_campaign_log_close(campaign *c)
{
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
}

int bpel_campaign_run(campaign *c, const unsigned char *done, int threads,
                 int (*progress)(void *ctx, size_t done, size_t total, size_t accepted), void *ctx)
{
    size_t nitems = bpel_campaign_nitems(c), npend = 0, ndone = 0, nacc = 0;
    size_t *pend = bpel_malloc((nitems + 1) * sizeof(size_t));
    if (!pend) return BPEL_ENOMEM;
    for (size_t k = 0; k < nitems; k++) {
        if (!done[k]) pend[npend++] = k;
        else ndone++;
    }
    if (threads < 1) threads = 1;
    int err = 0, stop = 0, saved_threads = omp_get_max_threads();
    char errmsg[512] = "";
#pragma omp parallel num_threads(threads)
    {
        /* Each thread runs whole searches: the kernels it calls must not open
         * teams of their own (forces.c sizes its per-thread buffers from
         * omp_get_max_threads(), which a nested, inactive region would get wrong). */
        omp_set_num_threads(1);
        campaign_worker *w = NULL;
        int rc = bpel_campaign_worker_create(c, &w);
        if (rc) {
#pragma omp critical(bpel_campaign_log)
            if (!err) {
                err = rc;
                snprintf(errmsg, sizeof errmsg, "%s", bpel_errmsg());
            }
        }
#pragma omp barrier
#pragma omp for schedule(dynamic, 1)
        for (size_t q = 0; q < npend; q++) {
            int skip;
#pragma omp atomic read
            skip = stop;
            if (err || skip) continue;
            char *line = NULL;
            int acc = 0;
            int rci = bpel_campaign_run_item(w, pend[q], &line, &acc);
#pragma omp critical(bpel_campaign_log)
            {
                if (rci && !err) {
                    err = rci;
                    snprintf(errmsg, sizeof errmsg, "%s", bpel_errmsg());
                } else if (!rci && !err) {
                    int wr = bpel_campaign_log_append(c, line);
                    if (wr) {
                        err = wr;
                        snprintf(errmsg, sizeof errmsg, "%s", bpel_errmsg());
                    }
                    ndone++;
                    nacc += acc;
                    if (progress && progress(ctx, ndone, nitems, nacc)) {
#pragma omp atomic write
                        stop = 1;
                    }
                }
            }
            free(line);
        }
        bpel_campaign_worker_destroy(w);
    }
    omp_set_num_threads(saved_threads);
    free(pend);
    if (err) return bpel_fail(err, "%s", errmsg);
    if (stop && ndone < nitems)
        return bpel_fail(BPEL_EINTR, "interrupted after %zu/%zu searches", ndone, nitems);
    return BPEL_OK;
}

/* ---- outputs ------------------------------------------------------------------- */

static int cmp_record(const void *a, const void *b)
{
    const record *x = a, *y = b;
    if (x->id != y->id) return (x->id > y->id) - (x->id < y->id);
    return (x->search > y->search) - (x->search < y->search);
}

static void dump_header(FILE *fp, const bpel_system *s, long step, long n)
{
    const bpel_box *b = &s->box;
    fprintf(fp, "ITEM: TIMESTEP\n%ld\nITEM: NUMBER OF ATOMS\n%ld\n", step, n);
    double xlo = b->lo[0], xhi = b->lo[0] + b->len[0], ylo = b->lo[1], yhi = b->lo[1] + b->len[1];
    double zlo = b->lo[2], zhi = b->lo[2] + b->len[2];
    if (bpel_box_is_triclinic(b)) {
        double xmin = fmin(0, fmin(b->xy, fmin(b->xz, b->xy + b->xz))), xmax = fmax(0, fmax(b->xy, fmax(b->xz, b->xy + b->xz)));
        double ymin = fmin(0, b->yz), ymax = fmax(0, b->yz);
        fprintf(fp, "ITEM: BOX BOUNDS xy xz yz pp pp pp\n%.10f %.10f %.10f\n%.10f %.10f %.10f\n%.10f %.10f %.10f\n",
                xlo + xmin, xhi + xmax, b->xy, ylo + ymin, yhi + ymax, b->xz, zlo, zhi, b->yz);
    } else {
        fprintf(fp, "ITEM: BOX BOUNDS pp pp pp\n%.10f %.10f\n%.10f %.10f\n%.10f %.10f\n", xlo, xhi, ylo, yhi, zlo, zhi);
    }
    fprintf(fp, "ITEM: ATOMS id type x y z\n");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int bpel_campaign_write_outputs(campaign *c, const char *dir, campaign_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    const bpel_system *s = bpel_lf_shared_system(c->sh);
    char path[1200];
    snprintf(path, sizeof path, "%s/events.log", dir);
    FILE *fp = fopen(path, "r");
    if (!fp) return bpel_fail(BPEL_EIO, "%s: cannot open: %s", path, strerror(errno));
    size_t nrec = 0, cap = 0;
    record *rec = NULL;
    char *line = NULL;
    size_t lcap = 0;
    while (getline(&line, &lcap, fp) > 0) {
        record r;
        if (line[0] == '#') continue; /* the campaign header */
        if (parse_record(line, &r) != 0) break;
        if (nrec == cap) {
            cap = 2 * cap + 64;
            record *t = bpel_realloc(rec, cap * sizeof *rec);
            if (!t) { fclose(fp); free(line); free(rec); return BPEL_ENOMEM; }
            rec = t;
        }
        r.line = strdup(line);
        r.coords = r.line + (r.coords - line);
        rec[nrec++] = r;
    }
    free(line);
    fclose(fp);
    qsort(rec, nrec, sizeof *rec, cmp_record);
    /* drop duplicates (cannot happen through the log API, but be safe) */
    size_t m = 0;
    for (size_t k = 0; k < nrec; k++) {
        if (m > 0 && rec[m - 1].id == rec[k].id && rec[m - 1].search == rec[k].search) { free(rec[k].line); continue; }
        rec[m++] = rec[k];
    }
    nrec = m;
    int rc = BPEL_OK;
    /* every output under a temporary name until all are written (outfile.h) */
    enum { O_EV, O_SD, O_MD, O_AT, O_HI, O_XY, NOUT };
    static const char *names[NOUT] = {"events.csv", "saddles.dump", "minima.dump", ARTN_FILE_ATOMS, "dq_histogram.csv",
                                      "dq_map.xyz"};
    bpel_out out[NOUT];
    int nopen = 0;
    for (; nopen < NOUT; nopen++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[nopen]);
        if ((rc = bpel_out_open(&out[nopen], path))) goto done;
    }
    FILE *ev = out[O_EV].fp, *sd = out[O_SD].fp, *md = out[O_MD].fp, *at = out[O_AT].fp, *hi = out[O_HI].fp,
         *xy = out[O_XY].fp;
    fprintf(ev, "row,atom,search,status,dq_eV,e_saddle_eV,e_final_eV,force_calls,force_calls_total,fmax_eV_per_A,"
                "fmax_full_eV_per_A,eigval1_eV_per_A2,eigval2_eV_per_A2,central_took_part,central_disp_A,"
                "connected,region_atoms,convex_climb_steps,moved_most,kicks\n");
    double *calls = bpel_malloc((nrec + 1) * sizeof(double));
    double *dqs = bpel_malloc((nrec + 1) * sizeof(double));
    size_t *order = bpel_system_id_order(s);
    double ttot = 0;
    size_t nacc = 0;
    for (size_t k = 0; k < nrec; k++) {
        record *r = &rec[k];
        ttot += r->time;
        for (char *q = r->moved; *q; q++)
            if (*q == ',') *q = ';'; /* one CSV field without quotes: any CSV reader, bpel's too */
        fprintf(ev, "%zu,%lld,%d,%s,%.8f,%.8f,%.8f,%ld,%ld,%.5g,%.5g,%.5g,%.5g,%d,%.5f,%d,%ld,%d,%s,%d\n", k + 1,
                (long long)r->id, r->search, bpel_artn_status_name(r->status), r->dq, r->es, r->ef, r->calls,
                r->calls_total, r->fmax, r->fmax_full, r->l1, r->l2, r->central, r->cdisp, r->connected, r->nregion,
                r->convex, r->moved, r->kicks);
        if (r->status != ARTN_ACCEPTED) continue;
        calls[nacc] = (double)r->calls;
        dqs[nacc++] = r->dq;
        dump_header(sd, s, (long)(k + 1), r->nreg);
        int has_final = r->nreg > 0 && !strstr(r->coords, "nan");
        if (has_final) dump_header(md, s, (long)(k + 1), r->nreg);
        const char *p = r->coords;
        for (long a = 0; a < r->nreg; a++) {
            long long id;
            double v[6];
            int used;
            if (sscanf(p, " %lld %lf %lf %lf %lf %lf %lf%n", &id, v, v + 1, v + 2, v + 3, v + 4, v + 5, &used) != 7) break;
            p += used;
            long ia = order ? bpel_system_find_id(s, order, id) : -1;
            int ty = ia >= 0 ? s->type[ia] : 0;
            fprintf(sd, "%lld %d %.9f %.9f %.9f\n", id, ty, v[0], v[1], v[2]);
            if (has_final) fprintf(md, "%lld %d %.9f %.9f %.9f\n", id, ty, v[3], v[4], v[5]);
        }
    }
    /* per atom: the mean over every accepted saddle, and over those that relax
     * back to the initial minimum (connected) */
    fprintf(at, "id,type,element," ARTN_COL_DQ "," ARTN_COL_DQ_STD ",n_converged,n_tried," ARTN_COL_DQ_CONNECTED "," ARTN_COL_N_CONNECTED "\n");
    double *amean = bpel_malloc((c->natoms + 1) * sizeof(double));
    double *cmean = bpel_malloc((c->natoms + 1) * sizeof(double));
    double *map_dq = bpel_malloc(s->n * sizeof(double)), *map_n = bpel_calloc(s->n, sizeof(double));
    double *map_dqc = bpel_malloc(s->n * sizeof(double));
    if (!amean || !cmean || !map_dq || !map_n || !map_dqc || !order || !calls || !dqs) {
        rc = BPEL_ENOMEM;
        goto out_free;
    }
    for (size_t i = 0; i < s->n; i++) map_dq[i] = map_dqc[i] = NAN; /* no saddle: no value, never 0 */
    size_t na = 0, nc = 0, q = 0;
    for (size_t ai = 0; ai < c->natoms; ai++) {
        size_t i = c->atom[ai];
        int64_t id = s->id[i];
        while (q < nrec && rec[q].id < id) q++;
        double sumd = 0, sum2 = 0, sumc = 0;
        int nconv = 0, ntried = 0, nconn = 0;
        for (size_t k = q; k < nrec && rec[k].id == id; k++) {
            ntried++;
            if (rec[k].status == ARTN_ACCEPTED) {
                nconv++;
                sumd += rec[k].dq;
                sum2 += rec[k].dq * rec[k].dq;
                if (rec[k].connected == 1) {
                    nconn++;
                    sumc += rec[k].dq;
                }
            }
        }
        if (!ntried) continue;
        double mean = nconv ? sumd / nconv : NAN, meanc = nconn ? sumc / nconn : NAN;
        double sd2 = nconv > 1 ? (sum2 - nconv * mean * mean) / (nconv - 1) : 0;
        fprintf(at, "%lld,%d,%s,%.8f,%.8f,%d,%d,%.8f,%d\n", (long long)id, s->type[i], s->element[s->type[i]], mean,
                nconv ? sqrt(fmax(sd2, 0)) : NAN, nconv, ntried, meanc, nconn);
        map_n[i] = nconv;
        if (nconv) {
            amean[na++] = mean;
            map_dq[i] = mean;
        }
        if (nconn) {
            cmean[nc++] = meanc;
            map_dqc[i] = meanc;
        }
    }
    /* histogram of event ΔQ */
    fprintf(hi, "dq_lo_eV,dq_hi_eV,count\n");
    if (nacc) {
        double lo = dqs[0], hmax = dqs[0], bw = c->p.hist_bin;
        for (size_t k = 0; k < nacc; k++) { lo = fmin(lo, dqs[k]); hmax = fmax(hmax, dqs[k]); }
        lo = floor(lo / bw) * bw;
        int nb = (int)((hmax - lo) / bw) + 1;
        for (int bi = 0; bi < nb; bi++) {
            int cnt = 0;
            for (size_t k = 0; k < nacc; k++) cnt += (int)floor((dqs[k] - lo) / bw) == bi;
            fprintf(hi, "%.4f,%.4f,%d\n", lo + bi * bw, lo + (bi + 1) * bw, cnt);
        }
    }
    /* the same distributions as a figure */
    if (nacc) {
        fig_figure *f = bpel_fig_create(1, 1, 0, 0);
        fig_panel *pn = f ? bpel_fig_panel_at(f, 0, 0) : NULL;
        if (pn) {
            double lo = dqs[0], hmax = dqs[0];
            for (size_t k = 0; k < nacc; k++) { lo = fmin(lo, dqs[k]); hmax = fmax(hmax, dqs[k]); }
            int nb = (int)ceil((hmax - lo) / c->p.hist_bin);
            if (nb < 1) nb = 1;
            bpel_fig_labels(pn, "ΔQ (eV)", "probability density (1/eV)", NULL);
            bpel_fig_histogram(pn, nacc, dqs, nb, lo, lo + nb * c->p.hist_bin, FIG_HIST_DENSITY,
                          &(fig_style){.label = "all accepted saddles"});
            if (na) bpel_fig_histogram(pn, na, amean, nb, lo, lo + nb * c->p.hist_bin, FIG_HIST_DENSITY,
                                  &(fig_style){.label = "per-atom mean", .dashed = 1}); /* visible where the two coincide */
            bpel_fig_legend(pn, FIG_LEGEND_TOP_RIGHT);
            snprintf(path, sizeof path, "%s/dq_histogram", dir);
            int frc = bpel_fig_save(f, path);
            if (frc) rc = frc;
        }
        bpel_fig_destroy(f);
    }
    bpel_column cols[3] = {{ARTN_COL_DQ, map_dq, 1, 0}, {ARTN_COL_DQ_CONNECTED, map_dqc, 1, 0},
                           {"n_converged", map_n, 1, 0}};
    if (!rc) { /* (after a failure, nothing more: its message stands) */
        int xrc = bpel_xyz_write_frame(xy, s, 3, cols, "per-atom mean activation energy over accepted / connected saddles (NaN where none)");
        if (xrc) rc = xrc == BPEL_EIO ? bpel_out_finish(&out[O_XY], xrc) : xrc;
    }
    sum->tried = nrec;
    sum->accepted = nacc;
    sum->mean_time_s = nrec ? ttot / nrec : 0;
    if (nacc) {
        qsort(calls, nacc, sizeof(double), cmp_double);
        sum->median_calls = gsl_stats_median_from_sorted_data(calls, 1, nacc);
    }
    if (na) {
        qsort(amean, na, sizeof(double), cmp_double);
        sum->dq_mean = gsl_stats_mean(amean, 1, na);
        sum->dq_median = gsl_stats_median_from_sorted_data(amean, 1, na);
        sum->dq_min = amean[0];
        sum->dq_max = amean[na - 1];
    }
    cJSON *js = cJSON_CreateObject();
    cJSON_AddNumberToObject(js, "searches_tried", (double)nrec);
    cJSON_AddNumberToObject(js, "searches_accepted", (double)nacc);
    cJSON_AddNumberToObject(js, ARTN_KEY_SUCCESS_RATE, nrec ? (double)nacc / nrec : 0);
    cJSON_AddNumberToObject(js, "median_force_calls_per_saddle", sum->median_calls);
    {
        size_t nconn = 0, nchk = 0;
        for (size_t k = 0; k < nrec; k++)
            if (rec[k].status == ARTN_ACCEPTED && rec[k].connected >= 0) {
                nchk++;
                nconn += rec[k].connected == 1;
            }
        cJSON_AddNumberToObject(js, "accepted_checked_for_connection", (double)nchk);
        cJSON_AddNumberToObject(js, "accepted_connected_to_initial_minimum", (double)nconn);
        cJSON_AddNumberToObject(js, ARTN_KEY_CONNECTED_FRACTION, nchk ? (double)nconn / nchk : NAN);
        sum->checked = nchk;
        sum->connected = nconn;
    }
    {
        double kicks = 0;
        for (size_t k = 0; k < nrec; k++) kicks += rec[k].kicks;
        cJSON_AddNumberToObject(js, "kicks_per_search_allowed", c->p.artn.attempts);
        cJSON_AddNumberToObject(js, "kicks_tried", kicks);
        cJSON_AddNumberToObject(js, "kick_success_rate", kicks > 0 ? (double)nacc / kicks : 0);
    }
    {
        double all = 0;
        for (size_t k = 0; k < nrec; k++) all += (double)rec[k].calls;
        sum->calls_per_saddle = nacc ? all / nacc : NAN;
        cJSON_AddNumberToObject(js, "force_calls_per_saddle_all_searches", sum->calls_per_saddle);
    }
    if (nacc) { /* event-level ΔQ quartiles (every accepted saddle) */
        qsort(dqs, nacc, sizeof(double), cmp_double);
        cJSON_AddNumberToObject(js, "dq_event_q1_eV", gsl_stats_quantile_from_sorted_data(dqs, 1, nacc, 0.25));
        cJSON_AddNumberToObject(js, ARTN_KEY_DQ_EVENT_MEDIAN, gsl_stats_median_from_sorted_data(dqs, 1, nacc));
        cJSON_AddNumberToObject(js, "dq_event_q3_eV", gsl_stats_quantile_from_sorted_data(dqs, 1, nacc, 0.75));
    }
    cJSON_AddNumberToObject(js, "atoms_with_connected_saddle", (double)nc);
    if (nc) {
        qsort(cmean, nc, sizeof(double), cmp_double);
        cJSON_AddNumberToObject(js, ARTN_KEY_DQ_ATOM_CONNECTED_MEAN, gsl_stats_mean(cmean, 1, nc));
        cJSON_AddNumberToObject(js, "dq_atom_connected_median_eV", gsl_stats_median_from_sorted_data(cmean, 1, nc));
    }
    cJSON_AddNumberToObject(js, "mean_time_per_search_s", sum->mean_time_s);
    cJSON_AddNumberToObject(js, "atoms_with_saddle", (double)na);
    cJSON_AddNumberToObject(js, ARTN_KEY_DQ_ATOM_MEAN, sum->dq_mean);
    cJSON_AddNumberToObject(js, "dq_atom_median_eV", sum->dq_median);
    cJSON_AddNumberToObject(js, "dq_atom_min_eV", sum->dq_min);
    cJSON_AddNumberToObject(js, "dq_atom_max_eV", sum->dq_max);
    cJSON_AddStringToObject(js, "method", c->p.artn.method == ARTN_METHOD_LOWEST ? "lowest" : "artn");
    cJSON_AddNumberToObject(js, "searches_per_atom", c->p.searches);
    /* the moving region is part of the method: ΔQ depends on it (docs/artn.md) */
    if (c->p.region.whole) cJSON_AddStringToObject(js, "region", "all");
    else cJSON_AddNumberToObject(js, "region_radius_A", c->p.region.radius);
    cJSON_AddNumberToObject(js, "seed", (double)c->p.seed);
    {
        double rate = nrec ? (double)nacc / nrec : 0;
        if (!nrec) bpel_quality_add(js, ARTN_KEY_SUCCESS_RATE, BPEL_Q_NOT_DETERMINED, "no search has run");
        else if (rate < 0.9)
            bpel_quality_add(js, ARTN_KEY_SUCCESS_RATE, BPEL_Q_WEAK,
                             "%zu of %zu searches failed: the per-atom ΔQ rests on the searches that converged",
                             nrec - nacc, nrec);
        else bpel_quality_add(js, ARTN_KEY_SUCCESS_RATE, BPEL_Q_OK, "%zu of %zu searches found a saddle", nacc, nrec);
        const char *dqp[] = {ARTN_KEY_DQ_ATOM_MEAN, ARTN_KEY_DQ_EVENT_MEDIAN};
        for (int k = 0; k < 2; k++) {
            if (!nacc) {
                bpel_quality_add(js, dqp[k], BPEL_Q_NOT_DETERMINED, "no accepted saddle");
                continue;
            }
            if (!c->p.region.whole)
                bpel_quality_add(js, dqp[k], BPEL_Q_WEAK,
                                 "searches in a %g Å region with the rest frozen: ΔQ is biased upwards (docs/artn.md)",
                                 c->p.region.radius);
            if (rate < 0.9) bpel_quality_add(js, dqp[k], BPEL_Q_WEAK, "%.0f %% of searches failed", 100 * (1 - rate));
            if (k == 0 && na < c->natoms)
                bpel_quality_add(js, dqp[k], BPEL_Q_WEAK, "%zu of %zu atoms have no saddle", c->natoms - na, c->natoms);
            bpel_quality_add(js, dqp[k], BPEL_Q_OK, "%zu saddles, every atom free", nacc);
        }
        if (nacc) bpel_quality_add(js, ARTN_KEY_CONNECTED_FRACTION, BPEL_Q_OK, "of the accepted saddles");
        else bpel_quality_add(js, ARTN_KEY_CONNECTED_FRACTION, BPEL_Q_NOT_DETERMINED, "no accepted saddle");
        if (!nc) bpel_quality_add(js, ARTN_KEY_DQ_ATOM_CONNECTED_MEAN, BPEL_Q_NOT_DETERMINED, "no connected saddle");
        else if (nc < 20)
            bpel_quality_add(js, ARTN_KEY_DQ_ATOM_CONNECTED_MEAN, BPEL_Q_WEAK, "only %zu atoms have a connected saddle", nc);
        else bpel_quality_add(js, ARTN_KEY_DQ_ATOM_CONNECTED_MEAN, BPEL_Q_OK, "%zu atoms with a connected saddle", nc);
    }
    /* the tables first, the summary last: a summary is there only when they are */
    for (int k = 0; k < nopen; k++) {
        int crc = rc ? (bpel_out_discard(&out[k]), BPEL_OK) : bpel_out_close(&out[k]);
        if (crc) rc = crc;
    }
    nopen = 0;
    snprintf(path, sizeof path, "%s/summary.json", dir);
    if (!rc) rc = bpel_out_json(path, js);
    cJSON_Delete(js);
out_free:
    free(calls);
    free(dqs);
    free(amean);
    free(cmean);
    free(map_dq);
    free(map_dqc);
    free(map_n);
    free(order);
done:
    for (int k = 0; k < nopen; k++) bpel_out_discard(&out[k]);
    for (size_t k = 0; k < nrec; k++) free(rec[k].line);
    free(rec);
    return rc;
}

void bpel_campaign_summary_write(FILE *fp, const campaign_summary *s)
{
    fprintf(fp, "searches %zu, accepted %zu (%.1f%%), median force calls per saddle %.0f, %.3f s per search\n",
            s->tried, s->accepted, s->tried ? 100.0 * s->accepted / s->tried : 0.0, s->median_calls, s->mean_time_s);
    fprintf(fp, "force calls per accepted saddle, failed searches counted: %.0f\n", s->calls_per_saddle);
    if (s->checked)
        fprintf(fp, "connected to the initial minimum: %zu of %zu accepted saddles (%.0f%%)\n", s->connected,
                s->checked, 100.0 * s->connected / s->checked);
    fprintf(fp, "per-atom mean dQ: mean %.4f eV, median %.4f eV, range %.4f .. %.4f eV\n", s->dq_mean, s->dq_median,
            s->dq_min, s->dq_max);
}
