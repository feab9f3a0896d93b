/* hessian.c — analytic EAM Hessian (see hessian.h for the equations).
 *
 * Row a of H collects
 *   - the pair-like blocks K[s] of every neighbour slot j of a, on (a,a) with
 *     + and on (a, owner(j)) with −, s = φ + F'_a f_aj + F'_j f_ja;
 *   - F''(ρ_c) (∂ρ_c/∂x_a) ⊗ (∂ρ_c/∂x_b) for every atom c whose density
 *     depends on a (c = a or a neighbour of a) and every b in ∇ρ_c.
 * Each row is owned by one thread and accumulated in a private block buffer
 * indexed through a marker array, so there are no shared writes. */
#include "hessian.h"
#include "hessian_model.h"
#include "error.h"
#include "outfile.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

void bpel_hess_model_destroy(hess_model *m)
{
    if (!m) return;
    bpel_system_destroy(m->sys);
    bpel_nbr_destroy(m->list);
    free(m->rho);
    free(m->Fp);
    free(m->Fpp);
    free(m->dstart);
    free(m->dcount);
    free(m->datom);
    free(m->dvec);
    free(m->tstart);
    free(m->tentry);
    free(m->tcen);
    free(m);
}

const double *bpel_hess_model_rho(const hess_model *m) { return m->rho; }

int bpel_hess_model_create(const bpel_model *model, const bpel_system *s, int flags,
                      hess_model **out)
{
    *out = NULL;
    if (s->n < 1) return bpel_fail(BPEL_EINVAL, "Hessian of an empty system");
    if (s->n > UINT32_MAX) return bpel_fail(BPEL_ENOTSUP, "Hessian: %zu atoms exceed 2^32", s->n);
    int rc = bpel_model_check_system(model, s);
    if (rc) return rc;
    hess_model *m = bpel_calloc(1, sizeof *m);
    if (!m) return BPEL_ENOMEM;
    m->flags = flags;
    m->n = s->n;
    m->tab = *bpel_model_tables(model);
    rc = BPEL_ENOMEM;
    m->sys = bpel_system_copy(s);
    if (!m->sys) goto fail;
    m->list = bpel_nbr_create(m->tab.cut, 0.0, 0);
    if (!m->list) { rc = BPEL_EINVAL; goto fail; }
    rc = bpel_nbr_build(m->list, m->sys);
    if (rc) goto fail;
    rc = BPEL_ENOMEM;
    const size_t n = m->n;
    const nbr_list *l = m->list;
    m->rho = bpel_calloc(n, sizeof *m->rho);
    m->Fp = bpel_calloc(n, sizeof *m->Fp);
    m->Fpp = bpel_calloc(n, sizeof *m->Fpp);
    m->dstart = bpel_malloc((n + 1) * sizeof *m->dstart);
    m->dcount = bpel_calloc(n, sizeof *m->dcount);
    if (!m->rho || !m->Fp || !m->Fpp || !m->dstart || !m->dcount) goto fail;
    for (size_t c = 0; c <= n; c++) m->dstart[c] = l->start[c] + c;
    m->datom = bpel_malloc(m->dstart[n] * sizeof *m->datom);
    m->dvec = bpel_calloc(3 * m->dstart[n], sizeof *m->dvec);
    if (!m->datom || !m->dvec) goto fail;

    int nthreads = omp_get_max_threads();
    int *marks = bpel_malloc((size_t)nthreads * n * sizeof *marks);
    if (!marks) goto fail;
    for (size_t k = 0; k < (size_t)nthreads * n; k++) marks[k] = -1;
    const eam_tables *t = &m->tab;
    const int *type = m->sys->type;
#pragma omp parallel num_threads(nthreads)
    {
        int *pos = marks + (size_t)omp_get_thread_num() * n;
#pragma omp for schedule(dynamic, 32)
        for (size_t c = 0; c < n; c++) {
            const double *xc = &l->xall[3 * c];
            uint32_t *atom = m->datom + m->dstart[c];
            double *vec = m->dvec + 3 * m->dstart[c];
            size_t cnt = 1;
            atom[0] = (uint32_t)c;
            pos[c] = 0;
            double rho = 0.0;
            for (size_t q = l->start[c]; q < l->start[c + 1]; q++) {
                size_t j = l->nbr[q], o = l->owner[j];
                double d[3] = {l->xall[3 * j] - xc[0], l->xall[3 * j + 1] - xc[1], l->xall[3 * j + 2] - xc[2]};
                double rsq = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                if (rsq >= t->cutsq) continue;
                double r = sqrt(rsq), v, f1, f2;
                hess_spline(t, hess_density_table(m, type[c], type[o]), r, &v, &f1, &f2);
                rho += v;
                if (o == c) continue; /* an image of c itself: its distance never changes */
                if (f1 == 0.0) continue; /* beyond the density's range: ρ_c does not depend on this slot */
                if (pos[o] < 0) {
                    pos[o] = (int)cnt;
                    atom[cnt++] = (uint32_t)o;
                }
                double *g = &vec[3 * (size_t)pos[o]];
                for (int k = 0; k < 3; k++) {
                    double gk = f1 * d[k] / r;
                    g[k] += gk;
                    vec[k] -= gk;
                }
            }
            for (size_t k = 0; k < cnt; k++) pos[atom[k]] = -1;
            /* keep only nonzero gradients: an atom whose images cancel exactly
             * (symmetric small boxes), or c itself in a symmetric site, adds
             * nothing to H */
            size_t kept = 0;
            for (size_t k = 0; k < cnt; k++) {
                const double *g = &vec[3 * k];
                if (g[0] == 0.0 && g[1] == 0.0 && g[2] == 0.0) continue;
                atom[kept] = atom[k];
                memmove(&vec[3 * kept], g, 3 * sizeof *g);
                kept++;
            }
            m->dcount[c] = kept;
            m->rho[c] = rho;
            eam_embed(t, type[c], rho, NULL, &m->Fp[c], &m->Fpp[c]);
        }
    }
    free(marks);

    /* transpose: for each atom a, the centres c with a in ∇ρ_c */
    m->tstart = bpel_calloc(n + 1, sizeof *m->tstart);
    if (!m->tstart) goto fail;
    for (size_t c = 0; c < n; c++)
        for (size_t e = m->dstart[c]; e < m->dstart[c] + m->dcount[c]; e++) m->tstart[m->datom[e] + 1]++;
    for (size_t a = 0; a < n; a++) m->tstart[a + 1] += m->tstart[a];
    m->tentry = bpel_malloc(m->tstart[n] * sizeof *m->tentry);
    m->tcen = bpel_malloc(m->tstart[n] * sizeof *m->tcen);
    size_t *fill = bpel_malloc(n * sizeof *fill);
    if (!m->tentry || !m->tcen || !fill) { free(fill); goto fail; }
    memcpy(fill, m->tstart, n * sizeof *fill);
    for (size_t c = 0; c < n; c++)
        for (size_t e = m->dstart[c]; e < m->dstart[c] + m->dcount[c]; e++) {
            size_t a = m->datom[e], k = fill[a]++;
            m->tentry[k] = e;
            m->tcen[k] = (uint32_t)c;
        }
    free(fill);
    *out = m;
    return BPEL_OK;
fail:
    bpel_hess_model_destroy(m);
    return rc;
}

/* Per-thread accumulator of one block row. */
typedef struct {
    int *pos;       /* [n] slot of each column atom, −1 if absent */
    uint32_t *cols; /* [n] */
    double *blk;    /* [9n] */
    size_t ncols;
} row_acc;

static inline double *acc_block(row_acc *r, uint32_t b)
{
    if (r->pos[b] < 0) {
        r->pos[b] = (int)r->ncols;
        r->cols[r->ncols] = b;
        memset(&r->blk[9 * r->ncols], 0, 9 * sizeof(double));
        r->ncols++;
    }
    return &r->blk[9 * (size_t)r->pos[b]];
}

static void acc_reset(row_acc *r)
{
    for (size_t k = 0; k < r->ncols; k++) r->pos[r->cols[k]] = -1;
    r->ncols = 0;
}

/* The pair-like block of neighbour slot q of atom a: returns 1 and sets the
 * owner o and B = K[s] (added on (a,a), subtracted on (a,o)) when the slot
 * contributes, 0 when it adds nothing (beyond the cutoff, a self image, or
 * s' = s'' = 0 exactly: beyond the range of φ and of both densities). The
 * sparsity pattern and the assembly both decide through this function. */
static inline int pair_slot(const hess_model *m, size_t a, size_t q, uint32_t *o, double B[9])
{
    const nbr_list *l = m->list;
    const int *type = m->sys->type;
    const double *xa = &l->xall[3 * a];
    size_t j = l->nbr[q], oj = l->owner[j];
    double d[3] = {l->xall[3 * j] - xa[0], l->xall[3 * j + 1] - xa[1], l->xall[3 * j + 2] - xa[2]};
    double rsq = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    if (rsq >= m->tab.cutsq || oj == a) return 0; /* self image: +K on (a,a) and −K on (a,a) cancel */
    double rr = sqrt(rsq), s1, s2;
    hess_pair_radial(m, type[a], type[oj], m->Fp[a], m->Fp[oj], rr, &s1, &s2);
    if (s1 == 0.0 && s2 == 0.0) return 0;
    double u[3] = {d[0] / rr, d[1] / rr, d[2] / rr}, t1 = s1 / rr;
    for (int al = 0; al < 3; al++)
        for (int be = 0; be < 3; be++) B[3 * al + be] = (s2 - t1) * u[al] * u[be] + (al == be ? t1 : 0.0);
    *o = (uint32_t)oj;
    return 1;
}

/* Whether the HESS_OMIT_CROSS diagnostic drops the term of centre c on (a,b). */
static inline int cross_omitted(const hess_model *m, size_t a, size_t c, size_t b)
{
    return (m->flags & HESS_OMIT_CROSS) && a != c && b != c && b != a;
}

/* Accumulate block row a of H into r (r must be reset). Only blocks that
 * receive a contribution are opened; every contribution is a nonzero block
 * (K[s] with s' or s'' ≠ 0, or the outer product of two nonzero gradients,
 * F'' ≠ 0), so only an exact cancellation between contributions can leave
 * an opened block zero. */
static void assemble_row(const hess_model *m, size_t a, row_acc *r)
{
    double *haa = NULL, B[9];
    for (size_t q = m->list->start[a]; q < m->list->start[a + 1]; q++) {
        uint32_t o;
        if (!pair_slot(m, a, q, &o, B)) continue;
        if (!haa) haa = acc_block(r, (uint32_t)a);
        double *hab = acc_block(r, o); /* o ≠ a: haa stays valid */
        for (int k = 0; k < 9; k++) {
            haa[k] += B[k];
            hab[k] -= B[k];
        }
    }
    for (size_t q = m->tstart[a]; q < m->tstart[a + 1]; q++) {
        size_t c = m->tcen[q];
        if (m->Fpp[c] == 0.0) continue;
        const double *ga = &m->dvec[3 * m->tentry[q]];
        double v[3] = {m->Fpp[c] * ga[0], m->Fpp[c] * ga[1], m->Fpp[c] * ga[2]};
        for (size_t e = m->dstart[c]; e < m->dstart[c] + m->dcount[c]; e++) {
            uint32_t b = m->datom[e];
            if (cross_omitted(m, a, c, b)) continue;
            const double *w = &m->dvec[3 * e];
            double *h = acc_block(r, b);
            for (int al = 0; al < 3; al++)
                for (int be = 0; be < 3; be++) h[3 * al + be] += v[al] * w[be];
        }
    }
}

/* The columns of block row a that assemble_row opens (same decisions,
 * no values): marks them in pos (reset by the caller), lists them in seen,
 * returns their number. */
static size_t pattern_row(const hess_model *m, size_t a, int *pos, uint32_t *seen)
{
    size_t cnt = 0;
    double B[9];
    for (size_t q = m->list->start[a]; q < m->list->start[a + 1]; q++) {
        uint32_t o;
        if (!pair_slot(m, a, q, &o, B)) continue;
        if (pos[a] < 0) { pos[a] = 1; seen[cnt++] = (uint32_t)a; }
        if (pos[o] < 0) { pos[o] = 1; seen[cnt++] = o; }
    }
    for (size_t q = m->tstart[a]; q < m->tstart[a + 1]; q++) {
        size_t c = m->tcen[q];
        if (m->Fpp[c] == 0.0) continue;
        for (size_t e = m->dstart[c]; e < m->dstart[c] + m->dcount[c]; e++) {
            uint32_t b = m->datom[e];
            if (cross_omitted(m, a, c, b)) continue;
            if (pos[b] < 0) { pos[b] = 1; seen[cnt++] = b; }
        }
    }
    return cnt;
}

static int acc_alloc(row_acc *r, size_t n)
{
    r->pos = bpel_malloc(n * sizeof *r->pos);
    r->cols = bpel_malloc(n * sizeof *r->cols);
    r->blk = bpel_malloc(9 * n * sizeof *r->blk);
    r->ncols = 0;
    if (!r->pos || !r->cols || !r->blk) return BPEL_ENOMEM;
    for (size_t k = 0; k < n; k++) r->pos[k] = -1;
    return BPEL_OK;
}

static void acc_free(row_acc *r)
{
    free(r->pos);
    free(r->cols);
    free(r->blk);
}

int bpel_hess_build_dense(const hess_model *m, const double *masses, double *d, size_t ld)
{
    const size_t n = m->n;
    if (ld < 3 * n) return bpel_fail(BPEL_EINVAL, "dense Hessian: leading dimension %zu < 3n = %zu", ld, 3 * n);
    int rc = BPEL_OK;
#pragma omp parallel
    {
        row_acc r;
        int ok = acc_alloc(&r, n) == BPEL_OK;
        /* zero by columns in parallel (first touch spreads pages over threads) */
#pragma omp for schedule(static)
        for (size_t j = 0; j < 3 * n; j++) memset(&d[j * ld], 0, 3 * n * sizeof *d);
        if (!ok) {
#pragma omp atomic write
            rc = BPEL_ENOMEM;
        }
#pragma omp for schedule(dynamic, 8)
        for (size_t a = 0; a < n; a++) {
            if (!ok) continue;
            assemble_row(m, a, &r);
            double wa = masses ? 1.0 / sqrt(masses[a]) : 1.0;
            for (size_t k = 0; k < r.ncols; k++) {
                size_t b = r.cols[k];
                double w = masses ? wa / sqrt(masses[b]) : 1.0;
                const double *h = &r.blk[9 * k];
                for (int al = 0; al < 3; al++)
                    for (int be = 0; be < 3; be++) d[(3 * a + al) + ld * (3 * b + be)] = w * h[3 * al + be];
            }
            acc_reset(&r);
        }
        acc_free(&r);
    }
    return rc;
}

typedef struct {
    uint32_t col;
    uint32_t k;
} col_key;

static int cmp_col(const void *x, const void *y)
{
    const col_key *a = x, *b = y;
    return (a->col > b->col) - (a->col < b->col);
}

int bpel_hess_build_sparse(const hess_model *m, hess_sparse **out)
{
    *out = NULL;
    const size_t n = m->n;
    hess_sparse *h = bpel_calloc(1, sizeof *h);
    if (!h) return BPEL_ENOMEM;
    h->n = n;
    h->rowptr = bpel_calloc(n + 1, sizeof *h->rowptr);
    if (!h->rowptr) { bpel_hess_sparse_destroy(h); return BPEL_ENOMEM; }
    int rc = BPEL_OK;
    /* pass 1: sparsity pattern, the blocks assemble_row opens: pair slots
     * with a nonzero K[s], and the pairs of atoms with a nonzero ∂ρ_c/∂x
     * for a common centre c */
#pragma omp parallel
    {
        int *pos = bpel_malloc(n * sizeof *pos);
        uint32_t *seen = bpel_malloc(n * sizeof *seen);
        if (!pos || !seen) {
#pragma omp atomic write
            rc = BPEL_ENOMEM;
        } else {
            for (size_t k = 0; k < n; k++) pos[k] = -1;
        }
#pragma omp for schedule(dynamic, 16)
        for (size_t a = 0; a < n; a++) {
            if (!pos || !seen) continue;
            size_t cnt = pattern_row(m, a, pos, seen);
            for (size_t k = 0; k < cnt; k++) pos[seen[k]] = -1;
            h->rowptr[a + 1] = cnt;
        }
        free(pos);
        free(seen);
    }
    if (rc) { bpel_hess_sparse_destroy(h); return rc; }
    for (size_t a = 0; a < n; a++) h->rowptr[a + 1] += h->rowptr[a];
    size_t nnz = h->rowptr[n];
    h->col = bpel_malloc(nnz * sizeof *h->col);
    h->val = bpel_malloc(9 * nnz * sizeof *h->val);
    size_t *kept = bpel_malloc(n * sizeof *kept);
    if (!h->col || !h->val || !kept) { free(kept); bpel_hess_sparse_destroy(h); return BPEL_ENOMEM; }
    /* pass 2: values, columns sorted; a block that contributions cancelled to
     * exactly zero is left out (kept[a] blocks stay at the row's start) */
#pragma omp parallel
    {
        row_acc r;
        int ok = acc_alloc(&r, n) == BPEL_OK;
        col_key *keys = bpel_malloc(n * sizeof *keys);
        if (!ok || !keys) {
#pragma omp atomic write
            rc = BPEL_ENOMEM;
        }
#pragma omp for schedule(dynamic, 8)
        for (size_t a = 0; a < n; a++) {
            if (!ok || !keys) continue;
            assemble_row(m, a, &r);
            size_t base = h->rowptr[a], cnt = h->rowptr[a + 1] - base;
            if (r.ncols != cnt) {
#pragma omp atomic write
                rc = BPEL_EINVAL;
                acc_reset(&r);
                continue;
            }
            for (size_t k = 0; k < cnt; k++) keys[k] = (col_key){r.cols[k], (uint32_t)k};
            qsort(keys, cnt, sizeof *keys, cmp_col);
            size_t nk = 0;
            for (size_t k = 0; k < cnt; k++) {
                const double *blk = &r.blk[9 * (size_t)keys[k].k];
                int zero = 1;
                for (int q = 0; q < 9; q++) zero &= blk[q] == 0.0;
                if (zero) continue;
                h->col[base + nk] = keys[k].col;
                memcpy(&h->val[9 * (base + nk)], blk, 9 * sizeof(double));
                nk++;
            }
            kept[a] = nk;
            acc_reset(&r);
        }
        acc_free(&r);
        free(keys);
    }
    if (rc) {
        free(kept);
        bpel_hess_sparse_destroy(h);
        return rc == BPEL_EINVAL ? bpel_fail(rc, "Hessian: sparsity pattern and assembly disagree (bug)") : rc;
    }
    /* close the gaps left by cancelled blocks (rows move down, in order) */
    size_t total = 0;
    for (size_t a = 0; a < n; a++) total += kept[a];
    if (total < nnz) {
        size_t to = 0;
        for (size_t a = 0; a < n; a++) {
            size_t from = h->rowptr[a];
            if (to != from) {
                memmove(&h->col[to], &h->col[from], kept[a] * sizeof *h->col);
                memmove(&h->val[9 * to], &h->val[9 * from], 9 * kept[a] * sizeof *h->val);
            }
            h->rowptr[a] = to;
            to += kept[a];
        }
        h->rowptr[n] = to;
        /* give the tail back; a failed shrink keeps the larger arrays */
        uint32_t *c = realloc(h->col, (to ? to : 1) * sizeof *c);
        double *v = realloc(h->val, 9 * (to ? to : 1) * sizeof *v);
        if (c) h->col = c;
        if (v) h->val = v;
    }
    free(kept);
    *out = h;
    return BPEL_OK;
}

void bpel_hess_sparse_destroy(hess_sparse *h)
{
    if (!h) return;
    free(h->rowptr);
    free(h->col);
    free(h->val);
    free(h);
}

void bpel_hess_sparse_matvec(const hess_sparse *h, const double *x, double *y)
{
    /* threads only pay off for large matrices (iterative solvers call this thousands of times) */
#pragma omp parallel for schedule(static) if (h->rowptr[h->n] > 100000)
    for (size_t a = 0; a < h->n; a++) {
        double s[3] = {0, 0, 0};
        for (size_t k = h->rowptr[a]; k < h->rowptr[a + 1]; k++) {
            const double *b = &h->val[9 * k], *xb = &x[3 * (size_t)h->col[k]];
            for (int al = 0; al < 3; al++) s[al] += b[3 * al] * xb[0] + b[3 * al + 1] * xb[1] + b[3 * al + 2] * xb[2];
        }
        y[3 * a] = s[0];
        y[3 * a + 1] = s[1];
        y[3 * a + 2] = s[2];
    }
}

void bpel_hess_sparse_matmul(const hess_sparse *h, const double *x, double *y, int k)
{
#pragma omp parallel for schedule(static) if (h->rowptr[h->n] > 20000)
    for (size_t a = 0; a < h->n; a++) {
        double s[3][16] = {{0}};
        for (size_t p = h->rowptr[a]; p < h->rowptr[a + 1]; p++) {
            const double *b = &h->val[9 * p], *xb = &x[3 * (size_t)h->col[p] * k];
            for (int al = 0; al < 3; al++)
                for (int be = 0; be < 3; be++) {
                    double c = b[3 * al + be];
                    for (int q = 0; q < k; q++) s[al][q] += c * xb[be * k + q];
                }
        }
        for (int al = 0; al < 3; al++)
            for (int q = 0; q < k; q++) y[(3 * a + al) * k + q] = s[al][q];
    }
}

static const double *find_block(const hess_sparse *h, size_t a, uint32_t b)
{
    size_t lo = h->rowptr[a], hi = h->rowptr[a + 1];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (h->col[mid] < b) lo = mid + 1;
        else hi = mid;
    }
    return (lo < h->rowptr[a + 1] && h->col[lo] == b) ? &h->val[9 * lo] : NULL;
}

void bpel_hess_sparse_checks(const hess_sparse *h, double *asym, double *rowsum)
{
    double am = 0.0, rm = 0.0;
    for (size_t a = 0; a < h->n; a++) {
        double s[9] = {0};
        for (size_t k = h->rowptr[a]; k < h->rowptr[a + 1]; k++) {
            const double *x = &h->val[9 * k], *y = find_block(h, h->col[k], (uint32_t)a);
            for (int q = 0; q < 9; q++) s[q] += x[q];
            for (int al = 0; al < 3; al++)
                for (int be = 0; be < 3; be++) {
                    double diff = y ? fabs(x[3 * al + be] - y[3 * be + al]) : fabs(x[3 * al + be]);
                    if (diff > am) am = diff;
                }
        }
        for (int q = 0; q < 9; q++)
            if (fabs(s[q]) > rm) rm = fabs(s[q]);
    }
    *asym = am;
    *rowsum = rm;
}

int bpel_hess_write_mtx(const char *path, const hess_sparse *h, const bpel_system *s, const char *comment)
{
    if (h->n != s->n) return bpel_fail(BPEL_EINVAL, "%s: Hessian and system sizes differ", path);
    int64_t maxid = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->id[i] < 1) {
            return bpel_fail(BPEL_EINVAL, "%s: atom id %lld < 1 cannot index a matrix row", path, (long long)s->id[i]);
        }
        if (s->id[i] > maxid) maxid = s->id[i];
    }
    size_t nnz = 0;
    for (size_t a = 0; a < h->n; a++)
        for (size_t k = h->rowptr[a]; k < h->rowptr[a + 1]; k++) {
            int64_t ia = s->id[a], ib = s->id[h->col[k]];
            for (int al = 0; al < 3; al++)
                for (int be = 0; be < 3; be++)
                    if (3 * (ia - 1) + al >= 3 * (ib - 1) + be) nnz++;
        }
    bpel_out o;
    int rc = bpel_out_open(&o, path);
    if (rc) return rc;
    FILE *fp = o.fp;
    fprintf(fp, "%%%%MatrixMarket matrix coordinate real symmetric\n");
    fprintf(fp, "%% Hessian d2E/dx_i dx_j in eV/A^2; row/col = 3*(id-1)+dir+1, dir x=0,y=1,z=2\n");
    if (comment && *comment) fprintf(fp, "%% %s\n", comment);
    fprintf(fp, "%lld %lld %zu\n", (long long)(3 * maxid), (long long)(3 * maxid), nnz);
    size_t *order = bpel_system_id_order(s);
    if (!order) { bpel_out_discard(&o); return BPEL_ENOMEM; }
    for (size_t q = 0; q < s->n; q++) {
        size_t a = order[q];
        for (size_t k = h->rowptr[a]; k < h->rowptr[a + 1]; k++) {
            int64_t ia = s->id[a], ib = s->id[h->col[k]];
            const double *b = &h->val[9 * k];
            for (int al = 0; al < 3; al++)
                for (int be = 0; be < 3; be++) {
                    int64_t r = 3 * (ia - 1) + al + 1, c = 3 * (ib - 1) + be + 1;
                    if (r >= c) fprintf(fp, "%lld %lld %.17g\n", (long long)r, (long long)c, b[3 * al + be]);
                }
        }
    }
    free(order);
    return bpel_out_close(&o);
}

int bpel_hess_read_mtx_dense(const char *path, const bpel_system *s, double **out)
{
    *out = NULL;
    FILE *fp = fopen(path, "r");
    if (!fp) return bpel_fail(BPEL_EIO, "%s: cannot open: %s", path, strerror(errno));
    size_t n3 = 3 * s->n;
    size_t *order = bpel_system_id_order(s);
    double *H = bpel_calloc(n3 * n3, sizeof *H);
    if (!order || !H) { free(order); free(H); fclose(fp); return BPEL_ENOMEM; }
    char line[512];
    int lineno = 0, have_size = 0, symmetric = 0, rc = BPEL_OK;
    size_t nnz = 0, got = 0;
    long long nrows = 0;
    while (fgets(line, sizeof line, fp)) {
        lineno++;
        if (line[0] == '%') {
            if (lineno == 1 && strstr(line, "symmetric")) symmetric = 1;
            if (lineno == 1 && !strstr(line, "MatrixMarket")) {
                rc = bpel_fail(BPEL_EPARSE, "%s:1: not a Matrix Market file", path);
                break;
            }
            continue;
        }
        if (!have_size) {
            long long r, c;
            if (sscanf(line, "%lld %lld %zu", &r, &c, &nnz) != 3 || r != c || r < 1) {
                rc = bpel_fail(BPEL_EPARSE, "%s:%d: expected 'rows cols nnz' of a square matrix", path, lineno);
                break;
            }
            nrows = r;
            have_size = 1;
            continue;
        }
        long long r, c;
        double v;
        if (sscanf(line, "%lld %lld %lf", &r, &c, &v) != 3 || r < 1 || c < 1) {
            rc = bpel_fail(BPEL_EPARSE, "%s:%d: expected 'row col value'", path, lineno);
            break;
        }
        if (r > nrows || c > nrows) {
            rc = bpel_fail(BPEL_EPARSE, "%s:%d: entry (%lld, %lld) outside the %lld x %lld matrix", path, lineno, r, c,
                           nrows, nrows);
            break;
        }
        if (!isfinite(v)) {
            rc = bpel_fail(BPEL_EPARSE, "%s:%d: value '%g' is not finite", path, lineno, v);
            break;
        }
        long ia = bpel_system_find_id(s, order, (int64_t)((r - 1) / 3 + 1));
        long ib = bpel_system_find_id(s, order, (int64_t)((c - 1) / 3 + 1));
        if (ia < 0 || ib < 0) {
            rc = bpel_fail(BPEL_EPARSE, "%s:%d: row %lld or column %lld names an atom id not in the system", path,
                           lineno, r, c);
            break;
        }
        size_t i = 3 * (size_t)ia + (size_t)((r - 1) % 3), j = 3 * (size_t)ib + (size_t)((c - 1) % 3);
        H[i * n3 + j] = v;
        if (symmetric) H[j * n3 + i] = v;
        got++;
    }
    fclose(fp);
    free(order);
    if (!rc && (!have_size || got != nnz))
        rc = bpel_fail(BPEL_EPARSE, "%s:%d: %zu entries read, header says %zu", path, lineno, got, nnz);
    if (rc) { free(H); return rc; }
    *out = H;
    return BPEL_OK;
}
