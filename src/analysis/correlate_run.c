/* correlate_run.c — the correlation stage: quantities from tables, r(L),
 * the analyses at the optimal L, quality verdicts, and the output files
 * (see correlate_run.h; the figures are in correlate_figures.c). */
#include "correlate_run.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "outfile.h"
#include "table.h"

void bpel_corr_run_defaults(corr_run_params *p)
{
    memset(p, 0, sizeof *p);
    p->lmin = 0;
    p->lmax = 10;
    p->dl = 0.5;
    p->nboot = 1000;
    p->conf = 0.95;
    p->seed = 1;
    p->bin_size = 100;
    p->acf_rmax = 12;
    p->acf_dr = 0.25;
    p->group_fraction = 0.1;
    p->slab_width = 4;
    p->slab_axis = 2;
}

int bpel_corr_run_check(const corr_run_params *p)
{
    if (!(p->lmin >= 0 && p->lmax >= p->lmin && p->dl > 0))
        return bpel_fail(BPEL_EINVAL, "need 0 <= lmin <= lmax, dl > 0");
    if (p->nboot < 0 || p->seed < 0 || p->bin_size < 2)
        return bpel_fail(BPEL_EINVAL, "bad --bootstrap, --seed or --bin-size");
    if (!(p->conf > 0 && p->conf < 1)) return bpel_fail(BPEL_EINVAL, "--conf must be in (0, 1)");
    if (!(p->acf_dr > 0 && p->acf_rmax > p->acf_dr)) return bpel_fail(BPEL_EINVAL, "need --acf-rmax > --acf-dr > 0");
    if (!(p->slab_width > 0)) return bpel_fail(BPEL_EINVAL, "--slab-width must be positive");
    if (p->block_edge < 0) return bpel_fail(BPEL_EINVAL, "--block must be >= 0");
    if (p->slab_axis < 0 || p->slab_axis > 2) return bpel_fail(BPEL_EINVAL, "--slab-axis must be x, y or z");
    if (p->bin_by != 0 && p->bin_by != 1) return bpel_fail(BPEL_EINVAL, "--bin-by must be x or y");
    return BPEL_OK;
}

static void note(const corr_run_params *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const corr_run_params *p, const char *fmt, ...)
{
    if (!p->note) return;
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    p->note(p->ctx, line);
}

/* A verdict on one number (not yet given: BPEL_Q_OK with no reason); a
 * second one keeps the worse verdict, and joins the reasons when both are
 * equally bad, as bpel_quality_add does. */
static void verdict(corr_verdict *v, bpel_quality q, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void verdict(corr_verdict *v, bpel_quality q, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (v->reason[0] || v->q != BPEL_Q_OK) {
        if (q < v->q) return;
        if (q == v->q && v->reason[0] && reason[0]) {
            size_t m = strlen(v->reason);
            snprintf(v->reason + m, sizeof v->reason - m, "; %s", reason);
            return;
        }
        if (!reason[0]) {
            v->q = q;
            return;
        }
    }
    v->q = q;
    snprintf(v->reason, sizeof v->reason, "%s", reason);
}

static int load_quantity(corr_quantity *q, const char *spec, const corr_run_params *p, const bpel_system *s)
{
    int rc = bpel_tbl_parse_spec(spec, q->path, sizeof q->path, q->column, sizeof q->column, &q->inv);
    if (rc) return rc;
    if (!q->path[0]) {
        if (!p->table) return bpel_fail(BPEL_EINVAL, "'%s' names no file and there is no --table", spec);
        snprintf(q->path, sizeof q->path, "%s", p->table);
    }
    snprintf(q->name, sizeof q->name, "%s%s", q->inv ? "inv_" : "", q->column);
    tbl_table *t;
    if ((rc = bpel_tbl_read(q->path, &t))) return rc;
    q->raw = bpel_malloc(s->n * sizeof *q->raw);
    q->v = bpel_malloc(s->n * sizeof *q->v);
    if (!q->raw || !q->v) {
        bpel_tbl_destroy(t);
        return BPEL_ENOMEM;
    }
    rc = bpel_tbl_join(t, q->column, s, p->allow_missing, q->raw, &q->n_missing);
    bpel_tbl_destroy(t);
    if (rc == BPEL_EINVAL && !p->allow_missing) {
        /* the usual cause: atoms without a converged saddle (NaN) or not searched */
        char msg[1024];
        snprintf(msg, sizeof msg, "%s (--allow-missing leaves such atoms out)", bpel_errmsg());
        return bpel_fail(rc, "%s", msg);
    }
    if (rc) return rc;
    if (q->n_missing) note(p, "%s: %zu atoms without a value (left out)", q->path, q->n_missing);
    for (size_t i = 0; i < s->n; i++) {
        q->v[i] = q->raw[i];
        if (q->inv && !isnan(q->raw[i])) {
            if (q->raw[i] == 0)
                return bpel_fail(BPEL_EINVAL, "%s: column '%s' is 0 for atom id %lld: cannot take 1/value", q->path,
                                 q->column, (long long)s->id[i]);
            q->v[i] = 1.0 / q->raw[i];
        }
    }
    return BPEL_OK;
}

/* The L grid and the range of C(r) the box allows: lmax (uniform L, or
 * the Gaussian's cut-off) and acf_rmax below half the smallest width. */
static int settle_ranges(const bpel_system *s, const corr_run_params *p, const char *data, corr_run_result *r)
{
    double w[3];
    bpel_box_widths(&s->box, w);
    double half = 0.5 * fmin(w[0], fmin(w[1], w[2]));
    double reach = p->gaussian ? CORR_GAUSS_SIGMA_OVER_L * CORR_GAUSS_CUT_OVER_SIGMA : 1.0;
    r->lmin = p->lmin;
    r->lmax = p->lmax;
    r->dl = p->dl;
    if (!p->lmax_fixed && r->lmax * reach >= half) {
        /* a small box: the largest multiple of dL that fits */
        double fit = floor((0.98 * half / reach - r->lmin) / r->dl + 1e-9) * r->dl + r->lmin;
        if (fit >= r->lmin) {
            note(p, "box too small for L up to %g Å: using L <= %g Å", r->lmax, fit);
            r->lmax = fit;
            r->lmax_lowered = 1;
        }
    }
    double need_L = r->lmax * reach;
    if (need_L >= half)
        return bpel_fail(BPEL_EINVAL, "%s: --lmax %g Å needs pairs up to %g Å, but the box allows less than %g Å "
                         "(half its smallest width); lower --lmax", data, r->lmax, need_L, half);
    r->acf_rmax = p->acf_rmax;
    if (r->acf_rmax >= half) {
        if (p->acf_rmax_fixed)
            return bpel_fail(BPEL_EINVAL, "%s: --acf-rmax %g Å must be below half the smallest box width (%g Å)", data,
                             r->acf_rmax, half);
        r->acf_rmax = 0.98 * half;
    }
    return BPEL_OK;
}

/* Pearson r over the L grid; the optimum is the first largest |r|. */
static int scan_L(const corr_pairs *pr, const bpel_system *s, const corr_run_params *p, corr_run_result *r)
{
    int rc, *blocks = NULL;
    if (p->block_edge > 0) {
        if (!(blocks = bpel_malloc(s->n * sizeof *blocks))) return BPEL_ENOMEM;
        if ((rc = bpel_corr_blocks(s, p->block_edge, blocks, &r->nblocks))) goto done;
        if (r->nblocks < 4) {
            rc = bpel_fail(BPEL_EINVAL, "--block %g Å leaves %d blocks in the box: need at least 4", p->block_edge,
                           r->nblocks);
            goto done;
        }
    }
    r->nL = (size_t)floor((r->lmax - r->lmin) / r->dl + 1e-9) + 1;
    r->L = bpel_malloc(r->nL * sizeof *r->L);
    r->stat = bpel_malloc(r->nL * sizeof *r->stat);
    rc = BPEL_ENOMEM;
    if (!r->L || !r->stat) goto done;
    for (size_t k = 0; k < r->nL; k++) r->L[k] = r->lmin + k * r->dl;
    if (p->progress) p->progress(p->ctx, 0, r->nL);
    for (size_t k = 0; k < r->nL; k++) {
        if ((rc = bpel_corr_vs_L(pr, r->x.v, r->y.v, 1, &r->L[k], p->gaussian, blocks, r->nblocks, (int)p->nboot,
                            (unsigned long)p->seed + k, p->conf, &r->stat[k])))
            goto done;
        if (p->progress) p->progress(p->ctx, k + 1, r->nL);
    }
    r->kopt = 0;
    for (size_t k = 1; k < r->nL; k++)
        if (fabs(r->stat[k].r) > fabs(r->stat[r->kopt].r)) r->kopt = k;
    r->L_opt = r->L[r->kopt];
    rc = BPEL_OK;
done:
    free(blocks);
    return rc;
}

/* Numerical coarse-graining of the coarse-grained fields and its fits. */
static int bin_and_fit(const corr_run_params *p, corr_run_result *r)
{
    /* too few atoms for the bins asked for (a small glass, or few atoms with
     * a saddle): smaller bins, at least 4 of them */
    size_t both = 0;
    for (size_t i = 0; i < r->n; i++) both += isfinite(r->cgx[i]) && isfinite(r->cgy[i]);
    r->bin_size = p->bin_size;
    if (both >= 8 && (size_t)r->bin_size > both / 4) {
        long b = (long)(both / 4);
        note(p, "%zu atoms with both values: bins of %ld atoms instead of %ld", both, b, r->bin_size);
        r->bin_size = b;
    }
    int rc = bpel_corr_bin(r->n, r->cgx, r->cgy, p->bin_by, (size_t)r->bin_size, &r->bins);
    if (rc) return rc;
    const corr_bins *b = &r->bins;
    r->fit_a = r->fit_a_err = r->fit_A = r->fit_k = r->fit_lnA_err = r->fit_k_err = NAN;
    int have_sem = 1;
    for (size_t k = 0; k < b->nbins; k++)
        if (!(b->ysem[k] > 0)) have_sem = 0;
    if (bpel_corr_fit_proportional(b->nbins, b->xm, b->ym, have_sem ? b->ysem : NULL, &r->fit_a, &r->fit_a_err))
        note(p, "warning: %s", bpel_errmsg());
    if (bpel_corr_fit_power(b->nbins, b->xm, b->ym, have_sem ? b->ysem : NULL, &r->fit_A, &r->fit_k, &r->fit_lnA_err,
                       &r->fit_k_err))
        note(p, "warning: %s", bpel_errmsg());
    return BPEL_OK;
}

/* C(r) of both quantities, ξ and the e⁻³ crossing. */
static int autocorrelations(const corr_pairs *pr, const corr_run_params *p, corr_run_result *r)
{
    const double *v[2] = {r->x.v, r->y.v};
    int rc;
    for (int k = 0; k < 2; k++)
        if ((rc = bpel_corr_autocorrelation(pr, v[k], p->acf_dr, r->acf_rmax, &r->acf[k]))) return rc;
    for (int k = 0; k < 2; k++) {
        r->xi[k] = r->xi_err[k] = NAN;
        r->xi_why[k][0] = '\0';
        if (bpel_corr_fit_exp(&r->acf[k], 0, &r->xi[k], &r->xi_err[k])) {
            note(p, "warning: %s: %s", k ? "y" : "x", bpel_errmsg());
            snprintf(r->xi_why[k], sizeof r->xi_why[k], "%s", bpel_errmsg());
        }
    }
    for (int k = 0; k < 2; k++) r->r_e3[k] = bpel_corr_acf_crossing(&r->acf[k], exp(-3.0));
    return BPEL_OK;
}

/* Top and bottom groups of the raw x per species, and y in each. */
static int groups(const bpel_system *s, const corr_run_params *p, corr_run_result *r)
{
    int rc = bpel_corr_groups(r->n, s->type, r->x.raw, p->group_fraction, r->group);
    if (rc) return rc;
    r->group_stats = bpel_calloc(2 * (size_t)(s->ntypes > 0 ? s->ntypes : 1), sizeof *r->group_stats);
    if (!r->group_stats) return BPEL_ENOMEM;
    const double *y = r->y.raw;
    for (int t = 1; t <= s->ntypes; t++)
        for (int g = 1; g >= -1; g -= 2) {
            double sum = 0, sum2 = 0;
            size_t m = 0;
            for (size_t i = 0; i < r->n; i++)
                if (s->type[i] == t && r->group[i] == g && isfinite(y[i])) {
                    sum += y[i];
                    sum2 += y[i] * y[i];
                    m++;
                }
            corr_group_stat *gs = &r->group_stats[r->ngroup_stats++];
            gs->type = t;
            gs->group = g;
            gs->n = m;
            gs->y_mean = m ? sum / m : NAN;
            gs->y_sd = m > 1 ? sqrt(fmax(0, (sum2 - m * gs->y_mean * gs->y_mean) / (m - 1))) : NAN;
        }
    return BPEL_OK;
}

static void judge(const corr_run_params *p, corr_run_result *r)
{
    for (int k = 0; k < 2; k++) {
        double xi = r->xi[k], xe = r->xi_err[k], r3 = r->r_e3[k];
        if (!isfinite(xi)) verdict(&r->quality.xi[k], BPEL_Q_NOT_DETERMINED, "%s", r->xi_why[k]);
        else if (!(xe < 0.25 * xi))
            verdict(&r->quality.xi[k], BPEL_Q_WEAK, "ξ = %.3g ± %.2g Å: uncertain by more than 25 %%", xi, xe);
        else verdict(&r->quality.xi[k], BPEL_Q_OK, "ξ = %.3g ± %.2g Å", xi, xe);
        if (!isfinite(r3))
            verdict(&r->quality.r_e3[k], BPEL_Q_NOT_DETERMINED, "C(r) does not fall to e^-3 within r_max = %g Å",
                    r->acf_rmax);
        else if (r3 < 2 * p->acf_dr)
            verdict(&r->quality.r_e3[k], BPEL_Q_WEAK, "C(r) falls to e^-3 within the first two bins of %g Å",
                    p->acf_dr);
        else verdict(&r->quality.r_e3[k], BPEL_Q_OK, "C(r) crosses e^-3 inside the data");
    }
    /* the optimum of r(L) and its correlation */
    size_t nL = r->nL, kopt = r->kopt;
    const corr_stat *o = &r->stat[kopt];
    int at_end = kopt == nL - 1 && nL > 1;
    if (at_end)
        verdict(&r->quality.optimal_L, BPEL_Q_WEAK,
                "the largest L scanned (%g Å): r may still rise beyond it (raise --lmax)", r->lmax);
    else if (kopt == 0 && nL > 1)
        verdict(&r->quality.optimal_L, BPEL_Q_WEAK, "the smallest L scanned (%g Å): coarse-graining does not help",
                r->L[0]);
    else verdict(&r->quality.optimal_L, BPEL_Q_OK, "a maximum of r(L) inside the scanned range");
    if (p->nboot > 0 && o->lo <= 0 && o->hi >= 0)
        verdict(&r->quality.r_opt, BPEL_Q_WEAK, "its %g %% interval %.2f..%.2f includes 0", 100 * p->conf, o->lo,
                o->hi);
    else if (p->nboot > 0)
        verdict(&r->quality.r_opt, BPEL_Q_OK, "%g %% interval %.2f..%.2f", 100 * p->conf, o->lo, o->hi);
    else verdict(&r->quality.r_opt, BPEL_Q_WEAK, "no bootstrap interval (--bootstrap 0)");
    if (at_end) verdict(&r->quality.r_opt, BPEL_Q_WEAK, "taken at the edge of the L range");
    /* Fisher z: the raw r differs from 0 at 95 % when |atanh r| sqrt(n − 3) > 1.96 */
    size_t np = r->stat[0].n; /* atoms with both values, not all atoms */
    double z = np > 3 ? atanh(r->stat[0].r) * sqrt((double)np - 3) : 0;
    if (fabs(z) > 1.96) verdict(&r->quality.r_raw, BPEL_Q_OK, "%zu atoms; differs from 0 at 95 %%", np);
    else verdict(&r->quality.r_raw, BPEL_Q_WEAK, "%zu atoms; not distinguishable from 0 at 95 %%", np);
}

int bpel_corr_run(const bpel_system *s, const corr_run_params *p, corr_run_result *r)
{
    memset(r, 0, sizeof *r);
    int rc = bpel_corr_run_check(p);
    if (rc) return rc;
    if (!p->x_spec || !p->y_spec) return bpel_fail(BPEL_EINVAL, "two quantities are needed");
    const char *data = p->data ? p->data : s->source;
    size_t n = r->n = s->n;
    corr_pairs *pr = NULL;
    if ((rc = load_quantity(&r->x, p->x_spec, p, s))) goto fail;
    if ((rc = load_quantity(&r->y, p->y_spec, p, s))) goto fail;
    if ((rc = settle_ranges(s, p, data, r))) goto fail;

    /* pairs long enough for every L and for C(r) */
    double reach = p->gaussian ? CORR_GAUSS_SIGMA_OVER_L * CORR_GAUSS_CUT_OVER_SIGMA : 1.0;
    double need_L = r->lmax * reach, rmax = fmax(need_L, r->acf_rmax);
    if (rmax <= 0) rmax = r->acf_rmax;
    if ((rc = bpel_corr_pairs_create(s, rmax, &pr))) goto fail;
    if ((rc = scan_L(pr, s, p, r))) goto fail;

    r->cgx = bpel_malloc(n * sizeof *r->cgx);
    r->cgy = bpel_malloc(n * sizeof *r->cgy);
    r->group = bpel_malloc(n * sizeof *r->group);
    rc = BPEL_ENOMEM;
    if (!r->cgx || !r->cgy || !r->group) goto fail;
    if ((rc = bpel_corr_coarse_grain(pr, r->x.v, r->L_opt, p->gaussian, r->cgx))) goto fail;
    if ((rc = bpel_corr_coarse_grain(pr, r->y.v, r->L_opt, p->gaussian, r->cgy))) goto fail;
    if ((rc = bin_and_fit(p, r))) goto fail;
    if ((rc = autocorrelations(pr, p, r))) goto fail;
    if ((rc = groups(s, p, r))) goto fail;
    judge(p, r);
    bpel_corr_pairs_destroy(pr);
    return BPEL_OK;
fail:
    bpel_corr_pairs_destroy(pr);
    bpel_corr_run_free(r);
    return rc;
}

void bpel_corr_run_free(corr_run_result *r)
{
    free(r->x.raw);
    free(r->x.v);
    free(r->y.raw);
    free(r->y.v);
    free(r->L);
    free(r->stat);
    free(r->cgx);
    free(r->cgy);
    bpel_corr_bins_free(&r->bins);
    bpel_corr_acf_free(&r->acf[0]);
    bpel_corr_acf_free(&r->acf[1]);
    free(r->group);
    free(r->group_stats);
    memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------ files */

static const char *type_name(const bpel_system *s, int t, char *buf, size_t n)
{
    if (s->element[t][0]) snprintf(buf, n, "%s", s->element[t]);
    else snprintf(buf, n, "type %d", t);
    return buf;
}

static int write_r_of_L(const char *dir, const corr_run_result *r)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/correlation_vs_L.csv", dir);
    bpel_out of;
    int rc = bpel_out_open(&of, path);
    if (rc) return rc;
    fprintf(of.fp, "L_A,pearson_r,ci_low,ci_high,n_atoms\n");
    for (size_t k = 0; k < r->nL; k++)
        fprintf(of.fp, "%.6g,%.8f,%.8f,%.8f,%zu\n", r->L[k], r->stat[k].r, r->stat[k].lo, r->stat[k].hi,
                r->stat[k].n);
    return bpel_out_close(&of);
}

static int write_coarse_grained(const char *dir, const bpel_system *s, const corr_run_result *r, const char *xcg,
                                const char *ycg)
{
    double *tp = bpel_malloc(r->n * sizeof *tp);
    if (!tp) return BPEL_ENOMEM;
    for (size_t i = 0; i < r->n; i++) tp[i] = s->type[i];
    const char *names[5] = {"type", r->x.name, r->y.name, xcg, ycg};
    const double *cols[5] = {tp, r->x.v, r->y.v, r->cgx, r->cgy};
    char path[1200];
    snprintf(path, sizeof path, "%s/coarse_grained.csv", dir);
    int rc = bpel_tbl_write(path, r->n, s->id, 5, names, cols);
    free(tp);
    return rc;
}

static int write_binned(const char *dir, const corr_run_result *r, const char *xcg, const char *ycg)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/binned.csv", dir);
    bpel_out of;
    int rc = bpel_out_open(&of, path);
    if (rc) return rc;
    const corr_bins *b = &r->bins;
    fprintf(of.fp, "bin,n_atoms,%s_mean,%s_sem,%s_mean,%s_sem\n", xcg, xcg, ycg, ycg);
    for (size_t k = 0; k < b->nbins; k++)
        fprintf(of.fp, "%zu,%zu,%.10g,%.10g,%.10g,%.10g\n", k, b->count[k], b->xm[k], b->xsem[k], b->ym[k],
                b->ysem[k]);
    return bpel_out_close(&of);
}

static int write_autocorrelation(const char *dir, const corr_run_params *p, const corr_run_result *r)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/autocorrelation.csv", dir);
    bpel_out of;
    int rc = bpel_out_open(&of, path);
    if (rc) return rc;
    const corr_acf *ax = &r->acf[0], *ay = &r->acf[1];
    fprintf(of.fp, "r_bin_high_A,r_x_A,C_x,pairs_x,r_y_A,C_y,pairs_y\n");
    for (size_t b = 0; b < ax->nbins; b++)
        fprintf(of.fp, "%.6g,%.6g,%.8g,%zu,%.6g,%.8g,%zu\n", b * p->acf_dr, ax->r[b], ax->c[b], ax->npairs[b],
                ay->r[b], ay->c[b], ay->npairs[b]);
    return bpel_out_close(&of);
}

static int write_groups(const char *dir, const bpel_system *s, const corr_run_result *r)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/groups.csv", dir);
    bpel_out of;
    int rc = bpel_out_open(&of, path);
    if (rc) return rc;
    fprintf(of.fp, "id,type,group,%s,%s\n", r->x.column, r->y.column);
    size_t *ord = bpel_system_id_order(s);
    if (!ord) {
        bpel_out_discard(&of);
        return BPEL_ENOMEM;
    }
    for (size_t k = 0; k < r->n; k++) {
        size_t i = ord[k];
        if (!r->group[i]) continue;
        fprintf(of.fp, "%lld,%d,%s,%.10g,%.10g\n", (long long)s->id[i], s->type[i], r->group[i] > 0 ? "top" : "bottom",
                r->x.raw[i], r->y.raw[i]);
    }
    free(ord);
    return bpel_out_close(&of);
}

static int write_xyz(const char *dir, const bpel_system *s, const corr_run_params *p, const corr_run_result *r,
                     const char *xcg, const char *ycg)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/correlate.xyz", dir);
    bpel_out of;
    int rc = bpel_out_open(&of, path);
    if (rc) return rc;
    double *gd = bpel_malloc(r->n * sizeof *gd);
    if (!gd) {
        bpel_out_discard(&of);
        return BPEL_ENOMEM;
    }
    for (size_t i = 0; i < r->n; i++) gd[i] = r->group[i];
    bpel_column cols[5] = {{r->x.name, r->x.v, 1, 0}, {r->y.name, r->y.v, 1, 0}, {xcg, r->cgx, 1, 0},
                           {ycg, r->cgy, 1, 0},       {"group", gd, 1, 0}};
    char comment[300];
    snprintf(comment, sizeof comment, "bpel correlate: coarse-grained over L = %g A (%s weights)", r->L_opt,
             p->gaussian ? "Gaussian" : "uniform");
    rc = bpel_xyz_write_frame(of.fp, s, 5, cols, comment);
    free(gd);
    return bpel_out_finish(&of, rc);
}

static cJSON *summary(const bpel_system *s, const corr_run_params *p, const corr_run_result *r)
{
    cJSON *js = cJSON_CreateObject();
    if (!js) return NULL;
    const corr_stat *o = &r->stat[r->kopt];
    if (p->provenance) cJSON_AddStringToObject(js, "provenance", p->provenance);
    cJSON_AddStringToObject(js, "data", p->data ? p->data : s->source);
    cJSON_AddNumberToObject(js, "n_atoms", (double)r->n);
    cJSON_AddStringToObject(js, "units", "lengths in Å; quantities in the units of their columns");
    const corr_quantity *qs[2] = {&r->x, &r->y};
    const char *qn[2] = {CORR_KEY_X, CORR_KEY_Y};
    for (int k = 0; k < 2; k++) {
        cJSON *q = cJSON_AddObjectToObject(js, qn[k]);
        cJSON_AddStringToObject(q, "file", qs[k]->path);
        cJSON_AddStringToObject(q, "column", qs[k]->column);
        cJSON_AddBoolToObject(q, "inverse", qs[k]->inv);
        cJSON_AddStringToObject(q, "name", qs[k]->name);
    }
    cJSON *cg = cJSON_AddObjectToObject(js, "coarse_graining");
    cJSON_AddStringToObject(cg, "weights", p->gaussian ? "gaussian" : "uniform");
    if (p->gaussian) {
        cJSON_AddNumberToObject(cg, "sigma_over_L", CORR_GAUSS_SIGMA_OVER_L);
        cJSON_AddNumberToObject(cg, "cutoff_over_sigma", CORR_GAUSS_CUT_OVER_SIGMA);
    }
    cJSON_AddNumberToObject(cg, "L_min", r->lmin);
    cJSON_AddNumberToObject(cg, "L_max", r->lmax);
    cJSON_AddNumberToObject(cg, "dL", r->dl);
    cJSON_AddNumberToObject(js, CORR_KEY_OPTIMAL_L, r->L_opt);
    cJSON_AddNumberToObject(js, CORR_KEY_R_OPT, o->r);
    double ci[2] = {o->lo, o->hi};
    if (p->nboot > 0) cJSON_AddItemToObject(js, "pearson_ci_at_optimum", cJSON_CreateDoubleArray(ci, 2));
    else cJSON_AddNullToObject(js, "pearson_ci_at_optimum");
    cJSON_AddNumberToObject(js, "confidence_level", p->conf);
    cJSON_AddNumberToObject(js, CORR_KEY_R_RAW, r->stat[0].r);
    cJSON_AddNumberToObject(js, CORR_KEY_R_RAW "_L", r->L[0]);
    cJSON_AddNumberToObject(js, "bootstrap_resamples", (double)p->nboot);
    cJSON_AddStringToObject(js, "bootstrap_unit", r->nblocks ? "spatial blocks" : "atoms");
    if (r->nblocks) {
        cJSON_AddNumberToObject(js, "bootstrap_block_edge", p->block_edge);
        cJSON_AddNumberToObject(js, "bootstrap_blocks", r->nblocks);
    }
    cJSON_AddNumberToObject(js, "seed", (double)p->seed);
    cJSON *bj = cJSON_AddObjectToObject(js, "binned");
    cJSON_AddNumberToObject(bj, "bin_size", (double)r->bin_size);
    cJSON_AddStringToObject(bj, "sorted_by", p->bin_by ? "y" : "x");
    cJSON_AddNumberToObject(bj, "n_bins", (double)r->bins.nbins);
    cJSON_AddStringToObject(bj, "data", "coarse-grained values at the optimal L");
    cJSON *fp1 = cJSON_AddObjectToObject(bj, "fit_proportional");
    cJSON_AddStringToObject(fp1, "model", "y = a*x");
    cJSON_AddNumberToObject(fp1, "a", r->fit_a);
    cJSON_AddNumberToObject(fp1, "a_err", r->fit_a_err);
    cJSON *fp2 = cJSON_AddObjectToObject(bj, "fit_power");
    cJSON_AddStringToObject(fp2, "model", "y = A*x^k (x as used, i.e. after :inv)");
    cJSON_AddNumberToObject(fp2, "A", r->fit_A);
    cJSON_AddNumberToObject(fp2, "lnA_err", r->fit_lnA_err);
    cJSON_AddNumberToObject(fp2, "k", r->fit_k);
    cJSON_AddNumberToObject(fp2, "k_err", r->fit_k_err);
    if (r->x.inv) cJSON_AddNumberToObject(fp2, "exponent_vs_raw_x_column", -r->fit_k);
    cJSON *aj = cJSON_AddObjectToObject(js, CORR_KEY_ACF);
    cJSON_AddNumberToObject(aj, "bin_width", p->acf_dr);
    cJSON_AddNumberToObject(aj, "r_max", r->acf_rmax);
    for (int k = 0; k < 2; k++) {
        cJSON *a = cJSON_AddObjectToObject(aj, qn[k]);
        cJSON_AddNumberToObject(a, CORR_KEY_XI, r->xi[k]);
        cJSON_AddNumberToObject(a, CORR_KEY_XI "_err", r->xi_err[k]);
        cJSON_AddNumberToObject(a, CORR_KEY_R_E3, r->r_e3[k]);
        cJSON_AddNumberToObject(a, CORR_KEY_R_E3 "_from_fit", 3 * r->xi[k]);
        char qp[64];
        snprintf(qp, sizeof qp, CORR_KEY_ACF ".%s." CORR_KEY_XI, qn[k]);
        bpel_quality_add(js, qp, r->quality.xi[k].q, "%s", r->quality.xi[k].reason);
        snprintf(qp, sizeof qp, CORR_KEY_ACF ".%s." CORR_KEY_R_E3, qn[k]);
        bpel_quality_add(js, qp, r->quality.r_e3[k].q, "%s", r->quality.r_e3[k].reason);
    }
    bpel_quality_add(js, CORR_KEY_OPTIMAL_L, r->quality.optimal_L.q, "%s", r->quality.optimal_L.reason);
    bpel_quality_add(js, CORR_KEY_R_OPT, r->quality.r_opt.q, "%s", r->quality.r_opt.reason);
    bpel_quality_add(js, CORR_KEY_R_RAW, r->quality.r_raw.q, "%s", r->quality.r_raw.reason);
    cJSON *gj = cJSON_AddObjectToObject(js, "groups");
    cJSON_AddNumberToObject(gj, "fraction", p->group_fraction);
    cJSON_AddStringToObject(gj, "ranked_by", r->x.column);
    cJSON_AddStringToObject(gj, "ranking", "within each species");
    cJSON *ga = cJSON_AddArrayToObject(gj, "species");
    for (int k = 0; k < r->ngroup_stats; k++) {
        const corr_group_stat *gs = &r->group_stats[k];
        char buf[64];
        cJSON *g = cJSON_CreateObject();
        cJSON_AddNumberToObject(g, "type", gs->type);
        cJSON_AddStringToObject(g, "species", type_name(s, gs->type, buf, sizeof buf));
        cJSON_AddStringToObject(g, "group", gs->group > 0 ? "top" : "bottom");
        cJSON_AddNumberToObject(g, "n_atoms", (double)gs->n);
        cJSON_AddNumberToObject(g, "y_mean", gs->y_mean);
        cJSON_AddNumberToObject(g, "y_sd", gs->y_sd);
        cJSON_AddItemToArray(ga, g);
    }
    return js;
}

int bpel_corr_run_write(const char *dir, const bpel_system *s, const corr_run_params *p, const corr_run_result *r)
{
    int rc = bpel_mkdir_p(dir);
    if (rc) return rc;
    char xcg[200], ycg[200];
    snprintf(xcg, sizeof xcg, "%s_CG", r->x.name);
    snprintf(ycg, sizeof ycg, "%s_CG", r->y.name);
    if ((rc = write_r_of_L(dir, r))) return rc;
    if ((rc = write_coarse_grained(dir, s, r, xcg, ycg))) return rc;
    if ((rc = write_binned(dir, r, xcg, ycg))) return rc;
    if ((rc = write_autocorrelation(dir, p, r))) return rc;
    if ((rc = write_groups(dir, s, r))) return rc;
    if ((rc = write_xyz(dir, s, p, r, xcg, ycg))) return rc;
    cJSON *js = summary(s, p, r);
    if (!js) return bpel_fail(BPEL_ENOMEM, "out of memory for summary.json");
    char path[1200];
    snprintf(path, sizeof path, "%s/" CORR_FILE_SUMMARY, dir);
    rc = bpel_out_json(path, js);
    cJSON_Delete(js);
    return rc;
}
