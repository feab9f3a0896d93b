/* rdf_run.c — the files and figure of the RDF stage (rdf.h). */
#include "rdf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "figure.h"
#include "outfile.h"

/* Columns shared by rdf and pmf outputs: first-peak summary of one g. */
static cJSON *peak_json(const rdf_result *r, const double *g, const double *n)
{
    cJSON *o = cJSON_CreateObject();
    long pk, mn;
    bpel_rdf_first_peak(r->nbins, r->r, g, 0, &pk, &mn);
    cJSON_AddNumberToObject(o, "first_peak_r", pk >= 0 ? r->r[pk] : NAN);
    cJSON_AddNumberToObject(o, "first_peak_g", pk >= 0 ? g[pk] : NAN);
    cJSON_AddNumberToObject(o, "first_minimum_r", mn >= 0 ? r->r[mn] : NAN);
    cJSON_AddNumberToObject(o, "first_minimum_g", mn >= 0 ? g[mn] : NAN);
    /* n is cumulative to the upper edge of a bin: the shell up to the minimum's centre is the bin before plus half. */
    cJSON_AddNumberToObject(o, "coordination_to_first_minimum", mn >= 1 && n ? 0.5 * (n[mn - 1] + n[mn]) : NAN);
    return o;
}

int bpel_rdf_write(const bpel_system *s, const rdf_result *r, const char *data, const char *provenance, const char *dir)
{
    int rc = BPEL_OK;
    cJSON *js = NULL;
    FILE *fp = NULL;
    bpel_out fo;
    int nt = s->ntypes;
    char na[BPEL_MAX_TYPES + 1][32];
    for (int t = 1; t <= nt; t++) {
        bpel_system_type_name(s, t, na[t], sizeof na[t]);
        for (char *p = na[t]; *p; p++)
            if (*p == ' ') *p = '_';
    }
    char path[1200];
    snprintf(path, sizeof path, "%s/rdf.csv", dir);
    if (!(fp = bpel_out_fopen(&fo, path))) {
        rc = BPEL_EIO;
        goto done;
    }
    fprintf(fp, "r_A,g_total,n_total");
    for (int a = 1; a <= nt; a++)
        for (int b = a; b <= nt; b++) fprintf(fp, ",g_%s%s", na[a], na[b]);
    for (int a = 1; a <= nt; a++)
        for (int b = 1; b <= nt; b++) fprintf(fp, ",n_%s%s", na[a], na[b]);
    fputc('\n', fp);
    for (size_t k = 0; k < r->nbins; k++) {
        fprintf(fp, "%.6f,%.8g,%.8g", r->r[k], r->g[k], r->n[k]);
        for (int a = 1; a <= nt; a++)
            for (int b = a; b <= nt; b++) fprintf(fp, ",%.8g", bpel_rdf_partial(r, a, b)[k]);
        for (int a = 1; a <= nt; a++)
            for (int b = 1; b <= nt; b++) fprintf(fp, ",%.8g", bpel_rdf_partial_coord(r, a, b)[k]);
        fputc('\n', fp);
    }
    fp = NULL;
    if ((rc = bpel_out_close(&fo))) goto done;

    js = cJSON_CreateObject();
    if (provenance) cJSON_AddStringToObject(js, "provenance", provenance);
    cJSON_AddStringToObject(js, "data", data);
    cJSON_AddNumberToObject(js, "n_atoms", (double)s->n);
    cJSON_AddNumberToObject(js, "volume", r->volume);
    cJSON_AddNumberToObject(js, "number_density", s->n / r->volume);
    cJSON_AddNumberToObject(js, "dr", r->dr);
    cJSON_AddNumberToObject(js, "rmax", r->rmax);
    cJSON_AddStringToObject(js, "units", "r in Å, volume in Å^3, number density in 1/Å^3");
    cJSON_AddItemToObject(js, "total", peak_json(r, r->g, r->n));
    cJSON *pj = cJSON_AddObjectToObject(js, "partials");
    for (int a = 1; a <= nt; a++)
        for (int b = 1; b <= nt; b++) {
            char key[80];
            snprintf(key, sizeof key, "%s-%s", na[a], na[b]);
            cJSON *o = peak_json(r, bpel_rdf_partial(r, a, b), bpel_rdf_partial_coord(r, a, b));
            cJSON_AddStringToObject(o, "coordination_meaning", "neighbours of the second species around the first");
            cJSON_AddItemToObject(pj, key, o);
        }
    char *txt = cJSON_Print(js);
    snprintf(path, sizeof path, "%s/rdf.json", dir);
    rc = txt ? bpel_out_text(path, txt) : BPEL_ENOMEM;
    cJSON_free(txt);
    if (rc) goto done;

    fig_figure *f = bpel_fig_create(1, 1, 0, 0);
    if (!f) { rc = BPEL_ENOMEM; goto done; }
    fig_panel *p = bpel_fig_panel_at(f, 0, 0);
    bpel_fig_labels(p, "r (Å)", "g(r)", NULL);
    bpel_fig_line(p, r->nbins, r->r, r->g, &(fig_style){.label = "total", .color = FIG_BLACK, .size = 1.5});
    for (int a = 1; a <= nt; a++)
        for (int b = a; b <= nt; b++) {
            char lab[80];
            snprintf(lab, sizeof lab, "%s-%s", na[a], na[b]);
            bpel_fig_line(p, r->nbins, r->r, bpel_rdf_partial(r, a, b), &(fig_style){.label = lab});
        }
    bpel_fig_hline(p, 1.0, NULL);
    bpel_fig_legend(p, FIG_LEGEND_TOP_RIGHT);
    if ((rc = bpel_fig_save_in(f, dir, "rdf"))) goto done;
done:
    if (fp) bpel_out_discard(&fo);
    if (js) cJSON_Delete(js);
    return rc;
}
