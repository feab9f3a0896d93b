/* figure.c — retained-mode figures rendered with PLplot (pngcairo, svgcairo).
 *
 * Series are stored (copied) when added and drawn only by bpel_fig_save(), once per
 * output device, so the PNG and the SVG come from the same description.
 * Logarithmic axes follow PLplot's convention: the data are drawn as log10
 * values on a linear window and the axis is labelled with decades ("l" in
 * plbox). PLplot calls exit() on fatal errors; we install an exit handler that
 * jumps back into bpel_fig_save() so that the library keeps its no-exit rule. */
#include "figure.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <plplot.h>
#include <unistd.h>

#include "error.h"
#include "outfile.h"

enum series_kind { S_LINE, S_POINTS, S_ERR, S_DENSITY, S_CMAP, S_HLINE, S_VLINE, S_TEXT };

typedef struct series {
    int kind;
    size_t n;
    double *x, *y, *xe, *ye, *v; /* data, as given (not transformed) */
    char *label;                 /* legend label or reference-line/text label */
    int color;                   /* 1..FIG_NCOLORS */
    int marker;
    double size;
    int dashed;
    int grid;                    /* density scatter */
    double vmin, vmax;           /* colour map range */
} series;

struct fig_panel {
    fig_figure *fig;
    fig_panel *parent;           /* insets only */
    double frac[4];              /* inset position in the parent's viewport */
    char *xlabel, *ylabel, *title;
    int logx, logy;
    double xr[2], yr[2];
    int xfixed, yfixed;
    series *s;
    size_t ns, cap;
    int next_color;
    int legend, legend_pos;
    int has_cbar;
    char *cbar_label;
    double cbar_min, cbar_max;
};

struct fig_figure {
    int nrows, ncols, width, height;
    fig_panel *panels;           /* [nrows*ncols] */
    fig_panel **insets;
    size_t ninsets;
};

/* Background, axes, then the colour cycle (tab10-like) and black. */
static const int palette[][3] = {
    {255, 255, 255}, {0, 0, 0},       {31, 119, 180}, {214, 39, 40},  {44, 160, 44},
    {255, 127, 14},  {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
    {188, 189, 34},  {23, 190, 207},  {0, 0, 0}};
#define NPALETTE ((int)(sizeof palette / sizeof palette[0]))

static char *dupstr(const char *s)
{
    if (!s || !*s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void panel_init(fig_panel *p, fig_figure *f)
{
    memset(p, 0, sizeof *p);
    p->fig = f;
    p->next_color = 1;
    p->legend_pos = -1;
}

fig_figure *bpel_fig_create(int nrows, int ncols, int width_px, int height_px)
{
    if (nrows < 1 || ncols < 1) {
        bpel_fail(BPEL_EINVAL, "figure: %d x %d panels", nrows, ncols);
        return NULL;
    }
    fig_figure *f = bpel_calloc(1, sizeof *f);
    if (!f) return NULL;
    f->nrows = nrows;
    f->ncols = ncols;
    f->width = width_px > 0 ? width_px : 640 * ncols;
    f->height = height_px > 0 ? height_px : 480 * nrows;
    f->panels = bpel_calloc((size_t)nrows * ncols, sizeof *f->panels);
    if (!f->panels) {
        free(f);
        return NULL;
    }
    for (int i = 0; i < nrows * ncols; i++) panel_init(&f->panels[i], f);
    return f;
}

static void panel_free(fig_panel *p)
{
    for (size_t k = 0; k < p->ns; k++) {
        series *s = &p->s[k];
        free(s->x);
        free(s->y);
        free(s->xe);
        free(s->ye);
        free(s->v);
        free(s->label);
    }
    free(p->s);
    free(p->xlabel);
    free(p->ylabel);
    free(p->title);
    free(p->cbar_label);
}

void bpel_fig_destroy(fig_figure *f)
{
    if (!f) return;
    for (int i = 0; i < f->nrows * f->ncols; i++) panel_free(&f->panels[i]);
    for (size_t i = 0; i < f->ninsets; i++) {
        panel_free(f->insets[i]);
        free(f->insets[i]);
    }
    free(f->insets);
    free(f->panels);
    free(f);
}

fig_panel *bpel_fig_panel_at(fig_figure *f, int row, int col)
{
    if (!f || row < 0 || col < 0 || row >= f->nrows || col >= f->ncols) return NULL;
    return &f->panels[row * f->ncols + col];
}

fig_panel *bpel_fig_inset(fig_panel *parent, double x0, double x1, double y0, double y1)
{
    if (!parent || !(x0 >= 0 && x1 <= 1 && x0 < x1 && y0 >= 0 && y1 <= 1 && y0 < y1)) {
        bpel_fail(BPEL_EINVAL, "figure: inset fractions [%g,%g]x[%g,%g] not inside [0,1]", x0, x1, y0, y1);
        return NULL;
    }
    fig_figure *f = parent->fig;
    fig_panel **ni = bpel_realloc(f->insets, (f->ninsets + 1) * sizeof *ni);
    if (!ni) return NULL;
    f->insets = ni;
    fig_panel *p = bpel_calloc(1, sizeof *p);
    if (!p) return NULL;
    panel_init(p, f);
    p->parent = parent;
    p->frac[0] = x0;
    p->frac[1] = x1;
    p->frac[2] = y0;
    p->frac[3] = y1;
    f->insets[f->ninsets++] = p;
    return p;
}

static void set_str(char **dst, const char *s)
{
    free(*dst);
    *dst = dupstr(s);
}

void bpel_fig_labels(fig_panel *p, const char *xlabel, const char *ylabel, const char *title)
{
    if (!p) return;
    set_str(&p->xlabel, xlabel);
    set_str(&p->ylabel, ylabel);
    set_str(&p->title, title);
}

void bpel_fig_log(fig_panel *p, int logx, int logy)
{
    if (!p) return;
    p->logx = logx != 0;
    p->logy = logy != 0;
}

void bpel_fig_xrange(fig_panel *p, double min, double max)
{
    if (!p) return;
    p->xfixed = min < max;
    p->xr[0] = min;
    p->xr[1] = max;
}

void bpel_fig_yrange(fig_panel *p, double min, double max)
{
    if (!p) return;
    p->yfixed = min < max;
    p->yr[0] = min;
    p->yr[1] = max;
}

void bpel_fig_legend(fig_panel *p, int position)
{
    if (!p) return;
    p->legend = 1;
    p->legend_pos = position;
}

static double *dupv(const double *v, size_t n, int *err)
{
    if (!v || n == 0) return NULL;
    double *d = bpel_malloc(n * sizeof *d);
    if (!d) {
        *err = 1;
        return NULL;
    }
    memcpy(d, v, n * sizeof *d);
    return d;
}

/* Append a series; copies arrays and the style. */
static series *add_series(fig_panel *p, int kind, size_t n, const double *x, const double *y,
                          const double *xe, const double *ye, const double *v, const fig_style *st,
                          const char *label, int default_color)
{
    if (!p) {
        bpel_fail(BPEL_EINVAL, "figure: no panel");
        return NULL;
    }
    if (p->ns == p->cap) {
        size_t nc = p->cap ? 2 * p->cap : 8;
        series *ns = bpel_realloc(p->s, nc * sizeof *ns);
        if (!ns) return NULL;
        p->s = ns;
        p->cap = nc;
    }
    series *s = &p->s[p->ns];
    memset(s, 0, sizeof *s);
    int err = 0;
    s->kind = kind;
    s->n = n;
    s->x = dupv(x, n, &err);
    s->y = dupv(y, n, &err);
    s->xe = dupv(xe, n, &err);
    s->ye = dupv(ye, n, &err);
    s->v = dupv(v, n, &err);
    const char *lab = label ? label : (st ? st->label : NULL);
    s->label = dupstr(lab);
    if (err || (lab && *lab && !s->label)) {
        free(s->x);
        free(s->y);
        free(s->xe);
        free(s->ye);
        free(s->v);
        free(s->label);
        bpel_fail(BPEL_ENOMEM, "figure: out of memory");
        return NULL;
    }
    if (st && st->color >= 1 && st->color <= FIG_NCOLORS) {
        s->color = st->color;
    } else if (default_color) {
        s->color = default_color;
    } else {
        s->color = p->next_color;
        p->next_color = p->next_color % (FIG_NCOLORS - 1) + 1;
    }
    s->marker = st ? st->marker : 0;
    s->size = st && st->size > 0 ? st->size : 1.0;
    s->dashed = st ? st->dashed : 0;
    p->ns++;
    return s;
}

int bpel_fig_line(fig_panel *p, size_t n, const double *x, const double *y, const fig_style *st)
{
    if (n && (!x || !y)) return bpel_fail(BPEL_EINVAL, "figure: line without data");
    return add_series(p, S_LINE, n, x, y, NULL, NULL, NULL, st, NULL, 0) ? BPEL_OK : BPEL_ENOMEM;
}

int bpel_fig_points(fig_panel *p, size_t n, const double *x, const double *y, const fig_style *st)
{
    if (n && (!x || !y)) return bpel_fail(BPEL_EINVAL, "figure: points without data");
    return add_series(p, S_POINTS, n, x, y, NULL, NULL, NULL, st, NULL, 0) ? BPEL_OK : BPEL_ENOMEM;
}

int bpel_fig_errorbars(fig_panel *p, size_t n, const double *x, const double *y, const double *xerr,
                  const double *yerr, const fig_style *st)
{
    if (n && (!x || !y)) return bpel_fail(BPEL_EINVAL, "figure: error bars without data");
    return add_series(p, S_ERR, n, x, y, xerr, yerr, NULL, st, NULL, 0) ? BPEL_OK : BPEL_ENOMEM;
}

int bpel_fig_histogram(fig_panel *p, size_t n, const double *values, int nbins, double min, double max,
                  int norm, const fig_style *st)
{
    if (nbins < 1) return bpel_fail(BPEL_EINVAL, "figure: histogram with %d bins", nbins);
    if (n && !values) return bpel_fail(BPEL_EINVAL, "figure: histogram without data");
    if (!(min < max)) {
        min = DBL_MAX;
        max = -DBL_MAX;
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(values[i])) continue;
            if (values[i] < min) min = values[i];
            if (values[i] > max) max = values[i];
        }
        if (!(min <= max)) {
            min = 0;
            max = 1;
        }
        if (min == max) {
            min -= 0.5;
            max += 0.5;
        }
    }
    double *cnt = bpel_calloc((size_t)nbins, sizeof *cnt);
    size_t m = 2 * (size_t)nbins + 2;
    double *hx = bpel_malloc(m * sizeof *hx), *hy = bpel_malloc(m * sizeof *hy);
    if (!cnt || !hx || !hy) {
        free(cnt);
        free(hx);
        free(hy);
        return BPEL_ENOMEM;
    }
    double w = (max - min) / nbins;
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        double v = values[i];
        if (!isfinite(v) || v < min || v > max) continue;
        int b = (int)((v - min) / w);
        if (b >= nbins) b = nbins - 1;
        cnt[b] += 1;
        used++;
    }
    double scale = 1.0;
    if (norm == FIG_HIST_DENSITY && used) scale = 1.0 / (used * w);
    if (norm == FIG_HIST_FRACTION && used) scale = 1.0 / used;
    /* Step outline starting and ending on zero. */
    size_t k = 0;
    hx[k] = min;
    hy[k++] = 0;
    for (int b = 0; b < nbins; b++) {
        hx[k] = min + b * w;
        hy[k++] = cnt[b] * scale;
        hx[k] = min + (b + 1) * w;
        hy[k++] = cnt[b] * scale;
    }
    hx[k] = max;
    hy[k++] = 0;
    int rc = add_series(p, S_LINE, k, hx, hy, NULL, NULL, NULL, st, NULL, 0) ? BPEL_OK : BPEL_ENOMEM;
    free(cnt);
    free(hx);
    free(hy);
    return rc;
}

int bpel_fig_density_scatter(fig_panel *p, size_t n, const double *x, const double *y, int grid,
                        const char *cbar_label)
{
    if (n && (!x || !y)) return bpel_fail(BPEL_EINVAL, "figure: density scatter without data");
    series *s = add_series(p, S_DENSITY, n, x, y, NULL, NULL, NULL, NULL, NULL, FIG_BLACK);
    if (!s) return BPEL_ENOMEM;
    s->grid = grid > 0 ? grid : 60;
    p->has_cbar = 1;
    set_str(&p->cbar_label, cbar_label ? cbar_label : "points per cell");
    return BPEL_OK;
}

int bpel_fig_color_points(fig_panel *p, size_t n, const double *x, const double *y, const double *v,
                     double vmin, double vmax, const char *cbar_label, const fig_style *st)
{
    if (n && (!x || !y || !v)) return bpel_fail(BPEL_EINVAL, "figure: colour map without data");
    series *s = add_series(p, S_CMAP, n, x, y, NULL, NULL, v, st, "", FIG_BLACK);
    if (!s) return BPEL_ENOMEM;
    if (!(vmin < vmax)) {
        vmin = DBL_MAX;
        vmax = -DBL_MAX;
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(v[i])) continue;
            if (v[i] < vmin) vmin = v[i];
            if (v[i] > vmax) vmax = v[i];
        }
        if (!(vmin < vmax)) {
            double c = vmin <= vmax ? vmin : 0;
            vmin = c - 0.5;
            vmax = c + 0.5;
        }
    }
    s->vmin = vmin;
    s->vmax = vmax;
    p->has_cbar = 1;
    p->cbar_min = vmin;
    p->cbar_max = vmax;
    set_str(&p->cbar_label, cbar_label);
    return BPEL_OK;
}

static int add_ref(fig_panel *p, int kind, double v, const char *label, const fig_style *st)
{
    if (!isfinite(v)) return bpel_fail(BPEL_EINVAL, "figure: reference line at %g", v);
    fig_style s0 = {0};
    if (st) s0 = *st;
    if (!s0.dashed) s0.dashed = 1;
    series *s = add_series(p, kind, 1, kind == S_VLINE ? &v : NULL, kind == S_HLINE ? &v : NULL, NULL,
                           NULL, NULL, &s0, label ? label : "", FIG_GREY);
    return s ? BPEL_OK : BPEL_ENOMEM;
}

int bpel_fig_hline(fig_panel *p, double y, const char *label) { return add_ref(p, S_HLINE, y, label, NULL); }
int bpel_fig_vline(fig_panel *p, double x, const char *label) { return add_ref(p, S_VLINE, x, label, NULL); }
int bpel_fig_hline_styled(fig_panel *p, double y, const char *label, const fig_style *st)
{
    return add_ref(p, S_HLINE, y, label, st);
}
int bpel_fig_vline_styled(fig_panel *p, double x, const char *label, const fig_style *st)
{
    return add_ref(p, S_VLINE, x, label, st);
}

int bpel_fig_text(fig_panel *p, double x, double y, const char *text)
{
    if (!text) return BPEL_OK;
    fig_style st = {.color = FIG_BLACK};
    series *s = add_series(p, S_TEXT, 1, &x, &y, NULL, NULL, NULL, &st, text, 0);
    return s ? BPEL_OK : BPEL_ENOMEM;
}

/* ---- rendering ---------------------------------------------------------- */

static double tr(int logaxis, double v)
{
    if (!isfinite(v)) return NAN;
    if (logaxis) return v > 0 ? log10(v) : NAN;
    return v;
}

static void grow(double r[2], double v)
{
    if (!isfinite(v)) return;
    if (v < r[0]) r[0] = v;
    if (v > r[1]) r[1] = v;
}

static void finish_range(double r[2], int fixed, const double fr[2], int logaxis, double lo_auto,
                         double hi_auto)
{
    if (fixed) {
        r[0] = tr(logaxis, fr[0]);
        r[1] = tr(logaxis, fr[1]);
        if (isfinite(r[0]) && isfinite(r[1]) && r[0] < r[1]) return;
    }
    r[0] = lo_auto;
    r[1] = hi_auto;
    if (!(r[0] <= r[1])) {
        r[0] = 0;
        r[1] = 1;
    } else if (r[0] == r[1]) {
        double d = fabs(r[0]) > 0 ? 0.1 * fabs(r[0]) : 0.5;
        r[0] -= d;
        r[1] += d;
    } else {
        double pad = 0.05 * (r[1] - r[0]);
        r[0] -= pad;
        r[1] += pad;
    }
}

static void panel_range(const fig_panel *p, double xr[2], double yr[2])
{
    double ax[2] = {DBL_MAX, -DBL_MAX}, ay[2] = {DBL_MAX, -DBL_MAX};
    for (size_t k = 0; k < p->ns; k++) {
        const series *s = &p->s[k];
        for (size_t i = 0; i < s->n; i++) {
            if (s->kind == S_HLINE) {
                grow(ay, tr(p->logy, s->y[0]));
                continue;
            }
            if (s->kind == S_VLINE) {
                grow(ax, tr(p->logx, s->x[0]));
                continue;
            }
            if (s->kind == S_TEXT) continue;
            double xv = tr(p->logx, s->x[i]), yv = tr(p->logy, s->y[i]);
            if (!isfinite(xv) || !isfinite(yv)) continue;
            grow(ax, xv);
            grow(ay, yv);
            if (s->xe && isfinite(s->xe[i])) {
                grow(ax, tr(p->logx, s->x[i] - s->xe[i]));
                grow(ax, tr(p->logx, s->x[i] + s->xe[i]));
            }
            if (s->ye && isfinite(s->ye[i])) {
                grow(ay, tr(p->logy, s->y[i] - s->ye[i]));
                grow(ay, tr(p->logy, s->y[i] + s->ye[i]));
            }
        }
    }
    finish_range(xr, p->xfixed, p->xr, p->logx, ax[0], ax[1]);
    finish_range(yr, p->yfixed, p->yr, p->logy, ay[0], ay[1]);
    /* Head room for a legend at the top of an automatic linear y axis. */
    if (p->legend && !p->yfixed && !p->logy && (p->legend_pos == FIG_LEGEND_TOP_RIGHT || p->legend_pos == FIG_LEGEND_TOP_LEFT))
        yr[1] += 0.2 * (yr[1] - yr[0]);
}

static const char *marker_glyph(int m)
{
    switch (m) {
    case FIG_MARKER_OPEN_CIRCLE: return "○";
    case FIG_MARKER_SQUARE: return "■";
    case FIG_MARKER_OPEN_SQUARE: return "□";
    case FIG_MARKER_TRIANGLE: return "▲";
    case FIG_MARKER_DIAMOND: return "◆";
    case FIG_MARKER_CROSS: return "×";
    case FIG_MARKER_PLUS: return "+";
    case FIG_MARKER_DOT: return "•";
    default: return "●";
    }
}

static void set_line_style(int dashed)
{
    if (dashed == 2) {
        PLINT mark = 300, space = 600;
        plstyl(1, &mark, &space);
    } else if (dashed) {
        PLINT mark = 2500, space = 1500;
        plstyl(1, &mark, &space);
    } else {
        plstyl(0, NULL, NULL);
    }
}

/* Draw polyline pieces between non-finite entries. */
static void draw_polyline(const fig_panel *p, size_t n, const double *x, const double *y, double *bx,
                          double *by)
{
    size_t m = 0;
    for (size_t i = 0; i <= n; i++) {
        double xv = i < n ? tr(p->logx, x[i]) : NAN, yv = i < n ? tr(p->logy, y[i]) : NAN;
        if (isfinite(xv) && isfinite(yv)) {
            bx[m] = xv;
            by[m] = yv;
            m++;
        } else {
            if (m > 1) plline((PLINT)m, bx, by);
            m = 0;
        }
    }
}

static void draw_markers(const fig_panel *p, size_t n, const double *x, const double *y, int marker,
                         double size, double chr, double *bx, double *by)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double xv = tr(p->logx, x[i]), yv = tr(p->logy, y[i]);
        if (isfinite(xv) && isfinite(yv)) {
            bx[m] = xv;
            by[m] = yv;
            m++;
        }
    }
    if (!m) return;
    plschr(0, chr * 0.9 * size);
    plstring((PLINT)m, bx, by, marker_glyph(marker));
    plschr(0, chr);
}

/* Viridis, sampled at five points. */
static void set_cmap1(void)
{
    PLFLT pos[] = {0.0, 0.25, 0.5, 0.75, 1.0};
    PLFLT r[] = {0.267, 0.231, 0.128, 0.369, 0.993};
    PLFLT g[] = {0.005, 0.322, 0.567, 0.789, 0.906};
    PLFLT b[] = {0.329, 0.546, 0.551, 0.383, 0.144};
    plscmap1n(256);
    plscmap1l(1, 5, pos, r, g, b, NULL);
}

#define NLEVEL 48

/* Draw points grouped into NLEVEL colour levels, low values first. */
static void draw_levels(const fig_panel *p, size_t n, const double *x, const double *y,
                        const double *frac, double chr, double size, double *bx, double *by)
{
    size_t *cnt = calloc(NLEVEL + 1, sizeof *cnt);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!cnt || !idx) {
        free(cnt);
        free(idx);
        return;
    }
    int *lev = malloc((n ? n : 1) * sizeof *lev);
    if (!lev) {
        free(cnt);
        free(idx);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        double f = frac[i];
        if (!isfinite(f)) {
            lev[i] = -1;
            continue;
        }
        if (f < 0) f = 0;
        if (f > 1) f = 1;
        lev[i] = (int)(f * (NLEVEL - 1) + 0.5);
        cnt[lev[i] + 1]++;
    }
    for (int l = 0; l < NLEVEL; l++) cnt[l + 1] += cnt[l];
    size_t *pos = malloc(NLEVEL * sizeof *pos);
    if (pos) {
        memcpy(pos, cnt, NLEVEL * sizeof *pos);
        for (size_t i = 0; i < n; i++)
            if (lev[i] >= 0) idx[pos[lev[i]]++] = i;
        plschr(0, chr * 0.4 * size);
        for (int l = 0; l < NLEVEL; l++) {
            size_t m = 0;
            for (size_t k = cnt[l]; k < cnt[l + 1]; k++) {
                size_t i = idx[k];
                double xv = tr(p->logx, x[i]), yv = tr(p->logy, y[i]);
                if (!isfinite(xv) || !isfinite(yv)) continue;
                bx[m] = xv;
                by[m] = yv;
                m++;
            }
            if (!m) continue;
            plcol1((double)l / (NLEVEL - 1));
            plstring((PLINT)m, bx, by, "●");
        }
        plschr(0, chr);
        free(pos);
    }
    free(lev);
    free(cnt);
    free(idx);
}

/* Local density: counts on a grid over the window, smoothed with the
 * 3x3 neighbourhood; returns the maximum. */
static double density_colours(const fig_panel *p, const series *s, const double xr[2],
                              const double yr[2], double *frac)
{
    int g = s->grid;
    double *h = calloc((size_t)g * g, sizeof *h), *hs = calloc((size_t)g * g, sizeof *hs);
    int *cell = malloc((s->n ? s->n : 1) * sizeof *cell);
    double hmax = 0;
    if (!h || !hs || !cell) goto out;
    for (size_t i = 0; i < s->n; i++) {
        double xv = tr(p->logx, s->x[i]), yv = tr(p->logy, s->y[i]);
        cell[i] = -1;
        if (!isfinite(xv) || !isfinite(yv)) continue;
        int cx = (int)floor((xv - xr[0]) / (xr[1] - xr[0]) * g);
        int cy = (int)floor((yv - yr[0]) / (yr[1] - yr[0]) * g);
        if (cx < 0 || cy < 0 || cx >= g || cy >= g) continue;
        cell[i] = cy * g + cx;
        h[cell[i]] += 1;
    }
    for (int cy = 0; cy < g; cy++)
        for (int cx = 0; cx < g; cx++) {
            double sum = 0;
            int m = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int ax = cx + dx, ay = cy + dy;
                    if (ax < 0 || ay < 0 || ax >= g || ay >= g) continue;
                    sum += (dx || dy) ? 0.5 * h[ay * g + ax] : h[ay * g + ax];
                    m++;
                }
            hs[cy * g + cx] = sum / 5.0; /* weights 1 + 8 * 0.5 */
        }
    for (size_t i = 0; i < s->n; i++)
        if (cell[i] >= 0 && hs[cell[i]] > hmax) hmax = hs[cell[i]];
    for (size_t i = 0; i < s->n; i++)
        frac[i] = cell[i] >= 0 && hmax > 0 ? hs[cell[i]] / hmax : NAN;
out:
    free(h);
    free(hs);
    free(cell);
    return hmax;
}

/* Colour bar in its own viewport right of the panel: 128 filled strips of
 * colour map 1, a numeric axis on the right and the label beyond it. */
static void draw_colorbar(const fig_panel *p, const double vp[4], double vmin, double vmax, double chr)
{
    if (!(vmin < vmax)) vmax = vmin + 1;
    /* large or small values: the power of ten goes into the label, not above
     * the bar (where PLplot would put it, outside the page) */
    double big = fmax(fabs(vmin), fabs(vmax));
    int p10 = big > 0 ? (int)floor(log10(big)) : 0;
    if (p10 > -3 && p10 < 4) p10 = 0;
    double scale = pow(10.0, -p10);
    char label[512];
    if (p10) snprintf(label, sizeof label, "%s (×10#u%d#d)", p->cbar_label ? p->cbar_label : "", p10);
    else snprintf(label, sizeof label, "%s", p->cbar_label ? p->cbar_label : "");
    vmin *= scale;
    vmax *= scale;
    double x0 = vp[1] + 0.02, x1 = vp[1] + 0.045;
    plvpor(x0, x1, vp[2], vp[3]);
    plwind(0, 1, vmin, vmax);
    const int nstrip = 128;
    for (int k = 0; k < nstrip; k++) {
        PLFLT y0 = vmin + (vmax - vmin) * k / nstrip, y1 = vmin + (vmax - vmin) * (k + 1) / nstrip;
        PLFLT fx[4] = {0, 1, 1, 0}, fy[4] = {y0, y0, y1, y1};
        plcol1((k + 0.5) / nstrip);
        plfill(4, fx, fy);
    }
    plschr(0, chr * 0.85);
    plcol0(1);
    plwidth(1.0);
    plbox("bc", 0, 0, "bc", 0, 0);
    /* ticks inside the bar: outward ticks read as minus signs before the labels */
    plbox("", 0, 0, "cmtv", 0, 0);
    if (label[0]) plmtex("r", 5.0, 0.5, 0.5, label);
    plschr(0, chr);
}

static void draw_legend(const fig_panel *p, double chr)
{
    int n = 0;
    for (size_t k = 0; k < p->ns; k++)
        if (p->s[k].label && p->s[k].kind <= S_ERR) n++;
    if (!n) return;
    PLINT *opt = calloc(n, sizeof *opt), *tcol = calloc(n, sizeof *tcol), *lcol = calloc(n, sizeof *lcol),
          *lsty = calloc(n, sizeof *lsty), *scol = calloc(n, sizeof *scol), *snum = calloc(n, sizeof *snum),
          *bcol = calloc(n, sizeof *bcol), *bpat = calloc(n, sizeof *bpat);
    PLFLT *lw = calloc(n, sizeof *lw), *ssc = calloc(n, sizeof *ssc), *bsc = calloc(n, sizeof *bsc),
          *bw = calloc(n, sizeof *bw);
    const char **text = calloc(n, sizeof *text), **sym = calloc(n, sizeof *sym);
    if (opt && tcol && lcol && lsty && scol && snum && bcol && bpat && lw && ssc && bsc && bw && text && sym) {
        int j = 0;
        for (size_t k = 0; k < p->ns; k++) {
            const series *s = &p->s[k];
            if (!s->label || s->kind > S_ERR) continue;
            int c = s->color + 1;
            opt[j] = s->kind == S_LINE ? PL_LEGEND_LINE : PL_LEGEND_SYMBOL;
            tcol[j] = 1;
            lcol[j] = c;
            lsty[j] = s->dashed ? 2 : 1;
            lw[j] = 1.5 * s->size;
            scol[j] = c;
            snum[j] = 1;
            ssc[j] = 0.9 * s->size;
            sym[j] = marker_glyph(s->marker);
            text[j] = s->label;
            j++;
        }
        static const PLINT pos[] = {PL_POSITION_TOP | PL_POSITION_RIGHT, PL_POSITION_TOP | PL_POSITION_LEFT,
                                    PL_POSITION_BOTTOM | PL_POSITION_RIGHT, PL_POSITION_BOTTOM | PL_POSITION_LEFT};
        int pi = p->legend_pos >= 0 && p->legend_pos < 4 ? p->legend_pos : 0;
        PLFLT w, h;
        plschr(0, chr * 0.8);
        pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, pos[pi] | PL_POSITION_INSIDE, 0.02,
                 0.02, 0.08, 0, 1, 1, 0, 0, n, opt, 0.8, 0.8, 1.8, 0.0, tcol, text, bcol, bpat, bsc, bw, lcol,
                 lsty, lw, scol, ssc, snum, sym);
        plschr(0, chr);
    }
    free(opt), free(tcol), free(lcol), free(lsty), free(scol), free(snum), free(bcol), free(bpat);
    free(lw), free(ssc), free(bsc), free(bw), free(text), free(sym);
}

/* Tick labels: plain %g numbers (PLplot would otherwise factor out a
 * "(x10^n)" that lands on top of the panel title) and 10^n on log axes. */
typedef struct axis_info {
    int log[2];
    double span[2];
} axis_info;

static void tick_label(PLINT axis, PLFLT value, char *label, PLINT length, PLPointer data)
{
    const axis_info *ai = data;
    int k = axis == PL_Y_AXIS ? 1 : 0;
    if (ai->log[k]) {
        double e = round(value);
        if (fabs(value - e) < 1e-6)
            snprintf(label, length, "10#u%d#d", (int)e);
        else
            snprintf(label, length, "%.3g", pow(10, value));
        return;
    }
    if (fabs(value) < 1e-9 * ai->span[k]) value = 0;
    snprintf(label, length, "%.6g", value);
}

/* Rough width, in character heights, of the widest y tick label: used to
 * keep the axis title clear of the labels. */
static double ylabel_width(const axis_info *ai, double lo, double hi)
{
    if (ai->log[1]) return 3.2;
    double span = hi - lo;
    if (!(span > 0)) return 3;
    double raw = span / 6, mag = pow(10, floor(log10(raw))), f = raw / mag;
    double step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
    size_t w = 1;
    for (double t = ceil(lo / step) * step; t <= hi + 1e-9 * span; t += step) {
        char buf[64];
        tick_label(PL_Y_AXIS, t, buf, sizeof buf, (PLPointer)ai);
        size_t n = strlen(buf);
        if (n > w) w = n;
    }
    return 0.62 * w;
}

/* Viewport of a panel in normalised subpage coordinates. */
static void panel_viewport(const fig_panel *p, double vp[4])
{
    if (p->parent) {
        double pv[4];
        panel_viewport(p->parent, pv);
        vp[0] = pv[0] + p->frac[0] * (pv[1] - pv[0]);
        vp[1] = pv[0] + p->frac[1] * (pv[1] - pv[0]);
        vp[2] = pv[2] + p->frac[2] * (pv[3] - pv[2]);
        vp[3] = pv[2] + p->frac[3] * (pv[3] - pv[2]);
        return;
    }
    /* room on the left for wide y tick labels (e.g. -0.001) and the title beside them */
    double xr[2], yr[2];
    panel_range(p, xr, yr);
    axis_info ai = {{p->logx, p->logy}, {xr[1] - xr[0], yr[1] - yr[0]}};
    double wch = ylabel_width(&ai, yr[0], yr[1]) / 0.62;
    vp[0] = 0.14 + fmax(0.0, 0.018 * (wch - 4));
    vp[1] = p->has_cbar ? 0.78 : 0.95;
    vp[2] = 0.13;
    vp[3] = p->title ? 0.91 : 0.95;
}


/* ---- placing the labels of reference lines ------------------------------
 * A label goes where it covers the fewest data points, other labels, the
 * legend and insets, among a few candidate places next to its line. */

typedef struct label_box {
    double x0, x1, y0, y1; /* world (transformed) coordinates */
} label_box;

/* Printed characters of a label: UTF-8 continuation bytes and PLplot escapes
 * (#u, #d, #(...)...) do not count. */
static int label_chars(const char *t)
{
    int n = 0;
    for (const unsigned char *c = (const unsigned char *)t; *c; c++) {
        if ((*c & 0xC0) == 0x80) continue;
        if (*c == '#' && c[1] == '(') { /* #(NNNN): one glyph */
            while (c[1] && *c != ')') c++;
            n++;
            continue;
        }
        if (*c == '#' && c[1]) {
            c++;
            continue;
        }
        n++;
    }
    return n;
}

/* Size of a label in world units at the current character height. */
static void label_size(const char *t, const double xr[2], const double yr[2], double *w, double *h)
{
    PLFLT def, ht, vx0, vx1, vy0, vy1, xp = 0, yp = 0;
    PLINT xl = 0, yl = 0, xo, yo;
    plgchr(&def, &ht);
    plgvpd(&vx0, &vx1, &vy0, &vy1);
    plgpage(&xp, &yp, &xl, &yl, &xo, &yo);
    double dx = xr[1] - xr[0], dy = yr[1] - yr[0];
    if (xp > 0 && yp > 0 && xl > 0 && yl > 0 && vx1 > vx0 && vy1 > vy0) {
        double wmm = (vx1 - vx0) * xl / xp * 25.4, hmm = (vy1 - vy0) * yl / yp * 25.4;
        *w = label_chars(t) * 0.62 * ht / wmm * dx;
        *h = 1.3 * ht / hmm * dy;
    } else {
        *w = label_chars(t) * 0.018 * dx;
        *h = 0.05 * dy;
    }
}

static int in_box(const label_box *b, double x, double y)
{
    return x >= b->x0 && x <= b->x1 && y >= b->y0 && y <= b->y1;
}

/* How much a candidate box would cover: data points (lines sampled along
 * their segments), earlier labels and the areas of the legend and insets. */
static double box_cost(const fig_panel *p, const label_box *b, const label_box *taken, int ntaken,
                       const label_box *blocked, int nblocked, const double xr[2], const double yr[2])
{
    double cost = 0;
    if (b->x0 < xr[0] || b->x1 > xr[1] || b->y0 < yr[0] || b->y1 > yr[1]) cost += 1000; /* outside the frame */
    for (int k = 0; k < ntaken; k++)
        if (b->x0 < taken[k].x1 && taken[k].x0 < b->x1 && b->y0 < taken[k].y1 && taken[k].y0 < b->y1) cost += 500;
    for (int k = 0; k < nblocked; k++)
        if (b->x0 < blocked[k].x1 && blocked[k].x0 < b->x1 && b->y0 < blocked[k].y1 && blocked[k].y0 < b->y1)
            cost += 200;
    for (size_t k = 0; k < p->ns; k++) {
        const series *s = &p->s[k];
        if (s->kind > S_ERR && s->kind != S_DENSITY && s->kind != S_CMAP) continue;
        double px = NAN, py = NAN;
        for (size_t i = 0; i < s->n; i++) {
            double x = tr(p->logx, s->x[i]), y = tr(p->logy, s->y[i]);
            if (!isfinite(x) || !isfinite(y)) {
                px = py = NAN;
                continue;
            }
            if (s->kind == S_LINE && isfinite(px)) { /* samples closer than the box is small */
                double bw = b->x1 - b->x0, bh = b->y1 - b->y0;
                int m = 1 + (int)fmin(200, ceil(fmax(fabs(x - px) / (0.1 * bw), fabs(y - py) / (0.3 * bh))));
                for (int j = 1; j < m; j++) cost += in_box(b, px + (x - px) * j / m, py + (y - py) * j / m);
            }
            cost += in_box(b, x, y);
            px = x;
            py = y;
        }
    }
    return cost;
}

/* Areas a label should avoid: the legend (estimated) and the insets. */
static int blocked_areas(const fig_panel *p, const double xr[2], const double yr[2], label_box *out, int max)
{
    int n = 0;
    double dx = xr[1] - xr[0], dy = yr[1] - yr[0];
    if (p->legend) {
        int ne = 0, wmax = 0;
        for (size_t k = 0; k < p->ns; k++)
            if (p->s[k].label && p->s[k].kind <= S_ERR) {
                ne++;
                int c = label_chars(p->s[k].label);
                if (c > wmax) wmax = c;
            }
        if (ne && n < max) {
            double w = (0.12 + 0.016 * wmax) * dx, h = (0.03 + 0.06 * ne) * dy;
            int pos = p->legend_pos >= 0 && p->legend_pos < 4 ? p->legend_pos : 0;
            int right = pos == FIG_LEGEND_TOP_RIGHT || pos == FIG_LEGEND_BOTTOM_RIGHT;
            int top = pos == FIG_LEGEND_TOP_RIGHT || pos == FIG_LEGEND_TOP_LEFT;
            label_box b;
            b.x0 = right ? xr[1] - 0.02 * dx - w : xr[0] + 0.02 * dx;
            b.x1 = b.x0 + w;
            b.y1 = top ? yr[1] - 0.02 * dy : yr[0] + 0.02 * dy + h;
            b.y0 = b.y1 - h;
            out[n++] = b;
        }
    }
    const fig_figure *f = p->fig;
    for (size_t k = 0; f && k < f->ninsets && n < max; k++) {
        const fig_panel *in = f->insets[k];
        if (in->parent != p) continue;
        /* with room for the inset's tick labels and axis titles */
        label_box b = {xr[0] + (in->frac[0] - 0.08) * dx, xr[0] + (in->frac[1] + 0.02) * dx,
                       yr[0] + (in->frac[2] - 0.09) * dy, yr[0] + (in->frac[3] + 0.02) * dy};
        out[n++] = b;
    }
    return n;
}

static void draw_panel(const fig_panel *p, double chr0)
{
    double vp[4], xr[2], yr[2];
    int inset = p->parent != NULL;
    double chr = inset ? 0.75 * chr0 : chr0;
    panel_viewport(p, vp);
    panel_range(p, xr, yr);
    plschr(0, chr);
    plvpor(vp[0], vp[1], vp[2], vp[3]);
    plwind(xr[0], xr[1], yr[0], yr[1]);
    if (inset) { /* white background under the inset, including its tick labels */
        double dx = xr[1] - xr[0], dy = yr[1] - yr[0];
        PLFLT bx[4] = {xr[0] - 0.12 * dx, xr[1] + 0.03 * dx, xr[1] + 0.03 * dx, xr[0] - 0.12 * dx};
        PLFLT by[4] = {yr[0] - 0.15 * dy, yr[0] - 0.15 * dy, yr[1] + 0.03 * dy, yr[1] + 0.03 * dy};
        plvpor(0, 1, 0, 1);
        double sx = (vp[1] - vp[0]), sy = (vp[3] - vp[2]);
        plwind(xr[0] - vp[0] / sx * dx, xr[0] + (1 - vp[0]) / sx * dx, yr[0] - vp[2] / sy * dy,
               yr[0] + (1 - vp[2]) / sy * dy);
        plcol0(0);
        plfill(4, bx, by);
        plvpor(vp[0], vp[1], vp[2], vp[3]);
        plwind(xr[0], xr[1], yr[0], yr[1]);
    }

    size_t nmax = 2;
    for (size_t k = 0; k < p->ns; k++)
        if (p->s[k].n + 1 > nmax) nmax = p->s[k].n + 1;
    double *bx = malloc(nmax * sizeof *bx), *by = malloc(nmax * sizeof *by), *fr = malloc(nmax * sizeof *fr);
    if (!bx || !by || !fr) goto out;

    /* Colour-coded layers first, then lines and points, reference lines last. */
    double cb_min = 0, cb_max = 0;
    for (size_t k = 0; k < p->ns; k++) {
        const series *s = &p->s[k];
        if (s->kind == S_DENSITY) {
            cb_max = density_colours(p, s, xr, yr, fr);
            cb_min = 0;
            draw_levels(p, s->n, s->x, s->y, fr, chr, 1.0, bx, by);
        } else if (s->kind == S_CMAP) {
            for (size_t i = 0; i < s->n; i++) fr[i] = (s->v[i] - s->vmin) / (s->vmax - s->vmin);
            draw_levels(p, s->n, s->x, s->y, fr, chr, s->size, bx, by);
            cb_min = s->vmin;
            cb_max = s->vmax;
        }
    }
    for (size_t k = 0; k < p->ns; k++) {
        const series *s = &p->s[k];
        plcol0(s->color + 1);
        plwidth(1.5 * s->size);
        switch (s->kind) {
        case S_LINE:
            set_line_style(s->dashed);
            draw_polyline(p, s->n, s->x, s->y, bx, by);
            set_line_style(0);
            break;
        case S_POINTS: draw_markers(p, s->n, s->x, s->y, s->marker, s->size, chr, bx, by); break;
        case S_ERR:
            plwidth(1.0);
            for (size_t i = 0; i < s->n; i++) {
                double xv = tr(p->logx, s->x[i]), yv = tr(p->logy, s->y[i]);
                if (!isfinite(xv) || !isfinite(yv)) continue;
                if (s->ye && isfinite(s->ye[i]) && s->ye[i] > 0) {
                    PLFLT lo = tr(p->logy, s->y[i] - s->ye[i]), hi = tr(p->logy, s->y[i] + s->ye[i]);
                    if (!isfinite(lo)) lo = yr[0];
                    if (isfinite(hi)) plerry(1, &xv, &lo, &hi);
                }
                if (s->xe && isfinite(s->xe[i]) && s->xe[i] > 0) {
                    PLFLT lo = tr(p->logx, s->x[i] - s->xe[i]), hi = tr(p->logx, s->x[i] + s->xe[i]);
                    if (!isfinite(lo)) lo = xr[0];
                    if (isfinite(hi)) plerrx(1, &lo, &hi, &yv);
                }
            }
            draw_markers(p, s->n, s->x, s->y, s->marker, s->size, chr, bx, by);
            break;
        default: break;
        }
    }
    label_box taken[32], blocked[8];
    int ntaken = 0, nblocked = blocked_areas(p, xr, yr, blocked, 8);
    for (size_t k = 0; k < p->ns; k++) {
        const series *s = &p->s[k];
        if (s->kind != S_HLINE && s->kind != S_VLINE && s->kind != S_TEXT) continue;
        plcol0(s->color + 1);
        plwidth(1.2 * s->size);
        double dx = xr[1] - xr[0], dy = yr[1] - yr[0];
        plschr(0, chr * 0.85);
        if (s->kind == S_HLINE) {
            double yv = tr(p->logy, s->y[0]);
            if (!isfinite(yv)) continue;
            PLFLT lx[2] = {xr[0], xr[1]}, ly[2] = {yv, yv};
            set_line_style(s->dashed);
            plline(2, lx, ly);
            set_line_style(0);
            if (s->label) { /* at either end, above or below the line */
                double w, h, best = INFINITY;
                label_size(s->label, xr, yr, &w, &h);
                label_box pick = {0};
                int side = 0;
                for (int c = 0; c < 4; c++) {
                    double x0 = c % 2 ? xr[1] - 0.02 * dx - w : xr[0] + 0.02 * dx;
                    double y0 = c < 2 ? yv + 0.02 * dy : yv - 0.02 * dy - h;
                    label_box b = {x0, x0 + w, y0, y0 + h};
                    double cost = box_cost(p, &b, taken, ntaken, blocked, nblocked, xr, yr);
                    if (cost < best) best = cost, pick = b, side = c % 2;
                }
                plptex(side ? pick.x1 : pick.x0, pick.y0 + 0.3 * h, 1, 0, side ? 1.0 : 0.0, s->label);
                if (ntaken < 32) taken[ntaken++] = pick;
            }
        } else if (s->kind == S_VLINE) {
            double xv = tr(p->logx, s->x[0]);
            if (!isfinite(xv)) continue;
            PLFLT lx[2] = {xv, xv}, ly[2] = {yr[0], yr[1]};
            set_line_style(s->dashed);
            plline(2, lx, ly);
            set_line_style(0);
            if (s->label) { /* horizontal, beside the line, in the highest free row */
                double w, h, best = INFINITY;
                label_size(s->label, xr, yr, &w, &h);
                label_box pick = {0};
                int side = 0;
                for (int c = 0; c < 10; c++) {
                    int row = c / 2, right = c % 2 == 0;
                    double x0 = right ? xv + 0.012 * dx : xv - 0.012 * dx - w;
                    double y1 = yr[1] - 0.02 * dy - row * 1.1 * h;
                    label_box b = {x0, x0 + w, y1 - h, y1};
                    double cost = box_cost(p, &b, taken, ntaken, blocked, nblocked, xr, yr) + 0.5 * row;
                    if (cost < best) best = cost, pick = b, side = right;
                }
                plptex(side ? pick.x0 : pick.x1, pick.y0 + 0.3 * h, 1, 0, side ? 0.0 : 1.0, s->label);
                if (ntaken < 32) taken[ntaken++] = pick;
            }
        } else {
            double xv = tr(p->logx, s->x[0]), yv = tr(p->logy, s->y[0]);
            if (isfinite(xv) && isfinite(yv)) plptex(xv, yv, 1, 0, 0, s->label);
        }
        plschr(0, chr);
    }

    /* Frame and labels on top. */
    plcol0(1);
    plwidth(1.0);
    char xopt[16] = "bcnsto", yopt[16] = "bcnstvo";
    if (p->logx) strcat(xopt, "l");
    if (p->logy) strcat(yopt, "l");
    axis_info ai = {{p->logx, p->logy}, {xr[1] - xr[0], yr[1] - yr[0]}};
    plslabelfunc(tick_label, &ai);
    plbox(xopt, 0, 0, yopt, 0, 0);
    plslabelfunc(NULL, NULL);
    /* a log axis over less than 1.5 decades would carry one or two labels:
     * label its 2× and 5× minor ticks too */
    for (int k = 0; k < 2; k++) {
        const double *rg = k ? yr : xr;
        if (!(k ? p->logy : p->logx) || !(rg[1] - rg[0] < 1.5)) continue;
        for (int e = (int)floor(rg[0]); e <= (int)ceil(rg[1]); e++)
            for (int m = 2; m <= 5; m += 3) {
                double v = e + log10((double)m), f = (v - rg[0]) / (rg[1] - rg[0]);
                if (f < 0.02 || f > 0.98) continue;
                char t[32];
                snprintf(t, sizeof t, "%d×10#u%d#d", m, e);
                if (k) plmtex("lv", 0.5, f, 1.0, t);
                else plmtex("b", 1.5, f, 0.5, t);
            }
    }
    if (p->xlabel) plmtex("b", 3.0, 0.5, 0.5, p->xlabel);
    if (p->ylabel) plmtex("l", 2.2 + ylabel_width(&ai, yr[0], yr[1]), 0.5, 0.5, p->ylabel);
    if (p->title) plmtex("t", 1.0, 0.0, 0.0, p->title);
    if (p->legend) draw_legend(p, chr);
    if (p->has_cbar) draw_colorbar(p, vp, cb_min, cb_max, chr);
out:
    free(bx);
    free(by);
    free(fr);
}

/* Fontconfig (under cairo) keeps process-wide caches that it never frees;
 * tell LeakSanitizer, in sanitizer builds, that these are not bpel's leaks.
 * The hook is only read when the program runs under LeakSanitizer. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }

static jmp_buf fig_jump;
static int fig_rendering;
static char fig_plplot_msg[256];

static int fig_exit_handler(PLCHAR_VECTOR msg)
{
    snprintf(fig_plplot_msg, sizeof fig_plplot_msg, "%s", msg ? msg : "");
    if (fig_rendering) longjmp(fig_jump, 1);
    return 1;
}

/* PLplot writes the file itself and does not report a failed write: it
 * renders under a temporary name, and the file is renamed into place only
 * when it ends as a whole PNG (IEND chunk) or SVG (closing tag) does. */
static const unsigned char png_end[] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
static const char svg_end[] = "</svg>\n";

static int render(const fig_figure *f, const char *dev, const char *final)
{
    char path[4200];
    bpel_out_tmpname(final, path, sizeof path);
    FILE *fp = fopen(path, "wb"); /* fail early with our own message */
    if (!fp) return bpel_fail(BPEL_EIO, "%s: cannot write figure: %s", final, strerror(errno));
    fclose(fp);

    PLINT strm;
    plmkstrm(&strm);
    if (strm < 0) return bpel_fail(BPEL_EIO, "%s: no free PLplot stream", path);
    plsexit(fig_exit_handler);
    fig_plplot_msg[0] = 0;
    fig_rendering = 1;
    if (setjmp(fig_jump)) {
        fig_rendering = 0;
        unlink(path);
        return bpel_fail(BPEL_EIO, "%s: PLplot failed: %s", final, fig_plplot_msg);
    }
    plsdev(dev);
    plsfnam(path);
    plspage(0, 0, f->width, f->height, 0, 0);
    PLINT r[NPALETTE], g[NPALETTE], b[NPALETTE];
    for (int i = 0; i < NPALETTE; i++) {
        r[i] = palette[i][0];
        g[i] = palette[i][1];
        b[i] = palette[i][2];
    }
    plscmap0(r, g, b, NPALETTE);
    set_cmap1();
    plssub(f->ncols, f->nrows);
    plinit();
    plfontld(0);
    double chr = 1.0 / sqrt(f->nrows > f->ncols ? f->nrows : f->ncols);
    chr = 1.1 * (chr < 0.7 ? 0.7 : chr);
    for (int i = 0; i < f->nrows * f->ncols; i++) {
        pladv(i + 1);
        draw_panel(&f->panels[i], chr);
        for (size_t k = 0; k < f->ninsets; k++) {
            const fig_panel *q = f->insets[k];
            const fig_panel *root = q;
            while (root->parent) root = root->parent;
            if (root == &f->panels[i]) draw_panel(q, chr);
        }
    }
    plend1();
    fig_rendering = 0;
    if (!strcmp(dev, "pngcairo")) return bpel_out_commit(path, final, png_end, sizeof png_end);
    return bpel_out_commit(path, final, svg_end, sizeof svg_end - 1);
}

int bpel_fig_save(const fig_figure *f, const char *base)
{
    if (!f || !base || !*base) return bpel_fail(BPEL_EINVAL, "figure: no file name");
    size_t n = strlen(base) + 5;
    char *path = bpel_malloc(n);
    if (!path) return BPEL_ENOMEM;
    snprintf(path, n, "%s.png", base);
    int rc = render(f, "pngcairo", path);
    if (rc == BPEL_OK) {
        snprintf(path, n, "%s.svg", base);
        rc = render(f, "svgcairo", path);
    }
    free(path);
    return rc;
}

int bpel_fig_save_in(fig_figure *f, const char *dir, const char *name)
{
    char base[4096];
    snprintf(base, sizeof base, "%s/%s", dir, name);
    int rc = bpel_fig_save(f, base);
    bpel_fig_destroy(f);
    return rc;
}
