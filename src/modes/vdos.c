/* vdos.c — normal modes, VDOS, per-atom VDOS and boson peak (see vdos.h). */
#include "vdos.h"
#include "error.h"
#include "modes_sparse.h"
#include "units.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* Gaussians are cut at this many σ (the tail beyond holds < 1e-15). */
#define GAUSS_REACH 8.0

static double wall(void) { return omp_get_wtime(); }

int bpel_vib_modes_plan(size_t natoms, const vib_params *p, size_t *bytes)
{
    const eig_backend *be = bpel_eig_backend_find(p ? p->solver : NULL);
    if (!be) return bpel_fail(BPEL_EINVAL, "unknown eigensolver '%s' (known: %s)", p->solver, bpel_eig_backend_names());
    eig_problem prob = {3 * natoms, p && p->max_omega > 0, 0.0};
    if (prob.window && !be->supports_window)
        return bpel_fail(BPEL_ENOTSUP, "eigensolver %s cannot compute a window of modes", be->name);
    size_t extra;
    int rc = be->plan(&prob, &extra);
    if (rc) return rc;
    size_t n3 = prob.n;
    if (n3 > SIZE_MAX / sizeof(double) / n3) return bpel_fail(BPEL_ENOMEM, "%zu atoms: matrix size overflows", natoms);
    *bytes = n3 * n3 * sizeof(double) + extra + 8 * n3 * sizeof(double);
    return BPEL_OK;
}

void bpel_vib_modes_destroy(vib_modes *v)
{
    if (!v) return;
    free(v->lambda);
    free(v->omega);
    free(v->pr);
    free(v->trans);
    free(v->is_translation);
    free(v->mass);
    bpel_eig_solution_free(&v->sol_);
    free(v->a_);
    free(v->wt_);
    free(v->trans_);
    free(v);
}

/* Modes from the solver's eigenpairs in v->sol_: ω, participation, weight in
 * the translation subspace, the three translations, unstable modes. */
static int modes_finish(vib_modes *v, double t2)
{
    const size_t n = v->natoms;
    v->z = v->sol_.z;
    v->ldz = v->sol_.ldz;
    size_t nm = v->sol_.m;
    v->nmodes = nm;
    v->complete = nm == v->ndof;
    v->omega_top = v->complete ? INFINITY : v->max_omega;
    v->lambda = bpel_malloc((nm + 1) * sizeof *v->lambda);
    v->omega = bpel_malloc((nm + 1) * sizeof *v->omega);
    v->pr = bpel_malloc((nm + 1) * sizeof *v->pr);
    v->trans = bpel_malloc((nm + 1) * sizeof *v->trans);
    v->is_translation = bpel_calloc(nm + 1, 1);
    if (!v->lambda || !v->omega || !v->pr || !v->trans || !v->is_translation) return BPEL_ENOMEM;
    double M = 0.0, lmax = 0.0;
    for (size_t i = 0; i < n; i++) M += v->mass[i];
    for (size_t k = 0; k < nm; k++) {
        double l = v->sol_.w[k];
        v->lambda[k] = l;
        v->omega[k] = bpel_omega_of(l);
        if (fabs(l) > lmax) lmax = fabs(l);
    }
    if (!v->complete && v->lambda_max_bound > lmax) lmax = v->lambda_max_bound;
#pragma omp parallel for schedule(static)
    for (size_t k = 0; k < nm; k++) {
        if (!v->z) { /* per-atom weights only: the solver gave the translation weight */
            double p4 = 0.0;
            for (size_t i = 0; i < n; i++) p4 += vib_weight(v, k, i) * vib_weight(v, k, i);
            v->pr[k] = 1.0 / (n * p4);
            v->trans[k] = v->trans_[k];
            continue;
        }
        const double *e = v->z + k * v->ldz;
        double p4 = 0.0, t[3] = {0, 0, 0};
        for (size_t i = 0; i < n; i++) {
            double w = e[3 * i] * e[3 * i] + e[3 * i + 1] * e[3 * i + 1] + e[3 * i + 2] * e[3 * i + 2];
            p4 += w * w;
            double sm = sqrt(v->mass[i] / M);
            for (int a = 0; a < 3; a++) t[a] += sm * e[3 * i + a];
        }
        v->pr[k] = 1.0 / (n * p4);
        v->trans[k] = t[0] * t[0] + t[1] * t[1] + t[2] * t[2];
    }
    /* the three modes with the largest weight in the translation subspace */
    for (int q = 0; q < 3; q++) {
        size_t best = nm;
        for (size_t k = 0; k < nm; k++)
            if (!v->is_translation[k] && (best == nm || v->trans[k] > v->trans[best])) best = k;
        if (best < nm && v->trans[best] > 0.1) {
            v->is_translation[best] = 1;
            v->ntranslation++;
        }
    }
    v->neg_tol = 1e-9 * lmax;
    for (size_t k = 0; k < nm; k++)
        if (!v->is_translation[k] && v->lambda[k] < -v->neg_tol) v->nnegative++;
    v->t_analyse = wall() - t2;
    return BPEL_OK;
}

static int check_masses(const bpel_system *s)
{
    for (size_t i = 0; i < s->n; i++) {
        double mi = system_mass(s, i);
        if (!(mi > 0) || !isfinite(mi))
            return bpel_fail(BPEL_EINVAL, "%s: atom %lld (type %d) has mass %g amu; masses must be positive",
                             s->source[0] ? s->source : "system", (long long)s->id[i], s->type[i], mi);
    }
    return BPEL_OK;
}

int bpel_vib_solver_is_sparse(const vib_params *p, size_t natoms)
{
    const char *name = p ? p->solver : NULL;
    if (name && (!strcmp(name, VIB_SPARSE_SOLVER) || !strcmp(name, VIB_BLOCK_SOLVER))) return 1;
    if (name && strcmp(name, "auto")) return 0;
    /* auto: the dense route while it fits in memory, else spectrum slicing (which needs a window) */
    if (!p || !(p->max_omega > 0)) return 0;
    size_t bytes;
    vib_params dense = *p;
    dense.solver = NULL;
    if (bpel_vib_modes_plan(natoms, &dense, &bytes)) {
        bpel_clear_error();
        return 1;
    }
    size_t avail = bpel_eig_memory_available();
    return avail && bytes > avail;
}

/* The modes of the window by spectrum slicing of the sparse D (modes_sparse.h). */
static int modes_sparse(const hess_model *m, const bpel_system *s, const vib_params *p, vib_modes *v)
{
    if (!(p->max_omega > 0))
        return bpel_fail(BPEL_EINVAL, "the %s solver computes the modes below a bound: give --max-omega (rad/ps)",
                         v->solver);
    double t0 = wall();
    hess_sparse *h = NULL;
    int rc = bpel_hess_build_sparse(m, &h);
    if (rc) return rc;
    const size_t n = s->n;
    double tr = 0.0, gb = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : tr) reduction(max : gb)
    for (size_t a = 0; a < n; a++) {
        double row[3] = {0, 0, 0};
        for (size_t q = h->rowptr[a]; q < h->rowptr[a + 1]; q++) {
            size_t b = h->col[q];
            const double *blk = h->val + 9 * q;
            double sc = 1.0 / sqrt(v->mass[a] * v->mass[b]);
            for (int x = 0; x < 3; x++)
                for (int y = 0; y < 3; y++) row[x] += fabs(blk[3 * x + y]) * sc;
            if (b == a) tr += (blk[0] + blk[4] + blk[8]) * sc;
        }
        for (int x = 0; x < 3; x++)
            if (row[x] > gb) gb = row[x];
    }
    v->trace = tr;
    v->lambda_max_bound = gb;
    double t1 = wall();
    v->t_build = t1 - t0;
    sparse_eig_params sp;
    bpel_sparse_eig_params_default(&sp);
    sp.lambda_c = pow(p->max_omega / BPEL_OMEGA_FACTOR, 2);
    sp.memory_limit = (double)bpel_eig_memory_available();
    if (!strcmp(v->solver, VIB_BLOCK_SOLVER)) {
        sp.method = SPARSE_BLOCK;
        sp.compact = p->need_vectors > 0 ? 0 : p->need_vectors < 0 ? 1 : -1;
        sp.give_hessian = &h; /* freed by the solver once D is built */
        sp.block = p->block;
        sp.basis = p->basis > 0 ? (size_t)p->basis : 0;
        sp.progress = p->progress;
        sp.note = p->note;
        sp.progress_ctx = p->progress_ctx;
    }
    sparse_eig_result r;
    rc = bpel_sparse_eig_solve(h, v->mass, &sp, &r);
    bpel_hess_sparse_destroy(h); /* NULL when the solver gave it back */
    if (rc) return rc;
    v->worker = r.worker;
    v->sparse_below = r.below;
    v->sparse_residual = r.max_residual;
    v->sparse_shifts = r.nshifts;
    v->sparse_ranks = r.ranks;
    v->sparse_factor_bytes = r.factor_bytes;
    v->sparse_ordering = r.factor_ordering;
    v->sparse_nev = r.nev;
    v->sparse_block = r.block;
    v->sparse_basis = r.basis;
    v->sparse_solves = r.nsolves;
    v->sparse_retries = r.retries;
    v->sparse_t_factor = r.t_factor;
    v->sparse_t_solves = r.t_solves;
    v->sparse_t_orth = r.t_orth;
    v->sparse_t_ritz = r.t_ritz;
    v->sparse_t_check = r.t_check;
    v->sol_.m = r.m;
    v->sol_.w = r.w;
    v->sol_.z = r.z;
    v->sol_.ldz = v->ndof;
    v->sol_.z_owned = 1;
    v->wt = v->wt_ = r.wt;
    v->trans_ = r.trans;
    double t2 = wall();
    v->t_solve = t2 - t1;
    return modes_finish(v, t2);
}

int bpel_vib_modes_compute(const hess_model *m, const bpel_system *s, const vib_params *p, vib_modes **out)
{
    *out = NULL;
    vib_params defaults = {.solver = NULL, .max_omega = 0.0};
    if (!p) p = &defaults;
    const size_t n = s->n, n3 = 3 * n;
    int rc = check_masses(s);
    if (rc) return rc;
    vib_modes *v = bpel_calloc(1, sizeof *v);
    if (!v) return BPEL_ENOMEM;
    v->natoms = n;
    v->ndof = n3;
    v->max_omega = p->max_omega > 0 ? p->max_omega : 0.0;
    v->mass = bpel_malloc(n * sizeof *v->mass);
    if (!v->mass) { bpel_vib_modes_destroy(v); return BPEL_ENOMEM; }
    for (size_t i = 0; i < n; i++) v->mass[i] = system_mass(s, i);
    if (bpel_vib_solver_is_sparse(p, n)) {
        v->solver = p->solver && !strcmp(p->solver, VIB_SPARSE_SOLVER) ? VIB_SPARSE_SOLVER : VIB_BLOCK_SOLVER;
        rc = modes_sparse(m, s, p, v);
        if (rc) { bpel_vib_modes_destroy(v); return rc; }
        *out = v;
        return BPEL_OK;
    }
    size_t bytes;
    rc = bpel_vib_modes_plan(n, p, &bytes);
    if (rc) { bpel_vib_modes_destroy(v); return rc; }
    char what[160];
    snprintf(what, sizeof what, "diagonalising the %zu x %zu dynamical matrix of %zu atoms", n3, n3, n);
    rc = bpel_eig_memory_check(bytes, what);
    if (rc) { bpel_vib_modes_destroy(v); return rc; }
    const eig_backend *be = bpel_eig_backend_find(p->solver);
    v->solver = be->name;
    v->a_ = bpel_malloc(n3 * n3 * sizeof *v->a_);
    if (!v->a_) { bpel_vib_modes_destroy(v); return BPEL_ENOMEM; }
    double t0 = wall();
    rc = bpel_hess_build_dense(m, v->mass, v->a_, n3);
    if (rc) { bpel_vib_modes_destroy(v); return rc; }
    double tr = 0.0, gb = 0.0;
    const double *A = v->a_;
#pragma omp parallel for schedule(static) reduction(+ : tr) reduction(max : gb)
    for (size_t j = 0; j < n3; j++) {
        tr += A[j * n3 + j];
        double col = 0.0; /* D is symmetric: column sums are row sums */
        for (size_t i = 0; i < n3; i++) col += fabs(A[i + j * n3]);
        if (col > gb) gb = col;
    }
    v->trace = tr;
    v->lambda_max_bound = gb;
    double t1 = wall();
    v->t_build = t1 - t0;

    eig_problem prob = {n3, p->max_omega > 0, 0.0};
    if (prob.window) prob.upper = pow(p->max_omega / BPEL_OMEGA_FACTOR, 2);
    rc = be->solve(v->a_, n3, &prob, &v->sol_);
    if (rc) { bpel_vib_modes_destroy(v); return rc; }
    if (v->sol_.z != v->a_) {
        free(v->a_); /* destroyed by the solver; eigenvectors live elsewhere */
        v->a_ = NULL;
    }
    double t2 = wall();
    v->t_solve = t2 - t1;
    rc = modes_finish(v, t2);
    if (rc) { bpel_vib_modes_destroy(v); return rc; }
    *out = v;
    return BPEL_OK;
}

void bpel_vib_vdos_destroy(vib_vdos *d)
{
    if (!d) return;
    free(d->g);
    free(d->gi);
    free(d->ibp);
    free(d->ibp_omega);
    free(d);
}

/* Share of mode frequency w falling in bin b (histogram or Gaussian). */
static void mode_bins(const vib_vdos *d, double w, size_t *b0, size_t *b1, double *q, size_t qmax)
{
    if (d->sigma <= 0) {
        double x = (w - d->omega_lo) / d->width;
        size_t b = x < 0 ? 0 : (size_t)x;
        if (b >= d->nbins) b = d->nbins - 1;
        *b0 = b;
        *b1 = b + 1;
        q[0] = 1.0;
        return;
    }
    double reach = GAUSS_REACH * d->sigma;
    double lo = (w - reach - d->omega_lo) / d->width, hi = (w + reach - d->omega_lo) / d->width;
    size_t a = lo < 0 ? 0 : (size_t)lo, b = hi < 0 ? 0 : (size_t)hi + 1;
    if (b > d->nbins) b = d->nbins;
    if (b - a > qmax) b = a + qmax;
    double s2 = sqrt(2.0) * d->sigma;
    for (size_t k = a; k < b; k++) {
        double e0 = d->omega_lo + k * d->width, e1 = e0 + d->width;
        q[k - a] = 0.5 * (erf((e1 - w) / s2) - erf((e0 - w) / s2));
    }
    *b0 = a;
    *b1 = b;
}

double bpel_vib_window_top(double omega_top, const vdos_params *p)
{
    if (!isfinite(omega_top)) return INFINITY;
    return omega_top - 0.5 * p->bin_width - (p->sigma > 0 ? GAUSS_REACH * p->sigma : 0.0);
}

int bpel_vib_vdos_compute(const vib_modes *v, const vdos_params *p, vib_vdos **out)
{
    *out = NULL;
    if (!(p->bin_width > 0)) return bpel_fail(BPEL_EINVAL, "VDOS bin width must be positive (got %g rad/ps)", p->bin_width);
    if (p->sigma < 0) return bpel_fail(BPEL_EINVAL, "broadening must be >= 0 (got %g rad/ps)", p->sigma);
    if (!(p->bp_lo > 0) || !(p->bp_hi > p->bp_lo))
        return bpel_fail(BPEL_EINVAL, "boson-peak window %g:%g rad/ps must satisfy 0 < lo < hi", p->bp_lo, p->bp_hi);
    vib_vdos *d = bpel_calloc(1, sizeof *d);
    if (!d) return BPEL_ENOMEM;
    d->natoms = v->natoms;
    d->width = p->bin_width;
    d->sigma = p->sigma;
    d->norm = (double)v->ndof - 3.0;
    d->bp_lo = p->bp_lo;
    d->bp_hi = p->bp_hi;
    double wmin = 0.0, wmax = 0.0;
    for (size_t k = 0; k < v->nmodes; k++) {
        if (v->is_translation[k]) continue;
        wmin = fmin(wmin, v->omega[k]);
        wmax = fmax(wmax, v->omega[k]);
    }
    double pad = p->sigma > 0 ? GAUSS_REACH * p->sigma : 0.0;
    d->omega_lo = floor((wmin - pad) / d->width) * d->width;
    if (d->omega_lo > 0) d->omega_lo = 0;
    d->nbins = (size_t)ceil((wmax + pad - d->omega_lo) / d->width) + 1;
    size_t nb = d->nbins, qmax = (size_t)ceil(2.0 * pad / d->width) + 3;
    d->g = bpel_calloc(nb, sizeof *d->g);
    if (!d->g) { bpel_vib_vdos_destroy(d); return BPEL_ENOMEM; }
    double *q = bpel_malloc(qmax * sizeof *q);
    if (!q) { bpel_vib_vdos_destroy(d); return BPEL_ENOMEM; }
    const double scale = 1.0 / (d->norm * d->width);
    for (size_t k = 0; k < v->nmodes; k++) {
        if (v->is_translation[k]) continue;
        size_t b0, b1;
        mode_bins(d, v->omega[k], &b0, &b1, q, qmax);
        for (size_t b = b0; b < b1; b++) d->g[b] += q[b - b0] * scale;
    }
    free(q);
    /* boson peak of the whole glass */
    d->bp_height = -1.0;
    for (size_t b = 0; b < nb; b++) {
        double c = vib_bin_centre(d, b);
        if (c < p->bp_lo || c > p->bp_hi) continue;
        double r = d->g[b] / (c * c);
        if (r > d->bp_height) { d->bp_height = r; d->bp_omega = c; }
    }
    if (d->bp_height < 0) {
        bpel_vib_vdos_destroy(d);
        return bpel_fail(BPEL_EINVAL, "boson-peak window %g:%g rad/ps contains no bin centre", p->bp_lo, p->bp_hi);
    }
    if (!p->per_atom) { *out = d; return BPEL_OK; }

    const size_t n = v->natoms;
    d->gi = bpel_calloc(n * nb, sizeof *d->gi);
    d->ibp = bpel_malloc(n * sizeof *d->ibp);
    d->ibp_omega = bpel_malloc(n * sizeof *d->ibp_omega);
    if (!d->gi || !d->ibp || !d->ibp_omega) { bpel_vib_vdos_destroy(d); return BPEL_ENOMEM; }
    const size_t block = 64;
    int rc = BPEL_OK;
#pragma omp parallel
    {
        double *qq = malloc(qmax * sizeof *qq);
        if (!qq) {
#pragma omp atomic write
            rc = BPEL_ENOMEM;
        }
#pragma omp for schedule(dynamic, 1)
        for (size_t i0 = 0; i0 < n; i0 += block) {
            if (!qq) continue;
            size_t i1 = i0 + block < n ? i0 + block : n;
            for (size_t k = 0; k < v->nmodes; k++) {
                if (v->is_translation[k]) continue;
                size_t b0, b1;
                mode_bins(d, v->omega[k], &b0, &b1, qq, qmax);
                for (size_t i = i0; i < i1; i++) {
                    double w = vib_weight(v, k, i) * scale;
                    double *gi = d->gi + i * nb;
                    for (size_t b = b0; b < b1; b++) gi[b] += w * qq[b - b0];
                }
            }
            for (size_t i = i0; i < i1; i++) {
                double best = -1.0, at = 0.0;
                for (size_t b = 0; b < nb; b++) {
                    double c = vib_bin_centre(d, b);
                    if (c < p->bp_lo || c > p->bp_hi) continue;
                    double r = d->gi[i * nb + b] / (c * c);
                    if (r > best) { best = r; at = c; }
                }
                d->ibp[i] = best;
                d->ibp_omega[i] = at;
            }
        }
        free(qq);
    }
    if (rc) { bpel_vib_vdos_destroy(d); return rc; }
    *out = d;
    return BPEL_OK;
}
