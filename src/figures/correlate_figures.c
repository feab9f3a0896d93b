/* correlate_figures.c — the figures of the correlation stage (paper
 * Figs. 2–5) from a bpel_corr_run result (see correlate_run.h). */
#include "correlate_run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "error.h"
#include "figure.h"
#include "outfile.h"

/* The paper's symbol and unit for a column bpel writes (PLplot text:
 * #d/#u for sub-/superscripts), so that figures say ΔQ and 1/I_BP, not
 * dq_mean_eV; other columns keep their name, with the unit read off a
 * known suffix. */
static void column_symbol(const char *column, int inv, char *sym, size_t ns, char *unit, size_t nu)
{
    static const struct { const char *col, *sym, *unit, *inv_unit; } known[] = {
        {"I_BP_per_radps3", "I#dBP#u", "(rad/ps)#u-3#d", "(rad/ps)#u3#d"},
        {"dq_mean_eV", "ΔQ", "eV", "1/eV"},
        {"dq_connected_mean_eV", "ΔQ#dconnected#u", "eV", "1/eV"},
        {"dq_std_eV", "σ#dΔQ#u", "eV", "1/eV"},
        {"omega_BP_radps", "ω#dBP#u", "rad/ps", "ps/rad"},
        {"gamma_i", "γ#di#u", "", ""},
        {"gamma_i_sorted", "γ#di#u", "", ""},
    };
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
        if (!strcmp(column, known[k].col)) {
            snprintf(sym, ns, "%s%s", inv ? "1/" : "", known[k].sym);
            snprintf(unit, nu, "%s", inv ? known[k].inv_unit : known[k].unit);
            return;
        }
    static const struct { const char *suffix, *unit; } suffixes[] = {
        {"_eV", "eV"}, {"_A", "Å"}, {"_radps", "rad/ps"}, {"_K", "K"}, {"_GPa", "GPa"}, {"_THz", "THz"}};
    size_t lc = strlen(column);
    for (size_t k = 0; k < sizeof suffixes / sizeof suffixes[0]; k++) {
        size_t ls = strlen(suffixes[k].suffix);
        if (lc > ls && !strcmp(column + lc - ls, suffixes[k].suffix)) {
            snprintf(sym, ns, "%s%.*s", inv ? "1/" : "", (int)(lc - ls), column);
            snprintf(unit, nu, "%s%s", inv ? "1/" : "", suffixes[k].unit);
            return;
        }
    }
    snprintf(sym, ns, "%s%s", inv ? "1/" : "", column);
    unit[0] = '\0';
}

/* "sym (unit)", or "[sym]_CG (unit)" for the coarse-grained quantity. */
static void axis_label(const char *sym, const char *unit, int cg, char *out, size_t n)
{
    snprintf(out, n, "%s%s%s%s%s%s", cg ? "[" : "", sym, cg ? "]#dCG#u" : "", unit[0] ? " (" : "", unit,
             unit[0] ? ")" : "");
}

/* The names on the axes: x and y as used, their coarse-grained fields, and
 * the raw x column (the groups rank it); given labels are used as is. */
typedef struct labels {
    char xl[300], yl[300], xlcg[300], ylcg[300], xraw[160], xsym[160], ysym[160];
} labels;

static void make_labels(const corr_run_params *p, const corr_run_result *r, labels *lb)
{
    char xunit[64], yunit[64], xrawunit[64];
    column_symbol(r->x.column, r->x.inv, lb->xsym, sizeof lb->xsym, xunit, sizeof xunit);
    column_symbol(r->y.column, r->y.inv, lb->ysym, sizeof lb->ysym, yunit, sizeof yunit);
    column_symbol(r->x.column, 0, lb->xraw, sizeof lb->xraw, xrawunit, sizeof xrawunit);
    axis_label(lb->xsym, xunit, 0, lb->xl, sizeof lb->xl);
    axis_label(lb->ysym, yunit, 0, lb->yl, sizeof lb->yl);
    axis_label(lb->xsym, xunit, 1, lb->xlcg, sizeof lb->xlcg);
    axis_label(lb->ysym, yunit, 1, lb->ylcg, sizeof lb->ylcg);
    if (p->x_label) {
        snprintf(lb->xl, sizeof lb->xl, "%s", p->x_label);
        snprintf(lb->xlcg, sizeof lb->xlcg, "[%s]#dCG#u", p->x_label);
        snprintf(lb->xraw, sizeof lb->xraw, "%s", p->x_label);
    }
    if (p->y_label) {
        snprintf(lb->yl, sizeof lb->yl, "%s", p->y_label);
        snprintf(lb->ylcg, sizeof lb->ylcg, "[%s]#dCG#u", p->y_label);
    }
}

/* Robust colour range: 2nd to 98th percentile of the finite values. */
static void robust_range(size_t n, const double *v, double *lo, double *hi)
{
    double *c = malloc((n ? n : 1) * sizeof *c);
    size_t m = 0;
    for (size_t i = 0; c && i < n; i++)
        if (isfinite(v[i])) c[m++] = v[i];
    *lo = *hi = 0;
    if (m) {
        gsl_sort(c, 1, m);
        *lo = gsl_stats_quantile_from_sorted_data(c, 1, m, 0.02);
        *hi = gsl_stats_quantile_from_sorted_data(c, 1, m, 0.98);
    }
    free(c);
}

/* Fig. 2: per species, histograms of y for the top and bottom groups of x. */
static int fig2(const char *dir, const bpel_system *s, const corr_run_params *p, const corr_run_result *r,
                const labels *lb)
{
    size_t n = r->n;
    const double *y = r->y.raw;
    const int *group = r->group;
    int nt = s->ntypes;
    fig_figure *f = bpel_fig_create(1, nt, 0, 0);
    if (!f) return BPEL_ENOMEM;
    double *vals = bpel_malloc(n * sizeof *vals);
    if (!vals) {
        bpel_fig_destroy(f);
        return BPEL_ENOMEM;
    }
    double ymin = INFINITY, ymax = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (group[i] && isfinite(y[i])) ymin = fmin(ymin, y[i]), ymax = fmax(ymax, y[i]);
    for (int t = 1; t <= nt; t++) {
        fig_panel *pn = bpel_fig_panel_at(f, 0, t - 1);
        char title[360];
        if (s->element[t][0]) snprintf(title, sizeof title, "(%c) %s", 'a' + t - 1, s->element[t]);
        else snprintf(title, sizeof title, "(%c) type %d", 'a' + t - 1, t);
        bpel_fig_labels(pn, lb->yl, "probability density", title);
        size_t in_panel = 0;
        for (size_t i = 0; i < n; i++) in_panel += s->type[i] == t && group[i] && isfinite(y[i]);
        if (!in_panel) { /* a note, not an empty frame with a made-up axis */
            bpel_fig_xrange(pn, 0, 1);
            bpel_fig_yrange(pn, 0, 1);
            bpel_fig_text(pn, 0.1, 0.5, "no atom of this species in the groups");
            continue;
        }
        for (int g = 1; g >= -1; g -= 2) {
            size_t m = 0;
            for (size_t i = 0; i < n; i++)
                if (s->type[i] == t && group[i] == g && isfinite(y[i])) vals[m++] = y[i];
            char lab[200];
            snprintf(lab, sizeof lab, "%s %g %% of %s", g > 0 ? "highest" : "lowest", 100 * p->group_fraction,
                     lb->xraw);
            int nbins = m > 400 ? 30 : m > 100 ? 20 : 10;
            bpel_fig_histogram(pn, m, vals, nbins, ymin, ymax, FIG_HIST_DENSITY,
                          &(fig_style){.label = lab, .color = g > 0 ? FIG_RED : FIG_BLUE});
        }
        bpel_fig_legend(pn, FIG_LEGEND_TOP_RIGHT);
    }
    free(vals);
    return bpel_fig_save_in(f, dir, "fig2_groups");
}

/* Fig. 3: r(L) with the bootstrap interval as lines, the optimum and the paper's. */
static int fig3(const char *dir, const corr_run_params *p, const corr_run_result *r, const labels *lb)
{
    size_t nL = r->nL, kopt = r->kopt;
    const corr_stat *st = r->stat;
    fig_figure *f = bpel_fig_create(1, 1, 0, 0);
    if (!f) return BPEL_ENOMEM;
    fig_panel *pn = bpel_fig_panel_at(f, 0, 0);
    bpel_fig_labels(pn, "coarse-graining length L (Å)", "Pearson r", NULL);
    double *rv = bpel_malloc(nL * sizeof *rv), *elo = bpel_malloc(nL * sizeof *elo);
    if (!rv || !elo) {
        free(rv);
        free(elo);
        bpel_fig_destroy(f);
        return BPEL_ENOMEM;
    }
    for (size_t k = 0; k < nL; k++) rv[k] = st[k].r;
    bpel_fig_line(pn, nL, r->L, rv, &(fig_style){.color = FIG_BLUE});
    if (p->nboot > 0) {
        /* Symmetric bars would misstate the interval: draw lower and upper bounds as lines. */
        for (size_t k = 0; k < nL; k++) elo[k] = st[k].lo;
        bpel_fig_line(pn, nL, r->L, elo, &(fig_style){.color = FIG_BLUE, .dashed = 2, .size = 0.7});
        for (size_t k = 0; k < nL; k++) elo[k] = st[k].hi;
        char lab[64];
        snprintf(lab, sizeof lab, "%g %% bootstrap interval", 100 * p->conf);
        bpel_fig_line(pn, nL, r->L, elo, &(fig_style){.color = FIG_BLUE, .dashed = 2, .size = 0.7, .label = lab});
    }
    char rlab[400];
    snprintf(rlab, sizeof rlab, "r([%s]#dCG#u, [%s]#dCG#u)", p->x_label ? p->x_label : lb->xsym,
             p->y_label ? p->y_label : lb->ysym);
    bpel_fig_points(pn, nL, r->L, rv, &(fig_style){.color = FIG_BLUE, .label = rlab});
    /* room above the curves for the line labels */
    double ylo = INFINITY, yhi = -INFINITY;
    for (size_t k = 0; k < nL; k++) {
        ylo = fmin(ylo, p->nboot > 0 ? st[k].lo : st[k].r);
        yhi = fmax(yhi, p->nboot > 0 ? st[k].hi : st[k].r);
    }
    if (isfinite(ylo) && isfinite(yhi) && yhi > ylo) bpel_fig_yrange(pn, ylo - 0.08 * (yhi - ylo), yhi + 0.3 * (yhi - ylo));
    char buf[300];
    snprintf(buf, sizeof buf, "L = %.2g Å%s", r->L_opt, kopt == nL - 1 && nL > 1 ? " (end of scan)" : "");
    bpel_fig_vline_styled(pn, r->L_opt, buf, &(fig_style){.color = FIG_RED, .dashed = 1});
    /* the paper's optimum (Yang, Wang & Zaccone, Fig. 3) */
    bpel_fig_vline(pn, 5.9, "paper: 5.9 Å");
    bpel_fig_legend(pn, st[kopt].r > 0 ? FIG_LEGEND_BOTTOM_RIGHT : FIG_LEGEND_TOP_RIGHT);
    free(rv);
    free(elo);
    return bpel_fig_save_in(f, dir, "fig3_pearson_vs_L");
}

/* Fig. 4a: density map of the coarse-grained fields at the optimum. */
static int fig4a(const char *dir, const corr_run_result *r, const labels *lb)
{
    fig_figure *f = bpel_fig_create(1, 1, 640, 560);
    if (!f) return BPEL_ENOMEM;
    fig_panel *pn = bpel_fig_panel_at(f, 0, 0);
    char buf[300];
    snprintf(buf, sizeof buf, "L = %.2g Å, r = %.3f", r->L_opt, r->stat[r->kopt].r);
    bpel_fig_labels(pn, lb->xlcg, lb->ylcg, buf);
    bpel_fig_density_scatter(pn, r->n, r->cgx, r->cgy, 0, "local number density (atoms per cell)");
    return bpel_fig_save_in(f, dir, "fig4a_density");
}

/* Fig. 4b: binned means and the fits. */
static int fig4b(const char *dir, const corr_run_result *r, const labels *lb)
{
    const corr_bins *b = &r->bins;
    fig_figure *f = bpel_fig_create(1, 1, 0, 0);
    if (!f) return BPEL_ENOMEM;
    fig_panel *pn = bpel_fig_panel_at(f, 0, 0);
    char buf[300];
    snprintf(buf, sizeof buf, "bins of %ld atoms", r->bin_size);
    bpel_fig_labels(pn, lb->xlcg, lb->ylcg, buf);
    bpel_fig_errorbars(pn, b->nbins, b->xm, b->ym, b->xsem, b->ysem,
                  &(fig_style){.color = FIG_BLUE, .label = "binned", .marker = FIG_MARKER_OPEN_CIRCLE});
    double x0 = INFINITY, x1 = -INFINITY;
    for (size_t k = 0; k < b->nbins; k++) x0 = fmin(x0, b->xm[k]), x1 = fmax(x1, b->xm[k]);
    enum { NF = 100 };
    double fx[NF], fy[NF], fz[NF];
    for (int k = 0; k < NF; k++) {
        fx[k] = x0 + (x1 - x0) * k / (NF - 1);
        fy[k] = r->fit_a * fx[k];
        fz[k] = fx[k] > 0 ? r->fit_A * pow(fx[k], r->fit_k) : NAN;
    }
    char l1[128], l2[128];
    snprintf(l1, sizeof l1, "y = a·x, a = %.4g", r->fit_a);
    snprintf(l2, sizeof l2, "y = A·x#u%.3g#d", r->fit_k);
    if (isfinite(r->fit_a)) bpel_fig_line(pn, NF, fx, fy, &(fig_style){.color = FIG_RED, .dashed = 1, .label = l1});
    if (isfinite(r->fit_k)) bpel_fig_line(pn, NF, fx, fz, &(fig_style){.color = FIG_GREEN, .dashed = 2, .label = l2});
    bpel_fig_legend(pn, FIG_LEGEND_TOP_LEFT);
    return bpel_fig_save_in(f, dir, "fig4b_binned");
}

/* Fig. 5a-d: slab maps of x, y and their coarse-grained fields. */
static int fig5ad(const char *dir, const bpel_system *s, const corr_run_params *p, const corr_run_result *r,
                  const labels *lb)
{
    size_t n = r->n;
    int axis = p->slab_axis, rc = BPEL_OK;
    bpel_system *wrapped = bpel_system_copy(s);
    if (!wrapped) return BPEL_ENOMEM;
    bpel_system_wrap(wrapped);
    double ctr[3] = {0.5, 0.5, 0.5}, cpos[3];
    bpel_box_from_frac(&s->box, ctr, cpos);
    int a0 = (axis + 1) % 3, a1 = (axis + 2) % 3;
    if (a0 > a1) {
        int t = a0;
        a0 = a1;
        a1 = t;
    }
    double *px = bpel_malloc(n * sizeof *px), *py = bpel_malloc(n * sizeof *py), *pv[4];
    for (int k = 0; k < 4; k++) pv[k] = bpel_malloc(n * sizeof *pv[k]);
    if (px && py && pv[0] && pv[1] && pv[2] && pv[3]) {
        const double *src[4] = {r->x.v, r->y.v, r->cgx, r->cgy};
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (fabs(wrapped->x[3 * i + axis] - cpos[axis]) > 0.5 * p->slab_width) continue;
            px[m] = wrapped->x[3 * i + a0];
            py[m] = wrapped->x[3 * i + a1];
            for (int k = 0; k < 4; k++) pv[k][m] = src[k][i];
            m++;
        }
        fig_figure *f = bpel_fig_create(2, 2, 1100, 1000);
        const char *titles[4] = {"(a)", "(b)", "(c)", "(d)"};
        const char *cl[4] = {lb->xl, lb->yl, lb->xlcg, lb->ylcg};
        char axl[2][16];
        snprintf(axl[0], sizeof axl[0], "%c (Å)", 'x' + a0);
        snprintf(axl[1], sizeof axl[1], "%c (Å)", 'x' + a1);
        for (int k = 0; f && k < 4; k++) {
            fig_panel *pn = bpel_fig_panel_at(f, k / 2, k % 2);
            bpel_fig_labels(pn, axl[0], axl[1], titles[k]);
            double lo, hi;
            robust_range(m, pv[k], &lo, &hi);
            bpel_fig_color_points(pn, m, px, py, pv[k], lo, hi, cl[k], &(fig_style){.size = 2.2});
        }
        if (f) rc = bpel_fig_save_in(f, dir, "fig5a-d_maps");
    }
    free(px);
    free(py);
    for (int k = 0; k < 4; k++) free(pv[k]);
    bpel_system_destroy(wrapped);
    return rc;
}

/* Fig. 5e: autocorrelations with exponential fits and the e⁻³ level. */
static int fig5e(const char *dir, const corr_run_result *r, const labels *lb)
{
    const corr_acf *ax = &r->acf[0], *ay = &r->acf[1];
    double xi_x = r->xi[0], xi_y = r->xi[1], rx3 = r->r_e3[0], e3 = exp(-3.0);
    fig_figure *f = bpel_fig_create(1, 1, 0, 0);
    if (!f) return BPEL_ENOMEM;
    fig_panel *pn = bpel_fig_panel_at(f, 0, 0);
    bpel_fig_labels(pn, "r (Å)", "C(r)", NULL);
    bpel_fig_log(pn, 0, 1);
    bpel_fig_yrange(pn, 1e-3, 1.5);
    bpel_fig_points(pn, ax->nbins, ax->r, ax->c, &(fig_style){.color = FIG_BLUE, .label = lb->xl, .marker = FIG_MARKER_CIRCLE});
    bpel_fig_points(pn, ay->nbins, ay->r, ay->c,
               &(fig_style){.color = FIG_GREEN, .label = lb->yl, .marker = FIG_MARKER_OPEN_SQUARE});
    enum { NF = 100 };
    double fx[NF], f1[NF], f2[NF];
    for (int k = 0; k < NF; k++) {
        fx[k] = r->acf_rmax * k / (NF - 1);
        f1[k] = exp(-fx[k] / xi_x);
        f2[k] = exp(-fx[k] / xi_y);
    }
    char l1[128], l2[128];
    snprintf(l1, sizeof l1, "exp(-r/ξ), ξ = %.2f Å", xi_x);
    snprintf(l2, sizeof l2, "exp(-r/ξ), ξ = %.2f Å", xi_y);
    if (isfinite(xi_x)) bpel_fig_line(pn, NF, fx, f1, &(fig_style){.color = FIG_RED, .dashed = 1, .label = l1});
    if (isfinite(xi_y)) bpel_fig_line(pn, NF, fx, f2, &(fig_style){.color = FIG_ORANGE, .dashed = 1, .label = l2});
    bpel_fig_hline_styled(pn, e3, "e#u-3#d", &(fig_style){.color = FIG_BLUE, .dashed = 1});
    if (isfinite(rx3)) {
        char buf[300];
        snprintf(buf, sizeof buf, "r = %.2f Å", rx3);
        bpel_fig_vline_styled(pn, rx3, buf, &(fig_style){.color = FIG_BLUE, .dashed = 2});
    }
    /* the paper's C(r) = e^-3 distance for both quantities (Fig. 5e) */
    bpel_fig_vline(pn, 5.9, "paper: 5.9 Å");
    bpel_fig_legend(pn, FIG_LEGEND_TOP_RIGHT);
    return bpel_fig_save_in(f, dir, "fig5e_autocorrelation");
}

int bpel_corr_run_figures(const char *dir, const bpel_system *s, const corr_run_params *p, const corr_run_result *r)
{
    int rc = bpel_mkdir_p(dir);
    if (rc) return rc;
    labels lb;
    make_labels(p, r, &lb);
    if ((rc = fig2(dir, s, p, r, &lb))) return rc;
    if ((rc = fig3(dir, p, r, &lb))) return rc;
    if ((rc = fig4a(dir, r, &lb))) return rc;
    if ((rc = fig4b(dir, r, &lb))) return rc;
    if ((rc = fig5ad(dir, s, p, r, &lb))) return rc;
    return fig5e(dir, r, &lb);
}
