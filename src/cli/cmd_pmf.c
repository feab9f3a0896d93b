/* cmd_pmf.c — `bpel pmf`: potential of mean force w(r) = −k_B T ln g(r) of a
 * configuration and the anharmonicity of its first well (paper Fig. 10). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_analysis.h"
#include "error.h"
#include "quality.h"
#include "outfile.h"
#include "figure.h"
#include "rdf.h"

const char cmd_pmf_summary[] = "potential of mean force w(r) = -kT ln g(r) and its quadratic fit (Fig. 10)";

static void help(void)
{
    printf("usage: bpel pmf DATA --out DIR [--temperature 10] [--pair total|A-B] [--halfwidth 0.1]\n"
           "                [--rmax 10] [--dr 0.02] [--elements Cu,Zr]\n\n"
           "Potential of mean force w(r) = -k_B T ln g(r) (eV) of the configuration in DATA, for the\n"
           "total g(r) and every partial. The first well of the chosen g is fitted by a parabola\n"
           "w0 + k (r - r0)^2 / 2 over the bins within --halfwidth of its lowest point, and by a quartic\n"
           "over the whole well (left: where g first exceeds 1; right: highest w within 1.5 Å) whose\n"
           "derivatives d^n w/dr^n at r0 (n = 2, 3, 4) quantify the anharmonicity.\n\n"
           "  --temperature K   T in w = -k_B T ln g (default 10 K: the paper's inherent structure\n"
           "                    quenched from 10 K)\n"
           "  --pair P          total (default), or a pair of species/types such as Cu-Zr or 1-2\n"
           "  --halfwidth A     half-width of the parabola's window in Å (default 0.1)\n"
           "  --rmax A --dr A   range and bin width of g(r) in Å (default 10, 0.02)\n"
           "  --elements L      element of each atom type\n"
           "  --out DIR         output directory (created if missing)\n\n"
           "Writes pmf.csv (r_A, g, w_eV, parabola_eV, deviation_eV of the chosen pair, then w of every\n"
           "g), pmf.json (fit parameters) and the figure fig10_pmf (.png, .svg).\n");
}

/* Find a type from an element symbol or a number. */
static int find_type(const bpel_system *s, const char *name)
{
    for (int t = 1; t <= s->ntypes; t++)
        if (s->element[t][0] && !strcmp(s->element[t], name)) return t;
    char *end;
    long v = strtol(name, &end, 10);
    if (*name && !*end && v >= 1 && v <= s->ntypes) return (int)v;
    return -1;
}

int cmd_pmf(int argc, char **argv)
{
    static struct option opts[] = {{"temperature", required_argument, 0, 'T'}, {"pair", required_argument, 0, 'p'},
                                   {"halfwidth", required_argument, 0, 'w'},   {"rmax", required_argument, 0, 'r'},
                                   {"dr", required_argument, 0, 'd'},          {"elements", required_argument, 0, 'e'},
                                   {"out", required_argument, 0, 'o'},         {"help", no_argument, 0, 'h'},
                                   {0, 0, 0, 0}};
    double T = 10, hw = 0.1, rmax = 10, dr = 0.02;
    const char *pair = "total", *elements = NULL, *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "T:p:w:r:d:e:o:h", opts, NULL)) != -1) {
        double *dv = NULL;
        switch (c) {
        case 'T': dv = &T; break;
        case 'w': dv = &hw; break;
        case 'r': dv = &rmax; break;
        case 'd': dv = &dr; break;
        case 'p': pair = optarg; break;
        case 'e': elements = optarg; break;
        case 'o': out = optarg; break;
        case 'h': help(); return 0;
        default: return cli_usage_error("pmf", "unknown option");
        }
        if (dv && cli_parse_double(optarg, dv)) return cli_usage_error("pmf", "bad number '%s'", optarg);
    }
    if (optind != argc - 1) return cli_usage_error("pmf", "expected one data file");
    if (!out) return cli_usage_error("pmf", "--out is required");
    if (!(T > 0)) return cli_usage_error("pmf", "--temperature must be positive");
    if (!(dr > 0 && rmax > dr && hw > 0)) return cli_usage_error("pmf", "need --rmax > --dr > 0 and --halfwidth > 0");
    bpel_system *s = NULL;
    rdf_result r = {0};
    double *w = NULL, *wall = NULL, *par = NULL, *dev = NULL;
    cJSON *js = NULL;
    FILE *fp = NULL;
    bpel_out fo;
    int rc;
    if ((rc = data_read(argv[optind], &s))) goto done;
    if (elements && (rc = system_set_elements(s, elements))) goto done;
    cli_guess_elements(s);
    int ta = 0, tb = 0;
    if (strcmp(pair, "total")) {
        char a[32] = "", b[32] = "";
        const char *dash = strchr(pair, '-');
        if (!dash || dash == pair || (size_t)(dash - pair) >= sizeof a || strlen(dash + 1) >= sizeof b) {
            rc = bpel_fail(BPEL_EINVAL, "--pair '%s': expected total or A-B (e.g. Cu-Zr or 1-2)", pair);
            goto done;
        }
        memcpy(a, pair, dash - pair);
        strcpy(b, dash + 1);
        ta = find_type(s, a);
        tb = find_type(s, b);
        if (ta < 0 || tb < 0) {
            rc = bpel_fail(BPEL_EINVAL, "--pair '%s': '%s' is not a species or type of %s", pair, ta < 0 ? a : b,
                           argv[optind]);
            goto done;
        }
    }
    if ((rc = bpel_mkdir_p(out))) goto done;
    if ((rc = rdf_compute(s, rmax, dr, &r))) goto done;
    size_t nb = r.nbins;
    int nt = s->ntypes;
    const double *g = ta ? rdf_partial(&r, ta, tb) : r.g;
    w = bpel_malloc(nb * sizeof *w);
    par = bpel_malloc(nb * sizeof *par);
    dev = bpel_malloc(nb * sizeof *dev);
    wall = bpel_malloc((size_t)(nt * nt + 1) * nb * sizeof *wall);
    if (!w || !par || !dev || !wall) { rc = BPEL_ENOMEM; goto done; }
    if ((rc = rdf_pmf(nb, g, T, w))) goto done;
    rdf_pmf(nb, r.g, T, wall);
    for (int a = 1; a <= nt; a++)
        for (int b = 1; b <= nt; b++) rdf_pmf(nb, rdf_partial(&r, a, b), T, wall + (size_t)((a - 1) * nt + b) * nb);
    rdf_well wl;
    if ((rc = rdf_fit_well(nb, r.r, w, hw, 0, &wl))) goto done;
    for (size_t k = 0; k < nb; k++) {
        par[k] = rdf_well_parabola(&wl, r.r[k]);
        dev[k] = w[k] - par[k];
    }
    char na[BPEL_MAX_TYPES + 1][32];
    for (int t = 1; t <= nt; t++) {
        cli_type_name(s, t, na[t], sizeof na[t]);
        for (char *q = na[t]; *q; q++)
            if (*q == ' ') *q = '_';
    }
    char path[1200], pname[80];
    if (ta) snprintf(pname, sizeof pname, "%s-%s", na[ta], na[tb]);
    else snprintf(pname, sizeof pname, "total");
    snprintf(path, sizeof path, "%s/pmf.csv", out);
    if (!(fp = bpel_out_fopen(&fo, path))) {
        rc = BPEL_EIO;
        goto done;
    }
    fprintf(fp, "r_A,g,w_eV,parabola_eV,deviation_eV,w_total_eV");
    for (int a = 1; a <= nt; a++)
        for (int b = a; b <= nt; b++) fprintf(fp, ",w_%s%s_eV", na[a], na[b]);
    fputc('\n', fp);
    for (size_t k = 0; k < nb; k++) {
        fprintf(fp, "%.6f,%.8g,%.8g,%.8g,%.8g,%.8g", r.r[k], g[k], w[k], par[k], dev[k], wall[k]);
        for (int a = 1; a <= nt; a++)
            for (int b = a; b <= nt; b++) fprintf(fp, ",%.8g", wall[(size_t)((a - 1) * nt + b) * nb + k]);
        fputc('\n', fp);
    }
    fp = NULL;
    if ((rc = bpel_out_close(&fo))) goto done;

    js = cJSON_CreateObject();
    cJSON_AddStringToObject(js, "provenance", cli_provenance());
    cJSON_AddStringToObject(js, "data", argv[optind]);
    cJSON_AddNumberToObject(js, "n_atoms", (double)s->n);
    cJSON_AddStringToObject(js, "pair", pname);
    cJSON_AddNumberToObject(js, "temperature_K", T);
    cJSON_AddNumberToObject(js, "dr", r.dr);
    cJSON_AddStringToObject(js, "units", "r in Å, w in eV, k in eV/Å^2, d^n w/dr^n in eV/Å^n");
    cJSON *pj = cJSON_AddObjectToObject(js, "parabola");
    cJSON_AddNumberToObject(pj, "r0", wl.r0);
    cJSON_AddNumberToObject(pj, "w0", wl.w0);
    cJSON_AddNumberToObject(pj, "k", wl.k);
    cJSON_AddNumberToObject(pj, "halfwidth", wl.halfwidth);
    cJSON_AddNumberToObject(pj, "n_points", wl.npoints);
    cJSON_AddNumberToObject(pj, "r_lowest_bin", r.r[wl.imin]);
    cJSON *wj = cJSON_AddObjectToObject(js, "well");
    cJSON_AddNumberToObject(wj, "r_left", wl.r_left);
    cJSON_AddNumberToObject(wj, "r_right", wl.r_right);
    cJSON_AddNumberToObject(wj, "d2w_dr2", wl.taylor[2]);
    cJSON_AddNumberToObject(wj, "d3w_dr3", wl.taylor[3]);
    cJSON_AddNumberToObject(wj, "d4w_dr4", wl.taylor[4]);
    /* Deviation from the parabola at the edges of the well. */
    double dl = NAN, drr = NAN;
    for (size_t k = 0; k < nb; k++) {
        if (fabs(r.r[k] - wl.r_left) < 0.5 * dr) dl = dev[k];
        if (fabs(r.r[k] - wl.r_right) < 0.5 * dr) drr = dev[k];
    }
    cJSON_AddNumberToObject(wj, "deviation_at_r_left", dl);
    cJSON_AddNumberToObject(wj, "deviation_at_r_right", drr);
    if (!(wl.k > 0))
        bpel_quality_add(js, "parabola.k", BPEL_Q_NOT_DETERMINED, "the fitted parabola is not convex (k = %.3g)", wl.k);
    else if (wl.npoints < 7)
        bpel_quality_add(js, "parabola.k", BPEL_Q_WEAK, "only %d bins in the parabola fit", (int)wl.npoints);
    else if (fabs(wl.r0 - r.r[wl.imin]) > wl.halfwidth)
        bpel_quality_add(js, "parabola.k", BPEL_Q_WEAK, "the parabola's minimum (%.3g Å) is off the lowest bin (%.3g Å)",
                         wl.r0, r.r[wl.imin]);
    else bpel_quality_add(js, "parabola.k", BPEL_Q_OK, "%d bins within %.2g Å of the well's bottom", (int)wl.npoints,
                          wl.halfwidth);
    char *txt = cJSON_Print(js);
    rc = cli_write_text(out, "pmf.json", txt);
    cJSON_free(txt);
    if (rc) goto done;

    /* Fig. 10: w(r) points with the parabola, and the deviation. */
    fig_figure *f = fig_create(1, 2, 0, 0);
    if (!f) { rc = BPEL_ENOMEM; goto done; }
    double x0 = wl.r_left - 0.4, x1 = wl.r_right + 1.5;
    double ylo = wl.w0, yhi = -INFINITY;
    for (size_t k = 0; k < nb; k++)
        if (r.r[k] >= x0 && r.r[k] <= x1 && isfinite(w[k])) ylo = fmin(ylo, w[k]), yhi = fmax(yhi, w[k]);
    double span = yhi - ylo;
    fig_panel *p = fig_panel_at(f, 0, 0);
    char title[160];
    snprintf(title, sizeof title, "(a) %s, T = %g K", pname, T);
    fig_labels(p, "r (Å)", "w(r) (eV)", title);
    fig_xrange(p, x0, x1);
    fig_yrange(p, ylo - 0.05 * span, yhi + 0.45 * span); /* an empty band on top for the legend */
    fig_points(p, nb, r.r, w, &(fig_style){.color = FIG_RED, .marker = FIG_MARKER_OPEN_CIRCLE, .size = 0.6,
                                           .label = "-k#dB#uT ln g(r)"});
    char lab[160];
    snprintf(lab, sizeof lab, "fit, k = %.3g eV/Å#u2#d", wl.k);
    /* the local fit is drawn up to the top of the data, not through the legend band */
    double *parc = bpel_malloc(nb * sizeof *parc);
    if (parc) {
        for (size_t k = 0; k < nb; k++) parc[k] = par[k] <= yhi + 0.05 * span ? par[k] : NAN;
        fig_line(p, nb, r.r, parc, &(fig_style){.color = FIG_BLUE, .size = 1.5, .label = lab});
        free(parc);
    }
    fig_legend(p, FIG_LEGEND_TOP_RIGHT); /* in the band above the data; the parabola leaves the frame further left */
    p = fig_panel_at(f, 0, 1);
    fig_labels(p, "r (Å)", "w(r) - quadratic fit (eV)", "(b) inside the first well");
    x0 = wl.r_left - 0.2;
    x1 = wl.r_right + 0.2;
    fig_xrange(p, x0, x1);
    double dlo = INFINITY, dhi = -INFINITY;
    for (size_t k = 0; k < nb; k++)
        if (r.r[k] >= x0 && r.r[k] <= x1 && isfinite(dev[k])) dlo = fmin(dlo, dev[k]), dhi = fmax(dhi, dev[k]);
    if (dlo < dhi) fig_yrange(p, dlo - 0.05 * (dhi - dlo), dhi + 0.05 * (dhi - dlo));
    fig_points(p, nb, r.r, dev, &(fig_style){.color = FIG_RED, .marker = FIG_MARKER_OPEN_CIRCLE, .size = 0.6});
    fig_hline(p, 0.0, NULL);
    fig_vline(p, wl.r0, "r#d0#u");
    snprintf(path, sizeof path, "%s/fig10_pmf", out);
    rc = fig_save(f, path);
    fig_destroy(f);
    if (rc) goto done;
    printf("%s: w(r) minimum at r0 = %.4f Å, w0 = %.5f eV, k = %.4f eV/Å^2 (T = %g K)\n", pname, wl.r0, wl.w0, wl.k, T);
    printf("well %.3f .. %.3f Å: d3w/dr3 = %.4g eV/Å^3, d4w/dr4 = %.4g eV/Å^4\n", wl.r_left, wl.r_right,
           wl.taylor[3], wl.taylor[4]);
    printf("outputs in %s/\n", out);
done:
    if (fp) bpel_out_discard(&fo);
    if (js) cJSON_Delete(js);
    free(w);
    free(wall);
    free(par);
    free(dev);
    rdf_free(&r);
    system_destroy(s);
    return rc ? cli_error() : 0;
}
