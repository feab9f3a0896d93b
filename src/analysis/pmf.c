/* pmf.c — the potential-of-mean-force stage (see pmf.h). */
#include "pmf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "figure.h"
#include "outfile.h"
#include "quality.h"

void bpel_pmf_defaults(pmf_options *o)
{
    memset(o, 0, sizeof *o);
    o->temperature = 10;
    o->pair = "total";
    o->halfwidth = 0.1;
    o->rmax = 10;
    o->dr = 0.02;
}

void bpel_pmf_free(pmf_result *r)
{
    bpel_rdf_free(&r->rdf);
    free(r->w);
    free(r->parabola);
    free(r->deviation);
    free(r->w_all);
    memset(r, 0, sizeof *r);
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

int bpel_pmf_run(const bpel_system *s, const pmf_options *o, const char *out, pmf_result *rr)
{
    memset(rr, 0, sizeof *rr);
    if (!(o->temperature > 0)) return bpel_fail(BPEL_EINVAL, "--temperature must be positive");
    if (!(o->dr > 0 && o->rmax > o->dr && o->halfwidth > 0))
        return bpel_fail(BPEL_EINVAL, "need --rmax > --dr > 0 and --halfwidth > 0");
    const char *data = o->data ? o->data : s->source;
    rdf_result *R = &rr->rdf;
    double *w = NULL, *wall = NULL, *par = NULL, *dev = NULL;
    cJSON *js = NULL;
    FILE *fp = NULL;
    bpel_out fo;
    int rc = BPEL_OK;
    int ta = 0, tb = 0;
    if (strcmp(o->pair, "total")) {
        char a[32] = "", b[32] = "";
        const char *dash = strchr(o->pair, '-');
        if (!dash || dash == o->pair || (size_t)(dash - o->pair) >= sizeof a || strlen(dash + 1) >= sizeof b) {
            rc = bpel_fail(BPEL_EINVAL, "--pair '%s': expected total or A-B (e.g. Cu-Zr or 1-2)", o->pair);
            goto done;
        }
        memcpy(a, o->pair, dash - o->pair);
        strcpy(b, dash + 1);
        ta = find_type(s, a);
        tb = find_type(s, b);
        if (ta < 0 || tb < 0) {
            rc = bpel_fail(BPEL_EINVAL, "--pair '%s': '%s' is not a species or type of %s", o->pair, ta < 0 ? a : b,
                           data);
            goto done;
        }
    }
    if ((rc = bpel_mkdir_p(out))) goto done;
    if ((rc = bpel_rdf_compute(s, o->rmax, o->dr, R))) goto done;
    size_t nb = R->nbins;
    int nt = s->ntypes;
    const double *g = ta ? bpel_rdf_partial(R, ta, tb) : R->g;
    rr->ta = ta, rr->tb = tb, rr->nbins = nb, rr->g = g;
    w = bpel_malloc(nb * sizeof *w);
    par = bpel_malloc(nb * sizeof *par);
    dev = bpel_malloc(nb * sizeof *dev);
    wall = bpel_malloc((size_t)(nt * nt + 1) * nb * sizeof *wall);
    if (!w || !par || !dev || !wall) { rc = BPEL_ENOMEM; goto done; }
    if ((rc = bpel_rdf_pmf(nb, g, o->temperature, w))) goto done;
    bpel_rdf_pmf(nb, R->g, o->temperature, wall);
    for (int a = 1; a <= nt; a++)
        for (int b = 1; b <= nt; b++) bpel_rdf_pmf(nb, bpel_rdf_partial(R, a, b), o->temperature, wall + (size_t)((a - 1) * nt + b) * nb);
    rdf_well wl;
    if ((rc = bpel_rdf_fit_well(nb, R->r, w, o->halfwidth, 0, &wl))) goto done;
    rr->well = wl;
    for (size_t k = 0; k < nb; k++) {
        par[k] = bpel_rdf_well_parabola(&wl, R->r[k]);
        dev[k] = w[k] - par[k];
    }
    char na[BPEL_MAX_TYPES + 1][32];
    for (int t = 1; t <= nt; t++) {
        bpel_system_type_name(s, t, na[t], sizeof na[t]);
        for (char *q = na[t]; *q; q++)
            if (*q == ' ') *q = '_';
    }
    char path[1200], pname[80];
    if (ta) snprintf(pname, sizeof pname, "%s-%s", na[ta], na[tb]);
    else snprintf(pname, sizeof pname, "total");
    snprintf(rr->pair, sizeof rr->pair, "%s", pname);
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
        fprintf(fp, "%.6f,%.8g,%.8g,%.8g,%.8g,%.8g", R->r[k], g[k], w[k], par[k], dev[k], wall[k]);
        for (int a = 1; a <= nt; a++)
            for (int b = a; b <= nt; b++) fprintf(fp, ",%.8g", wall[(size_t)((a - 1) * nt + b) * nb + k]);
        fputc('\n', fp);
    }
    fp = NULL;
    if ((rc = bpel_out_close(&fo))) goto done;

    js = cJSON_CreateObject();
    if (o->provenance) cJSON_AddStringToObject(js, "provenance", o->provenance);
    cJSON_AddStringToObject(js, "data", data);
    cJSON_AddNumberToObject(js, "n_atoms", (double)s->n);
    cJSON_AddStringToObject(js, "pair", pname);
    cJSON_AddNumberToObject(js, "temperature_K", o->temperature);
    cJSON_AddNumberToObject(js, "dr", R->dr);
    cJSON_AddStringToObject(js, "units", "r in Å, w in eV, k in eV/Å^2, d^n w/dr^n in eV/Å^n");
    cJSON *pj = cJSON_AddObjectToObject(js, PMF_KEY_PARABOLA);
    cJSON_AddNumberToObject(pj, "r0", wl.r0);
    cJSON_AddNumberToObject(pj, "w0", wl.w0);
    cJSON_AddNumberToObject(pj, PMF_KEY_K, wl.k);
    cJSON_AddNumberToObject(pj, "halfwidth", wl.halfwidth);
    cJSON_AddNumberToObject(pj, "n_points", wl.npoints);
    cJSON_AddNumberToObject(pj, "r_lowest_bin", R->r[wl.imin]);
    cJSON *wj = cJSON_AddObjectToObject(js, "well");
    cJSON_AddNumberToObject(wj, "r_left", wl.r_left);
    cJSON_AddNumberToObject(wj, "r_right", wl.r_right);
    cJSON_AddNumberToObject(wj, "d2w_dr2", wl.taylor[2]);
    cJSON_AddNumberToObject(wj, "d3w_dr3", wl.taylor[3]);
    cJSON_AddNumberToObject(wj, "d4w_dr4", wl.taylor[4]);
    /* Deviation from the parabola at the edges of the well. */
    double dl = NAN, drr = NAN;
    for (size_t k = 0; k < nb; k++) {
        if (fabs(R->r[k] - wl.r_left) < 0.5 * o->dr) dl = dev[k];
        if (fabs(R->r[k] - wl.r_right) < 0.5 * o->dr) drr = dev[k];
    }
    cJSON_AddNumberToObject(wj, "deviation_at_r_left", dl);
    cJSON_AddNumberToObject(wj, "deviation_at_r_right", drr);
    const char *kq = PMF_KEY_PARABOLA "." PMF_KEY_K;
    if (!(wl.k > 0))
        bpel_quality_add(js, kq, BPEL_Q_NOT_DETERMINED, "the fitted parabola is not convex (k = %.3g)", wl.k);
    else if (wl.npoints < 7)
        bpel_quality_add(js, kq, BPEL_Q_WEAK, "only %d bins in the parabola fit", (int)wl.npoints);
    else if (fabs(wl.r0 - R->r[wl.imin]) > wl.halfwidth)
        bpel_quality_add(js, kq, BPEL_Q_WEAK, "the parabola's minimum (%.3g Å) is off the lowest bin (%.3g Å)",
                         wl.r0, R->r[wl.imin]);
    else bpel_quality_add(js, kq, BPEL_Q_OK, "%d bins within %.2g Å of the well's bottom", (int)wl.npoints,
                          wl.halfwidth);
    char *txt = cJSON_Print(js);
    snprintf(path, sizeof path, "%s/" PMF_FILE_JSON, out);
    rc = bpel_out_text(path, txt);
    cJSON_free(txt);
    if (rc) goto done;

    /* Fig. 10: w(r) points with the parabola, and the deviation. */
    fig_figure *f = bpel_fig_create(1, 2, 0, 0);
    if (!f) { rc = BPEL_ENOMEM; goto done; }
    double x0 = wl.r_left - 0.4, x1 = wl.r_right + 1.5;
    double ylo = wl.w0, yhi = -INFINITY;
    for (size_t k = 0; k < nb; k++)
        if (R->r[k] >= x0 && R->r[k] <= x1 && isfinite(w[k])) ylo = fmin(ylo, w[k]), yhi = fmax(yhi, w[k]);
    double span = yhi - ylo;
    fig_panel *p = bpel_fig_panel_at(f, 0, 0);
    char title[160];
    snprintf(title, sizeof title, "(a) %s, T = %g K", pname, o->temperature);
    bpel_fig_labels(p, "r (Å)", "w(r) (eV)", title);
    bpel_fig_xrange(p, x0, x1);
    bpel_fig_yrange(p, ylo - 0.05 * span, yhi + 0.45 * span); /* an empty band on top for the legend */
    bpel_fig_points(p, nb, R->r, w, &(fig_style){.color = FIG_RED, .marker = FIG_MARKER_OPEN_CIRCLE, .size = 0.6,
                                           .label = "-k#dB#uT ln g(r)"});
    char lab[160];
    snprintf(lab, sizeof lab, "fit, k = %.3g eV/Å#u2#d", wl.k);
    /* the local fit is drawn up to the top of the data, not through the legend band */
    double *parc = bpel_malloc(nb * sizeof *parc);
    if (parc) {
        for (size_t k = 0; k < nb; k++) parc[k] = par[k] <= yhi + 0.05 * span ? par[k] : NAN;
        bpel_fig_line(p, nb, R->r, parc, &(fig_style){.color = FIG_BLUE, .size = 1.5, .label = lab});
        free(parc);
    }
    bpel_fig_legend(p, FIG_LEGEND_TOP_RIGHT); /* in the band above the data; the parabola leaves the frame further left */
    p = bpel_fig_panel_at(f, 0, 1);
    bpel_fig_labels(p, "r (Å)", "w(r) - quadratic fit (eV)", "(b) inside the first well");
    x0 = wl.r_left - 0.2;
    x1 = wl.r_right + 0.2;
    bpel_fig_xrange(p, x0, x1);
    double dlo = INFINITY, dhi = -INFINITY;
    for (size_t k = 0; k < nb; k++)
        if (R->r[k] >= x0 && R->r[k] <= x1 && isfinite(dev[k])) dlo = fmin(dlo, dev[k]), dhi = fmax(dhi, dev[k]);
    if (dlo < dhi) bpel_fig_yrange(p, dlo - 0.05 * (dhi - dlo), dhi + 0.05 * (dhi - dlo));
    bpel_fig_points(p, nb, R->r, dev, &(fig_style){.color = FIG_RED, .marker = FIG_MARKER_OPEN_CIRCLE, .size = 0.6});
    bpel_fig_hline(p, 0.0, NULL);
    bpel_fig_vline(p, wl.r0, "r#d0#u");
    snprintf(path, sizeof path, "%s/fig10_pmf", out);
    rc = bpel_fig_save(f, path);
    bpel_fig_destroy(f);
    if (rc) goto done;
done:
    if (fp) bpel_out_discard(&fo);
    if (js) cJSON_Delete(js);
    rr->w = w, rr->parabola = par, rr->deviation = dev, rr->w_all = wall;
    return rc;
}
