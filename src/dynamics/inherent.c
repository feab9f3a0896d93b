/* inherent.c — inherent structures at several temperatures (see inherent.h). */
#include "inherent.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_rng.h>

#include "error.h"
#include "forces.h"
#include "md.h"
#include "mdrun.h"
#include "minimise.h"
#include "outfile.h"

void bpel_inherent_defaults(inherent_options *o)
{
    memset(o, 0, sizeof *o);
    o->time = -1;
    o->ftol = 1e-8;
    o->dt = 0.002;
    o->tdamp = 0.1;
    o->seed = 12345;
    o->log_every = 100;
}

void bpel_inherent_result_free(inherent_result *r)
{
    free(r->structures);
    memset(r, 0, sizeof *r);
}

/* what the run loop's hooks need */
typedef struct run_state {
    long from;   /* first step counted in the mean temperature */
    double sum;  /* K */
    double temperature;
    long nsteps;
    inherent_callback cb;
    void *user;
} run_state;

static void emit(const run_state *st, inherent_event ev, long step, const char *msg, const inherent_structure *is)
{
    if (!st->cb) return;
    inherent_progress p = {ev, st->temperature, step, st->nsteps, msg, is};
    st->cb(&p, st->user);
}

static int accumulate(mdrun *c, void *user)
{
    run_state *a = user;
    if (bpel_md_get_state(c->md)->step > a->from) a->sum += bpel_md_temperature(c->sys);
    return 0;
}

static void on_progress(mdrun *c, double done) { emit(c->user, INHERENT_STEP, (long)done, NULL, NULL); }
static void on_notice(mdrun *c, const char *msg) { emit(c->user, INHERENT_NOTICE, 0, msg, NULL); }

/* NVT at temperature k, minimisation, data file; *is filled */
static int one_temperature(const bpel_model *model, const bpel_system *s,
                           const inherent_options *o, const char *dir, int k, run_state *st, inherent_structure *is,
                           int *all_conv)
{
    const double T = o->temperatures[k];
    const long nsteps = st->nsteps;
    char path[4096];
    int rc = 0;
    mdrun c;
    memset(&c, 0, sizeof c);
    c.sys = bpel_system_copy(s);
    c.model = model;
    c.rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(c.rng, (unsigned long)(o->seed + k));
    md_params p;
    bpel_md_defaults(&p);
    p.ensemble = MD_NVT;
    p.dt = o->dt;
    p.tdamp = o->tdamp;
    p.t_start = p.t_stop = T;
    if (!c.sys) rc = BPEL_ENOMEM;
    if (!rc) rc = bpel_md_velocity_create(c.sys, T, c.rng);
    if (!rc) rc = bpel_forces_create(c.model, c.sys, MDRUN_SKIN, &c.forces);
    if (!rc) rc = bpel_md_create(c.forces, c.sys, &p, &c.md);
    if (!rc) rc = bpel_md_setup(c.md, nsteps);
    if (!rc) {
        snprintf(path, sizeof path, "%s/inherent_%gK.log.csv", dir, T);
        c.log = fopen(path, "w");
        if (!c.log) rc = bpel_fail(BPEL_EIO, "%s: cannot write", path);
        else bpel_mdrun_log_header(c.log);
        c.log_every = o->log_every;
    }
    st->temperature = T;
    emit(st, INHERENT_BEGIN, 0, NULL, NULL);
    c.progress = st;
    c.on_progress = on_progress;
    c.on_notice = on_notice;
    /* mean temperature over the second half */
    st->from = nsteps / 2;
    st->sum = 0;
    c.on_step = accumulate;
    c.user = st;
    if (!rc) rc = bpel_mdrun_run(&c, nsteps);
    double tsum = st->sum;
    emit(st, INHERENT_END, nsteps, NULL, NULL);
    if (c.log) fclose(c.log), c.log = NULL;
    min_result r;
    memset(&r, 0, sizeof r);
    if (!rc) {
        min_params mp;
        bpel_min_defaults(&mp);
        mp.ftol = o->ftol;
        rc = bpel_minimise(c.forces, c.sys, &mp, &r);
        if (rc == BPEL_ECONV) {
            emit(st, INHERENT_WARNING, 0, bpel_errmsg(), NULL);
            *all_conv = 0;
            rc = 0;
        }
    }
    if (!rc) {
        free(c.sys->v);
        c.sys->v = NULL;
        snprintf(path, sizeof path, "%s/inherent_%gK.data", dir, T);
        char comment[256];
        snprintf(comment, sizeof comment, "bpel inherent: %g ps NVT at %g K, CG to max|F| = %.2e eV/A, E = %.10f eV/atom",
                 o->time, T, r.fmax, r.energy / (double)c.sys->n);
        rc = bpel_data_write(path, c.sys, comment);
    }
    if (!rc) {
        is->temperature = T;
        is->mean_temperature = nsteps > 0 ? tsum / (double)(nsteps - nsteps / 2) : 0;
        is->energy_per_atom = r.energy / (double)c.sys->n;
        is->fmax = r.fmax;
        is->converged = r.converged;
        snprintf(is->file, sizeof is->file, "%s", path);
    }
    bpel_mdrun_free(&c);
    bpel_system_destroy(c.sys);
    return rc;
}

int bpel_inherent_run(const bpel_model *model, const bpel_system *s,
                 const inherent_options *o, const char *dir, inherent_callback cb, void *user, inherent_result *r)
{
    memset(r, 0, sizeof *r);
    if (o->ntemperatures < 1 || !(o->time >= 0) || !(o->ftol > 0) || !(o->dt > 0) || !(o->tdamp > 0) ||
        o->log_every < 1 || o->seed < 0)
        return bpel_fail(BPEL_EINVAL, "inherent: needs temperatures, --time >= 0 and positive --ftol, --dt, --tdamp");
    for (int k = 0; k < o->ntemperatures; k++)
        if (!(o->temperatures[k] > 0))
            return bpel_fail(BPEL_EINVAL, "temperature %g must be a positive number (K)", o->temperatures[k]);
    if (!(r->structures = bpel_calloc((size_t)o->ntemperatures, sizeof *r->structures))) return BPEL_ENOMEM;
    r->all_converged = 1;
    int rc = 0;
    run_state st = {0, 0, 0, (long)llround(o->time / o->dt), cb, user};
    cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "structures");
    if (o->provenance) cJSON_AddStringToObject(root, "provenance", o->provenance);
    cJSON_AddStringToObject(root, "source", o->source ? o->source : s->source);
    cJSON_AddNumberToObject(root, "nvt_time_ps", o->time);
    cJSON_AddNumberToObject(root, "ftol_eV_per_A", o->ftol);
    char path[4096];
    snprintf(path, sizeof path, "%s/inherent.csv", dir);
    bpel_out ocsv;
    FILE *csv = bpel_out_fopen(&ocsv, path);
    if (!csv) {
        cJSON_Delete(root);
        return BPEL_EIO;
    }
    fprintf(csv, "temperature_K,mean_temp_K,energy_per_atom_eV,fmax_eV_per_A,converged\n");
    for (int k = 0; k < o->ntemperatures; k++) {
        inherent_structure *is = &r->structures[k];
        rc = one_temperature(model, s, o, dir, k, &st, is, &r->all_converged);
        if (rc) break;
        r->n++;
        fprintf(csv, "%g,%.4f,%.12f,%.3e,%d\n", is->temperature, is->mean_temperature, is->energy_per_atom, is->fmax,
                is->converged);
        emit(&st, INHERENT_DONE, st.nsteps, NULL, is);
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "temperature_K", is->temperature);
        cJSON_AddNumberToObject(j, "mean_temperature_K", is->mean_temperature);
        cJSON_AddNumberToObject(j, "energy_per_atom_eV", is->energy_per_atom);
        cJSON_AddNumberToObject(j, "fmax_eV_per_A", is->fmax);
        cJSON_AddBoolToObject(j, "converged", is->converged);
        cJSON_AddStringToObject(j, "file", is->file);
        cJSON_AddItemToArray(arr, j);
    }
    if (rc) bpel_out_discard(&ocsv);
    else rc = bpel_out_close(&ocsv);
    if (!rc) {
        snprintf(path, sizeof path, "%s/inherent.json", dir);
        rc = bpel_out_json(path, root);
    }
    cJSON_Delete(root);
    return rc;
}
