/* minimise.c — conjugate gradient and FIRE minimisation (see minimise.h).
 *
 * CG: Polak–Ribière (β = max(0, F·(F − F_old)/F_old·F_old)), restarts along
 * the force when the direction stops descending. The line search works on
 * the directional derivative φ'(α) = −F(x + αd)·d alone: it brackets a sign
 * change of φ' (expanding the step) and closes in on it by safeguarded
 * secant (Illinois regula falsi) until |φ'(α)| ≤ 0.1|φ'(0)|. Near a tight
 * minimum energy differences drown in round-off (|ΔE| ~ 1e-12 |E| at
 * max|F| ~ 1e-6 eV/Å) while forces stay accurate, which is why a
 * backtracking search on E stalls there and this one does not. No atom moves
 * more than 0.2 Å in one line search.
 *
 * FIRE (Bitzek et al., PRL 97, 170201 (2006)): MD with the real masses,
 * velocity mixed towards the force, adaptive time step (Δt₀ = 2 fs,
 * Δt_max = 20 fs, N_min = 5, f_inc = 1.1, f_dec = 0.5, α₀ = 0.1,
 * f_α = 0.99), at most 0.1 Å per step.
 *
 * Box relaxation (isotropic, to a target pressure P_t): an outer loop on the
 * volume. At each volume the atoms are minimised at fixed box; the box is
 * then scaled by a Newton step on P(V) with the bulk modulus estimated from
 * the last two volumes (secant; 1 Mbar to start), until |P − P_t| ≤ 0.1 bar
 * at the force tolerance. The pressure is the virial pressure (no kinetic
 * term). */
#include "minimise.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "units.h"

#define MIN_MAX_MOVE 0.2       /* Å per line search */
#define MIN_PTOL 0.1           /* bar, box relaxation */

void bpel_min_defaults(min_params *p)
{
    memset(p, 0, sizeof *p);
    p->method = MIN_CG;
    p->ftol = 1e-8;
    p->etol = 0.0;
    p->max_iter = 200000;
    p->max_eval = 1000000;
    p->relax_box = 0;
    p->pressure = 0.0;
    p->verbose = 0;
}

typedef struct ctx {
    bpel_forces *e;
    bpel_system *s;
    const min_params *p;
    min_result *r;
    const double *f; /* forces of the last evaluation */
    double energy;
    double virial[6];
} ctx;

static int evaluate(ctx *c, int flags)
{
    bpel_eval ev;
    int rc = bpel_forces_compute(c->e, c->s, FORCES_ENERGY | flags, &ev);
    if (rc) return rc;
    c->r->evaluations++;
    c->f = ev.f;
    c->energy = ev.energy;
    if (flags & FORCES_VIRIAL) memcpy(c->virial, ev.virial, sizeof c->virial);
    if (!isfinite(ev.energy)) return bpel_fail(BPEL_EINVAL, "energy is not finite during minimisation");
    return BPEL_OK;
}

static double fmax_of(const double *f, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double a = f[3 * i] * f[3 * i] + f[3 * i + 1] * f[3 * i + 1] + f[3 * i + 2] * f[3 * i + 2];
        if (a > m) m = a;
    }
    return sqrt(m);
}

static double dot(const double *a, const double *b, size_t n3)
{
    double s = 0;
    for (size_t i = 0; i < n3; i++) s += a[i] * b[i];
    return s;
}

static void move(bpel_system *s, const double *d, double da)
{
    size_t n3 = 3 * s->n;
    for (size_t i = 0; i < n3; i++) s->x[i] += da * d[i];
}

/* Line search along d from the current positions (whose forces are in c->f,
 * energy c->energy). On return the positions are at the accepted step and
 * c->f holds their forces. Returns the step (0 if no progress). */
static int line_search(ctx *c, const double *d, double *alpha_io, double *step_out)
{
    bpel_system *s = c->s;
    size_t n3 = 3 * s->n;
    double g0 = -dot(c->f, d, n3); /* φ'(0) < 0 */
    double e0 = c->energy;
    double dmax = fmax_of(d, s->n);
    if (!(g0 < 0) || dmax == 0) {
        *step_out = 0;
        return BPEL_OK;
    }
    double amax = MIN_MAX_MOVE / dmax;
    double a = fmin(*alpha_io, amax);
    double alo = 0, glo = g0, ahi = -1, ghi = 0, acur = 0;
    int side = 0;
    for (int it = 0; it < 40; it++) {
        move(s, d, a - acur);
        acur = a;
        int rc = evaluate(c, 0);
        if (rc) return rc;
        double g = -dot(c->f, d, n3);
        /* An energy far above the start means we jumped over a barrier:
         * treat it as the far side of the bracket. */
        int uphill = c->energy > e0 + 1e-10 * fabs(e0) + 1e-10 && g < 0;
        if (fabs(g) <= 0.1 * fabs(g0) && !uphill) break;
        if (g < 0 && !uphill) {
            alo = a;
            glo = g;
            if (side == -1) ghi *= 0.5; /* Illinois */
            side = -1;
        } else {
            ahi = a;
            ghi = uphill ? fabs(g0) : g;
            if (side == 1) glo *= 0.5;
            side = 1;
        }
        double next;
        if (ahi < 0) {
            /* not bracketed yet: secant extrapolation, at most ×4 */
            double den = g0 - g;
            next = den > 0 ? a * g0 / den : 4 * a;
            if (!(next > 1.1 * a)) next = 1.1 * a;
            if (next > 4 * a) next = 4 * a;
            if (next > amax) {
                if (a >= amax) break; /* largest allowed step, still descending */
                next = amax;
            }
        } else {
            next = alo - glo * (ahi - alo) / (ghi - glo);
            if (!(next > alo && next < ahi)) next = 0.5 * (alo + ahi);
            if (ahi - alo <= 1e-14 * ahi) break;
        }
        a = next;
    }
    /* Never accept a step that raised the energy noticeably. */
    if (c->energy > e0 + 1e-10 * fabs(e0) + 1e-10) {
        if (alo > 0) {
            move(s, d, alo - acur);
            acur = alo;
            int rc = evaluate(c, 0);
            if (rc) return rc;
        } else {
            move(s, d, -acur);
            acur = 0;
            int rc = evaluate(c, 0);
            if (rc) return rc;
        }
    }
    *alpha_io = acur > 0 ? acur : *alpha_io * 0.1;
    *step_out = acur;
    return BPEL_OK;
}

static int run_cg(ctx *c)
{
    bpel_system *s = c->s;
    const min_params *p = c->p;
    min_result *r = c->r;
    size_t n3 = 3 * s->n;
    double *d = bpel_malloc(n3 * sizeof *d), *fold = bpel_malloc(n3 * sizeof *fold);
    if (!d || !fold) {
        free(d);
        free(fold);
        return BPEL_ENOMEM;
    }
    int rc = evaluate(c, 0);
    if (rc) goto out;
    memcpy(d, c->f, n3 * sizeof *d);
    double alpha = 1e-3; /* Å per (eV/Å), first trial step */
    double fmax0 = fmax_of(c->f, s->n);
    if (fmax0 > 0) alpha = 0.01 / fmax0;
    int stalls = 0;
    long since_restart = 0;
    for (;;) {
        r->fmax = fmax_of(c->f, s->n);
        r->energy = c->energy;
        if (r->fmax <= p->ftol) {
            r->converged = 1;
            snprintf(r->reason, sizeof r->reason, "max|F| = %.3g <= %.3g eV/A", r->fmax, p->ftol);
            break;
        }
        if (r->iterations >= p->max_iter || r->evaluations >= p->max_eval) {
            snprintf(r->reason, sizeof r->reason, "iteration limit reached at max|F| = %.3g eV/A", r->fmax);
            break;
        }
        if (p->verbose && r->iterations % 1000 == 0)
            fprintf(stderr, "cg %6ld  E = %.12f eV  max|F| = %.3e eV/A\n", r->iterations, c->energy, r->fmax);
        memcpy(fold, c->f, n3 * sizeof *fold);
        double eold = c->energy, step;
        rc = line_search(c, d, &alpha, &step);
        if (rc) goto out;
        r->iterations++;
        since_restart++;
        if (step == 0) {
            /* no progress along d: retry once along the force, then give up */
            if (++stalls >= 3) {
                r->fmax = fmax_of(c->f, s->n);
                snprintf(r->reason, sizeof r->reason, "line search made no progress at max|F| = %.3g eV/A", r->fmax);
                break;
            }
            memcpy(d, c->f, n3 * sizeof *d);
            since_restart = 0;
            continue;
        }
        stalls = 0;
        if (p->etol > 0 && fabs(c->energy - eold) <= p->etol * fabs(c->energy)) {
            r->fmax = fmax_of(c->f, s->n);
            r->energy = c->energy;
            r->converged = 1;
            snprintf(r->reason, sizeof r->reason, "relative energy change <= %.3g", p->etol);
            break;
        }
        double ff_old = dot(fold, fold, n3), num = 0;
        for (size_t i = 0; i < n3; i++) num += c->f[i] * (c->f[i] - fold[i]);
        double beta = ff_old > 0 ? fmax(0.0, num / ff_old) : 0.0;
        if ((size_t)since_restart >= n3) beta = 0, since_restart = 0;
        for (size_t i = 0; i < n3; i++) d[i] = c->f[i] + beta * d[i];
        if (dot(d, c->f, n3) <= 0) {
            memcpy(d, c->f, n3 * sizeof *d);
            since_restart = 0;
        }
    }
out:
    free(d);
    free(fold);
    return rc;
}

static int run_fire(ctx *c)
{
    bpel_system *s = c->s;
    const min_params *p = c->p;
    min_result *r = c->r;
    size_t n = s->n, n3 = 3 * n;
    double *v = bpel_calloc(n3, sizeof *v);
    if (!v) return BPEL_ENOMEM;
    const double dtmax = 0.02, finc = 1.1, fdec = 0.5, a0 = 0.1, fa = 0.99, maxmove = 0.1;
    const int nmin = 5;
    double dt = 0.002, a = a0;
    long npos = 0;
    int rc = evaluate(c, 0);
    while (!rc) {
        r->fmax = fmax_of(c->f, n);
        r->energy = c->energy;
        if (r->fmax <= p->ftol) {
            r->converged = 1;
            snprintf(r->reason, sizeof r->reason, "max|F| = %.3g <= %.3g eV/A", r->fmax, p->ftol);
            break;
        }
        if (r->iterations >= p->max_iter || r->evaluations >= p->max_eval) {
            snprintf(r->reason, sizeof r->reason, "iteration limit reached at max|F| = %.3g eV/A", r->fmax);
            break;
        }
        double pw = dot(c->f, v, n3);
        if (pw > 0) {
            double vn = sqrt(dot(v, v, n3)), fn = sqrt(dot(c->f, c->f, n3));
            for (size_t i = 0; i < n3; i++) v[i] = (1 - a) * v[i] + a * vn * c->f[i] / fn;
            if (++npos > nmin) {
                dt = fmin(dt * finc, dtmax);
                a *= fa;
            }
        } else {
            npos = 0;
            dt *= fdec;
            a = a0;
            memset(v, 0, n3 * sizeof *v);
        }
        /* semi-implicit Euler with the real masses */
        for (size_t i = 0; i < n; i++) {
            double im = dt * BPEL_FTM2V / system_mass(s, i);
            for (int k = 0; k < 3; k++) v[3 * i + k] += im * c->f[3 * i + k];
        }
        double vmax = fmax_of(v, n) * dt, scale = vmax > maxmove ? maxmove / vmax : 1.0;
        for (size_t i = 0; i < n3; i++) s->x[i] += scale * dt * v[i];
        r->iterations++;
        rc = evaluate(c, 0);
    }
    free(v);
    return rc;
}

static int relax_atoms(ctx *c) { return c->p->method == MIN_FIRE ? run_fire(c) : run_cg(c); }

static double virial_pressure(const ctx *c)
{
    return (c->virial[0] + c->virial[1] + c->virial[2]) / (3.0 * bpel_box_volume(&c->s->box)) * BPEL_NKTV2P;
}

int bpel_minimise(bpel_forces *e, bpel_system *s, const min_params *p, min_result *r)
{
    memset(r, 0, sizeof *r);
    if (!(p->ftol > 0) && !(p->etol > 0)) return bpel_fail(BPEL_EINVAL, "minimise: ftol or etol must be positive");
    ctx c = {.e = e, .s = s, .p = p, .r = r};
    int rc;
    if (!p->relax_box) {
        rc = relax_atoms(&c);
        if (rc) return rc;
        if ((rc = evaluate(&c, FORCES_VIRIAL))) return rc;
        r->pressure = virial_pressure(&c);
    } else {
        double kmod = 1e6; /* bar */
        double vprev = 0, pprev = 0;
        int outer;
        for (outer = 0; outer < 60; outer++) {
            min_result inner;
            memset(&inner, 0, sizeof inner);
            c.r = &inner;
            rc = relax_atoms(&c);
            if (!rc) rc = evaluate(&c, FORCES_VIRIAL);
            r->iterations += inner.iterations;
            r->evaluations += inner.evaluations;
            c.r = r;
            if (rc) return rc;
            *r = (min_result){.energy = inner.energy, .fmax = inner.fmax, .iterations = r->iterations,
                              .evaluations = r->evaluations, .converged = inner.converged};
            memcpy(r->reason, inner.reason, sizeof r->reason);
            double vol = bpel_box_volume(&s->box), pr = virial_pressure(&c);
            r->pressure = pr;
            if (!inner.converged) break;
            if (fabs(pr - p->pressure) <= MIN_PTOL) break;
            if (outer > 0 && vol != vprev) {
                double k = -vol * (pr - pprev) / (vol - vprev);
                if (k > 1e4 && k < 1e8) kmod = k;
            }
            vprev = vol;
            pprev = pr;
            /* Newton step on P(V): ΔV/V = (P − P_t)/K, at most 2 % */
            double dv = (pr - p->pressure) / kmod;
            if (dv > 0.02) dv = 0.02;
            if (dv < -0.02) dv = -0.02;
            bpel_system_scale(s, cbrt(1.0 + dv));
        }
        if (r->converged && fabs(r->pressure - p->pressure) > MIN_PTOL) {
            r->converged = 0;
            snprintf(r->reason, sizeof r->reason, "box relaxation stopped at P = %.3g bar (target %.3g)", r->pressure,
                     p->pressure);
        }
    }
    if (!r->converged)
        return bpel_fail(BPEL_ECONV, "minimisation did not converge: %s (E = %.10f eV, max|F| = %.3g eV/A)", r->reason,
                         r->energy, r->fmax);
    return BPEL_OK;
}
