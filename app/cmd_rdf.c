/* cmd_rdf.c — `bpel rdf`: total and partial radial distribution functions
 * and running coordination numbers of a configuration. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_analysis.h"
#include "error.h"
#include "outfile.h"
#include "figure.h"
#include "rdf.h"

const char cmd_rdf_summary[] = "total and partial radial distribution functions g(r) and coordination numbers";

static void help(void)
{
    printf("usage: bpel rdf DATA --out DIR [--rmax 10] [--dr 0.02] [--elements Cu,Zr]\n\n"
           "Radial distribution functions of the configuration in the LAMMPS data file DATA, from all\n"
           "periodic images: g(r) normalised so that an ideal gas gives 1 (N(N-1) pairs; partials\n"
           "N_a(N_b - delta_ab)), histogrammed in shells of width dr with exact shell volumes.\n\n"
           "  --rmax A       range in Å (default 10; below the smallest box width)\n"
           "  --dr A         bin width in Å (default 0.02)\n"
           "  --elements L   element of each atom type, e.g. Cu,Zr (names the partials)\n"
           "  --out DIR      output directory (created if missing)\n\n"
           "Writes rdf.csv (r_A, g_total, n_total, g_AB for each pair, n_AB = B neighbours of an A atom\n"
           "within r), rdf.json (first peak, first minimum and coordination number of each g) and the\n"
           "figure rdf (.png, .svg).\n");
}

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

int cmd_rdf(int argc, char **argv)
{
    double rmax = 10, dr = 0.02;
    const char *elements = NULL, *out = NULL;
    const cli_opt opts[] = {{CLI_OPT("rmax", 'r', CLI_DOUBLE, &rmax)},
                            {CLI_OPT("dr", 'd', CLI_DOUBLE, &dr)},
                            {CLI_OPT("elements", 'e', CLI_STRING, &elements)},
                            {CLI_OPT("out", 'o', CLI_STRING, &out)},
                            {0}};
    const cli_spec spec = {.cmd = "rdf", .opts = opts, .help = help, .bad_value = "bad %o '%v'"};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    if (ops.n != 1) return cli_usage_error("rdf", "expected one data file");
    if (!out) return cli_usage_error("rdf", "--out is required");
    if (!(dr > 0 && rmax > dr)) return cli_usage_error("rdf", "need --rmax > --dr > 0");
    bpel_system *s = NULL;
    rdf_result r = {0};
    cJSON *js = NULL;
    FILE *fp = NULL;
    bpel_out fo;
    if ((rc = bpel_data_read(ops.v[0], &s))) goto done;
    if (elements && (rc = bpel_system_set_elements(s, elements))) goto done;
    cli_guess_elements(s);
    if ((rc = bpel_mkdir_p(out))) goto done;
    if ((rc = bpel_rdf_compute(s, rmax, dr, &r))) goto done;

    int nt = s->ntypes;
    char na[BPEL_MAX_TYPES + 1][32];
    for (int t = 1; t <= nt; t++) {
        bpel_system_type_name(s, t, na[t], sizeof na[t]);
        for (char *p = na[t]; *p; p++)
            if (*p == ' ') *p = '_';
    }
    char path[1200];
    snprintf(path, sizeof path, "%s/rdf.csv", out);
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
    for (size_t k = 0; k < r.nbins; k++) {
        fprintf(fp, "%.6f,%.8g,%.8g", r.r[k], r.g[k], r.n[k]);
        for (int a = 1; a <= nt; a++)
            for (int b = a; b <= nt; b++) fprintf(fp, ",%.8g", bpel_rdf_partial(&r, a, b)[k]);
        for (int a = 1; a <= nt; a++)
            for (int b = 1; b <= nt; b++) fprintf(fp, ",%.8g", bpel_rdf_partial_coord(&r, a, b)[k]);
        fputc('\n', fp);
    }
    fp = NULL;
    if ((rc = bpel_out_close(&fo))) goto done;

    js = cJSON_CreateObject();
    cJSON_AddStringToObject(js, "provenance", cli_provenance());
    cJSON_AddStringToObject(js, "data", ops.v[0]);
    cJSON_AddNumberToObject(js, "n_atoms", (double)s->n);
    cJSON_AddNumberToObject(js, "volume", r.volume);
    cJSON_AddNumberToObject(js, "number_density", s->n / r.volume);
    cJSON_AddNumberToObject(js, "dr", r.dr);
    cJSON_AddNumberToObject(js, "rmax", r.rmax);
    cJSON_AddStringToObject(js, "units", "r in Å, volume in Å^3, number density in 1/Å^3");
    cJSON_AddItemToObject(js, "total", peak_json(&r, r.g, r.n));
    cJSON *pj = cJSON_AddObjectToObject(js, "partials");
    for (int a = 1; a <= nt; a++)
        for (int b = 1; b <= nt; b++) {
            char key[80];
            snprintf(key, sizeof key, "%s-%s", na[a], na[b]);
            cJSON *o = peak_json(&r, bpel_rdf_partial(&r, a, b), bpel_rdf_partial_coord(&r, a, b));
            cJSON_AddStringToObject(o, "coordination_meaning", "neighbours of the second species around the first");
            cJSON_AddItemToObject(pj, key, o);
        }
    char *txt = cJSON_Print(js);
    snprintf(path, sizeof path, "%s/rdf.json", out);
    rc = txt ? bpel_out_text(path, txt) : BPEL_ENOMEM;
    cJSON_free(txt);
    if (rc) goto done;

    fig_figure *f = bpel_fig_create(1, 1, 0, 0);
    if (!f) { rc = BPEL_ENOMEM; goto done; }
    fig_panel *p = bpel_fig_panel_at(f, 0, 0);
    bpel_fig_labels(p, "r (Å)", "g(r)", NULL);
    bpel_fig_line(p, r.nbins, r.r, r.g, &(fig_style){.label = "total", .color = FIG_BLACK, .size = 1.5});
    for (int a = 1; a <= nt; a++)
        for (int b = a; b <= nt; b++) {
            char lab[80];
            snprintf(lab, sizeof lab, "%s-%s", na[a], na[b]);
            bpel_fig_line(p, r.nbins, r.r, bpel_rdf_partial(&r, a, b), &(fig_style){.label = lab});
        }
    bpel_fig_hline(p, 1.0, NULL);
    bpel_fig_legend(p, FIG_LEGEND_TOP_RIGHT);
    if ((rc = bpel_fig_save_in(f, out, "rdf"))) goto done;
    long pk, mn;
    bpel_rdf_first_peak(r.nbins, r.r, r.g, 0, &pk, &mn);
    if (pk >= 0) printf("first peak of g(r) at %.3f Å (g = %.3f)", r.r[pk], r.g[pk]);
    if (mn >= 1) printf(", first minimum at %.3f Å with %.2f neighbours", r.r[mn], 0.5 * (r.n[mn - 1] + r.n[mn]));
    printf("\noutputs in %s/\n", out);
done:
    if (fp) bpel_out_discard(&fo);
    if (js) cJSON_Delete(js);
    bpel_rdf_free(&r);
    bpel_system_destroy(s);
    return rc ? cli_error() : 0;
}
