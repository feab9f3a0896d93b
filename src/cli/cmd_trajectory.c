/* cmd_trajectory.c — `bpel trajectory`: the anharmonicity probe of paper
 * Fig. 8 (§III, SPEC §7). From the inherent structure (IS) of DATA (CG to
 * 1e-8 eV/Å unless --no-minimise), NVT MD at a low temperature (100 K, 1 ps);
 * at every step, for chosen atoms, the per-atom potential energy and the
 * displacement from the IS, |r_i(t) − r_i^IS| (the atom's RMSD; unwrapped
 * positions, so periodic wrapping does not count); for the whole glass the
 * RMSD sqrt(<|Δr|²>). Atoms whose displacement exceeded a threshold (1 Å)
 * during the run are listed with their displacement vectors (string-like
 * cooperative motion). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_dyn.h"
#include "error.h"
#include "outfile.h"
#include "figure.h"
#include "minimise.h"
#include "table.h"

const char cmd_trajectory_summary[] = "MD at low T recording per-atom energy and displacement of chosen atoms (Fig. 8)";

static void help(void)
{
    printf("usage: bpel trajectory DATA --out DIR [--atoms ID,ID | --rank FILE.csv:COLUMN [--top K] [--bottom K]]\n"
           "                          [options]\n\n"
           "Minimises DATA to its inherent structure (IS), draws velocities at T and runs NVT MD,\n"
           "recording at every step the per-atom potential energy and displacement from the IS\n"
           "of the chosen atoms, and the RMSD of the glass. Paper Fig. 8: 100 K, 1 ps, the Cu\n"
           "atoms with the weakest and strongest boson-peak intensity.\n\n"
           "  --temperature T      K (default 100)\n"
           "  --time PS            recorded MD time, ps (default 1)\n"
           "  --equilibrate PS     NVT before recording, ps (default 0)\n"
           "  --atoms ID,ID,...    atoms to follow (the first is drawn in panel a, the second in b)\n"
           "  --rank F.csv:COL     follow the atoms with the lowest (--bottom K, default 1) and\n"
           "                       highest (--top K, default 1) values of a per-atom column\n"
           "  --element E          with --rank: only atoms of this element (paper: Cu)\n"
           "  --moved D            displacement threshold for the moved-atoms list, A (default 1)\n"
           "  --dump-every M       dump all atoms every M steps (default 10; 0 none)\n"
           "  --no-minimise        use DATA itself as the reference structure\n"
           "  --potential F --elements A,B --seed S --dt DT --tdamp T --threads K\n\n"
           "Output in DIR: trajectory_atoms.csv (step,time_ps,id,type,group,pe_eV,disp_A,dx_A,dy_A,dz_A),\n"
           "trajectory_system.csv (step,time_ps,temp_K,pe_eV,rmsd_A), moved_atoms.csv (id,type,\n"
           "element,dx_A,dy_A,dz_A,disp_A,max_disp_A), moved.xyz (extended XYZ of the IS with\n"
           "final displacement vectors, for OVITO), trajectory.dump, inherent.data, and\n"
           "fig8_anharmonicity.png/.svg.\n");
}

typedef struct rec {
    size_t n;          /* atoms of the system */
    size_t m;          /* followed atoms */
    size_t *idx;       /* [m] their indices */
    int *group;        /* [m] 0 chosen, -1 bottom, +1 top */
    double *ref;       /* [3n] unwrapped IS positions */
    double *disp;      /* [n] current displacement */
    double *dvec;      /* [3n] current displacement vectors */
    double *maxd;      /* [n] largest displacement so far */
    long nsteps, step0;
    double dt;
    double *pe_t, *d_t, *dx_t, *dy_t; /* [(nsteps+1)·m] */
    FILE *atoms_csv, *sys_csv, *dump;
    long dump_every;
} rec;

static void unwrapped(const bpel_system *s, size_t i, double u[3])
{
    double h[3][3];
    box_matrix(&s->box, h);
    const int *im = &s->image[3 * i];
    for (int a = 0; a < 3; a++) u[a] = s->x[3 * i + a] + h[a][0] * im[0] + h[a][1] * im[1] + h[a][2] * im[2];
}

static int record(dyn_ctx *c, void *user)
{
    rec *r = user;
    const bpel_system *s = c->sys;
    const double *pe = md_get_peratom(c->md);
    long k = md_get_state(c->md)->step - r->step0;
    double t = k * r->dt, msd = 0;
    for (size_t i = 0; i < r->n; i++) {
        double u[3], d2 = 0;
        unwrapped(s, i, u);
        for (int a = 0; a < 3; a++) {
            r->dvec[3 * i + a] = u[a] - r->ref[3 * i + a];
            d2 += r->dvec[3 * i + a] * r->dvec[3 * i + a];
        }
        r->disp[i] = sqrt(d2);
        if (r->disp[i] > r->maxd[i]) r->maxd[i] = r->disp[i];
        msd += d2;
    }
    md_thermo th;
    md_get_thermo(c->md, &th);
    fprintf(r->sys_csv, "%ld,%.6f,%.6f,%.10f,%.8f\n", k, t, th.temp, th.pe, sqrt(msd / r->n));
    for (size_t j = 0; j < r->m; j++) {
        size_t i = r->idx[j];
        const double *d = &r->dvec[3 * i];
        fprintf(r->atoms_csv, "%ld,%.6f,%lld,%d,%d,%.10f,%.8f,%.8f,%.8f,%.8f\n", k, t, (long long)s->id[i], s->type[i],
                r->group[j], pe[i], r->disp[i], d[0], d[1], d[2]);
        size_t q = (size_t)k * r->m + j;
        r->pe_t[q] = pe[i];
        r->d_t[q] = r->disp[i];
        r->dx_t[q] = d[0];
        r->dy_t[q] = d[1];
    }
    if (r->dump && r->dump_every > 0 && k % r->dump_every == 0) {
        bpel_column cols[7] = {{"id", NULL, 0, 0}, {"type", NULL, 0, 0}, {"x", NULL, 0, 0}, {"y", NULL, 0, 0},
                               {"z", NULL, 0, 0},  {"c_pe", pe, 1, 0},     {"disp", r->disp, 1, 0}};
        int rc = dump_write_frame(r->dump, s, k, 7, cols);
        if (rc) return rc;
    }
    return 0;
}

typedef struct { double v; size_t i; } ranked;
static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    return (x->v > y->v) - (x->v < y->v);
}

static int choose_atoms(const bpel_system *s, const char *atoms, const char *rank, long top, long bottom,
                        const char *element, rec *r)
{
    r->idx = malloc((s->n + 1) * sizeof *r->idx);
    r->group = malloc((s->n + 1) * sizeof *r->group);
    size_t *order = system_id_order(s);
    if (atoms) {
        char buf[4096];
        snprintf(buf, sizeof buf, "%s", atoms);
        for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
            long id;
            if (cli_parse_long(tok, &id)) { free(order); return bpel_fail(BPEL_EINVAL, "--atoms: '%s' is not an atom id", tok); }
            long i = system_find_id(s, order, id);
            if (i < 0) { free(order); return bpel_fail(BPEL_EINVAL, "--atoms: no atom with id %ld in %s", id, s->source); }
            if (r->m < s->n) r->idx[r->m] = (size_t)i, r->group[r->m++] = 0;
        }
        free(order);
        return BPEL_OK;
    }
    free(order);
    char path[1024], col[256];
    int inv;
    int rc = tbl_parse_spec(rank, path, sizeof path, col, sizeof col, &inv);
    if (rc) return rc;
    tbl_table *t;
    if ((rc = tbl_read(path, &t))) return rc;
    double *v = malloc(s->n * sizeof *v);
    size_t missing = 0;
    rc = tbl_join(t, col, s, 1, v, &missing);
    tbl_destroy(t);
    if (rc) { free(v); return rc; }
    ranked *rk = malloc(s->n * sizeof *rk);
    size_t cnt = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (isnan(v[i])) continue;
        if (element && strcmp(s->element[s->type[i]], element) != 0) continue;
        rk[cnt].v = inv ? 1.0 / v[i] : v[i];
        rk[cnt].i = i;
        cnt++;
    }
    free(v);
    if (cnt == 0) { free(rk); return bpel_fail(BPEL_EINVAL, "%s: no atoms to rank%s%s", rank, element ? " of element " : "", element ? element : ""); }
    qsort(rk, cnt, sizeof *rk, cmp_ranked);
    for (long k = 0; k < bottom && (size_t)k < cnt; k++) r->idx[r->m] = rk[k].i, r->group[r->m++] = -1;
    for (long k = 0; k < top && (size_t)k < cnt; k++)
        if (r->m < s->n) r->idx[r->m] = rk[cnt - 1 - k].i, r->group[r->m++] = 1;
    free(rk);
    return BPEL_OK;
}

/* Inset of panel (b): displacement vectors of the atoms that moved more than
 * `moved` Å, projected on x–y from their IS positions (Cu blue, Zr red as in
 * the paper; other elements grey). */
static void moved_inset(fig_panel *parent, const rec *r, const bpel_system *s, double moved)
{
    size_t cnt = 0;
    for (size_t i = 0; i < r->n; i++) cnt += r->maxd[i] > moved;
    if (cnt == 0) return;
    fig_panel *in = fig_inset(parent, 0.58, 0.98, 0.58, 0.98);
    if (!in) return;
    fig_labels(in, "x (Å)", "y (Å)", "moved > 1 Å");
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
            fig_line(in, q, x, y, &(fig_style){.color = color, .size = 1.5});
            fig_points(in, q, x, y, &(fig_style){.color = color, .marker = FIG_MARKER_DOT});
        }
        free(x);
        free(y);
    }
}

static int make_figure(const rec *r, const bpel_system *s, const char *outdir, double moved)
{
    long ns = r->nsteps + 1;
    /* panel a: first bottom/first chosen; panel b: first top/second chosen */
    long ja = -1, jb = -1;
    for (size_t j = 0; j < r->m; j++) {
        if (r->group[j] <= 0 && ja < 0) ja = (long)j;
        else if ((r->group[j] == 1 || r->group[j] == 0) && jb < 0 && (long)j != ja) jb = (long)j;
    }
    fig_figure *f = fig_create(2, 2, 1280, 960);
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
        fig_panel *p = fig_panel_at(f, 0, c);
        fig_labels(p, "RMSD (Å)", "potential energy (eV)", title);
        for (long k = 0; k < ns; k++) x[k] = r->d_t[k * r->m + j], y[k] = r->pe_t[k * r->m + j];
        fig_color_points(p, ns, x, y, t, 0, 0, "t (ps)", NULL);
        if (c == 1) moved_inset(p, r, s, moved);
        snprintf(title, sizeof title, "%s trajectory of id %lld", tags[c][1], (long long)s->id[i]);
        p = fig_panel_at(f, 1, c);
        fig_labels(p, "Δx (Å)", "Δy (Å)", title);
        for (long k = 0; k < ns; k++) x[k] = r->dx_t[k * r->m + j], y[k] = r->dy_t[k * r->m + j];
        fig_line(p, ns, x, y, &(fig_style){.color = FIG_GREY});
        fig_color_points(p, ns, x, y, t, 0, 0, "t (ps)", NULL);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/fig8_anharmonicity", outdir);
    int rc = fig_save(f, path);
    fig_destroy(f);
    free(t), free(x), free(y);
    return rc;
}

int cmd_trajectory(int argc, char **argv)
{
    const char *data = NULL, *outdir = NULL, *atoms = NULL, *rank = NULL, *element = NULL, *potential = NULL,
               *elements = NULL;
    double temp = 100, time_ps = 1, equil = 0, moved = 1.0, dt = 0.002, tdamp = 0.1;
    long top = 1, bottom = 1, seed = 12345, threads = 0, dump_every = 10;
    int minimise_first = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help();
            return 0;
        }
        if (!strcmp(a, "--no-minimise")) { minimise_first = 0; continue; }
        if (a[0] != '-' || a[1] != '-') {
            if (data) return cli_usage_error("trajectory", "unexpected argument '%s'", a);
            data = a;
            continue;
        }
        if (i + 1 >= argc) return cli_usage_error("trajectory", "%s needs a value", a);
        const char *v = argv[++i];
        int bad = 0;
        if (!strcmp(a, "--out")) outdir = v;
        else if (!strcmp(a, "--temperature")) bad = cli_parse_double(v, &temp) || !(temp > 0);
        else if (!strcmp(a, "--time")) bad = cli_parse_double(v, &time_ps) || !(time_ps > 0);
        else if (!strcmp(a, "--equilibrate")) bad = cli_parse_double(v, &equil) || equil < 0;
        else if (!strcmp(a, "--atoms")) atoms = v;
        else if (!strcmp(a, "--rank")) rank = v;
        else if (!strcmp(a, "--top")) bad = cli_parse_long(v, &top) || top < 0;
        else if (!strcmp(a, "--bottom")) bad = cli_parse_long(v, &bottom) || bottom < 0;
        else if (!strcmp(a, "--element")) element = v;
        else if (!strcmp(a, "--moved")) bad = cli_parse_double(v, &moved) || !(moved > 0);
        else if (!strcmp(a, "--dump-every")) bad = cli_parse_long(v, &dump_every) || dump_every < 0;
        else if (!strcmp(a, "--potential")) potential = v;
        else if (!strcmp(a, "--elements")) elements = v;
        else if (!strcmp(a, "--seed")) bad = cli_parse_long(v, &seed) || seed < 0;
        else if (!strcmp(a, "--dt")) bad = cli_parse_double(v, &dt) || !(dt > 0);
        else if (!strcmp(a, "--tdamp")) bad = cli_parse_double(v, &tdamp) || !(tdamp > 0);
        else if (!strcmp(a, "--threads")) bad = cli_parse_long(v, &threads) || threads < 1;
        else return cli_usage_error("trajectory", "unknown option %s", a);
        if (bad) return cli_usage_error("trajectory", "invalid value '%s' for %s", v, a);
    }
    if (!data) return cli_usage_error("trajectory", "no data file given");
    if (!outdir) return cli_usage_error("trajectory", "--out is required");
    if (!atoms == !rank) return cli_usage_error("trajectory", "give --atoms ID,... or --rank FILE.csv:COLUMN (one of them)");
    if (rank && top + bottom == 0) return cli_usage_error("trajectory", "--top and --bottom are both 0");
    if (threads > 0 && dyn_set_threads(threads)) return cli_error();
    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "bpel trajectory: cannot create %s: %s\n", outdir, strerror(errno));
        return 1;
    }
    cli_setup s;
    if (cli_load(data, potential, elements, &s)) return cli_error();
    rec r;
    memset(&r, 0, sizeof r);
    dyn_ctx c;
    memset(&c, 0, sizeof c);
    c.sys = s.sys;
    c.pot = s.pot;
    memcpy(c.map, s.map, sizeof c.map);
    int rc = choose_atoms(s.sys, atoms, rank, top, bottom, element, &r);
    char path[4096];
    bpel_out o_atoms, o_sys, o_dump; /* the streams written during the run */
    if (!rc && r.m == 0) rc = bpel_fail(BPEL_EINVAL, "no atoms chosen");
    if (!rc) rc = forces_create(c.pot, c.map, c.sys, DYN_SKIN, &c.forces);
    if (!rc && minimise_first) {
        min_params mp;
        min_defaults(&mp);
        min_result mr;
        rc = minimise(c.forces, c.sys, &mp, &mr);
        if (rc == BPEL_ECONV) {
            fprintf(stderr, "bpel trajectory: warning: %s\n", bpel_errmsg());
            rc = 0;
        }
        if (!rc) printf("inherent structure: E = %.10f eV/atom, max|F| = %.2e eV/A\n", mr.energy / (double)c.sys->n, mr.fmax);
        snprintf(path, sizeof path, "%s/inherent.data", outdir);
        if (!rc) {
            free(c.sys->v);
            c.sys->v = NULL;
            rc = data_write(path, c.sys, "bpel trajectory: inherent structure (reference of the displacements)");
        }
    }
    size_t n = c.sys->n;
    r.n = n;
    r.ref = malloc(3 * n * sizeof *r.ref);
    r.disp = calloc(n, sizeof *r.disp);
    r.dvec = calloc(3 * n, sizeof *r.dvec);
    r.maxd = calloc(n, sizeof *r.maxd);
    for (size_t i = 0; i < n; i++) unwrapped(c.sys, i, &r.ref[3 * i]);
    r.dt = dt;
    r.nsteps = (long)llround(time_ps / dt);
    long neq = (long)llround(equil / dt);
    size_t cells = (size_t)(r.nsteps + 1) * r.m;
    r.pe_t = malloc(cells * sizeof(double));
    r.d_t = malloc(cells * sizeof(double));
    r.dx_t = malloc(cells * sizeof(double));
    r.dy_t = malloc(cells * sizeof(double));
    md_params p;
    md_defaults(&p);
    p.ensemble = MD_NVT;
    p.dt = dt;
    p.tdamp = tdamp;
    p.t_start = p.t_stop = temp;
    c.rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(c.rng, (unsigned long)seed);
    if (!rc) rc = md_velocity_create(c.sys, temp, c.rng);
    if (!rc) rc = md_create(c.forces, c.sys, &p, &c.md);
    if (!rc && neq > 0) rc = md_setup(c.md, neq);
    if (!rc && neq > 0) rc = dyn_run(&c, neq);
    if (!rc) {
        md_want_peratom(c.md, 1);
        rc = md_setup(c.md, r.nsteps);
    }
    if (!rc) {
        r.step0 = md_get_state(c.md)->step;
        /* written as the run goes, under temporary names until it ends well */
        snprintf(path, sizeof path, "%s/trajectory_atoms.csv", outdir);
        r.atoms_csv = bpel_out_fopen(&o_atoms, path);
        snprintf(path, sizeof path, "%s/trajectory_system.csv", outdir);
        if (r.atoms_csv) r.sys_csv = bpel_out_fopen(&o_sys, path);
        if (r.sys_csv && dump_every > 0) {
            snprintf(path, sizeof path, "%s/trajectory.dump", outdir);
            r.dump = bpel_out_fopen(&o_dump, path);
            r.dump_every = dump_every;
        }
        if (!r.atoms_csv || !r.sys_csv || (dump_every > 0 && !r.dump)) rc = BPEL_EIO;
    }
    if (!rc) {
        fprintf(r.atoms_csv, "step,time_ps,id,type,group,pe_eV,disp_A,dx_A,dy_A,dz_A\n");
        fprintf(r.sys_csv, "step,time_ps,temp_K,pe_eV,rmsd_A\n");
        rc = record(&c, &r);
    }
    if (!rc) {
        c.on_step = record;
        c.user = &r;
        cli_progress bar;
        cli_progress_start(&bar, "trajectory", (double)r.nsteps);
        c.progress = &bar;
        c.progress_offset = -(double)r.step0;
        rc = dyn_run(&c, r.step0 + r.nsteps);
        cli_progress_finish(&bar);
    }
    bpel_out *streams[3] = {r.atoms_csv ? &o_atoms : NULL, r.sys_csv ? &o_sys : NULL, r.dump ? &o_dump : NULL};
    for (int k = 0; k < 3; k++) {
        if (!streams[k]) continue;
        if (rc) bpel_out_discard(streams[k]);
        else rc = bpel_out_close(streams[k]);
    }
    r.atoms_csv = r.sys_csv = r.dump = NULL;
    size_t nmoved = 0;
    if (!rc) {
        snprintf(path, sizeof path, "%s/moved_atoms.csv", outdir);
        bpel_out o;
        FILE *fp = bpel_out_fopen(&o, path);
        if (!fp) rc = BPEL_EIO;
        else {
            fprintf(fp, "id,type,element,dx_A,dy_A,dz_A,disp_A,max_disp_A\n");
            size_t *order = system_id_order(c.sys);
            for (size_t k = 0; k < n; k++) {
                size_t i = order[k];
                if (r.maxd[i] <= moved) continue;
                const double *d = &r.dvec[3 * i];
                fprintf(fp, "%lld,%d,%s,%.6f,%.6f,%.6f,%.6f,%.6f\n", (long long)c.sys->id[i], c.sys->type[i],
                        c.sys->element[c.sys->type[i]], d[0], d[1], d[2], r.disp[i], r.maxd[i]);
                nmoved++;
            }
            free(order);
            rc = bpel_out_close(&o);
        }
    }
    if (!rc) {
        /* IS positions with the final displacement vectors */
        bpel_system *is = system_copy(c.sys);
        for (size_t i = 0; i < n; i++)
            for (int a = 0; a < 3; a++) is->x[3 * i + a] = r.ref[3 * i + a];
        memset(is->image, 0, 3 * n * sizeof *is->image);
        system_wrap(is);
        double *mv = malloc(n * sizeof *mv);
        for (size_t i = 0; i < n; i++) mv[i] = r.maxd[i] > moved ? 1.0 : 0.0;
        bpel_column cols[5] = {{"dx", r.dvec, 3, 0}, {"dy", r.dvec, 3, 1}, {"dz", r.dvec, 3, 2}, {"disp", r.disp, 1, 0},
                               {"moved", mv, 1, 0}};
        snprintf(path, sizeof path, "%s/moved.xyz", outdir);
        bpel_out o;
        FILE *fp = bpel_out_fopen(&o, path);
        if (!fp) rc = BPEL_EIO;
        else {
            char comment[128];
            snprintf(comment, sizeof comment, "inherent structure; displacement after %g ps at %g K", time_ps, temp);
            rc = bpel_out_finish(&o, xyz_write_frame(fp, is, 5, cols, comment));
        }
        free(mv);
        system_destroy(is);
    }
    if (!rc) rc = make_figure(&r, c.sys, outdir, moved);
    if (!rc) {
        printf("followed %zu atoms for %ld steps at %g K; %zu atoms moved more than %g A; outputs in %s\n", r.m, r.nsteps,
               temp, nmoved, moved, outdir);
        for (size_t j = 0; j < r.m; j++) {
            size_t i = r.idx[j];
            printf("  id %lld (%s, %s): max displacement %.3f A\n", (long long)c.sys->id[i], c.sys->element[c.sys->type[i]],
                   r.group[j] < 0 ? "bottom" : r.group[j] > 0 ? "top" : "chosen", r.maxd[i]);
        }
    }
    free(r.idx), free(r.group), free(r.ref), free(r.disp), free(r.dvec), free(r.maxd);
    free(r.pe_t), free(r.d_t), free(r.dx_t), free(r.dy_t);
    dyn_free(&c);
    cli_setup_free(&s);
    return rc ? cli_error() : 0;
}
