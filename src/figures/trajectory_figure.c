/* trajectory_figure.c — paper Fig. 8 from a trajectory run (see trajectory.h):
 * (a, b) potential energy against RMSD of two followed atoms, coloured by time,
 * (c, d) their x–y displacement paths; panel b carries the moved atoms'
 * displacement vectors as an inset. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "figure.h"
#include "trajectory.h"

/* Inset of panel (b): displacement vectors of the atoms that moved more than
 * `moved` Å, projected on x–y from their IS positions (Cu blue, Zr red as in
 * the paper; other elements grey). */
static void moved_inset(fig_panel *parent, const traj_result *r, double moved)
{
    const bpel_system *s = r->sys;
    size_t cnt = 0;
    for (size_t i = 0; i < r->n; i++) cnt += r->maxd[i] > moved;
    if (cnt == 0) return;
    fig_panel *in = bpel_fig_inset(parent, 0.58, 0.98, 0.58, 0.98);
    if (!in) return;
    bpel_fig_labels(in, "x (Å)", "y (Å)", "moved > 1 Å");
    for (int t = 1; t <= s->ntypes; t++) {
        double *x = malloc(3 * cnt * sizeof *x), *y = malloc(3 * cnt * sizeof *y);
        size_t q = 0;
        for (size_t i = 0; i < r->n; i++) {
            if (r->maxd[i] <= moved || s->type[i] != t) continue;
            x[q] = r->ref[3 * i], y[q++] = r->ref[3 * i + 1];
            x[q] = r->ref[3 * i] + r->dvec[3 * i], y[q++] = r->ref[3 * i + 1] + r->dvec[3 * i + 1];
            x[q] = NAN, y[q++] = NAN;
        }
        int color = !strcmp(s->element[t], "Cu") ? FIG_BLUE : !strcmp(s->element[t], "Zr") ? FIG_RED : FIG_GREY;
        if (q) {
            bpel_fig_line(in, q, x, y, &(fig_style){.color = color, .size = 1.5});
            bpel_fig_points(in, q, x, y, &(fig_style){.color = color, .marker = FIG_MARKER_DOT});
        }
        free(x);
        free(y);
    }
}

int bpel_traj_figure(const char *outdir, const traj_result *r, double moved)
{
    const bpel_system *s = r->sys;
    long ns = r->nsteps + 1;
    /* panel a: first bottom/first chosen; panel b: first top/second chosen */
    long ja = -1, jb = -1;
    for (size_t j = 0; j < r->m; j++) {
        if (r->group[j] <= 0 && ja < 0) ja = (long)j;
        else if ((r->group[j] == 1 || r->group[j] == 0) && jb < 0 && (long)j != ja) jb = (long)j;
    }
    fig_figure *f = bpel_fig_create(2, 2, 1280, 960);
    if (!f) return BPEL_ENOMEM;
    double *t = malloc(ns * sizeof *t), *x = malloc(ns * sizeof *x), *y = malloc(ns * sizeof *y);
    for (long k = 0; k < ns; k++) t[k] = k * r->dt;
    long js[2] = {ja, jb};
    const char *tags[2][2] = {{"(a)", "(c)"}, {"(b)", "(d)"}};
    for (int c = 0; c < 2; c++) {
        long j = js[c];
        if (j < 0) continue;
        size_t i = r->idx[j];
        char title[128];
        const char *what = r->group[j] < 0 ? "lowest" : r->group[j] > 0 ? "highest" : "atom";
        snprintf(title, sizeof title, "%s %s id %lld (%s)", tags[c][0], what, (long long)s->id[i], s->element[s->type[i]]);
        fig_panel *p = bpel_fig_panel_at(f, 0, c);
        bpel_fig_labels(p, "RMSD (Å)", "potential energy (eV)", title);
        for (long k = 0; k < ns; k++) x[k] = r->d_t[k * r->m + j], y[k] = r->pe_t[k * r->m + j];
        bpel_fig_color_points(p, ns, x, y, t, 0, 0, "t (ps)", NULL);
        if (c == 1) moved_inset(p, r, moved);
        snprintf(title, sizeof title, "%s trajectory of id %lld", tags[c][1], (long long)s->id[i]);
        p = bpel_fig_panel_at(f, 1, c);
        bpel_fig_labels(p, "Δx (Å)", "Δy (Å)", title);
        for (long k = 0; k < ns; k++) x[k] = r->dx_t[k * r->m + j], y[k] = r->dy_t[k * r->m + j];
        bpel_fig_line(p, ns, x, y, &(fig_style){.color = FIG_GREY});
        bpel_fig_color_points(p, ns, x, y, t, 0, 0, "t (ps)", NULL);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/fig8_anharmonicity", outdir);
    int rc = bpel_fig_save(f, path);
    bpel_fig_destroy(f);
    free(t), free(x), free(y);
    return rc;
}
