/* figure.h — the paper's figures, drawn with PLplot's cairo drivers.
 *
 * One small retained-mode API so that every bpel figure has the same look:
 * white background, black framed axes with ticks on all four sides, a fixed
 * colour cycle, sans-serif text. A figure is described first (panels, series,
 * reference lines, legends) and then written by bpel_fig_save() twice from the same
 * description: BASE.png (pngcairo) and BASE.svg (svgcairo). All data are
 * copied when added, so callers may free their arrays immediately.
 *
 * Typical use:
 *
 *     fig_figure *f = bpel_fig_create(1, 1, 0, 0);          // one panel, default size
 *     fig_panel *p = bpel_fig_panel_at(f, 0, 0);
 *     bpel_fig_labels(p, "ω (rad/ps)", "g(ω)/ω² (ps³)", NULL);
 *     bpel_fig_line(p, n, omega, gred, &(fig_style){.label = "Cu50Zr50"});
 *     bpel_fig_hline(p, debye, "Debye level");
 *     bpel_fig_legend(p, FIG_LEGEND_TOP_RIGHT);
 *     int rc = bpel_fig_save(f, "out/fig1b_reduced_vdos");   // .png and .svg
 *     bpel_fig_destroy(f);
 *
 * Text is UTF-8 (Å, ω, ξ print as such); PLplot escapes also work, e.g.
 * "I#dBP#u" for a subscript and "10#u-3#d" for a superscript (#u/#d move up/down).
 *
 * Axes: linear by default; bpel_fig_log() makes an axis logarithmic (base 10) and
 * then non-positive values on it are silently left out of every series.
 * Ranges are automatic (the union of all series, error bars and reference
 * lines, padded by 5 % on linear axes) unless fixed with bpel_fig_xrange/bpel_fig_yrange.
 *
 * Errors follow src/core/error.h: functions returning int give BPEL_OK or a
 * negative BPEL_E* code with a message; functions returning pointers give
 * NULL on failure (only when out of memory). PLplot itself calls exit() on
 * internal errors; bpel_fig_save() intercepts that and returns BPEL_EIO instead.
 * PLplot is not thread-safe: call bpel_fig_save() from one thread at a time. */
#ifndef BPEL_FIGURE_H
#define BPEL_FIGURE_H

#include <stddef.h>

typedef struct fig_figure fig_figure;
typedef struct fig_panel fig_panel;

/* Colour cycle (1-based indices for fig_style.color): 1 blue, 2 red,
 * 3 green, 4 orange, 5 purple, 6 brown, 7 pink, 8 grey, 9 olive, 10 cyan,
 * 11 black. */
enum { FIG_BLUE = 1, FIG_RED, FIG_GREEN, FIG_ORANGE, FIG_PURPLE, FIG_BROWN, FIG_PINK, FIG_GREY,
       FIG_OLIVE, FIG_CYAN, FIG_BLACK, FIG_NCOLORS = FIG_BLACK };

/* Point markers (fig_style.marker). */
enum { FIG_MARKER_DEFAULT = 0, FIG_MARKER_CIRCLE, FIG_MARKER_OPEN_CIRCLE, FIG_MARKER_SQUARE,
       FIG_MARKER_OPEN_SQUARE, FIG_MARKER_TRIANGLE, FIG_MARKER_DIAMOND, FIG_MARKER_CROSS,
       FIG_MARKER_PLUS, FIG_MARKER_DOT };

/* How a series looks. A zero-initialised struct (or NULL) gives the defaults. */
typedef struct fig_style {
    const char *label; /* legend entry; NULL or "" keeps it out of the legend */
    int color;         /* 1..FIG_NCOLORS; 0 = next colour of the panel's cycle */
    int marker;        /* FIG_MARKER_*; points and error bars only */
    double size;       /* line width or marker size multiplier; 0 = 1 */
    int dashed;        /* lines and histograms: 1 dashed, 2 dotted, 0 solid */
} fig_style;

/* Legend positions (inside the panel frame). */
enum { FIG_LEGEND_TOP_RIGHT = 0, FIG_LEGEND_TOP_LEFT, FIG_LEGEND_BOTTOM_RIGHT,
       FIG_LEGEND_BOTTOM_LEFT };

/* Histogram normalisation (bpel_fig_histogram). */
enum { FIG_HIST_COUNT = 0,    /* counts per bin */
       FIG_HIST_DENSITY = 1,  /* probability density: integrates to 1 */
       FIG_HIST_FRACTION = 2  /* fraction of points per bin: sums to 1 */ };

/* A figure of nrows x ncols panels on a page of width x height pixels
 * (PNG; the SVG has the same size in points). 0 for width/height gives
 * 640 x 480 pixels per panel. Returns NULL when out of memory. */
fig_figure *bpel_fig_create(int nrows, int ncols, int width_px, int height_px);
void bpel_fig_destroy(fig_figure *f);

/* Panel at (row, col), 0-based from the top left; NULL if out of range. */
fig_panel *bpel_fig_panel_at(fig_figure *f, int row, int col);
/* An inset drawn over `parent` (on a white background), occupying the
 * fraction [x0,x1] x [y0,y1] of the parent's plotting area (0..1, from the
 * bottom left). Insets use smaller text. NULL on bad fractions or no memory. */
fig_panel *bpel_fig_inset(fig_panel *parent, double x0, double x1, double y0, double y1);

/* Axis labels (with units, e.g. "r (Å)") and an optional title such as "(a)". */
void bpel_fig_labels(fig_panel *p, const char *xlabel, const char *ylabel, const char *title);
/* Logarithmic (base 10) axes: logx/logy 1 for log, 0 for linear. */
void bpel_fig_log(fig_panel *p, int logx, int logy);
/* Fixed axis ranges (data units, also for log axes). min >= max restores auto. */
void bpel_fig_xrange(fig_panel *p, double min, double max);
void bpel_fig_yrange(fig_panel *p, double min, double max);

/* Series. x and y have n entries; NaN/inf entries are skipped (a line
 * breaks there). Return BPEL_OK, BPEL_EINVAL (n == 0 is allowed and draws
 * nothing) or BPEL_ENOMEM. */
int bpel_fig_line(fig_panel *p, size_t n, const double *x, const double *y, const fig_style *st);
int bpel_fig_points(fig_panel *p, size_t n, const double *x, const double *y, const fig_style *st);
/* Points with vertical error bars y ± yerr, and horizontal ones x ± xerr
 * when xerr is not NULL (yerr may be NULL too). */
int bpel_fig_errorbars(fig_panel *p, size_t n, const double *x, const double *y, const double *xerr,
                  const double *yerr, const fig_style *st);

/* Histogram of n values in nbins equal bins over [min, max] (min >= max:
 * the data range), drawn as a step outline, normalised as `norm`
 * (FIG_HIST_*). Values outside the range are not counted. */
int bpel_fig_histogram(fig_panel *p, size_t n, const double *values, int nbins, double min, double max,
                  int norm, const fig_style *st);

/* Scatter of n points coloured by local number density (as in density
 * maps of correlations): each point is coloured by the number of points in
 * its cell of a grid of `grid` x `grid` cells over the panel's data range
 * (in axis coordinates, so log axes are respected), smoothed over the
 * neighbouring cells; denser points are drawn last. grid <= 0 uses 60. A
 * colour bar labelled `cbar_label` (NULL: "points per cell") is drawn at
 * the right of the panel. One density scatter per panel. */
int bpel_fig_density_scatter(fig_panel *p, size_t n, const double *x, const double *y, int grid,
                        const char *cbar_label);

/* Coloured map: n points whose colour encodes value v (colour bar with
 * label cbar_label), e.g. a quantity over a slab of atoms. vmin >= vmax
 * uses the data range; values outside are drawn at the ends of the scale.
 * st->size scales the markers (colour and label in st are not used). One
 * colour map or density scatter per panel. */
int bpel_fig_color_points(fig_panel *p, size_t n, const double *x, const double *y, const double *v,
                     double vmin, double vmax, const char *cbar_label, const fig_style *st);

/* Dashed reference lines across the panel with an optional label written
 * next to the line (e.g. "Debye level", "L = 5.9 Å"). Colour from st (NULL:
 * grey). */
int bpel_fig_hline(fig_panel *p, double y, const char *label);
int bpel_fig_vline(fig_panel *p, double x, const char *label);
int bpel_fig_hline_styled(fig_panel *p, double y, const char *label, const fig_style *st);
int bpel_fig_vline_styled(fig_panel *p, double x, const char *label, const fig_style *st);

/* Free text at data coordinates (x, y), left-aligned. */
int bpel_fig_text(fig_panel *p, double x, double y, const char *text);

/* Show a legend of the labelled series at the given position. */
void bpel_fig_legend(fig_panel *p, int position);

/* Write BASE.png and BASE.svg (BASE without extension; its directory must
 * exist). Returns BPEL_OK or BPEL_EIO with a message naming the file. */
int bpel_fig_save(const fig_figure *f, const char *base);
/* bpel_fig_save() of DIR/NAME, then bpel_fig_destroy(f) whatever the outcome. */
int bpel_fig_save_in(fig_figure *f, const char *dir, const char *name);

#endif
