/* test_figure.c — figures are written as real PNG and SVG files, every kind
 * of series can be drawn, and bad output paths give an error, not an exit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "figure.h"
#include "testutil.h"

static long file_size(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return -1;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fclose(fp);
    return n;
}

static void check_outputs(const char *base, long min_png, long min_svg)
{
    char png[512], svg[512];
    snprintf(png, sizeof png, "%s.png", base);
    snprintf(svg, sizeof svg, "%s.svg", base);
    long np = file_size(png), ns = file_size(svg);
    if (np < min_png || ns < min_svg) fail_msg("%s: png %ld bytes, svg %ld bytes", base, np, ns);
    unsigned char sig[8] = {0};
    FILE *fp = fopen(png, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(sig, 1, 8, fp), 8);
    fclose(fp);
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assert_memory_equal(sig, png_sig, 8);
    char head[512] = {0};
    fp = fopen(svg, "rb");
    assert_non_null(fp);
    size_t got = fread(head, 1, sizeof head - 1, fp);
    fclose(fp);
    assert_true(got > 0);
    assert_non_null(strstr(head, "<svg"));
}

/* A page with every feature: two panels, lines, points, error bars, log
 * axes, reference lines, histogram, density scatter, colour map, inset. */
static void test_full_figure(void **state)
{
    (void)state;
    enum { N = 200, M = 3000 };
    double x[N], y[N], e[N], z[N];
    for (int i = 0; i < N; i++) {
        x[i] = 0.05 + 0.1 * i;
        y[i] = x[i] * x[i] * exp(-x[i] / 3.0);
        e[i] = 0.05 * y[i] + 0.01;
        z[i] = y[i] / (x[i] * x[i]);
    }
    double *u = malloc(M * sizeof *u), *v = malloc(M * sizeof *v);
    unsigned s = 12345;
    for (int i = 0; i < M; i++) {
        s = s * 1103515245u + 12345u;
        double a = (s >> 8) / 16777216.0;
        s = s * 1103515245u + 12345u;
        double b = (s >> 8) / 16777216.0;
        double g = sqrt(-2 * log(a + 1e-12)) * cos(2 * M_PI * b);
        u[i] = 1 + 0.3 * g;
        v[i] = 2 * u[i] + 0.2 * sqrt(-2 * log(b + 1e-12)) * sin(2 * M_PI * a);
    }

    fig_figure *f = bpel_fig_create(2, 2, 0, 0);
    assert_non_null(f);
    fig_panel *p = bpel_fig_panel_at(f, 0, 0);
    assert_non_null(p);
    assert_null(bpel_fig_panel_at(f, 2, 0));
    bpel_fig_labels(p, "ω (rad/ps)", "g(ω)/ω² (ps#u3#d)", "(a)");
    assert_int_equal(bpel_fig_line(p, N, x, z, &(fig_style){.label = "reduced VDOS"}), BPEL_OK);
    assert_int_equal(bpel_fig_hline(p, 0.5, "Debye level"), BPEL_OK);
    assert_int_equal(bpel_fig_vline(p, 5.9, "L = 5.9 Å"), BPEL_OK);
    bpel_fig_legend(p, FIG_LEGEND_TOP_RIGHT);
    fig_panel *in = bpel_fig_inset(p, 0.55, 0.95, 0.2, 0.6);
    assert_non_null(in);
    assert_null(bpel_fig_inset(p, 0.5, 1.5, 0.2, 0.6));
    bpel_fig_log(in, 1, 1);
    assert_int_equal(bpel_fig_line(in, N, x, y, NULL), BPEL_OK);

    p = bpel_fig_panel_at(f, 0, 1);
    bpel_fig_labels(p, "r (Å)", "C(r)", "(b)");
    bpel_fig_log(p, 0, 1);
    assert_int_equal(bpel_fig_errorbars(p, 40, x, z, NULL, e, &(fig_style){.label = "data", .marker = FIG_MARKER_OPEN_CIRCLE}),
                     BPEL_OK);
    assert_int_equal(bpel_fig_line(p, N, x, z, &(fig_style){.label = "fit", .dashed = 1, .color = FIG_RED}), BPEL_OK);
    bpel_fig_legend(p, FIG_LEGEND_BOTTOM_LEFT);

    p = bpel_fig_panel_at(f, 1, 0);
    bpel_fig_labels(p, "[1/I#dBP#u]#dCG#u (ps#u-3#d)", "ΔQ#dCG#u (eV)", "(c)");
    assert_int_equal(bpel_fig_density_scatter(p, M, u, v, 0, NULL), BPEL_OK);

    p = bpel_fig_panel_at(f, 1, 1);
    bpel_fig_labels(p, "ΔQ (eV)", "probability density (1/eV)", "(d)");
    assert_int_equal(bpel_fig_histogram(p, M, u, 30, 0, 0, FIG_HIST_DENSITY, &(fig_style){.label = "top 10 %"}), BPEL_OK);
    assert_int_equal(bpel_fig_histogram(p, M, v, 30, 0, 0, FIG_HIST_DENSITY, &(fig_style){.label = "bottom 10 %"}),
                     BPEL_OK);
    assert_int_equal(bpel_fig_text(p, 2.5, 0.5, "Cu"), BPEL_OK);
    bpel_fig_legend(p, FIG_LEGEND_TOP_RIGHT);

    const char *base = test_tmp("fig_full");
    int rc = bpel_fig_save(f, base);
    if (rc) fail_msg("%s", bpel_errmsg());
    check_outputs(base, 20000, 20000);
    bpel_fig_destroy(f);

    /* Colour map of values on a slab. */
    f = bpel_fig_create(1, 1, 500, 500);
    p = bpel_fig_panel_at(f, 0, 0);
    bpel_fig_labels(p, "x (Å)", "y (Å)", NULL);
    assert_int_equal(bpel_fig_color_points(p, M, u, v, u, 0, 0, "1/I#dBP#u", NULL), BPEL_OK);
    base = test_tmp("fig_map");
    assert_int_equal(bpel_fig_save(f, base), BPEL_OK);
    check_outputs(base, 10000, 10000);
    bpel_fig_destroy(f);
    free(u);
    free(v);
}

/* Empty panels, NaN data and degenerate ranges still render. */
static void test_degenerate(void **state)
{
    (void)state;
    fig_figure *f = bpel_fig_create(1, 2, 0, 0);
    double x[3] = {1, NAN, 1}, y[3] = {2, 3, 2};
    fig_panel *p = bpel_fig_panel_at(f, 0, 0);
    assert_int_equal(bpel_fig_line(p, 3, x, y, NULL), BPEL_OK);
    assert_int_equal(bpel_fig_points(p, 0, NULL, NULL, NULL), BPEL_OK);
    bpel_fig_log(bpel_fig_panel_at(f, 0, 1), 1, 1);
    double neg[2] = {-1, 0};
    assert_int_equal(bpel_fig_points(bpel_fig_panel_at(f, 0, 1), 2, neg, neg, NULL), BPEL_OK);
    assert_int_equal(bpel_fig_hline(p, NAN, NULL), BPEL_EINVAL);
    const char *base = test_tmp("fig_degenerate");
    assert_int_equal(bpel_fig_save(f, base), BPEL_OK);
    check_outputs(base, 1000, 1000);
    bpel_fig_destroy(f);
}

static void test_bad_path(void **state)
{
    (void)state;
    fig_figure *f = bpel_fig_create(1, 1, 0, 0);
    double x[2] = {0, 1};
    assert_int_equal(bpel_fig_line(bpel_fig_panel_at(f, 0, 0), 2, x, x, NULL), BPEL_OK);
    int rc = bpel_fig_save(f, "/nonexistent-dir/sub/fig");
    assert_int_equal(rc, BPEL_EIO);
    assert_non_null(strstr(bpel_errmsg(), "/nonexistent-dir/sub/fig.png"));
    /* A later figure still works after the failed one. */
    const char *base = test_tmp("fig_after_error");
    assert_int_equal(bpel_fig_save(f, base), BPEL_OK);
    check_outputs(base, 1000, 1000);
    bpel_fig_destroy(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_figure),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_bad_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
