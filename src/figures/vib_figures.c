/* vib_figures.c — figures 1b, 9 and 11 (see vib_figures.h). */
#include "vib_figures.h"
#include "error.h"
#include "figure.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XLABEL "ω (rad/ps)"

/* Positive-ω bin centres of a VDOS, with g and g/ω². */
static size_t positive_bins(const vib_vdos *d, double **w, double **g, double **r)
{
    *w = malloc(d->nbins * sizeof **w);
    *g = malloc(d->nbins * sizeof **g);
    *r = malloc(d->nbins * sizeof **r);
    size_t m = 0;
    if (!*w || !*g || !*r) return 0;
    for (size_t b = 0; b < d->nbins; b++) {
        double c = vib_bin_centre(d, b);
        if (c <= 0) continue;
        (*w)[m] = c;
        (*g)[m] = d->g[b];
        (*r)[m] = d->g[b] / (c * c);
        m++;
    }
    return m;
}

int bpel_vib_fig1b(const char *dir, const vib_vdos *d, double debye_level)
{
    fig_figure *f = bpel_fig_create(1, 1, 0, 0);
    if (!f) return BPEL_ENOMEM;
    double *w, *g, *r;
    size_t m = positive_bins(d, &w, &g, &r);
    fig_panel *p = bpel_fig_panel_at(f, 0, 0);
    /* in 10⁻⁶ (rad/ps)⁻³, so that the tick labels stay narrow */
    bpel_fig_labels(p, XLABEL, "g(ω)/ω² (10#u-6#d (rad/ps)#u-3#d)", "(b)");
    for (size_t k = 0; k < m; k++) r[k] *= 1e6;
    double top = 0;
    for (size_t k = 0; k < m; k++)
        if (w[k] >= d->bp_lo) top = fmax(top, r[k]);
    /* below the I_BP window the box holds only its few lowest (sound-like)
     * modes: drawn in grey, and clipped at the top of the frame rather than
     * setting the scale */
    size_t lo = 0;
    while (lo < m && w[lo] < d->bp_lo) lo++;
    if (lo) {
        double *rc = malloc((lo + 1) * sizeof *rc);
        if (rc) {
            for (size_t k = 0; k <= lo && k < m; k++) rc[k] = fmin(r[k], 1.25 * top);
            bpel_fig_line(p, lo + (lo < m), w, rc, &(fig_style){.color = FIG_GREY, .label = "below the window"});
            free(rc);
        }
    }
    bpel_fig_line(p, m - lo, w + lo, r + lo, &(fig_style){.color = FIG_BLUE, .label = "g(ω)/ω²"});
    if (debye_level > 0) {
        bpel_fig_hline(p, 1e6 * debye_level, "Debye level");
        top = fmax(top, 1e6 * debye_level);
    }
    bpel_fig_vline_styled(p, d->bp_lo, "I#dBP#u window", &(fig_style){.color = FIG_GREEN, .dashed = 1});
    bpel_fig_vline_styled(p, d->bp_hi, NULL, &(fig_style){.color = FIG_GREEN, .dashed = 1});
    bpel_fig_vline_styled(p, d->bp_omega, "boson peak", &(fig_style){.color = FIG_RED, .dashed = 2});
    if (m) bpel_fig_xrange(p, 0, fmin(w[m - 1], fmax(3 * d->bp_hi, 10)));
    bpel_fig_yrange(p, 0, 1.3 * top);
    fig_panel *in = bpel_fig_inset(p, 0.5, 0.97, 0.45, 0.97);
    if (in) {
        bpel_fig_labels(in, XLABEL, "g(ω)", NULL);
        bpel_fig_line(in, m, w, g, &(fig_style){.color = FIG_BLACK});
    }
    free(w);
    free(g);
    free(r);
    return bpel_fig_save_in(f, dir, "fig1b_reduced_vdos");
}

int bpel_vib_fig9(const char *dir, int nseries, const vib_vdos *const *d, const char *const *labels, double debye_level)
{
    fig_figure *f = bpel_fig_create(1, 2, 1280, 520);
    if (!f) return BPEL_ENOMEM;
    fig_panel *pa = bpel_fig_panel_at(f, 0, 0), *pb = bpel_fig_panel_at(f, 0, 1);
    bpel_fig_labels(pa, XLABEL, "g(ω) (ps)", "(a)");
    bpel_fig_labels(pb, XLABEL, "g(ω)/ω² (10#u-6#d (rad/ps)#u-3#d)", "(b)"); /* as Fig. 1b */
    /* the inset sits in the empty upper part of panel (a): the frame's
     * height is set to 1.9x the highest g so the curves stay below it */
    fig_panel *in = bpel_fig_inset(pa, 0.16, 0.5, 0.6, 0.96);
    if (in) bpel_fig_labels(in, XLABEL, "g(ω)", NULL);
    double top = 0, xmax = 10, gtop = 0;
    for (int s = 0; s < nseries; s++) {
        double *w, *g, *r;
        size_t m = positive_bins(d[s], &w, &g, &r);
        fig_style st = {.label = labels[s], .color = 1 + s % FIG_NCOLORS};
        for (size_t k = 0; k < m; k++) r[k] *= 1e6;
        for (size_t k = 0; k < m; k++) gtop = fmax(gtop, g[k]);
        bpel_fig_line(pa, m, w, g, &st);
        double wtop = 0;
        for (size_t k = 0; k < m; k++)
            if (w[k] >= d[s]->bp_lo) wtop = fmax(wtop, r[k]);
        /* bins below the window (a few sound-like modes) may not set the scale */
        for (size_t k = 0; k < m; k++)
            if (w[k] < d[s]->bp_lo) r[k] = fmin(r[k], 1.25 * wtop);
        bpel_fig_line(pb, m, w, r, &st);
        size_t lo = 0;
        while (lo < m && w[lo] < 0.5 * d[s]->bp_hi) lo++;
        if (in) bpel_fig_line(in, lo, w, g, &(fig_style){.color = st.color});
        for (size_t k = 0; k < m; k++)
            if (w[k] >= d[s]->bp_lo) top = fmax(top, r[k]);
        xmax = fmax(xmax, 3 * d[s]->bp_hi);
        free(w);
        free(g);
        free(r);
    }
    if (debye_level > 0) {
        bpel_fig_hline(pb, 1e6 * debye_level, "Debye level");
        top = fmax(top, 1e6 * debye_level);
    }
    bpel_fig_xrange(pb, 0, xmax);
    bpel_fig_yrange(pb, 0, 1.3 * top);
    if (gtop > 0) bpel_fig_yrange(pa, 0, 1.9 * gtop);
    bpel_fig_legend(pa, FIG_LEGEND_TOP_RIGHT);
    bpel_fig_legend(pb, FIG_LEGEND_TOP_RIGHT);
    return bpel_fig_save_in(f, dir, "fig9_vdos_temperature");
}

int bpel_vib_fig11ab(const char *dir, const vib_modes *v, const double *gamma, const double *mean, const double *std,
                double bp_omega, const char *method)
{
    size_t n = v->nmodes, m = 0;
    double *w = malloc(n * sizeof *w), *g = malloc(n * sizeof *g), *ag = malloc(n * sizeof *ag);
    double *mw = malloc(n * sizeof *mw), *mm = malloc(n * sizeof *mm), *ms = malloc(n * sizeof *ms);
    if (!w || !g || !ag || !mw || !mm || !ms) {
        free(w); free(g); free(ag); free(mw); free(mm); free(ms);
        return BPEL_ENOMEM;
    }
    size_t na = 0;
    for (size_t k = 0; k < n; k++) {
        if (v->is_translation[k] || !isfinite(gamma[k]) || v->omega[k] <= 0) continue;
        w[m] = v->omega[k];
        g[m] = gamma[k];
        ag[m] = fabs(gamma[k]);
        m++;
        /* thin the running mean to at most ~200 error bars */
        if (isfinite(mean[k]) && (k % (n / 200 + 1) == 0)) {
            mw[na] = v->omega[k];
            mm[na] = mean[k];
            ms[na] = isfinite(std[k]) ? std[k] : 0.0;
            na++;
        }
    }
    char title[96];
    snprintf(title, sizeof title, "(a) %s", method);
    fig_figure *f = bpel_fig_create(1, 1, 0, 0);
    int rc = BPEL_ENOMEM;
    if (f) {
        fig_panel *p = bpel_fig_panel_at(f, 0, 0);
        bpel_fig_labels(p, XLABEL, "γ#dk#u", title);
        bpel_fig_points(p, m, w, g, &(fig_style){.marker = FIG_MARKER_DOT});
        if (bp_omega > 0) bpel_fig_vline(p, bp_omega, "boson peak");
        fig_panel *in = bpel_fig_inset(p, 0.5, 0.97, 0.55, 0.97);
        if (in) {
            bpel_fig_labels(in, XLABEL, "|γ#dk#u|", NULL);
            bpel_fig_log(in, 0, 1);
            bpel_fig_points(in, m, w, ag, &(fig_style){.marker = FIG_MARKER_DOT, .color = FIG_BLACK});
        }
        rc = bpel_fig_save_in(f, dir, "fig11a_mode_gruneisen");
    }
    if (!rc && (f = bpel_fig_create(1, 1, 0, 0))) {
        fig_panel *p = bpel_fig_panel_at(f, 0, 0);
        snprintf(title, sizeof title, "(b) %s", method);
        bpel_fig_labels(p, "ω#d0#u (rad/ps)", "γ#dave#u(ω < ω#d0#u)", title);
        bpel_fig_errorbars(p, na, mw, mm, NULL, ms, &(fig_style){.marker = FIG_MARKER_OPEN_CIRCLE});
        if (bp_omega > 0) bpel_fig_vline(p, bp_omega, "boson peak");
        rc = bpel_fig_save_in(f, dir, "fig11b_gamma_ave");
    }
    free(w); free(g); free(ag); free(mw); free(mm); free(ms);
    return rc;
}

typedef struct { double x, y; } pair_xy;
static int cmp_x(const void *a, const void *b)
{
    double x = ((const pair_xy *)a)->x, y = ((const pair_xy *)b)->x;
    return (x > y) - (x < y);
}

int bpel_vib_fig11c(const char *dir, size_t n, const double *gamma_i, const double *ibp)
{
    pair_xy *pts = malloc(n * sizeof *pts);
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    size_t nb = n / 100 + 1;
    double *bx = malloc(nb * sizeof *bx), *by = malloc(nb * sizeof *by);
    int rc = BPEL_ENOMEM;
    if (!pts || !x || !y || !bx || !by) goto out;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(gamma_i[i]) && ibp[i] > 0) pts[m++] = (pair_xy){gamma_i[i], ibp[i]};
    qsort(pts, m, sizeof *pts, cmp_x);
    for (size_t i = 0; i < m; i++) { x[i] = pts[i].x; y[i] = pts[i].y; }
    size_t k = 0;
    for (size_t i0 = 0; i0 + 50 <= m; i0 += 100) {
        size_t i1 = i0 + 100 <= m ? i0 + 100 : m;
        double sx = 0, sy = 0;
        for (size_t i = i0; i < i1; i++) { sx += x[i]; sy += y[i]; }
        bx[k] = sx / (i1 - i0);
        by[k] = sy / (i1 - i0);
        k++;
    }
    fig_figure *f = bpel_fig_create(1, 1, 0, 0);
    if (!f) goto out;
    fig_panel *p = bpel_fig_panel_at(f, 0, 0);
    bpel_fig_labels(p, "γ#di#u", "I#dBP#u ((rad/ps)#u-3#d)", "(c)");
    bpel_fig_log(p, 0, 1);
    bpel_fig_density_scatter(p, m, x, y, 0, "atoms per cell");
    bpel_fig_points(p, k, bx, by, &(fig_style){.marker = FIG_MARKER_OPEN_CIRCLE, .color = FIG_BLACK, .size = 1.5,
                                          .label = "bins of 100 atoms"});
    bpel_fig_legend(p, FIG_LEGEND_BOTTOM_RIGHT);
    rc = bpel_fig_save_in(f, dir, "fig11c_ibp_vs_gamma");
out:
    free(pts); free(x); free(y); free(bx); free(by);
    return rc;
}

int bpel_vib_fig_kpm(const char *dir, const kpm_result *r, const double *g_dense, double bp_lo, double bp_hi,
                double bp_omega)
{
    size_t nb = r->nbins, m = 0;
    double *w = malloc(nb * sizeof *w), *y[6];
    for (int k = 0; k < 6; k++) y[k] = malloc(nb * sizeof *y[k]);
    int rc = BPEL_ENOMEM;
    fig_figure *f = NULL;
    if (!w || !y[0] || !y[1] || !y[2] || !y[3] || !y[4] || !y[5]) goto out;
    /* positive bin centres: g ± 2σ and g/ω² ± 2σ/ω² (the latter in 10⁻⁶ (rad/ps)⁻³) */
    for (size_t b = 0; b < nb; b++) {
        double c = kpm_bin_centre(r, b);
        if (c <= 0) continue;
        w[m] = c;
        y[0][m] = r->g[b];
        y[1][m] = r->g[b] - 2 * r->g_err[b];
        y[2][m] = r->g[b] + 2 * r->g_err[b];
        for (int k = 0; k < 3; k++) y[3 + k][m] = 1e6 * y[k][m] / (c * c);
        m++;
    }
    double *gd = NULL, *rd = NULL;
    if (g_dense) {
        gd = malloc(nb * sizeof *gd);
        rd = malloc(nb * sizeof *rd);
        if (!gd || !rd) { free(gd); free(rd); goto out; }
        size_t q = 0;
        for (size_t b = 0; b < nb; b++) {
            double c = kpm_bin_centre(r, b);
            if (c <= 0) continue;
            gd[q] = g_dense[b];
            rd[q] = 1e6 * g_dense[b] / (c * c);
            q++;
        }
    }
    f = bpel_fig_create(1, 2, 1280, 520);
    if (!f) { free(gd); free(rd); goto out; }
    fig_panel *pa = bpel_fig_panel_at(f, 0, 0), *pb = bpel_fig_panel_at(f, 0, 1);
    char title[96];
    snprintf(title, sizeof title, "(a) KPM, M = %d, R = %d", r->moments, r->vectors);
    bpel_fig_labels(pa, XLABEL, "g(ω) (ps)", title);
    bpel_fig_labels(pb, XLABEL, "g(ω)/ω² (10#u-6#d (rad/ps)#u-3#d)", "(b)");
    if (gd) bpel_fig_line(pa, m, w, gd, &(fig_style){.color = FIG_RED, .label = "dense, histogram"});
    bpel_fig_line(pa, m, w, y[0], &(fig_style){.color = FIG_BLUE, .label = "KPM"});
    bpel_fig_line(pa, m, w, y[1], &(fig_style){.color = FIG_BLUE, .dashed = 2, .size = 0.6, .label = "±2σ"});
    bpel_fig_line(pa, m, w, y[2], &(fig_style){.color = FIG_BLUE, .dashed = 2, .size = 0.6});
    /* (b): the low end, where g/ω² is read; bins below the window or below
     * 2 rad/ps (a few sound-like modes, the kernel's tail) do not set the scale */
    double xmax = bp_hi > bp_lo ? fmax(3 * bp_hi, 10) : 20, from = bp_hi > bp_lo ? bp_lo : 2.0, top = 0;
    if (m) xmax = fmin(xmax, w[m - 1]);
    for (size_t k = 0; k < m; k++)
        if (w[k] >= from && w[k] <= xmax) top = fmax(top, fmax(y[5][k], rd ? rd[k] : 0));
    for (int k = 3; k < 6; k++)
        for (size_t q = 0; q < m; q++) y[k][q] = fmin(fmax(y[k][q], 0), 1.25 * top);
    if (rd) {
        for (size_t q = 0; q < m; q++) rd[q] = fmin(rd[q], 1.25 * top);
        bpel_fig_line(pb, m, w, rd, &(fig_style){.color = FIG_RED, .label = "dense, histogram"});
    }
    bpel_fig_line(pb, m, w, y[3], &(fig_style){.color = FIG_BLUE, .label = "KPM"});
    bpel_fig_line(pb, m, w, y[4], &(fig_style){.color = FIG_BLUE, .dashed = 2, .size = 0.6, .label = "±2σ"});
    bpel_fig_line(pb, m, w, y[5], &(fig_style){.color = FIG_BLUE, .dashed = 2, .size = 0.6});
    if (bp_hi > bp_lo) {
        bpel_fig_vline_styled(pb, bp_lo, "window", &(fig_style){.color = FIG_GREEN, .dashed = 1});
        bpel_fig_vline_styled(pb, bp_hi, NULL, &(fig_style){.color = FIG_GREEN, .dashed = 1});
    }
    if (bp_omega > 0) bpel_fig_vline_styled(pb, bp_omega, "boson peak", &(fig_style){.color = FIG_RED, .dashed = 2});
    bpel_fig_xrange(pb, 0, xmax);
    if (top > 0) bpel_fig_yrange(pb, 0, 1.3 * top);
    bpel_fig_legend(pa, FIG_LEGEND_TOP_RIGHT);
    bpel_fig_legend(pb, FIG_LEGEND_TOP_RIGHT);
    free(gd);
    free(rd);
    rc = bpel_fig_save_in(f, dir, "fig_kpm_vdos");
out:
    free(w);
    for (int k = 0; k < 6; k++) free(y[k]);
    return rc;
}
