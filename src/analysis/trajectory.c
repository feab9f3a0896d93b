/* trajectory.c — the Fig. 8 anharmonicity probe (see trajectory.h); the
 * figure is in trajectory_figure.c. */
#include "trajectory.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "forces.h"
#include "md.h"
#include "mdrun.h"
#include "outfile.h"
#include "quality.h"
#include "table.h"

void bpel_traj_defaults(traj_options *o)
{
    memset(o, 0, sizeof *o);
    o->top = o->bottom = 1;
    o->temperature = 100;
    o->time = 1;
    o->equilibrate = 1; /* the paper records "after sufficient thermal relaxation" */
    o->moved = 1.0;
    o->dt = 0.002;
    o->tdamp = 0.1;
    o->seed = 12345;
    o->dump_every = 10;
    o->minimise = 1;
    o->figures = 1;
}

int bpel_traj_check(const traj_options *o)
{
    if (!o->atoms == !o->rank) return bpel_fail(BPEL_EINVAL, "give --atoms ID,... or --rank FILE.csv:COLUMN (one of them)");
    if (o->rank && (o->top < 0 || o->bottom < 0 || o->top + o->bottom == 0))
        return bpel_fail(BPEL_EINVAL, "--top and --bottom are both 0");
    if (!(o->temperature > 0) || !(o->time > 0) || !(o->equilibrate >= 0) || !(o->moved > 0) || !(o->dt > 0) ||
        !(o->tdamp > 0) || o->seed < 0 || o->dump_every < 0)
        return bpel_fail(BPEL_EINVAL, "trajectory: temperature, times, --moved, --dt and --tdamp must be positive");
    return BPEL_OK;
}

void bpel_traj_result_free(traj_result *r)
{
    free(r->idx), free(r->group), free(r->ref), free(r->disp), free(r->dvec), free(r->maxd);
    free(r->pe_t), free(r->d_t), free(r->dx_t), free(r->dy_t);
    memset(r, 0, sizeof *r);
}

/* what the run loop's hooks need */
typedef struct run_state {
    traj_result *r;
    FILE *atoms_csv, *sys_csv, *dump;
    long dump_every;
    traj_callback cb;
    void *user;
} run_state;

static void emit(const run_state *st, traj_event ev, long step, const char *msg)
{
    if (!st->cb) return;
    traj_progress p = {ev, step, st->r->nsteps, msg, st->r};
    st->cb(&p, st->user);
}

static void on_progress(mdrun *c, double done) { emit(c->progress, TRAJ_STEP, (long)done, NULL); }
static void on_notice(mdrun *c, const char *msg) { emit(c->user, TRAJ_NOTICE, 0, msg); }

static void unwrapped(const bpel_system *s, size_t i, double u[3])
{
    double h[3][3];
    bpel_box_matrix(&s->box, h);
    const int *im = &s->image[3 * i];
    for (int a = 0; a < 3; a++) u[a] = s->x[3 * i + a] + h[a][0] * im[0] + h[a][1] * im[1] + h[a][2] * im[2];
}

static int record(mdrun *c, void *user)
{
    run_state *st = user;
    traj_result *r = st->r;
    const bpel_system *s = c->sys;
    const double *pe = bpel_md_get_peratom(c->md);
    long k = bpel_md_get_state(c->md)->step - r->step0;
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
    bpel_md_get_thermo(c->md, &th);
    fprintf(st->sys_csv, "%ld,%.6f,%.6f,%.10f,%.8f\n", k, t, th.temp, th.pe, sqrt(msd / r->n));
    r->rmsd_last = sqrt(msd / r->n);
    r->rmsd_sum += r->rmsd_last;
    r->temp_sum += th.temp;
    r->nrec++;
    for (size_t j = 0; j < r->m; j++) {
        size_t i = r->idx[j];
        const double *d = &r->dvec[3 * i];
        fprintf(st->atoms_csv, "%ld,%.6f,%lld,%d,%d,%.10f,%.8f,%.8f,%.8f,%.8f\n", k, t, (long long)s->id[i], s->type[i],
                r->group[j], pe[i], r->disp[i], d[0], d[1], d[2]);
        size_t q = (size_t)k * r->m + j;
        r->pe_t[q] = pe[i];
        r->d_t[q] = r->disp[i];
        r->dx_t[q] = d[0];
        r->dy_t[q] = d[1];
    }
    if (st->dump && st->dump_every > 0 && k % st->dump_every == 0) {
        bpel_column cols[7] = {{"id", NULL, 0, 0}, {"type", NULL, 0, 0}, {"x", NULL, 0, 0}, {"y", NULL, 0, 0},
                               {"z", NULL, 0, 0},  {"c_pe", pe, 1, 0},     {"disp", r->disp, 1, 0}};
        int rc = bpel_dump_write_frame(st->dump, s, k, 7, cols);
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

static int parse_id(const char *s, long *v)
{
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE) return -1;
    *v = x;
    return 0;
}

static int choose_atoms(const bpel_system *s, const traj_options *o, traj_result *r)
{
    const char *rank = o->rank, *element = o->element;
    r->idx = malloc((s->n + 1) * sizeof *r->idx);
    r->group = malloc((s->n + 1) * sizeof *r->group);
    size_t *order = bpel_system_id_order(s);
    if (o->atoms) {
        char buf[4096];
        snprintf(buf, sizeof buf, "%s", o->atoms);
        for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
            long id;
            if (parse_id(tok, &id)) { free(order); return bpel_fail(BPEL_EINVAL, "--atoms: '%s' is not an atom id", tok); }
            long i = bpel_system_find_id(s, order, id);
            if (i < 0) { free(order); return bpel_fail(BPEL_EINVAL, "--atoms: no atom with id %ld in %s", id, s->source); }
            if (r->m < s->n) r->idx[r->m] = (size_t)i, r->group[r->m++] = 0;
        }
        free(order);
        return BPEL_OK;
    }
    free(order);
    char path[1024], col[256];
    int inv;
    int rc = bpel_tbl_parse_spec(rank, path, sizeof path, col, sizeof col, &inv);
    if (rc) return rc;
    tbl_table *t;
    if ((rc = bpel_tbl_read(path, &t))) return rc;
    double *v = malloc(s->n * sizeof *v);
    size_t missing = 0;
    rc = bpel_tbl_join(t, col, s, 1, v, &missing);
    bpel_tbl_destroy(t);
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
    for (long k = 0; k < o->bottom && (size_t)k < cnt; k++) r->idx[r->m] = rk[k].i, r->group[r->m++] = -1;
    for (long k = 0; k < o->top && (size_t)k < cnt; k++)
        if (r->m < s->n) r->idx[r->m] = rk[cnt - 1 - k].i, r->group[r->m++] = 1;
    free(rk);
    return BPEL_OK;
}

/* moved_atoms.csv: the atoms whose largest displacement exceeded `moved`, by id */
static int write_moved_csv(const char *dir, traj_result *r, double moved)
{
    const bpel_system *s = r->sys;
    char path[4096];
    snprintf(path, sizeof path, "%s/moved_atoms.csv", dir);
    bpel_out o;
    FILE *fp = bpel_out_fopen(&o, path);
    if (!fp) return BPEL_EIO;
    fprintf(fp, "id,type,element,dx_A,dy_A,dz_A,disp_A,max_disp_A\n");
    size_t *order = bpel_system_id_order(s);
    for (size_t k = 0; k < r->n; k++) {
        size_t i = order[k];
        if (r->maxd[i] <= moved) continue;
        const double *d = &r->dvec[3 * i];
        fprintf(fp, "%lld,%d,%s,%.6f,%.6f,%.6f,%.6f,%.6f\n", (long long)s->id[i], s->type[i], s->element[s->type[i]],
                d[0], d[1], d[2], r->disp[i], r->maxd[i]);
        r->nmoved++;
    }
    free(order);
    return bpel_out_close(&o);
}

/* One group of followed atoms in summary.json: atoms, mean displacement over
 * atoms and frames, largest displacement, atoms beyond `moved`. Returns the
 * mean (NAN for an empty group), the number of atoms in *count. */
static double group_summary(cJSON *groups, const char *name, int g, const traj_result *r, double moved, size_t *count)
{
    size_t na = 0, nmoved = 0;
    double sum = 0, big = 0;
    long frames = r->nsteps + 1;
    for (size_t j = 0; j < r->m; j++) {
        if (r->group[j] != g) continue;
        na++;
        double jmax = 0;
        for (long k = 0; k < frames; k++) {
            double d = r->d_t[(size_t)k * r->m + j];
            sum += d;
            if (d > jmax) jmax = d;
        }
        if (jmax > big) big = jmax;
        nmoved += jmax > moved;
    }
    *count = na;
    if (!na) return NAN;
    double mean = sum / ((double)na * (double)frames);
    cJSON *o = cJSON_AddObjectToObject(groups, name);
    cJSON_AddNumberToObject(o, "atoms", (double)na);
    cJSON_AddNumberToObject(o, "disp_mean_A", mean);
    cJSON_AddNumberToObject(o, "disp_max_A", big);
    cJSON_AddNumberToObject(o, "moved", (double)nmoved);
    return mean;
}

/* summary.json: the run and the followed groups (trajectory.h) */
static int write_summary(const char *dir, const traj_result *r, const traj_options *opt)
{
    cJSON *js = cJSON_CreateObject();
    if (!js) return bpel_fail(BPEL_ENOMEM, "out of memory writing %s/%s", dir, TRAJ_FILE_SUMMARY);
    cJSON_AddNumberToObject(js, "temperature_K", opt->temperature);
    cJSON_AddNumberToObject(js, "time_ps", opt->time);
    cJSON_AddNumberToObject(js, "atoms", (double)r->n);
    cJSON_AddNumberToObject(js, "followed", (double)r->m);
    double tmean = r->nrec ? r->temp_sum / r->nrec : 0.0;
    cJSON_AddNumberToObject(js, "temperature_mean_K", tmean);
    cJSON_AddNumberToObject(js, "rmsd_mean_A", r->nrec ? r->rmsd_sum / r->nrec : 0.0);
    cJSON_AddNumberToObject(js, "rmsd_final_A", r->rmsd_last);
    cJSON_AddNumberToObject(js, "moved_threshold_A", opt->moved);
    cJSON_AddNumberToObject(js, "atoms_moved", (double)r->nmoved);
    cJSON *groups = cJSON_AddObjectToObject(js, "groups");
    size_t ntop, nbottom, nchosen;
    double top = group_summary(groups, "top", 1, r, opt->moved, &ntop);
    double bottom = group_summary(groups, "bottom", -1, r, opt->moved, &nbottom);
    group_summary(groups, "chosen", 0, r, opt->moved, &nchosen);
    int rc = BPEL_OK;
    if (!(top > 0) || !(bottom > 0)) {
        cJSON_AddNullToObject(js, TRAJ_KEY_DISP_RATIO);
        rc = bpel_quality_add(js, TRAJ_KEY_DISP_RATIO, BPEL_Q_NOT_DETERMINED,
                              "needs atoms followed by rank, top and bottom (--rank with --top and --bottom)");
    } else {
        cJSON_AddNumberToObject(js, TRAJ_KEY_DISP_RATIO, top / bottom);
        size_t few = ntop < nbottom ? ntop : nbottom;
        if (few < 5)
            rc = bpel_quality_add(js, TRAJ_KEY_DISP_RATIO, BPEL_Q_WEAK,
                                  "%zu and %zu atoms: an example, as in the paper's Fig. 8, not a measure "
                                  "(follow 5 or more of each)",
                                  ntop, nbottom);
        else
            rc = bpel_quality_add(js, TRAJ_KEY_DISP_RATIO, BPEL_Q_OK, "%zu and %zu atoms over %ld frames", ntop,
                                  nbottom, r->nsteps + 1);
    }
    if (!rc && fabs(tmean - opt->temperature) > 0.1 * opt->temperature)
        rc = bpel_quality_add(js, TRAJ_KEY_DISP_RATIO, BPEL_Q_WEAK,
                              "the run's mean temperature is %.0f K against %.0f K: equilibrate longer first "
                              "(--equilibrate, %g ps here)",
                              tmean, opt->temperature, opt->equilibrate);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, TRAJ_FILE_SUMMARY);
    if (!rc) rc = bpel_out_json(path, js);
    cJSON_Delete(js);
    return rc;
}

/* moved.xyz: IS positions with the final displacement vectors */
static int write_moved_xyz(const char *dir, const traj_result *r, const traj_options *opt)
{
    size_t n = r->n;
    bpel_system *is = bpel_system_copy(r->sys);
    for (size_t i = 0; i < n; i++)
        for (int a = 0; a < 3; a++) is->x[3 * i + a] = r->ref[3 * i + a];
    memset(is->image, 0, 3 * n * sizeof *is->image);
    bpel_system_wrap(is);
    double *mv = malloc(n * sizeof *mv);
    for (size_t i = 0; i < n; i++) mv[i] = r->maxd[i] > opt->moved ? 1.0 : 0.0;
    bpel_column cols[5] = {{"dx", r->dvec, 3, 0}, {"dy", r->dvec, 3, 1}, {"dz", r->dvec, 3, 2}, {"disp", r->disp, 1, 0},
                           {"moved", mv, 1, 0}};
    char path[4096];
    snprintf(path, sizeof path, "%s/moved.xyz", dir);
    bpel_out o;
    int rc;
    FILE *fp = bpel_out_fopen(&o, path);
    if (!fp) rc = BPEL_EIO;
    else {
        char comment[128];
        snprintf(comment, sizeof comment, "inherent structure; displacement after %g ps at %g K", opt->time,
                 opt->temperature);
        rc = bpel_out_finish(&o, bpel_xyz_write_frame(fp, is, 5, cols, comment));
    }
    free(mv);
    bpel_system_destroy(is);
    return rc;
}

/* the IS: minimise in place and write inherent.data */
static int make_inherent(mdrun *c, const char *dir, run_state *st)
{
    traj_result *r = st->r;
    min_params mp;
    bpel_min_defaults(&mp);
    int rc = bpel_minimise(c->forces, c->sys, &mp, &r->min);
    if (rc == BPEL_ECONV) {
        emit(st, TRAJ_WARNING, 0, bpel_errmsg());
        rc = 0;
    }
    if (rc) return rc;
    r->minimised = 1;
    emit(st, TRAJ_MINIMISED, 0, NULL);
    char path[4096];
    snprintf(path, sizeof path, "%s/inherent.data", dir);
    free(c->sys->v);
    c->sys->v = NULL;
    return bpel_data_write(path, c->sys, "bpel trajectory: inherent structure (reference of the displacements)");
}

/* the recorded run, with its streams written under temporary names */
static int record_run(mdrun *c, const char *dir, run_state *st)
{
    traj_result *r = st->r;
    char path[4096];
    bpel_out o_atoms, o_sys, o_dump;
    int rc = BPEL_OK;
    snprintf(path, sizeof path, "%s/trajectory_atoms.csv", dir);
    st->atoms_csv = bpel_out_fopen(&o_atoms, path);
    snprintf(path, sizeof path, "%s/trajectory_system.csv", dir);
    if (st->atoms_csv) st->sys_csv = bpel_out_fopen(&o_sys, path);
    if (st->sys_csv && st->dump_every > 0) {
        snprintf(path, sizeof path, "%s/trajectory.dump", dir);
        st->dump = bpel_out_fopen(&o_dump, path);
    }
    if (!st->atoms_csv || !st->sys_csv || (st->dump_every > 0 && !st->dump)) rc = BPEL_EIO;
    if (!rc) {
        fprintf(st->atoms_csv, "step,time_ps,id,type,group,pe_eV,disp_A,dx_A,dy_A,dz_A\n");
        fprintf(st->sys_csv, "step,time_ps,temp_K,pe_eV,rmsd_A\n");
        rc = record(c, st);
    }
    if (!rc) {
        c->on_step = record;
        c->progress = st;
        c->on_progress = on_progress;
        c->progress_offset = -(double)r->step0;
        emit(st, TRAJ_START, 0, NULL);
        rc = bpel_mdrun_run(c, r->step0 + r->nsteps);
        emit(st, TRAJ_MD_DONE, r->nsteps, NULL);
    }
    bpel_out *streams[3] = {st->atoms_csv ? &o_atoms : NULL, st->sys_csv ? &o_sys : NULL, st->dump ? &o_dump : NULL};
    for (int k = 0; k < 3; k++) {
        if (!streams[k]) continue;
        if (rc) bpel_out_discard(streams[k]);
        else rc = bpel_out_close(streams[k]);
    }
    st->atoms_csv = st->sys_csv = st->dump = NULL;
    return rc;
}

static double *alloc_d(size_t n, int zero) { return zero ? calloc(n, sizeof(double)) : malloc(n * sizeof(double)); }

int bpel_traj_run(const bpel_model *model, bpel_system *s, const traj_options *o,
             const char *dir, traj_callback cb, void *user, traj_result *r)
{
    memset(r, 0, sizeof *r);
    r->sys = s;
    int rc = bpel_traj_check(o);
    if (rc) return rc;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) return bpel_fail(BPEL_EIO, "cannot create %s: %s", dir, strerror(errno));
    run_state st = {r, NULL, NULL, NULL, o->dump_every, cb, user};
    mdrun c;
    memset(&c, 0, sizeof c);
    c.sys = s;
    c.model = model;
    c.user = &st;
    c.on_notice = on_notice;
    rc = choose_atoms(s, o, r);
    if (!rc && r->m == 0) rc = bpel_fail(BPEL_EINVAL, "no atoms chosen");
    if (!rc) rc = bpel_forces_create(c.model, c.sys, MDRUN_SKIN, &c.forces);
    if (!rc && o->minimise) rc = make_inherent(&c, dir, &st);
    size_t n = s->n;
    r->n = n;
    r->ref = alloc_d(3 * n, 0);
    r->disp = alloc_d(n, 1);
    r->dvec = alloc_d(3 * n, 1);
    r->maxd = alloc_d(n, 1);
    for (size_t i = 0; i < n; i++) unwrapped(s, i, &r->ref[3 * i]);
    r->dt = o->dt;
    r->nsteps = (long)llround(o->time / o->dt);
    long neq = (long)llround(o->equilibrate / o->dt);
    size_t cells = (size_t)(r->nsteps + 1) * r->m;
    r->pe_t = alloc_d(cells, 0);
    r->d_t = alloc_d(cells, 0);
    r->dx_t = alloc_d(cells, 0);
    r->dy_t = alloc_d(cells, 0);
    md_params p;
    bpel_md_defaults(&p);
    p.ensemble = MD_NVT;
    p.dt = o->dt;
    p.tdamp = o->tdamp;
    p.t_start = p.t_stop = o->temperature;
    c.rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(c.rng, (unsigned long)o->seed);
    if (!rc) rc = bpel_md_velocity_create(c.sys, o->temperature, c.rng);
    if (!rc) rc = bpel_md_create(c.forces, c.sys, &p, &c.md);
    if (!rc && neq > 0) rc = bpel_md_setup(c.md, neq);
    if (!rc && neq > 0) rc = bpel_mdrun_run(&c, neq);
    if (!rc) {
        bpel_md_want_peratom(c.md, 1);
        rc = bpel_md_setup(c.md, r->nsteps);
    }
    if (!rc) {
        r->step0 = bpel_md_get_state(c.md)->step;
        rc = record_run(&c, dir, &st);
    }
    if (!rc) rc = write_moved_csv(dir, r, o->moved);
    if (!rc) rc = write_moved_xyz(dir, r, o);
    if (!rc) rc = write_summary(dir, r, o);
    if (!rc && o->figures) rc = bpel_traj_figure(dir, r, o->moved);
    bpel_mdrun_free(&c);
    return rc;
}
