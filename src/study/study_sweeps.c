/* study_sweeps.c — Figs. 6 and 7 of the paper: the ΔQ–I_BP relation of
 * every glass of a study over compositions (same cooling rate) and over
 * cooling rates (same composition), per species. Each glass contributes its
 * numerical coarse-graining (atoms of one species sorted by 1/I_BP, bins of
 * about a twentieth of them, at least 20 atoms; mean ± s.e.m.), read from its
 * merged per-atom table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artn_columns.h"
#include "correlate.h"
#include "error.h"
#include "figure.h"
#include "structure.h"
#include "study_impl.h"
#include "table.h"
#include "vibrations.h"

/* One glass, one species: binned (1/I_BP, ΔQ). Returns 0 if there is no data. */
static int species_bins(const study_sample *sm, int type, corr_bins *out)
{
    char path[900];
    snprintf(path, sizeof path, "%s/" STUDY_MERGED_TABLE, sm->dir);
    tbl_table *t = NULL;
    if (bpel_tbl_read(path, &t)) return 0;
    int ok = 0;
    if (bpel_tbl_find_column(t, VIB_COL_IBP) >= 0 && bpel_tbl_find_column(t, ARTN_COL_DQ) >= 0) {
        size_t n = t->nrows, m = 0;
        double *ty = malloc(n * sizeof *ty), *ib = malloc(n * sizeof *ib), *dq = malloc(n * sizeof *dq);
        double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
        /* missing ΔQ (atoms not searched) are "nan" in the table and left out */
        if (ty && ib && dq && x && y && !bpel_tbl_column(t, STUDY_COL_TYPE, ty)) {
            for (size_t i = 0; i < n; i++) {
                const char *a = t->cells[i * t->ncols + bpel_tbl_find_column(t, VIB_COL_IBP)];
                const char *b = t->cells[i * t->ncols + bpel_tbl_find_column(t, ARTN_COL_DQ)];
                double vi = strtod(a, NULL), vd = strtod(b, NULL);
                if ((int)ty[i] == type && isfinite(vi) && vi > 0 && isfinite(vd)) {
                    x[m] = 1.0 / vi;
                    y[m] = vd;
                    m++;
                }
            }
            size_t bin = m / 20 > 20 ? m / 20 : 20;
            if (m >= 2 * bin && !bpel_corr_bin(m, x, y, 0, bin, out)) ok = 1;
        }
        free(ty); free(ib); free(dq); free(x); free(y);
    }
    bpel_tbl_destroy(t);
    return ok;
}

static int sweep_figure(const study_state *S, const study_sample *sm, const int *members, int nm, const char *base,
                        const char *what)
{
    fig_figure *f = bpel_fig_create(1, 2, 1280, 520);
    if (!f) return BPEL_ENOMEM;
    const char *el[2] = {"Cu", "Zr"};
    int drawn = 0;
    for (int t = 1; t <= 2; t++) {
        fig_panel *p = bpel_fig_panel_at(f, 0, t - 1);
        char title[64];
        snprintf(title, sizeof title, "(%c) %s atoms", 'a' + t - 1, el[t - 1]);
        bpel_fig_labels(p, "1/I#dBP#u (rad#u3#d/ps#u3#d)", "ΔQ (eV)", title);
        for (int k = 0; k < nm; k++) {
            corr_bins b;
            if (!species_bins(&sm[members[k]], t, &b)) continue;
            char label[96];
            if (!strcmp(what, "composition")) snprintf(label, sizeof label, "%s", sm[members[k]].composition);
            else snprintf(label, sizeof label, "%.2g K/s", sm[members[k]].rate);
            bpel_fig_errorbars(p, b.nbins, b.xm, b.ym, b.xsem, b.ysem, &(fig_style){.label = label});
            bpel_corr_bins_free(&b);
            drawn++;
        }
        bpel_fig_legend(p, FIG_LEGEND_BOTTOM_RIGHT);
    }
    int rc = BPEL_OK;
    if (drawn) {
        char path[900];
        snprintf(path, sizeof path, "%s/%s", S->res->out, base);
        rc = bpel_fig_save(f, path);
    }
    bpel_fig_destroy(f);
    return rc;
}

int bpel_study_sweeps(const study_state *S, const study_sample *sm, int ns)
{
    const study_config *c = S->cfg;
    if (!c->do_modes || !c->do_artn) return BPEL_OK;
    int *members = malloc((size_t)ns * sizeof *members);
    if (!members) return BPEL_ENOMEM;
    int rc = BPEL_OK;
    /* Fig. 6: compositions at the first cooling rate */
    if (c->ncompositions > 1) {
        int nm = 0;
        for (int k = 0; k < ns; k++)
            if (sm[k].rate == c->rates[0]) members[nm++] = k;
        rc = sweep_figure(S, sm, members, nm, "fig6_compositions", "composition");
    }
    /* Fig. 7: cooling rates at the first composition */
    if (!rc && c->nrates > 1) {
        int nm = 0;
        for (int k = 0; k < ns; k++)
            if (!strcmp(sm[k].composition, c->compositions[0])) members[nm++] = k;
        rc = sweep_figure(S, sm, members, nm, "fig7_cooling_rates", "rate");
    }
    free(members);
    return rc;
}
