/* forces.c — EAM energy, forces, per-atom energy and virial (see forces.h).
 *
 * With ρ_i = Σ_j ρ_{t_i t_j}(r_ij) and E = Σ_i F_{t_i}(ρ_i) + Σ_{i<j} φ(r_ij),
 *   F_i = −Σ_j [F'_i ρ'_{t_i t_j}(r_ij) + F'_j ρ'_{t_j t_i}(r_ij) + φ'(r_ij)] (r_i − r_j)/r_ij
 * where ρ_{ab}(r) is the density an atom of type b contributes at one of type a,
 * and φ = z2r/r. Two passes over the pairs (density, then forces) with F'
 * known for every atom in between: the reason the embedding term is many-body.
 *
 * Fast kernel: half list over local + ghost slots (as LAMMPS with newton on),
 * spline coefficients of the two densities and r·φ packed per (type pair,
 * interval) so one pair touches one or two cache lines, forces and densities
 * accumulated per thread and reduced, ghost slots folded onto their owners at
 * the end, virial from Σ_slots x ⊗ f before folding. Reference kernel: full
 * list, per-atom sums straight from the equations. Both evaluate each spline
 * with LAMMPS's formulas, so they agree with LAMMPS to round-off. */
#include "forces.h"
#include "eam_tables.h"
#include "error.h"
#include "units.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* Per unordered type pair (a <= b) and interval m: the value cubics (c3..c6)
 * of ρ_ab (density b contributes at a) and ρ_ba, 64 bytes, one cache line;
 * r·φ_ab in a separate 32-byte record. Derivatives come from the value
 * coefficients times 3/Δ, 2/Δ, 1/Δ (LAMMPS stores those products; the
 * difference is in the last bit). Keeping only value cubics, once per
 * unordered pair, halves the tables that the inner loops pull into cache. */
typedef struct {
    double c[2][4];
} dens_coef;

typedef struct {
    double z[4];
} pair_coef;

struct bpel_forces {
    const bpel_model *model;
    int ntypes;
    eam_tables tab;
    nbr_list *list;        /* half list for the fast kernel */
    nbr_list *full;        /* full list for the reference kernel (lazily) */
    long typed_build;      /* list->builds when typeall was made */
    int *typeall;          /* [nall] type index 0..ntypes-1 of each slot */
    dens_coef *dens;       /* [npairs][nr+1] */
    pair_coef *phi;        /* [npairs][nr+1] */
    int pair_index[BPEL_MAX_TYPES][BPEL_MAX_TYPES]; /* unordered pair of 0-based types */
    uint32_t *active;      /* [list size] neighbours inside the cutoff, per atom */
    double *active_r;      /* their distances, Å */
    double *active_p;      /* their fractions p in the spline interval */
    uint32_t *active_off;  /* their table records: pair index · (nr + 1) + interval */
    size_t *nactive;       /* [n] count per atom */
    size_t active_cap;
    size_t n;
    double *f, *pe, *rho;  /* [3n], [n], [n] results */
    double *fp;            /* [nall] F'(ρ) of each slot */
    double *scratch;       /* per thread: rho[nall], f[3nall], pe[nall] */
    size_t scratch_per_thread, scratch_cap;
    double *virial_t;      /* [6 * threads] partial virials */
    int virial_threads;
};

/* A table aligned on a 64-byte cache line (freed with free). */
static void *table_alloc(size_t nbytes)
{
    size_t sz = (nbytes + 63) / 64 * 64;
    void *p = aligned_alloc(64, sz ? sz : 64);
    if (!p) bpel_fail(BPEL_ENOMEM, "out of memory allocating %zu bytes", nbytes);
    return p;
}

int bpel_forces_create(const bpel_model *model, bpel_system *s, double skin,
                  bpel_forces **out)
{
    *out = NULL;
    if (s->n < 1) return bpel_fail(BPEL_EINVAL, "no atoms");
    int rc = bpel_model_check_system(model, s);
    if (rc) return rc;
    bpel_forces *e = bpel_calloc(1, sizeof *e);
    if (!e) return BPEL_ENOMEM;
    e->model = model;
    e->ntypes = s->ntypes;
    e->tab = *bpel_model_tables(model);
    const eam_tables *t = &e->tab;
    int nt = s->ntypes, nr = t->nr;
    int np = 0;
    for (int a = 0; a < nt; a++)
        for (int b = a; b < nt; b++) e->pair_index[a][b] = e->pair_index[b][a] = np++;
    /* on cache-line boundaries: a pair then reads one line of densities and
     * one of r·φ (malloc's 16-byte alignment splits most records over two) */
    e->dens = table_alloc((size_t)np * (nr + 1) * sizeof *e->dens);
    e->phi = table_alloc((size_t)np * (nr + 1) * sizeof *e->phi);
    e->list = bpel_nbr_create(t->cut, skin, 1);
    e->n = s->n;
    e->f = bpel_calloc(3 * s->n, sizeof *e->f);
    e->pe = bpel_calloc(s->n, sizeof *e->pe);
    e->rho = bpel_calloc(s->n, sizeof *e->rho);
    e->nactive = bpel_calloc(s->n, sizeof *e->nactive);
    if (!e->dens || !e->phi || !e->list || !e->f || !e->pe || !e->rho || !e->nactive) {
        bpel_forces_destroy(e);
        return BPEL_ENOMEM;
    }
    for (int a = 0; a < nt; a++)
        for (int b = a; b < nt; b++) {
            size_t base = (size_t)e->pair_index[a][b] * (nr + 1);
            const eam_coef *rab = t->rhor[a + 1][b + 1], *rba = t->rhor[b + 1][a + 1], *z = t->z2r[a + 1][b + 1];
            for (int m = 0; m <= nr; m++)
                for (int k = 0; k < 4; k++) {
                    e->dens[base + m].c[0][k] = rab[m][3 + k];
                    e->dens[base + m].c[1][k] = rba[m][3 + k];
                    e->phi[base + m].z[k] = z[m][3 + k];
                }
        }
    *out = e;
    return BPEL_OK;
}

int bpel_forces_require_minimum(const bpel_model *model, bpel_system *s, double limit,
                           const char *name, const char *what, double *fmax_out)
{
    bpel_forces *ff = NULL;
    bpel_eval ev;
    int rc = bpel_forces_create(model, s, 1.0, &ff);
    if (!rc) rc = bpel_forces_compute(ff, s, 0, &ev);
    if (rc) {
        bpel_forces_destroy(ff);
        return rc;
    }
    double worst = 0;
    size_t at = 0;
    for (size_t i = 0; i < s->n; i++) {
        double f2 = ev.f[3 * i] * ev.f[3 * i] + ev.f[3 * i + 1] * ev.f[3 * i + 1] + ev.f[3 * i + 2] * ev.f[3 * i + 2];
        if (f2 > worst) worst = f2, at = i;
    }
    bpel_forces_destroy(ff);
    if (fmax_out) *fmax_out = sqrt(worst);
    if (!(sqrt(worst) <= limit))
        return bpel_fail(BPEL_EINVAL, "%s is not an energy minimum: max |F| = %.3g eV/Å on atom %lld (limit %g): %s", name,
                         sqrt(worst), (long long)s->id[at], limit, what);
    return BPEL_OK;
}

void bpel_forces_destroy(bpel_forces *e)
{
    if (!e) return;
    bpel_nbr_destroy(e->list);
    bpel_nbr_destroy(e->full);
    free(e->typeall);
    free(e->dens);
    free(e->phi);
    free(e->active);
    free(e->active_r);
    free(e->active_p);
    free(e->active_off);
    free(e->nactive);
    free(e->virial_t);
    free(e->f);
    free(e->pe);
    free(e->rho);
    free(e->fp);
    free(e->scratch);
    free(e);
}

const nbr_list *bpel_forces_neighbours(const bpel_forces *e) { return e->list; }
const bpel_eam *bpel_forces_potential(const bpel_forces *e) { return bpel_model_potential(e->model); }
const bpel_model *bpel_forces_model(const bpel_forces *e) { return e->model; }
double bpel_forces_cutoff(const bpel_forces *e) { return e->tab.cut; }

double bpel_forces_stress(const bpel_system *s, const double virial[6], double stress[6])
{
    double ke[6] = {0, 0, 0, 0, 0, 0};
    if (s->v) {
        for (size_t i = 0; i < s->n; i++) {
            double m = system_mass(s, i) * BPEL_MVV2E;
            const double *v = &s->v[3 * i];
            ke[0] += m * v[0] * v[0];
            ke[1] += m * v[1] * v[1];
            ke[2] += m * v[2] * v[2];
            ke[3] += m * v[0] * v[1];
            ke[4] += m * v[0] * v[2];
            ke[5] += m * v[1] * v[2];
        }
    }
    double iv = BPEL_NKTV2P / bpel_box_volume(&s->box);
    for (int k = 0; k < 6; k++) stress[k] = (ke[k] + virial[k]) * iv;
    return (stress[0] + stress[1] + stress[2]) / 3.0;
}

/* Per-slot types and scratch space after a (re)build. */
static int prepare(bpel_forces *e, const bpel_system *s, int nthreads)
{
    nbr_list *l = e->list;
    if (e->typed_build != l->builds) {
        int *ta = bpel_realloc(e->typeall, l->nall * sizeof *ta);
        double *fp = bpel_realloc(e->fp, l->nall * sizeof *fp);
        if (!ta || !fp) {
            if (ta) e->typeall = ta;
            if (fp) e->fp = fp;
            return BPEL_ENOMEM;
        }
        e->typeall = ta;
        e->fp = fp;
        for (size_t j = 0; j < l->nall; j++) ta[j] = s->type[l->owner[j]] - 1;
        e->typed_build = l->builds;
    }
    size_t nl = l->start[l->nlocal];
    if (nl > e->active_cap) {
        free(e->active);
        free(e->active_r);
        free(e->active_p);
        free(e->active_off);
        e->active_cap = nl + nl / 8 + 16;
        e->active = bpel_malloc(e->active_cap * sizeof *e->active);
        e->active_r = bpel_malloc(e->active_cap * sizeof *e->active_r);
        e->active_p = bpel_malloc(e->active_cap * sizeof *e->active_p);
        e->active_off = bpel_malloc(e->active_cap * sizeof *e->active_off);
        if (!e->active || !e->active_r || !e->active_p || !e->active_off) { e->active_cap = 0; return BPEL_ENOMEM; }
    }
    size_t per = 5 * l->nall;
    size_t need = per * (size_t)nthreads;
    if (need > e->scratch_cap) {
        free(e->scratch);
        e->scratch = bpel_malloc(need * sizeof *e->scratch);
        if (!e->scratch) { e->scratch_cap = 0; return BPEL_ENOMEM; }
        e->scratch_cap = need;
    }
    e->scratch_per_thread = per;
    if (nthreads > e->virial_threads) {
        free(e->virial_t);
        e->virial_t = bpel_malloc(6 * (size_t)nthreads * sizeof *e->virial_t);
        if (!e->virial_t) { e->virial_threads = 0; return BPEL_ENOMEM; }
        e->virial_threads = nthreads;
    }
    memset(e->virial_t, 0, 6 * (size_t)nthreads * sizeof *e->virial_t);
    return BPEL_OK;
}

/* First atom of part k of nparts of [0, n) with equal shares of list entries. */
static size_t split_at(const size_t *start, size_t n, size_t k, size_t nparts)
{
    if (k == 0) return 0;
    if (k >= nparts) return n;
    size_t target = start[n] / nparts * k + (start[n] % nparts) * k / nparts;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (start[mid] < target) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* pairs ahead whose table lines the force pass requests */
#define PREFETCH_AHEAD 8

static inline double cubic(const double *c, double p) { return ((c[0] * p + c[1]) * p + c[2]) * p + c[3]; }
static inline double dcubic(const double *c, double p) { return (3.0 * c[0] * p + 2.0 * c[1]) * p + c[2]; }

/* Interval m of the tables and the fraction p in it, as LAMMPS pair_eam. */
static inline double spline_at(double r, double rdr, int nr, int *m)
{
    double p = r * rdr + 1.0;
    int k = (int)p;
    k = k < nr - 1 ? k : nr - 1;
    p -= k;
    *m = k;
    return p < 1.0 ? p : 1.0;
}

/* Σ over the team's copies (k = 0, 1, ...) of entry idx of the scratch arrays. */
static inline double thread_sum(const double *scratch, size_t per, int nth, size_t idx)
{
    double sum = scratch[idx];
    for (int k = 1; k < nth; k++) sum += scratch[per * (size_t)k + idx];
    return sum;
}

static inline void virial_add(double w[6], const double *x, const double *f)
{
    w[0] += x[0] * f[0];
    w[1] += x[1] * f[1];
    w[2] += x[2] * f[2];
    w[3] += x[1] * f[0];
    w[4] += x[2] * f[0];
    w[5] += x[2] * f[1];
}

/* The fast kernel. `eflag`, `pflag` (and `vflag`) are compile-time constants at each call
 * site, so the compiler removes the energy branches from the inner loops.
 * The density pass records each atom's neighbours inside the cutoff and
 * their distances; the force pass walks only those. */
static inline __attribute__((always_inline)) void kernel(bpel_forces *e, int eflag, int pflag, int vflag,
                                                           double *energy, double virial[6])
{
    const nbr_list *l = e->list;
    const eam_tables *t = &e->tab;
    const size_t n = l->nlocal, nall = l->nall;
    const int nr = t->nr;
    const double rdr = t->rdr, cutsq = t->cutsq;
    const double *x = l->xall;
    const int *ta = e->typeall;
    const uint32_t *nbr = l->nbr;
    const size_t *start = l->start;
    const size_t *gstart = l->ghost_start;
    const size_t per = e->scratch_per_thread;
    uint32_t *act = e->active;
    double *act_r = e->active_r;
    double *act_p = e->active_p;
    uint32_t *act_off = e->active_off;
    size_t *nact = e->nactive;
    double *fp = e->fp;
    double eng_embed = 0.0, eng_pair = 0.0;
    int nthreads = omp_get_max_threads();

#pragma omp parallel num_threads(nthreads) reduction(+ : eng_embed, eng_pair)
    {
        /* the team may be smaller than asked (nested inside another parallel
         * region it is one thread): reduce over the threads actually here */
        const int nth = omp_get_num_threads();
        int tid = omp_get_thread_num();
        double *rho_t = e->scratch + per * (size_t)tid;
        double *f_t = rho_t + nall;
        double *pe_t = f_t + 3 * nall;
        memset(rho_t, 0, (pflag ? 5 : 4) * nall * sizeof(double));

        /* Half lists hold more pairs for low-index atoms (the owner rule), so
         * equal atom counts per thread would leave one idle: each thread gets
         * a contiguous range with about the same number of pairs, fixed by
         * the list alone so that sums do not depend on timing. */
        const size_t ilo = split_at(start, n, (size_t)tid, (size_t)nth);
        const size_t ihi = split_at(start, n, (size_t)tid + 1, (size_t)nth);
        /* density pass */
        for (size_t i = ilo; i < ihi; i++) {
            const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
            const int ti = ta[i];
            double rhoi = 0.0;
            size_t w = start[i];
            /* first the pairs inside the cutoff, each one's table line
             * requested at once; then their densities, summed in list order
             * (no unpredictable branch there to cut the loads in flight) */
            for (size_t q = start[i]; q < start[i + 1]; q++) {
                const uint32_t j = nbr[q];
                const double dx = xi - x[3 * (size_t)j], dy = yi - x[3 * (size_t)j + 1], dz = zi - x[3 * (size_t)j + 2];
                const double rsq = dx * dx + dy * dy + dz * dz;
                /* written always, kept when inside: no branch to mispredict */
                const double r = sqrt(rsq);
                int m;
                const double p = spline_at(r, rdr, nr, &m);
                const uint32_t off = (uint32_t)(e->pair_index[ti][ta[j]] * (nr + 1) + m);
                __builtin_prefetch(e->dens + off);
                act[w] = j;
                act_r[w] = r;
                act_p[w] = p;
                act_off[w] = off;
                w += rsq < cutsq;
            }
            for (size_t q = start[i]; q < w; q++) {
                const uint32_t j = act[q];
                const double p = act_p[q];
                const int sw = ti > ta[j];
                const dens_coef *c = e->dens + act_off[q];
                rhoi += cubic(c->c[sw], p);
                rho_t[j] += cubic(c->c[1 - sw], p);
            }
            nact[i] = w - start[i];
            rho_t[i] += rhoi;
        }
#pragma omp barrier
        /* per real atom: sum the thread copies of its density and of its
         * ghosts' (ghosts are folded in index order), embed, and hand the
         * embedding derivative to its ghosts */
#pragma omp for schedule(static)
        for (size_t i = 0; i < n; i++) {
            double r = thread_sum(e->scratch, per, nth, i);
            for (size_t g = n + gstart[i]; g < n + gstart[i + 1]; g++) r += thread_sum(e->scratch, per, nth, g);
            double F, Fp;
            e->rho[i] = r;
            eam_embed(t, ta[i] + 1, r, eflag ? &F : NULL, &Fp, NULL);
            fp[i] = Fp;
            for (size_t g = n + gstart[i]; g < n + gstart[i + 1]; g++) fp[g] = Fp;
            if (eflag) {
                eng_embed += F;
                if (pflag) pe_t[i] += F;
            }
        }

        /* force pass over the pairs inside the cutoff */
        for (size_t i = ilo; i < ihi; i++) {
            const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
            const int ti = ta[i];
            const double fpi = fp[i];
            double fxi = 0.0, fyi = 0.0, fzi = 0.0, epi = 0.0;
            const size_t q0 = start[i], q1 = start[i] + nact[i];
            /* the pairs of the next atom follow those of this one in the
             * prefetch: its first pairs are requested during this atom's last */
            const size_t n0 = i + 1 < ihi ? start[i + 1] : 0, n1 = i + 1 < ihi ? start[i + 1] + nact[i + 1] : 0;
            for (size_t q = q0; q < q1; q++) {
                size_t qa = q + PREFETCH_AHEAD; /* the tables of a pair further on */
                if (qa >= q1) qa = n0 + (qa - q1);
                if (qa < q1 || (qa >= n0 && qa < n1)) {
                    __builtin_prefetch(e->dens + act_off[qa]);
                    __builtin_prefetch(e->phi + act_off[qa]);
                }
                const uint32_t j = act[q];
                const double r = act_r[q];
                const double dx = xi - x[3 * (size_t)j], dy = yi - x[3 * (size_t)j + 1], dz = zi - x[3 * (size_t)j + 2];
                const double p = act_p[q];
                const int sw = ti > ta[j];
                const size_t off = act_off[q];
                const dens_coef *c = e->dens + off;
                const double *z = e->phi[off].z;
                const double rhojp = dcubic(c->c[sw], p) * rdr;
                const double rhoip = dcubic(c->c[1 - sw], p) * rdr;
                const double z2p = dcubic(z, p) * rdr;
                const double z2 = cubic(z, p);
                const double recip = 1.0 / r;
                const double phi = z2 * recip;
                const double phip = z2p * recip - phi * recip;
                const double psip = fpi * rhojp + fp[j] * rhoip + phip;
                const double fpair = -psip * recip;
                fxi += dx * fpair;
                fyi += dy * fpair;
                fzi += dz * fpair;
                f_t[3 * (size_t)j] -= dx * fpair;
                f_t[3 * (size_t)j + 1] -= dy * fpair;
                f_t[3 * (size_t)j + 2] -= dz * fpair;
                if (eflag) {
                    eng_pair += phi;
                    if (pflag) {
                        epi += 0.5 * phi;
                        pe_t[j] += 0.5 * phi;
                    }
                }
            }
            f_t[3 * i] += fxi;
            f_t[3 * i + 1] += fyi;
            f_t[3 * i + 2] += fzi;
            if (pflag) pe_t[i] += epi;
        }
#pragma omp barrier
        /* per real atom: sum the thread copies of its force and of its
         * ghosts' forces, fold the ghosts in index order, and accumulate
         * Σ x ⊗ f over real and ghost entries (the virial) */
        double w[6] = {0, 0, 0, 0, 0, 0};
#pragma omp for schedule(static)
        for (size_t i = 0; i < n; i++) {
            double fi[3], pi = 0.0;
            for (int c = 0; c < 3; c++) fi[c] = thread_sum(e->scratch, per, nth, nall + 3 * i + c);
            if (pflag) pi = thread_sum(e->scratch, per, nth, 4 * nall + i);
            if (vflag) virial_add(w, &x[3 * i], fi);
            for (size_t g = n + gstart[i]; g < n + gstart[i + 1]; g++) {
                double fg[3];
                for (int c = 0; c < 3; c++) {
                    fg[c] = thread_sum(e->scratch, per, nth, nall + 3 * g + c);
                    fi[c] += fg[c];
                }
                if (vflag) virial_add(w, &x[3 * g], fg);
                if (pflag) pi += thread_sum(e->scratch, per, nth, 4 * nall + g);
            }
            memcpy(&e->f[3 * i], fi, sizeof fi);
            if (pflag) e->pe[i] = pi;
        }
        memcpy(&e->virial_t[6 * tid], w, sizeof w);
    }
    *energy = eng_embed + eng_pair;
    /* thread partial virials summed in thread order: deterministic */
    for (int c = 0; c < 6; c++) virial[c] = 0.0;
    for (int k = 0; k < nthreads; k++)
        for (int c = 0; c < 6; c++) virial[c] += e->virial_t[6 * k + c];
}

/* Reference: full list, per-atom sums, no scatter. */
static int reference(bpel_forces *e, bpel_system *s, int flags, bpel_eval *out)
{
    const eam_tables *t = &e->tab;
    if (!e->full) {
        e->full = bpel_nbr_create(t->cut, 0.0, 0);
        if (!e->full) return BPEL_ENOMEM;
    }
    int rc = bpel_nbr_build(e->full, s);
    if (rc) return rc;
    const nbr_list *l = e->full;
    size_t n = l->nlocal;
    double *fp = bpel_malloc(n * sizeof *fp);
    if (!fp) return BPEL_ENOMEM;
    double E = 0.0, W[6] = {0, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        int ti = s->type[i];
        double rho = 0.0;
        for (size_t q = l->start[i]; q < l->start[i + 1]; q++) {
            size_t j = l->nbr[q];
            double d[3], rsq = 0;
            for (int k = 0; k < 3; k++) {
                d[k] = l->xall[3 * i + k] - l->xall[3 * j + k];
                rsq += d[k] * d[k];
            }
            if (rsq >= t->cutsq) continue;
            double p;
            const double *c = eam_r_interval(t, t->rhor[ti][s->type[l->owner[j]]], sqrt(rsq), &p);
            rho += eam_val(c, p);
        }
        double F, Fp;
        eam_embed(t, ti, rho, &F, &Fp, NULL);
        e->rho[i] = rho;
        fp[i] = Fp;
        e->pe[i] = F;
        E += F;
    }
    for (size_t i = 0; i < n; i++) {
        int ti = s->type[i];
        double fi[3] = {0, 0, 0};
        for (size_t q = l->start[i]; q < l->start[i + 1]; q++) {
            size_t j = l->nbr[q], o = l->owner[j];
            int tj = s->type[o];
            double d[3], rsq = 0;
            for (int k = 0; k < 3; k++) {
                d[k] = l->xall[3 * i + k] - l->xall[3 * j + k];
                rsq += d[k] * d[k];
            }
            if (rsq >= t->cutsq) continue;
            double r = sqrt(rsq), p;
            const double *cji = eam_r_interval(t, t->rhor[ti][tj], r, &p);
            const double *cij = eam_r_interval(t, t->rhor[tj][ti], r, &p);
            const double *cz = eam_r_interval(t, t->z2r[ti][tj], r, &p);
            double rhojp = eam_d1(cji, p), rhoip = eam_d1(cij, p);
            double z2 = eam_val(cz, p), z2p = eam_d1(cz, p);
            double phi = z2 / r, phip = z2p / r - phi / r;
            double dEdr = fp[i] * rhojp + fp[o] * rhoip + phip;
            for (int k = 0; k < 3; k++) fi[k] -= dEdr * d[k] / r;
            e->pe[i] += 0.5 * phi;
            E += 0.5 * phi;
            /* ½ Σ_i Σ_j d_ij ⊗ f_ij with f_ij = −dE/dr d/r */
            double fpair = -dEdr / r;
            W[0] += 0.5 * d[0] * d[0] * fpair;
            W[1] += 0.5 * d[1] * d[1] * fpair;
            W[2] += 0.5 * d[2] * d[2] * fpair;
            W[3] += 0.5 * d[0] * d[1] * fpair;
            W[4] += 0.5 * d[0] * d[2] * fpair;
            W[5] += 0.5 * d[1] * d[2] * fpair;
        }
        memcpy(&e->f[3 * i], fi, sizeof fi);
    }
    free(fp);
    out->energy = E;
    memcpy(out->virial, W, sizeof W);
    out->f = e->f;
    out->pe = e->pe;
    out->rho = e->rho;
    (void)flags;
    return BPEL_OK;
}

int bpel_forces_compute(bpel_forces *e, bpel_system *s, int flags, bpel_eval *out)
{
    if (s->n != e->n || s->ntypes != e->ntypes)
        return bpel_fail(BPEL_EINVAL, "system changed size since the force field was bound");
    if (flags & FORCES_REFERENCE) return reference(e, s, flags, out);
    int rb = bpel_nbr_update(e->list, s);
    if (rb < 0) return rb;
    int nthreads = omp_get_max_threads();
    int rc = prepare(e, s, nthreads);
    if (rc) return rc;
    int eflag = (flags & (FORCES_ENERGY | FORCES_PERATOM)) != 0, pflag = (flags & FORCES_PERATOM) != 0;
    double energy = 0.0;
    int vflag = (flags & FORCES_VIRIAL) != 0;
    double W[6] = {0, 0, 0, 0, 0, 0};
    if (pflag) kernel(e, 1, 1, vflag, &energy, W);
    else if (eflag) kernel(e, 1, 0, vflag, &energy, W);
    else kernel(e, 0, 0, vflag, &energy, W);
    out->energy = energy;
    memcpy(out->virial, W, sizeof W);
    out->f = e->f;
    out->pe = pflag ? e->pe : NULL;
    out->rho = e->rho;
    return BPEL_OK;
}
