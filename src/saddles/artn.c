/* artn.c — ARTn and slowest-ascent saddle searches on a generic model (see
 * artn.h for the algorithm and its parameters).
 *
 * Every optimisation is L-BFGS without line search (steps capped per atom):
 * the relaxations to minima on the force, the perpendicular relaxations on
 * the force projected off the push direction, and the climb on the force
 * with its component along the lowest eigenvector reversed. */
#include "artn.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "error.h"

static const char *status_names[ARTN_NSTATUS] = {
    "accepted", "no_exit", "no_converge", "lost_curvature", "multi_negative",
    "not_above", "same_minimum", "disconnected", "failed", "full_check_failed", "over_budget"};

const char *bpel_artn_status_name(int s) { return s >= 0 && s < ARTN_NSTATUS ? status_names[s] : "unknown"; }

int bpel_artn_status_parse(const char *name)
{
    for (int k = 0; k < ARTN_NSTATUS; k++)
        if (!strcmp(name, status_names[k])) return k;
    return -1;
}

void bpel_artn_defaults(artn_params *p)
{
    memset(p, 0, sizeof *p);
    p->method = ARTN_METHOD_ARTN;
    p->kick_norm = 0.1;
    p->kick_radius = 2.0;
    p->eigval_threshold = -0.30;
    p->ftol = 0.05;
    p->saddle_norm = 1; /* LAMMPS-ARTn's saddle test: components alone stop a climb short in a
                           soft valley, ΔQ up to 0.3 eV too high (docs/artn.md) */
    p->push_step = 0.2;
    p->max_push = 40;
    p->perp_push = 3;
    p->climb_step = 0.15;
    p->max_climb = 300;
    p->max_calls = 800;
    p->attempts = 12;
    p->perp_step = 0.03; /* small perpendicular steps keep the push near the kick's path, as
                            LAMMPS-ARTn's few steepest-descent steps do (docs/artn.md) */
    p->lbfgs_scale = 0.05;
    p->lost_eigval = 0.0;
    p->max_lost = 0; /* as LAMMPS-ARTn's eigen_th_fail: climbing on through positive curvature
                        finds another, lower population of saddles (docs/artn.md) */
    p->below_abort = 1; /* a saddle below the minimum is rejected anyway; on the bench searches no
                           accepted saddle changed and 6 % of the calls were saved (docs/artn.md) */
    p->climb_lanczos_every = 4;
    p->climb_lanczos_below = 0.3; /* × eigval_threshold */
    p->climb_lanczos_fperp = 0.0;
    p->climb_newton = 0;
    p->push_lanczos_kappa = 0.2;
    p->push_lanczos_every = 4;
    p->push_follow = 0;
    p->push_follow_below = 0.0;
    p->push_from_min = 0; /* along the kick, as LAMMPS-ARTn: with every atom free the displacement
                             from the minimum relaxes back and the push never leaves the basin */
    p->ridge_exit = 1;
    p->max_refine = 2;
    p->refine_step = 0.6;
    p->refine_ftol = 0.3;
    p->grow_near = 1.0;
    p->climb_grow_near = 1.0;
    p->second_min = 0.0;
    p->dq_min = 1e-3;
    p->dmin = 0.02;
    p->check_connect = 1;
    p->require_connect = 0;
    p->push_over = 0.2;
    p->relax_ftol = 0.005;
    p->relax_step = 0.1;
    p->max_relax = 3000;
    p->same_min = 0.1;
    bpel_lanczos_defaults(&p->lanczos);
    p->lanczos.min_iter = 3;
    p->lanczos.max_iter = 30;
    p->lanczos.tol = 0.01; /* the whole glass has many soft modes near 0: a loose Ritz value
                              flips the sign of λ in the climb (docs/artn.md) */
    p->lanczos.eps = 1e-2;
    bpel_lanczos_defaults(&p->lanczos_check);
    p->lanczos_check.min_iter = 4;
    p->lanczos_check.max_iter = 20;
    p->lanczos_check.tol = 1e-2;
    p->lanczos_check.eps = 1e-2;
    p->ascent_step = 0.05;
    p->ascent_noise = 0.005;
    p->max_ascent = 400;
    p->ascent_softest = 1;
    p->ascent_max_lost = 20;
}

/* Every tunable field, by name, for `--param NAME=VALUE`. */
#include <stddef.h>
typedef struct {
    const char *name;
    size_t off;
    char kind; /* 'd' double, 'i' int */
    const char *help;
    char range; /* 'p' > 0, 'z' >= 0, 'n' < 0, 'a' any */
} param_entry;
#define PD(f, h) {#f, offsetof(artn_params, f), 'd', h, 'p'}
#define PI(f, h) {#f, offsetof(artn_params, f), 'i', h, 'p'}
#define PL(f, sub, h) {#f "." #sub, offsetof(artn_params, f) + offsetof(lanczos_params, sub), sizeof(((lanczos_params *)0)->sub) == sizeof(int) ? 'i' : 'd', h, 'p'}
#define PR(f, k, h, r) {#f, offsetof(artn_params, f), k, h, r}
static const param_entry param_table[] = {
    PD(kick_norm, "Å, norm of the initial random displacement"),
    PD(kick_radius, "Å, neighbours of the central atom that are kicked"),
    PR(eigval_threshold, 'd', "eV/Å², basin exit when the lowest eigenvalue is below", 'n'),
    PD(ftol, "eV/Å, saddle when every force component is below"),
    PR(saddle_norm, 'i', "1: ... and the 2-norm of the whole force vector too (LAMMPS-ARTn's test)", 'z'),
    PD(push_step, "Å, step along the push direction"),
    PI(max_push, "push steps before giving up"),
    PR(perp_push, 'i', "perpendicular relaxation steps per push step", 'z'),
    PR(push_lanczos_kappa, 'd', "eV/Å², Lanczos in the push when the curvature along it is below", 'a'),
    PI(push_lanczos_every, "... and at least every this many push steps"),
    PR(push_from_min, 'i', "1: push along the displacement from the minimum; 0: along the kick", 'z'),
    PR(ridge_exit, 'i', "1: leave the push past a ridge when the lowest eigenvalue is negative", 'z'),
    PR(push_follow, 'i', "1: once the lowest eigenvalue is below push_follow_below, push along its eigenvector", 'z'),
    PR(push_follow_below, 'd', "eV/Å², see push_follow", 'a'),
    PI(climb_lanczos_every, "refresh the eigenvector every this many climb steps while λ < climb_lanczos_below·threshold"),
    PR(climb_lanczos_below, 'd', "see climb_lanczos_every (a multiple of eigval_threshold)", 'z'),
    PR(climb_lanczos_fperp, 'd', "eV/Å: ... and while λ < 0 and the force perpendicular to v exceeds this (0: off)", 'z'),
    PR(climb_newton, 'i', "1: Newton step along the eigenvector, L-BFGS perpendicular", 'z'),
    PR(climb_convex_follow, 'i', "1: where the climb finds positive curvature, push uphill along the lowest mode", 'z'),
    PD(climb_step, "Å, largest climb step"),
    PI(max_climb, "climb iterations"),
    PR(max_calls, 'i', "force calls in push and climb before a search is abandoned (over_budget; 0: no limit)", 'z'),
    PI(attempts, "kicks per search: a failed search is tried again from a fresh kick, up to this many in all"),
    PD(perp_step, "Å, largest perpendicular step"),
    PD(lbfgs_scale, "Å²/eV, first L-BFGS step = scale·force"),
    PR(lost_eigval, 'd', "eV/Å², climbing with λ above this for more than max_lost steps in a row fails", 'a'),
    PR(max_lost, 'i', "see lost_eigval (0: the first such step fails, as LAMMPS-ARTn's eigen_th_fail)", 'z'),
    PR(below_abort, 'i', "1: a climb that falls below the initial minimum's energy stops there (not_above)", 'z'),
    PR(grow_near, 'd', "the region may grow once the largest force < grow_near·ftol", 'z'),
    PR(climb_grow_near, 'd', "... the same during the climb", 'z'),
    PR(second_min, 'd', "eV/Å², the second eigenvalue at the saddle must exceed this", 'a'),
    PR(max_refine, 'i', "climbs restarted off a second-order saddle", 'z'),
    PD(refine_step, "Å, largest step along the second mode for that"),
    PD(refine_ftol, "those climbs stop at refine_ftol·ftol"),
    PR(dq_min, 'd', "eV, the saddle must be this far above the minimum", 'z'),
    PR(dmin, 'd', "Å, largest atomic displacement at the saddle at least", 'z'),
    PD(push_over, "Å, displacement over the saddle before relaxing"),
    PD(relax_ftol, "eV/Å, force tolerance of the minimisations"),
    PD(relax_step, "Å, largest per-atom step of the minimisations"),
    PI(max_relax, "L-BFGS steps per minimisation"),
    PD(same_min, "Å, two minima are the same when no atom differs more than this"),
    PL(lanczos, min_iter, "Lanczos during push/climb: least products"),
    PL(lanczos, max_iter, "... most products"),
    PL(lanczos, tol, "... relative eigenvalue tolerance"),
    PL(lanczos, eps, "... finite-difference step, Å"),
    {"lanczos.central", offsetof(artn_params, lanczos) + offsetof(lanczos_params, central), 'i', "... 1: central differences", 'z'},
    {"lanczos.resid_tol", offsetof(artn_params, lanczos) + offsetof(lanczos_params, resid_tol), 'd', "... eV/Å², keep the previous vector after one product when its residual is below this (0: off)", 'z'},
    PL(lanczos_check, min_iter, "Lanczos of the final checks: least products"),
    PL(lanczos_check, max_iter, "... most products"),
    PL(lanczos_check, tol, "... relative eigenvalue tolerance"),
    PL(lanczos_check, eps, "... finite-difference step, Å"),
    PD(ascent_step, "Å, hypersphere radius of each slowest-ascent step"),
    PR(ascent_noise, 'd', "Å, random displacement before each ascent step", 'z'),
    PI(max_ascent, "slowest-ascent steps"),
    PR(ascent_softest, 'i', "1: the ascent starts along the softest mode", 'z'),
    PR(ascent_max_lost, 'i', "max_lost of the climb that follows the slowest ascent", 'z'),
};

static int range_ok(char range, double v)
{
    switch (range) {
    case 'p': return v > 0;
    case 'z': return v >= 0;
    case 'n': return v < 0;
    default: return 1;
    }
}

static int range_error(const param_entry *e, const char *value)
{
    const char *want = e->range == 'p' ? "positive" : e->range == 'z' ? "zero or positive" : "negative";
    return bpel_fail(BPEL_EINVAL, "artn parameter %s must be %s, not '%s'", e->name, want, value);
}

int bpel_artn_param_set(artn_params *p, const char *name, const char *value)
{
    for (size_t k = 0; k < sizeof param_table / sizeof *param_table; k++) {
        const param_entry *e = &param_table[k];
        if (strcmp(e->name, name)) continue;
        char *end;
        errno = 0;
        if (e->kind == 'd') {
            double d = strtod(value, &end);
            if (end == value || *end || errno || !isfinite(d))
                return bpel_fail(BPEL_EINVAL, "artn parameter %s: '%s' is not a number", name, value);
            if (!range_ok(e->range, d)) return range_error(e, value);
            memcpy((char *)p + e->off, &d, sizeof d);
        } else {
            long l = strtol(value, &end, 10);
            if (end == value || *end || errno || l < INT_MIN || l > INT_MAX)
                return bpel_fail(BPEL_EINVAL, "artn parameter %s: '%s' is not an integer", name, value);
            if (!range_ok(e->range, (double)l)) return range_error(e, value);
            int i = (int)l;
            memcpy((char *)p + e->off, &i, sizeof i);
        }
        return BPEL_OK;
    }
    return bpel_fail(BPEL_EINVAL, "no artn parameter named '%s' (see bpel artn --help)", name);
}

void bpel_artn_param_list(FILE *fp, const artn_params *p)
{
    for (size_t k = 0; k < sizeof param_table / sizeof *param_table; k++) {
        const param_entry *e = &param_table[k];
        char val[32];
        if (e->kind == 'd') {
            double d;
            memcpy(&d, (const char *)p + e->off, sizeof d);
            snprintf(val, sizeof val, "%g", d);
        } else {
            int i;
            memcpy(&i, (const char *)p + e->off, sizeof i);
            snprintf(val, sizeof val, "%d", i);
        }
        fprintf(fp, "    %-24s %-8s %s\n", e->name, val, e->help);
    }
}

void bpel_artn_result_free(artn_result *r)
{
    free(r->u_saddle);
    free(r->u_final);
    free(r->eigvec);
    r->u_saddle = r->u_final = r->eigvec = NULL;
}

/* ---- small vector helpers ------------------------------------------------ */

static double dot(size_t n, const double *a, const double *b)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

static double maxabs(size_t n, const double *a)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs(a[i]));
    return m;
}

static void normalise(size_t n, double *a)
{
    double s = sqrt(dot(n, a, a));
    if (s > 0)
        for (size_t i = 0; i < n; i++) a[i] /= s;
}

/* Largest per-atom displacement norm of a vector of atom triples. */
static double max_atom_disp(size_t n, const double *u)
{
    double m = 0;
    for (size_t i = 0; i + 2 < n; i += 3) m = fmax(m, u[i] * u[i] + u[i + 1] * u[i + 1] + u[i + 2] * u[i + 2]);
    return sqrt(m);
}

/* ---- the search state ---------------------------------------------------- */

#define LBFGS_M 8
enum { V_U, V_F, V_EIG, V_PUSH, V_VEL, V_TMP, V_TMP2, V_XOLD, V_GOLD, V_DIR, V_LS, V_LY = V_LS + LBFGS_M,
       NVEC = V_LY + LBFGS_M };

typedef struct search {
    artn_model *m;
    const artn_params *p;
    size_t n;          /* current ndof */
    double *v[NVEC];   /* each ndof_max long */
    double energy;
    long calls;
    int over_budget;   /* max_calls reached in the push or the climb */
    gsl_rng *rng;
    /* L-BFGS state: pairs (s, y) in V_LS.., V_LY.. (ring), count and next slot */
    int lb_count, lb_next, lb_have_old;
    double lb_rho[LBFGS_M];
} search;

static int evaluate(search *s)
{
    s->calls++;
    return s->m->eval(s->m->ctx, s->v[V_U], &s->energy, s->v[V_F]);
}

/* 1 once push and climb have spent their force-call budget. */
static int spent(search *s)
{
    if (s->p->method == ARTN_METHOD_ARTN && s->p->max_calls > 0 && s->calls >= s->p->max_calls) s->over_budget = 1;
    return s->over_budget;
}

/* Counting wrapper handed to Lanczos. */
typedef struct {
    search *s;
} lz_ctx;
static int lz_eval(void *ctx, const double *x, double *e, double *f)
{
    search *s = ((lz_ctx *)ctx)->s;
    return s->m->eval(s->m->ctx, x, e, f);
}

/* The rigid translations, when the model has them, as deflation vectors. */
static int translations(search *s, const double *defl[4], double *store)
{
    if (!s->m->translational || !s->m->translational(s->m->ctx) || s->n < 6) return 0;
    double a = 1.0 / sqrt((double)(s->n / 3));
    for (int d = 0; d < 3; d++) {
        double *t = store + (size_t)d * s->n;
        for (size_t i = 0; i < s->n; i++) t[i] = (i % 3 == (size_t)d) ? a : 0.0;
        defl[d] = t;
    }
    return 3;
}

static int lowest_mode(search *s, const lanczos_params *lp, const double *start, double *lam)
{
    lz_ctx c = {s};
    lanczos_result r;
    const double *defl[4];
    double *store = bpel_malloc(3 * s->n * sizeof(double));
    if (!store) return BPEL_ENOMEM;
    int nd = translations(s, defl, store);
    int rc = bpel_lanczos_lowest(s->n, lz_eval, &c, s->v[V_U], s->v[V_F], start, nd, defl, lp, s->v[V_EIG], &r);
    free(store);
    s->calls += r.force_calls;
    *lam = r.eigval;
    return rc;
}

/* Let the model grow after an accepted step; new entries of every vector
 * are zero, and forces are re-evaluated when it did. */
static int maybe_grow(search *s, double near)
{
    if (!s->m->grow) return 0;
    /* only near convergence: far from it the watched forces say little */
    if (maxabs(s->n, s->v[V_F]) > near * s->p->ftol) return 0;
    long nn = s->m->grow(s->m->ctx, s->v[V_U], s->n);
    if (nn < 0) return (int)nn;
    if ((size_t)nn > s->n) {
        if ((size_t)nn > s->m->ndof_max) return bpel_fail(BPEL_EINVAL, "artn: model grew beyond ndof_max");
        for (int k = 0; k < NVEC; k++) memset(s->v[k] + s->n, 0, (nn - s->n) * sizeof(double));
        s->n = (size_t)nn;
        s->m->ndof = s->n;
        return evaluate(s);
    }
    return 0;
}

/* Force with the component along unit vector d removed, into out. */
static void perp(size_t n, const double *f, const double *d, double *out)
{
    double c = dot(n, f, d);
    for (size_t i = 0; i < n; i++) out[i] = f[i] - c * d[i];
}

/* ---- L-BFGS ----------------------------------------------------------------
 * Minimises a landscape whose negative gradient is the "force" g handed in
 * (the true force for relaxations, the force with its component along the
 * lowest eigenvector reversed for the climb). No line search: the step is
 * capped in its largest per-atom displacement, and the memory is dropped
 * when a pair violates the curvature condition or the step is not a
 * descent direction. */

static void lbfgs_reset(search *s)
{
    s->lb_count = s->lb_next = s->lb_have_old = 0;
}

/* Step from the current position V_U with force-like g into V_DIR. */
static void lbfgs_step(search *s, const double *g, double first_scale, double maxstep)
{
    size_t n = s->n;
    double *x = s->v[V_U], *d = s->v[V_DIR], *xo = s->v[V_XOLD], *go = s->v[V_GOLD];
    if (s->lb_have_old) {
        double *sk = s->v[V_LS + s->lb_next], *yk = s->v[V_LY + s->lb_next];
        for (size_t i = 0; i < n; i++) {
            sk[i] = x[i] - xo[i];
            yk[i] = go[i] - g[i]; /* gradient difference = −(force difference) */
        }
        double sy = dot(n, sk, yk);
        if (sy > 1e-12 * sqrt(dot(n, sk, sk) * dot(n, yk, yk)) && sy > 0) {
            s->lb_rho[s->lb_next] = 1.0 / sy;
            s->lb_next = (s->lb_next + 1) % LBFGS_M;
            if (s->lb_count < LBFGS_M) s->lb_count++;
        } else {
            s->lb_count = 0;
        }
    }
    /* two-loop recursion on q = g (descent direction comes out directly) */
    double a[LBFGS_M];
    memcpy(d, g, n * sizeof(double));
    for (int k = 0; k < s->lb_count; k++) {
        int j = (s->lb_next - 1 - k + 2 * LBFGS_M) % LBFGS_M;
        a[j] = s->lb_rho[j] * dot(n, s->v[V_LS + j], d);
        for (size_t i = 0; i < n; i++) d[i] -= a[j] * s->v[V_LY + j][i];
    }
    double gamma = first_scale;
    if (s->lb_count > 0) {
        int j = (s->lb_next - 1 + LBFGS_M) % LBFGS_M;
        gamma = 1.0 / (s->lb_rho[j] * dot(n, s->v[V_LY + j], s->v[V_LY + j]));
    }
    for (size_t i = 0; i < n; i++) d[i] *= gamma;
    for (int k = s->lb_count - 1; k >= 0; k--) {
        int j = (s->lb_next - 1 - k + 2 * LBFGS_M) % LBFGS_M;
        double b = s->lb_rho[j] * dot(n, s->v[V_LY + j], d);
        for (size_t i = 0; i < n; i++) d[i] += (a[j] - b) * s->v[V_LS + j][i];
    }
    if (dot(n, d, g) <= 0) { /* not downhill: forget and take a plain step */
        s->lb_count = 0;
        for (size_t i = 0; i < n; i++) d[i] = first_scale * g[i];
    }
    double big = max_atom_disp(n, d);
    if (n < 3) big = maxabs(n, d);
    if (big > maxstep)
        for (size_t i = 0; i < n; i++) d[i] *= maxstep / big;
    memcpy(xo, x, n * sizeof(double));
    memcpy(go, g, n * sizeof(double));
    s->lb_have_old = 1;
}

/* ---- relaxation ----------------------------------------------------------- */

static int relax(search *s, double ftol, int maxit)
{
    lbfgs_reset(s);
    int rc = evaluate(s);
    if (rc) return rc;
    double e_prev = s->energy;
    for (int it = 0; it < maxit; it++) {
        if (maxabs(s->n, s->v[V_F]) < ftol) return BPEL_OK;
        lbfgs_step(s, s->v[V_F], s->p->lbfgs_scale, s->p->relax_step);
        for (size_t i = 0; i < s->n; i++) s->v[V_U][i] += s->v[V_DIR][i];
        if ((rc = evaluate(s))) return rc;
        if (s->energy > e_prev + 1e-6) { /* overshoot: back off half way, drop the memory */
            for (size_t i = 0; i < s->n; i++) s->v[V_U][i] -= 0.5 * s->v[V_DIR][i];
            lbfgs_reset(s);
            if ((rc = evaluate(s))) return rc;
        }
        e_prev = s->energy;
        size_t n_old = s->n;
        if ((rc = maybe_grow(s, s->p->grow_near))) return rc;
        if (s->n != n_old) lbfgs_reset(s);
    }
    return maxabs(s->n, s->v[V_F]) < ftol ? BPEL_OK : BPEL_ECONV;
}

static int search_init(search *s, artn_model *m, const artn_params *p, unsigned long seed)
{
    memset(s, 0, sizeof *s);
    s->m = m;
    s->p = p;
    s->n = m->ndof;
    for (int k = 0; k < NVEC; k++) {
        s->v[k] = bpel_calloc(m->ndof_max, sizeof(double));
        if (!s->v[k]) return BPEL_ENOMEM;
    }
    s->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!s->rng) return bpel_fail(BPEL_ENOMEM, "artn: cannot allocate a random number generator");
    gsl_rng_set(s->rng, seed);
    return BPEL_OK;
}

static void search_free(search *s)
{
    for (int k = 0; k < NVEC; k++) free(s->v[k]);
    if (s->rng) gsl_rng_free(s->rng);
}

int bpel_artn_relax(artn_model *m, double *u, const artn_params *p, double *energy, double *fmax, long *calls)
{
    search s;
    int rc = search_init(&s, m, p, 1);
    if (rc) {
        search_free(&s);
        return rc;
    }
    memcpy(s.v[V_U], u, m->ndof * sizeof(double));
    rc = relax(&s, p->relax_ftol, p->max_relax);
    memcpy(u, s.v[V_U], s.n * sizeof(double));
    *energy = s.energy;
    *fmax = maxabs(s.n, s.v[V_F]);
    *calls = s.calls;
    search_free(&s);
    return rc;
}

/* ---- ARTn phases ------------------------------------------------------------ */

/* A few L-BFGS steps on the force perpendicular to the unit vector d. */
static int perp_relax(search *s, const double *d, int nsteps)
{
    double *g = s->v[V_TMP];
    int rc;
    for (int j = 0; j < nsteps; j++) {
        perp(s->n, s->v[V_F], d, g);
        if (maxabs(s->n, g) < s->p->ftol) break;
        lbfgs_step(s, g, s->p->lbfgs_scale, s->p->perp_step);
        double c = dot(s->n, s->v[V_DIR], d); /* keep the step perpendicular */
        for (size_t i = 0; i < s->n; i++) s->v[V_U][i] += s->v[V_DIR][i] - c * d[i];
        if ((rc = evaluate(s))) return rc;
    }
    s->lb_have_old = 0;
    return BPEL_OK;
}

/* Push along the kick direction until λ_min < threshold. Returns 1 when out
 * of the basin (lowest eigenvector in V_EIG), 0 when not, <0 on error. */
static int push_phase(search *s, artn_result *r)
{
    const artn_params *p = s->p;
    double *push = s->v[V_PUSH];
    int have_vec = 0, rc, last_lz = -1000;
    double lam = INFINITY, kappa = INFINITY;
    lbfgs_reset(s);
    for (int k = 0; k < p->max_push && !spent(s); k++) {
        r->push_steps = k + 1;
        /* The lowest eigenvalue costs a Lanczos run: take it when the
         * curvature along the push (free, from the change of the force along
         * it over the last push step; λ_min ≤ κ) is low, or every
         * push_lanczos_every steps, or while λ_min was already low. */
        int want = k > 0 && (kappa < p->push_lanczos_kappa || k - last_lz >= p->push_lanczos_every ||
                             lam < p->push_lanczos_kappa);
        if (want) {
            if ((rc = lowest_mode(s, &p->lanczos, have_vec ? NULL : push, &lam))) return rc;
            have_vec = 1;
            last_lz = k;
            if (p->verbose)
                fprintf(stderr, "push %3d dE %.5f lam %8.4f kappa %8.4f fmax %.4f |u| %.3f ndof %zu calls %ld\n", k,
                        s->energy - r->e_initial, lam, kappa, maxabs(s->n, s->v[V_F]),
                        sqrt(dot(s->n, s->v[V_U], s->v[V_U])), s->n, s->calls);
            if (lam < p->eigval_threshold) return 1;
        }
        if (have_vec && lam < p->push_follow_below && p->push_follow) { /* negative curvature: push along it, away from the minimum */
            double c = dot(s->n, s->v[V_EIG], s->v[V_U]);
            for (size_t i = 0; i < s->n; i++) push[i] = (c >= 0 ? 1.0 : -1.0) * s->v[V_EIG][i];
        } else if (p->push_from_min) { /* along the displacement from the minimum (ART) */
            memcpy(push, s->v[V_U], s->n * sizeof(double));
            normalise(s->n, push);
        }
        /* perpendicular relaxation (L-BFGS memory kept across push steps,
         * but no pair is formed across the push itself), then the push */
        if ((rc = perp_relax(s, push, p->perp_push))) return rc;
        double f_before = dot(s->n, s->v[V_F], push);
        for (size_t i = 0; i < s->n; i++) s->v[V_U][i] += p->push_step * push[i];
        if ((rc = evaluate(s))) return rc;
        double f_after = dot(s->n, s->v[V_F], push);
        kappa = -(f_after - f_before) / p->push_step;
        /* Past a ridge along the push (the energy now falls along it) without
         * the eigenvalue test having fired: climb from here if the curvature
         * is negative at all, before the push runs into the next basin. */
        if (p->ridge_exit && f_after > 0) {
            if ((rc = lowest_mode(s, &p->lanczos, have_vec ? NULL : push, &lam))) return rc;
            have_vec = 1;
            last_lz = k;
            if (p->verbose)
                fprintf(stderr, "push %3d ridge: lam %8.4f dE %.5f calls %ld\n", k, lam, s->energy - r->e_initial,
                        s->calls);
            if (lam < 0) return 1;
        }
        size_t n_old = s->n;
        if ((rc = maybe_grow(s, p->grow_near))) return rc;
        if (s->n != n_old) kappa = -INFINITY; /* the landscape changed: look again */
    }
    return 0;
}

/* Largest component of the force perpendicular to the unit vector d. */
static double perp_fmax(const search *s, const double *d)
{
    double c = dot(s->n, s->v[V_F], d), m = 0;
    for (size_t i = 0; i < s->n; i++) m = fmax(m, fabs(s->v[V_F][i] - c * d[i]));
    return m;
}

/* Climb along the lowest eigenvector to the saddle. Returns the status. */
static int climb_phase(search *s, artn_result *r, int have_mode, double ftol, int max_lost, int *status)
{
    const artn_params *p = s->p;
    double *eig = s->v[V_EIG], *g = s->v[V_TMP];
    int lost = 0, rc, convex = 0, lz_age = 0;
    double lam = 0;
    lbfgs_reset(s);
    for (int k = 0; k < p->max_climb; k++) {
        if (spent(s)) {
            *status = ARTN_OVER_BUDGET;
            return 0;
        }
        r->climb_steps = k + 1;
        /* The eigenvector is refreshed every step, or every other step while
         * the curvature is well below the threshold (it then turns slowly). */
        if (k == 0 && have_mode) {
            lam = p->eigval_threshold - 1e-9; /* just measured by the push */
            lz_age = 0;
        } else if (!((lam < p->climb_lanczos_below * p->eigval_threshold ||
                      (lam < 0 && p->climb_lanczos_fperp > 0 && perp_fmax(s, eig) > p->climb_lanczos_fperp)) &&
                     lz_age < p->climb_lanczos_every - 1)) {
            if ((rc = lowest_mode(s, &p->lanczos, NULL, &lam))) return rc;
            lz_age = 0;
        } else {
            lz_age++;
        }
        if (lam > p->lost_eigval) {
            if (++lost > max_lost) {
                *status = ARTN_LOST_CURVATURE;
                return 0;
            }
        } else {
            lost = 0;
        }
        double fpar = dot(s->n, s->v[V_F], eig);
        if (p->verbose)
            fprintf(stderr, "climb %3d dE %.5f lam %8.4f fpar %8.4f fmax %.4f ndof %zu calls %ld\n", k,
                    s->energy - r->e_initial, lam, fpar, maxabs(s->n, s->v[V_F]), s->n, s->calls);
        if (lam < 0) { /* L-BFGS on the effective force: the component along v reversed */
            if (convex) lbfgs_reset(s);
            convex = 0;
            if (p->climb_newton) {
                /* Newton along v (exact on a parabola), L-BFGS perpendicular to it */
                double sp = fpar / lam;
                if (sp > p->climb_step) sp = p->climb_step;
                if (sp < -p->climb_step) sp = -p->climb_step;
                perp(s->n, s->v[V_F], eig, g);
                lbfgs_step(s, g, s->p->lbfgs_scale, p->climb_step);
                double c = dot(s->n, s->v[V_DIR], eig);
                for (size_t i = 0; i < s->n; i++) s->v[V_U][i] += s->v[V_DIR][i] - c * eig[i] + sp * eig[i];
            } else {
                for (size_t i = 0; i < s->n; i++) g[i] = s->v[V_F][i] - 2 * fpar * eig[i];
                lbfgs_step(s, g, s->p->lbfgs_scale, p->climb_step);
                for (size_t i = 0; i < s->n; i++) s->v[V_U][i] += s->v[V_DIR][i];
            }
        } else { /* convex again: push on away from the minimum, relax perpendicular to that */
            convex = 1;
            r->convex_steps++;
            lbfgs_reset(s);
            double *push = s->v[V_PUSH];
            if (p->climb_convex_follow) { /* uphill along the lowest mode instead of away from the minimum */
                double sg = fpar > 0 ? -1.0 : fpar < 0 ? 1.0 : (dot(s->n, eig, s->v[V_U]) >= 0 ? 1.0 : -1.0);
                for (size_t i = 0; i < s->n; i++) push[i] = sg * eig[i];
            } else {
                memcpy(push, s->v[V_U], s->n * sizeof(double));
            }
            normalise(s->n, push);
            if ((rc = perp_relax(s, push, p->perp_push))) return rc;
            for (size_t i = 0; i < s->n; i++) s->v[V_U][i] += p->push_step * push[i];
            if ((rc = evaluate(s))) return rc;
            lbfgs_reset(s);
            continue;
        }
        if ((rc = evaluate(s))) return rc;
        if (p->below_abort && s->energy < r->e_initial) { /* in another basin's reach: no saddle above the minimum */
            *status = ARTN_NOT_ABOVE;
            return 0;
        }
        size_t n_old = s->n;
        if ((rc = maybe_grow(s, p->climb_grow_near))) return rc;
        if (s->n != n_old) s->lb_have_old = 0; /* memory kept: new coordinates enter with zeros */
        if (maxabs(s->n, s->v[V_F]) < ftol && (!p->saddle_norm || sqrt(dot(s->n, s->v[V_F], s->v[V_F])) < ftol)) {
            *status = ARTN_ACCEPTED;
            return 0;
        }
    }
    *status = ARTN_NO_CONVERGE;
    return 0;
}

/* Slowest ascent (Bonfanti & Kob): from the current point a, the next point
 * is the lowest-energy point on the hypersphere of radius δ around a in the
 * forward half-space, found by a few projected-gradient rotations; stop
 * once the energy goes down (the path has crossed the ridge), leaving the
 * highest point in V_U. Returns 1 when past a maximum, 0 when not. */
static int ascent_phase(search *s, artn_result *r)
{
    const artn_params *p = s->p;
    size_t n;
    double *dir = s->v[V_PUSH], *a = s->v[V_TMP], *g = s->v[V_TMP2];
    double *best = s->v[V_VEL];
    int rc;
    /* The slowest ascent out of a minimum leaves along its softest mode:
     * start along the lowest eigenvector, on the side the kick points to. */
    if (p->ascent_softest) {
        double lam;
        int rc0 = lowest_mode(s, &p->lanczos_check, dir, &lam);
        if (rc0) return rc0;
        double c = dot(s->n, s->v[V_EIG], dir);
        for (size_t i = 0; i < s->n; i++) dir[i] = (c >= 0 ? 1.0 : -1.0) * s->v[V_EIG][i];
    }
    memcpy(a, s->v[V_U], s->n * sizeof(double));
    for (int k = 0; k < p->max_ascent; k++) {
        r->push_steps = k + 1;
        n = s->n;
        /* trial direction: previous direction plus weak noise */
        for (size_t i = 0; i < n; i++) best[i] = dir[i] + (p->ascent_noise / p->ascent_step) * gsl_ran_gaussian_ziggurat(s->rng, 1.0);
        normalise(n, best);
        double e_b = 0;
        /* minimise E(a + δ d) over unit d in the forward half-space: line
         * searches along great circles towards the tangential force, each a
         * parabola through E(0), its slope and one trial angle */
        double *trial = s->v[V_DIR], *gt_dir = s->v[V_XOLD];
        for (size_t i = 0; i < n; i++) s->v[V_U][i] = a[i] + p->ascent_step * best[i];
        if ((rc = evaluate(s))) return rc;
        e_b = s->energy;
        double th1 = 0.1;
        for (int it = 0; it < 4; it++) {
            perp(n, s->v[V_F], best, g);
            double gt = sqrt(dot(n, g, g));
            double G = p->ascent_step * gt; /* −dE/dθ at θ = 0 */
            if (gt <= 0 || G < 1e-3 * fmax(p->ftol, 1e-6) * p->ascent_step) break;
            for (size_t i = 0; i < n; i++) gt_dir[i] = g[i] / gt;
            for (size_t i = 0; i < n; i++) trial[i] = cos(th1) * best[i] + sin(th1) * gt_dir[i];
            for (size_t i = 0; i < n; i++) s->v[V_U][i] = a[i] + p->ascent_step * trial[i];
            if ((rc = evaluate(s))) return rc;
            double e1 = s->energy;
            double C = 2 * (e1 - e_b + G * th1) / (th1 * th1);
            double th = C > 0 ? G / C : 2 * th1;
            if (th > 1.0) th = 1.0;
            if (fabs(th - th1) < 0.1 * th1 && e1 < e_b) { /* the trial is good enough */
                memcpy(best, trial, n * sizeof(double));
                e_b = e1;
                th1 = fmax(th, 1e-3);
                continue;
            }
            for (size_t i = 0; i < n; i++) best[i] = cos(th) * best[i] + sin(th) * gt_dir[i];
            normalise(n, best);
            double c = dot(n, best, dir);
            if (c < 0) { /* stay in the forward half-space */
                for (size_t i = 0; i < n; i++) best[i] -= c * dir[i];
                normalise(n, best);
            }
            for (size_t i = 0; i < n; i++) s->v[V_U][i] = a[i] + p->ascent_step * best[i];
            if ((rc = evaluate(s))) return rc;
            e_b = s->energy;
            th1 = fmin(fmax(th, 1e-3), 0.5);
            if (th < 0.01) break;
        }
        /* Past the ridge once the force at the new point pushes forward:
         * on the way up it points back along the path. (The energy itself is
         * a poor test: a point a little off the valley floor has lower points
         * on its sphere.) */
        double fd = dot(n, s->v[V_F], best);
        if (p->verbose)
            fprintf(stderr, "ascent %3d dE %.5f f.d %8.4f fmax %.4f calls %ld\n", k, e_b - r->e_initial, fd,
                    maxabs(n, s->v[V_F]), s->calls);
        if (fd > 0) {
            memcpy(s->v[V_EIG], best, n * sizeof(double));
            return 1;
        }
        memcpy(dir, best, n * sizeof(double));
        memcpy(a, s->v[V_U], n * sizeof(double));
        size_t n_old = s->n;
        if ((rc = maybe_grow(s, p->grow_near))) return rc;
        if (s->n > n_old) memcpy(a, s->v[V_U], s->n * sizeof(double));
    }
    return 0;
}

/* ---- checks and the whole search ------------------------------------------ */

/* Relax from the saddle displaced by `sign`·push_over along the eigenvector;
 * result left in V_U. */
static int relax_side(search *s, const double *u_saddle, const double *eig, double sign, double e_initial,
                      double *energy)
{
    const artn_params *p = s->p;
    /* sign carries the push-over distance in units of push_over */
    for (size_t i = 0; i < s->n; i++) s->v[V_U][i] = u_saddle[i] + sign * p->push_over * eig[i];
    int rc = relax(s, p->relax_ftol, p->max_relax);
    /* Soft modes of a glass (λ ~ 0.01 eV/Å²) leave a relaxation stopped at
     * relax_ftol up to ~F/λ away from its minimum: near the initial minimum
     * (in energy and distance), relax on to a 20 times tighter tolerance
     * before the distance decides whether it came back. */
    if ((rc == BPEL_OK || rc == BPEL_ECONV) && fabs(s->energy - e_initial) < 0.05 &&
        max_atom_disp(s->n, s->v[V_U]) < 5 * p->same_min)
        rc = relax(s, p->relax_ftol / 20, p->max_relax);
    *energy = s->energy;
    return rc == BPEL_ECONV ? BPEL_OK : rc; /* an unconverged relaxation is judged by where it ended */
}

int bpel_artn_search(artn_model *m, const double *kick, unsigned long seed, const artn_params *p, artn_result *r)
{
    memset(r, 0, sizeof *r);
    r->e_final = NAN;
    r->connected = -1;
    r->status = ARTN_FAILED;
    if (m->ndof < 1 || m->ndof > m->ndof_max) return bpel_fail(BPEL_EINVAL, "artn: bad model size %zu", m->ndof);
    long c_push = 0, c_climb = 0; /* force calls at the end of the push and of the first climb */
    search s;
    int rc = search_init(&s, m, p, seed);
    if (rc) goto out;

    /* the initial minimum */
    if ((rc = evaluate(&s))) goto out;
    r->e_initial = s.energy;

    memcpy(s.v[V_PUSH], kick, s.n * sizeof(double));
    normalise(s.n, s.v[V_PUSH]);
    if (p->method != ARTN_METHOD_LOWEST) { /* the slowest ascent starts at the minimum itself */
        memcpy(s.v[V_U], kick, s.n * sizeof(double));
        if ((rc = evaluate(&s))) goto out;
    }

    int out_of_basin, status = ARTN_NO_CONVERGE;
    if (p->method == ARTN_METHOD_LOWEST) {
        out_of_basin = ascent_phase(&s, r);
        if (out_of_basin < 0) { rc = out_of_basin; goto out; }
        /* the ascent stops just past the ridge, often where the curvature is
         * still positive: its climb pushes on through that (ascent_max_lost) */
        if (out_of_basin && (rc = climb_phase(&s, r, 0, p->ftol, p->ascent_max_lost, &status))) goto out;
    } else {
        out_of_basin = push_phase(&s, r);
        c_push = s.calls;
        if (out_of_basin < 0) { rc = out_of_basin; goto out; }
        if (out_of_basin && (rc = climb_phase(&s, r, 1, p->ftol, p->max_lost, &status))) goto out;
        c_climb = s.calls;
    }
    /* index of the stationary point: λ1 < 0 and λ2 (deflated) >= second_min;
     * next to a second-order saddle, slide off along its second mode and
     * climb again (at most max_refine times) */
    double lam1 = 0, lam2 = 0;
    for (int attempt = 0; out_of_basin && status == ARTN_ACCEPTED; attempt++) {
        size_t n = s.n;
        if ((rc = lowest_mode(&s, &p->lanczos_check, NULL, &lam1))) goto out;
        double *start = s.v[V_TMP], *v2 = s.v[V_TMP2];
        for (size_t i = 0; i < n; i++) start[i] = gsl_ran_gaussian_ziggurat(s.rng, 1.0);
        const double *defl[4];
        double *store = bpel_malloc(3 * n * sizeof(double));
        if (!store) { rc = BPEL_ENOMEM; goto out; }
        int nd = translations(&s, defl, store);
        defl[nd] = s.v[V_EIG];
        lz_ctx c = {&s};
        lanczos_result lr;
        rc = bpel_lanczos_lowest(n, lz_eval, &c, s.v[V_U], s.v[V_F], start, nd + 1, defl, &p->lanczos_check, v2, &lr);
        free(store);
        s.calls += lr.force_calls;
        if (rc) goto out;
        lam2 = lr.eigval;
        if (!(lam1 < 0 && lam2 < p->second_min) || attempt >= p->max_refine) break;
        /* far enough that the force along the second mode exceeds ftol */
        double f2 = dot(n, s.v[V_F], v2), sg = f2 >= 0 ? 1.0 : -1.0;
        double d = fmin(p->refine_step, fmax(0.15, 3 * p->ftol / fabs(lam2)));
        for (size_t i = 0; i < n; i++) s.v[V_U][i] += sg * d * v2[i];
        if ((rc = evaluate(&s))) goto out;
        /* a tighter tolerance, so the climb goes on down the second mode
         * until its curvature turns positive */
        if ((rc = climb_phase(&s, r, 0, p->ftol * p->refine_ftol, p->max_lost, &status))) goto out;
    }
    size_t n = s.n;
    r->ndof = n;
    r->u_saddle = bpel_malloc(n * sizeof(double));
    r->eigvec = bpel_malloc(n * sizeof(double));
    if (!r->u_saddle || !r->eigvec) { rc = BPEL_ENOMEM; goto out; }
    memcpy(r->u_saddle, s.v[V_U], n * sizeof(double));
    memcpy(r->eigvec, s.v[V_EIG], n * sizeof(double));
    r->e_saddle = s.energy;
    r->dq = r->e_saddle - r->e_initial;
    r->fmax = maxabs(n, s.v[V_F]);
    if (!out_of_basin) {
        r->status = s.over_budget ? ARTN_OVER_BUDGET : ARTN_NO_EXIT;
        r->calls_saddle = r->calls_total = s.calls;
        goto out;
    }
    if (status != ARTN_ACCEPTED) {
        r->status = status;
        r->calls_saddle = r->calls_total = s.calls;
        goto out;
    }
    r->eigval1 = lam1;
    r->eigval2 = lam2;
    r->calls_saddle = r->calls_total = s.calls;
    if (!(lam1 < 0)) r->status = ARTN_LOST_CURVATURE;
    else if (lam2 < p->second_min) r->status = ARTN_MULTI_NEGATIVE;
    else if (r->dq < p->dq_min) r->status = ARTN_NOT_ABOVE;
    else if (max_atom_disp(n, r->u_saddle) < p->dmin) r->status = ARTN_SAME_MINIMUM;
    else r->status = ARTN_ACCEPTED;
    if (r->status != ARTN_ACCEPTED || !p->check_connect) goto out;

    /* both sides: the one against the displacement should come back */
    double sign = dot(n, r->u_saddle, r->eigvec) > 0 ? -1.0 : 1.0;
    double e_back, e_fwd;
    if ((rc = relax_side(&s, r->u_saddle, r->eigvec, sign, r->e_initial, &e_back))) goto out;
    n = s.n; /* relaxations may grow the model: the saddle vectors get zero tails */
    double d_back = max_atom_disp(n, s.v[V_U]);
    double *u_back = bpel_malloc(n * sizeof(double));
    if (!u_back) { rc = BPEL_ENOMEM; goto out; }
    memcpy(u_back, s.v[V_U], n * sizeof(double));
    double *us = bpel_realloc(r->u_saddle, s.m->ndof_max * sizeof(double));
    double *ev = bpel_realloc(r->eigvec, s.m->ndof_max * sizeof(double));
    if (!us || !ev) { free(u_back); rc = BPEL_ENOMEM; goto out; }
    r->u_saddle = us;
    r->eigvec = ev;
    memset(us + r->ndof, 0, (s.m->ndof_max - r->ndof) * sizeof(double));
    memset(ev + r->ndof, 0, (s.m->ndof_max - r->ndof) * sizeof(double));
    r->ndof = n;
    if ((rc = relax_side(&s, r->u_saddle, r->eigvec, -sign, r->e_initial, &e_fwd))) { free(u_back); goto out; }
    if (s.n > n) { /* grew again: extend the back-side vector too */
        double *ub = bpel_realloc(u_back, s.n * sizeof(double));
        if (!ub) { free(u_back); rc = BPEL_ENOMEM; goto out; }
        u_back = ub;
        memset(u_back + n, 0, (s.n - n) * sizeof(double));
        memset(us + n, 0, (s.n - n) * sizeof(double));
        memset(ev + n, 0, (s.n - n) * sizeof(double));
        n = r->ndof = s.n;
    }
    double d_fwd = max_atom_disp(n, s.v[V_U]);
    r->calls_total = s.calls;
    r->u_final = bpel_malloc(n * sizeof(double));
    if (!r->u_final) { free(u_back); rc = BPEL_ENOMEM; goto out; }
    int back_ok = d_back < p->same_min, fwd_ok = d_fwd < p->same_min;
    if (p->verbose)
        fprintf(stderr, "connect: back %.4f Å %.6f eV, forward %.4f Å %.6f eV (initial %.6f)\n", d_back, e_back, d_fwd,
                e_fwd, r->e_initial);
    /* Both sides came back: with every atom free a saddle converged to ftol is
     * located along v only to ~ftol/|λ1| (0.1–0.2 Å), as far as the push-over
     * itself. Push over 3 times farther, on the forward side and then on the
     * other, before calling both sides the initial minimum. */
    for (int k = 0; k < 2 && back_ok && fwd_ok && !s.m->grow; k++) { /* (a growing model keeps its first answer) */
        double sg = (k == 0 ? -sign : sign) * 3.0;
        if ((rc = relax_side(&s, r->u_saddle, r->eigvec, sg, r->e_initial, &e_fwd))) { free(u_back); goto out; }
        d_fwd = max_atom_disp(n, s.v[V_U]);
        fwd_ok = d_fwd < p->same_min;
        if (p->verbose)
            fprintf(stderr, "connect: %s again, 3 times farther: %.4f Å %.6f eV\n", k == 0 ? "forward" : "back", d_fwd,
                    e_fwd);
    }
    r->calls_total = s.calls;
    if (back_ok && !fwd_ok) {
        memcpy(r->u_final, s.v[V_U], n * sizeof(double));
        r->e_final = e_fwd;
    } else if (fwd_ok && !back_ok) { /* the eigenvector pointed the other way */
        memcpy(r->u_final, u_back, n * sizeof(double));
        r->e_final = e_back;
    } else if (back_ok && fwd_ok) {
        /* a validated saddle both of whose sides relax to the initial minimum:
         * kept (connected), with the initial minimum as its final one */
        memcpy(r->u_final, s.v[V_U], n * sizeof(double));
        r->e_final = e_fwd;
    } else {
        memcpy(r->u_final, s.v[V_U], n * sizeof(double));
        r->e_final = e_fwd;
        if (p->require_connect) r->status = ARTN_DISCONNECTED;
    }
    r->connected = back_ok || fwd_ok;
    free(u_back);
out:
    if (rc) r->status = ARTN_FAILED;
    r->calls_total = r->calls_total > s.calls ? r->calls_total : s.calls;
    if (!r->calls_saddle) r->calls_saddle = s.calls;
    if (p->verbose && p->method != ARTN_METHOD_LOWEST && c_climb > 0)
        fprintf(stderr, "calls: push %ld climb %ld checks %ld relax %ld (%s)\n", c_push, c_climb - c_push,
                r->calls_saddle - c_climb, r->calls_total - r->calls_saddle, bpel_artn_status_name(r->status));
    search_free(&s);
    return rc;
}
