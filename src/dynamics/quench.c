/* quench.c — glass preparation: melt, quench, hold, minimise (see quench.h). */
#include "quench.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eam.h"
#include "error.h"
#include "mdrun.h"
#include "outfile.h"
#include "restart.h"

void bpel_quench_defaults(quench_options *o)
{
    memset(o, 0, sizeof *o);
    o->natoms = -1;
    o->rate = NAN;
    o->t_melt = 2000;
    o->melt_time = 100;
    o->t_final = 1;
    o->hold_time = 0;
    o->pressure = 0;
    o->dt = 0.002;
    o->tdamp = 0.1;
    o->pdamp = 1.0;
    o->ftol = 1e-8;
    o->seed = 12345;
    o->log_every = 100;
    o->thermo_every = 1000;
    o->checkpoint_every = 10000;
}

int bpel_quench_check(const quench_options *o)
{
    if (!o->composition[0]) return bpel_fail(BPEL_EINVAL, "no composition given");
    if (o->natoms < 0) return bpel_fail(BPEL_EINVAL, "the number of atoms is not given");
    if (isnan(o->rate)) return bpel_fail(BPEL_EINVAL, "no cooling rate given");
    if (!o->out[0]) return bpel_fail(BPEL_EINVAL, "no output file given");
    if (!(o->rate > 0)) return bpel_fail(BPEL_EINVAL, "cooling rate %g K/s must be positive", o->rate);
    if (!(o->t_melt > 0)) return bpel_fail(BPEL_EINVAL, "melt temperature %g K must be positive", o->t_melt);
    if (!(o->t_final > 0))
        return bpel_fail(BPEL_EINVAL, "final temperature %g K must be positive (the thermostat cannot target 0 K)",
                         o->t_final);
    if (!(o->t_final < o->t_melt))
        return bpel_fail(BPEL_EINVAL, "final temperature %g K must be below the melt temperature %g K", o->t_final,
                         o->t_melt);
    if (o->melt_time < 0 || o->hold_time < 0) return bpel_fail(BPEL_EINVAL, "times must not be negative");
    if (!(o->dt > 0) || !(o->ftol > 0) || !(o->tdamp > 0) || !(o->pdamp > 0))
        return bpel_fail(BPEL_EINVAL, "--dt, --ftol, --tdamp and --pdamp must be positive");
    if (o->natoms < 2) return bpel_fail(BPEL_EINVAL, "--natoms %ld: need at least 2 atoms", o->natoms);
    double quench_ps = (o->t_melt - o->t_final) / o->rate * 1e12;
    if (quench_ps / o->dt > 1e11)
        return bpel_fail(BPEL_EINVAL, "rate %g K/s needs %.3g steps: too slow to simulate", o->rate, quench_ps / o->dt);
    if (o->seed < 0 || o->log_every < 1 || o->thermo_every < 0)
        return bpel_fail(BPEL_EINVAL, "seed %ld, log interval %ld, thermo interval %ld: negative, or a log interval below 1",
                         o->seed, o->log_every, o->thermo_every);
    return BPEL_OK;
}

static void with_suffix(char *dst, size_t n, const char *path, const char *suffix)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    size_t len = (dot && (!slash || dot > slash)) ? (size_t)(dot - path) : strlen(path);
    snprintf(dst, n, "%.*s%s", (int)len, path, suffix);
}

/* The MD steps of each stage. */
static void plan_steps(quench_result *r)
{
    const quench_options *o = &r->settings;
    double quench_ps = (o->t_melt - o->t_final) / o->rate * 1e12;
    r->melt_steps = (long)llround(o->melt_time / o->dt);
    r->quench_steps = (long)llround(quench_ps / o->dt);
    if (r->quench_steps < 1) r->quench_steps = 1;
    r->hold_steps = (long)llround(o->hold_time / o->dt);
}

static int stage_params(const quench_result *r, int stage, md_params *p, long *nsteps)
{
    const quench_options *q = &r->settings;
    bpel_md_defaults(p);
    p->dt = q->dt;
    p->tdamp = q->tdamp;
    p->pdamp = q->pdamp;
    p->p_start = p->p_stop = q->pressure;
    if (stage == QUENCH_STAGE_MELT) {
        p->ensemble = MD_NPT;
        p->t_start = p->t_stop = q->t_melt;
        *nsteps = r->melt_steps;
    } else if (stage == QUENCH_STAGE_QUENCH) {
        p->ensemble = MD_NPT;
        p->t_start = q->t_melt;
        p->t_stop = q->t_final;
        *nsteps = r->quench_steps;
    } else {
        p->ensemble = MD_NVT;
        p->t_start = p->t_stop = q->t_final;
        *nsteps = r->hold_steps;
    }
    return bpel_md_check_params(p);
}

/* ------------------------------------------------------------ checkpoints */

static int store_settings(const quench_result *r, rst_info *info)
{
    const quench_options *o = &r->settings;
    rst_settings w;
    bpel_rst_settings_begin(&w, QUENCH_SETTINGS_VERSION);
    bpel_rst_settings_string(&w, "composition", o->composition);
    bpel_rst_settings_long(&w, "natoms", o->natoms);
    bpel_rst_settings_string(&w, "potential", o->potential);
    bpel_rst_settings_string(&w, "out", o->out);
    bpel_rst_settings_string(&w, "log", o->log);
    bpel_rst_settings_long(&w, "seed", o->seed);
    bpel_rst_settings_long(&w, "thermo_every", o->thermo_every);
    bpel_rst_settings_long(&w, "log_every", o->log_every);
    bpel_rst_settings_double(&w, "rate", o->rate);
    bpel_rst_settings_double(&w, "melt_temperature", o->t_melt);
    bpel_rst_settings_double(&w, "melt_time", o->melt_time);
    bpel_rst_settings_double(&w, "final_temperature", o->t_final);
    bpel_rst_settings_double(&w, "hold_time", o->hold_time);
    bpel_rst_settings_double(&w, "dt", o->dt);
    bpel_rst_settings_double(&w, "tdamp", o->tdamp);
    bpel_rst_settings_double(&w, "pdamp", o->pdamp);
    bpel_rst_settings_double(&w, "pressure", o->pressure);
    bpel_rst_settings_double(&w, "ftol", o->ftol);
    bpel_rst_settings_long(&w, "melt_steps", r->melt_steps);
    bpel_rst_settings_long(&w, "quench_steps", r->quench_steps);
    bpel_rst_settings_long(&w, "hold_steps", r->hold_steps);
    bpel_rst_settings_long(&w, "threads", r->threads);
    return bpel_rst_settings_finish(&w, info);
}

static int load_fields(const rst_info *info, const char *path, quench_result *r)
{
    quench_options *o = &r->settings;
    rst_fields f;
    long threads = 0;
    int rc;
    if ((rc = bpel_rst_fields_open(info, path, QUENCH_SETTINGS_VERSION, &f)) ||
        (rc = bpel_rst_fields_string(&f, "composition", o->composition, sizeof o->composition)) ||
        (rc = bpel_rst_fields_long(&f, "natoms", &o->natoms)) ||
        (rc = bpel_rst_fields_string(&f, "potential", o->potential, sizeof o->potential)) ||
        (rc = bpel_rst_fields_string(&f, "out", o->out, sizeof o->out)) ||
        (rc = bpel_rst_fields_string(&f, "log", o->log, sizeof o->log)) ||
        (rc = bpel_rst_fields_long(&f, "seed", &o->seed)) ||
        (rc = bpel_rst_fields_long(&f, "thermo_every", &o->thermo_every)) ||
        (rc = bpel_rst_fields_long(&f, "log_every", &o->log_every)) ||
        (rc = bpel_rst_fields_double(&f, "rate", &o->rate)) ||
        (rc = bpel_rst_fields_double(&f, "melt_temperature", &o->t_melt)) ||
        (rc = bpel_rst_fields_double(&f, "melt_time", &o->melt_time)) ||
        (rc = bpel_rst_fields_double(&f, "final_temperature", &o->t_final)) ||
        (rc = bpel_rst_fields_double(&f, "hold_time", &o->hold_time)) ||
        (rc = bpel_rst_fields_double(&f, "dt", &o->dt)) ||
        (rc = bpel_rst_fields_double(&f, "tdamp", &o->tdamp)) ||
        (rc = bpel_rst_fields_double(&f, "pdamp", &o->pdamp)) ||
        (rc = bpel_rst_fields_double(&f, "pressure", &o->pressure)) ||
        (rc = bpel_rst_fields_double(&f, "ftol", &o->ftol)) ||
        (rc = bpel_rst_fields_long(&f, "melt_steps", &r->melt_steps)) ||
        (rc = bpel_rst_fields_long(&f, "quench_steps", &r->quench_steps)) ||
        (rc = bpel_rst_fields_long(&f, "hold_steps", &r->hold_steps)) ||
        (rc = bpel_rst_fields_long(&f, "threads", &threads)))
        return rc;
    if (threads < 1 || threads > 4096)
        return bpel_fail(BPEL_EPARSE, "%s: restart file's settings hold %ld threads", path, threads);
    r->threads = (int)threads;
    return BPEL_OK;
}

/* Checkpoints of bpel before settings sections hold the bytes of its
 * settings struct, as an LP64 build lays it out: composition char[64] at 0,
 * potential, out and log char[1024] at 64, 1088 and 2112; natoms, seed,
 * thermo_every, log_every (int64) at 3136..3160; rate, melt_temperature,
 * melt_time, final_temperature, hold_time, dt, tdamp, pdamp, pressure, ftol
 * (double) at 3168..3240; melt_steps, quench_steps, hold_steps (int64) at
 * 3248..3264; threads (int32) at 3272; 3280 bytes in all. */
#define RAW_SIZE 3280

static int raw_string(const unsigned char *b, size_t off, size_t len, char *out, size_t n)
{
    if (!memchr(b + off, 0, len) || strlen((const char *)b + off) + 1 > n) return -1;
    memcpy(out, b + off, strlen((const char *)b + off) + 1);
    return 0;
}

static long raw_long(const unsigned char *b, size_t off)
{
    int64_t v;
    memcpy(&v, b + off, 8);
    return (long)v;
}

static double raw_double(const unsigned char *b, size_t off)
{
    double v;
    memcpy(&v, b + off, 8);
    return v;
}

static int load_raw(const rst_info *info, const char *path, quench_result *r)
{
    quench_options *o = &r->settings;
    const unsigned char *b = info->extra;
    if (info->extra_size != RAW_SIZE)
        return bpel_fail(BPEL_EPARSE, "%s: restart file holds settings of an unknown layout (%zu bytes without a settings "
                         "header; an older bpel wrote %d)", path, info->extra_size, RAW_SIZE);
    if (raw_string(b, 0, 64, o->composition, sizeof o->composition) ||
        raw_string(b, 64, 1024, o->potential, sizeof o->potential) || raw_string(b, 1088, 1024, o->out, sizeof o->out) ||
        raw_string(b, 2112, 1024, o->log, sizeof o->log))
        return bpel_fail(BPEL_EPARSE, "%s: restart file holds broken settings (an unterminated name)", path);
    o->natoms = raw_long(b, 3136);
    o->seed = raw_long(b, 3144);
    o->thermo_every = raw_long(b, 3152);
    o->log_every = raw_long(b, 3160);
    o->rate = raw_double(b, 3168);
    o->t_melt = raw_double(b, 3176);
    o->melt_time = raw_double(b, 3184);
    o->t_final = raw_double(b, 3192);
    o->hold_time = raw_double(b, 3200);
    o->dt = raw_double(b, 3208);
    o->tdamp = raw_double(b, 3216);
    o->pdamp = raw_double(b, 3224);
    o->pressure = raw_double(b, 3232);
    o->ftol = raw_double(b, 3240);
    r->melt_steps = raw_long(b, 3248);
    r->quench_steps = raw_long(b, 3256);
    r->hold_steps = raw_long(b, 3264);
    int32_t threads;
    memcpy(&threads, b + 3272, 4);
    if (threads < 1 || threads > 4096)
        return bpel_fail(BPEL_EPARSE, "%s: restart file's settings hold %ld threads", path, (long)threads);
    r->threads = threads;
    return BPEL_OK;
}

/* The settings of a checkpoint, checked as those of a fresh run are. */
static int load_settings(const rst_info *info, const char *path, quench_result *r)
{
    if (strcmp(info->command, "quench") != 0)
        return bpel_fail(BPEL_EPARSE, "%s was not written by 'bpel quench' (but by 'bpel %s')", path, info->command);
    int rc = bpel_rst_settings_raw(info) ? load_raw(info, path, r) : load_fields(info, path, r);
    if (rc) return rc;
    if (info->stage < QUENCH_STAGE_MELT || info->stage > QUENCH_STAGE_MIN)
        return bpel_fail(BPEL_EPARSE, "%s: restart file holds an unknown stage %d", path, info->stage);
    if (bpel_quench_check(&r->settings)) return bpel_fail_context(BPEL_EPARSE, "%s: restart file holds invalid settings", path);
    if (r->melt_steps < 0 || r->quench_steps < 1 || r->hold_steps < 0 || !r->settings.log[0])
        return bpel_fail(BPEL_EPARSE, "%s: restart file holds stages of %ld, %ld and %ld steps or no log name", path,
                         r->melt_steps, r->quench_steps, r->hold_steps);
    return bpel_glass_parse_composition(r->settings.composition, &r->composition);
}

/* ------------------------------------------------------------------- run */

typedef struct run_ctx {
    quench_callback cb;
    void *user;
    quench_result *r;
    int stage;
    long stage_steps, total;
} run_ctx;

static int emit(run_ctx *x, quench_event ev, long step, const md_thermo *t, const char *msg)
{
    if (!x->cb) return 0;
    quench_progress p = {ev, x->stage, step, x->stage_steps, x->total, t, msg, x->r};
    return x->cb(&p, x->user);
}

static void on_thermo(mdrun *c, const md_thermo *t)
{
    if (emit(c->user, QUENCH_THERMO, t->step, t, NULL)) c->stop = 1;
}

static void on_progress(mdrun *c, double done)
{
    if (emit(c->user, QUENCH_STEP, bpel_md_get_state(c->md)->step, NULL, NULL)) c->stop = 1;
}

static void on_notice(mdrun *c, const char *msg) { emit(c->user, QUENCH_NOTICE, bpel_md_get_state(c->md)->step, NULL, msg); }

/* A fresh run: settings, starting configuration and integrator. */
static int start_fresh(const quench_options *o, run_ctx *x, mdrun *c, bpel_eam **pot, bpel_model **model)
{
    quench_result *r = x->r;
    int rc = bpel_quench_check(o);
    if (rc) return rc;
    r->settings = *o;
    quench_options *q = &r->settings;
    q->resume[0] = '\0';
    q->checkpoint[0] = '\0';
    plan_steps(r);
    if ((rc = bpel_glass_parse_composition(o->composition, &r->composition))) return rc;
    r->threads = omp_get_max_threads();
    if ((rc = bpel_potential_find(o->potential[0] ? o->potential : BPEL_DEFAULT_POTENTIAL, q->potential, sizeof q->potential)))
        return rc;
    if (!o->log[0]) with_suffix(q->log, sizeof q->log, o->out, ".log.csv");
    if (o->checkpoint[0]) snprintf(r->checkpoint, sizeof r->checkpoint, "%s", o->checkpoint);
    else snprintf(r->checkpoint, sizeof r->checkpoint, "%s.restart", o->out);
    if ((rc = bpel_eam_read(q->potential, NULL, pot))) return rc;
    c->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!c->rng) return bpel_fail(BPEL_ENOMEM, "cannot allocate a random number generator");
    gsl_rng_set(c->rng, (unsigned long)q->seed);
    if ((rc = bpel_glass_random_solution(*pot, &r->composition, (size_t)q->natoms, c->rng, &c->sys, r->count))) return rc;
    double w[3], cut = bpel_eam_cutoff(*pot);
    bpel_box_widths(&c->sys->box, w);
    if (w[0] < 2 * cut)
        return bpel_fail(BPEL_EINVAL,
                         "%ld atoms make a box of %.2f A, less than twice the potential cutoff (%.2f A): "
                         "use at least %.0f atoms",
                         q->natoms, w[0], 2 * cut, ceil(pow(2 * cut, 3) * q->natoms / (w[0] * w[0] * w[0])));
    r->box = w[0];
    if ((rc = bpel_model_create(*pot, c->sys, NULL, model))) return rc;
    c->model = *model;
    if ((rc = bpel_md_velocity_create(c->sys, q->t_melt, c->rng))) return rc;
    md_params p;
    long n;
    if ((rc = stage_params(r, QUENCH_STAGE_MELT, &p, &n))) return rc;
    if ((rc = bpel_forces_create(c->model, c->sys, MDRUN_SKIN, &c->forces)) || (rc = bpel_md_create(c->forces, c->sys, &p, &c->md)))
        return rc;
    if ((rc = bpel_md_setup(c->md, n))) return rc;
    snprintf(c->info.command, sizeof c->info.command, "quench");
    bpel_mdrun_set_restart_every(c, o->checkpoint_every);
    r->natoms = c->sys->n;
    emit(x, QUENCH_BEGIN, 0, NULL, NULL);
    return BPEL_OK;
}

/* A resumed run: settings, system, integrator and generator from the
 * checkpoint. */
static int start_resumed(const quench_options *o, run_ctx *x, mdrun *c, bpel_eam **pot, bpel_model **model)
{
    quench_result *r = x->r;
    int rc = bpel_restart_read(o->resume, &c->sys, &c->info);
    if (rc) return rc;
    if ((rc = load_settings(&c->info, o->resume, r))) return rc;
    if (r->threads != omp_get_max_threads()) {
        char msg[256];
        snprintf(msg, sizeof msg, "the run used %d threads, this one %d: the continuation is valid but not bitwise "
                 "identical to an uninterrupted run (use --threads %d)", r->threads, omp_get_max_threads(), r->threads);
        emit(x, QUENCH_WARNING, c->info.md.step, NULL, msg);
    }
    r->resumed = 1;
    snprintf(r->checkpoint, sizeof r->checkpoint, "%s", o->checkpoint[0] ? o->checkpoint : o->resume);
    if ((rc = bpel_eam_read(r->settings.potential, NULL, pot)) || (rc = bpel_model_create(*pot, c->sys, NULL, model))) return rc;
    c->model = *model;
    if ((rc = bpel_mdrun_restore(c, &c->info, o->checkpoint_every))) return rc;
    c->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!c->rng) return bpel_fail(BPEL_ENOMEM, "cannot allocate a random number generator");
    if ((rc = bpel_restart_load_rng(&c->info, c->rng))) return rc;
    r->natoms = c->sys->n;
    return BPEL_OK;
}

cJSON *bpel_quench_summary(const quench_result *r, const char *provenance)
{
    const quench_options *q = &r->settings;
    cJSON *j = cJSON_CreateObject();
    if (!j) return NULL;
    if (provenance) cJSON_AddStringToObject(j, "provenance", provenance);
    cJSON_AddStringToObject(j, "composition", q->composition);
    cJSON_AddNumberToObject(j, "atoms", (double)r->natoms);
    cJSON_AddStringToObject(j, "potential", q->potential);
    cJSON_AddNumberToObject(j, "rate_K_per_s", q->rate);
    cJSON_AddNumberToObject(j, "melt_temperature_K", q->t_melt);
    cJSON_AddNumberToObject(j, "melt_time_ps", q->melt_time);
    cJSON_AddNumberToObject(j, "final_temperature_K", q->t_final);
    cJSON_AddNumberToObject(j, "hold_time_ps", q->hold_time);
    cJSON_AddNumberToObject(j, "pressure_bar", q->pressure);
    cJSON_AddNumberToObject(j, "dt_ps", q->dt);
    cJSON_AddNumberToObject(j, "seed", (double)q->seed);
    cJSON_AddNumberToObject(j, "energy_per_atom_eV", r->min.energy / (double)r->natoms);
    cJSON_AddNumberToObject(j, "fmax_eV_per_A", r->min.fmax);
    cJSON_AddBoolToObject(j, "minimisation_converged", r->converged);
    cJSON_AddNumberToObject(j, "volume_A3", r->volume);
    cJSON_AddNumberToObject(j, "volume_per_atom_A3", r->volume / (double)r->natoms);
    cJSON_AddNumberToObject(j, "density_g_per_cm3", r->density);
    cJSON_AddNumberToObject(j, "pressure_after_minimisation_bar", r->min.pressure);
    return j;
}

int bpel_quench_run(const quench_options *o, quench_callback cb, void *user, quench_result *r)
{
    memset(r, 0, sizeof *r);
    mdrun c;
    memset(&c, 0, sizeof c);
    run_ctx x = {cb, user, r, QUENCH_STAGE_MELT, 0, 0};
    bpel_eam *pot = NULL;
    bpel_model *model = NULL;
    int rc;
    if (o->checkpoint_every < 1) return bpel_fail(BPEL_EINVAL, "checkpoint interval %ld must be positive", o->checkpoint_every);
    if ((rc = o->resume[0] ? start_resumed(o, &x, &c, &pot, &model) : start_fresh(o, &x, &c, &pot, &model))) goto fail;
    const quench_options *q = &r->settings;
    int resumed = r->resumed, stage = resumed ? c.info.stage : QUENCH_STAGE_MELT;
    if ((rc = store_settings(r, &c.info))) goto fail;
    c.restart_path = r->checkpoint;
    /* the outputs can be written: found out now, not after the quench */
    with_suffix(r->summary, sizeof r->summary, q->out, ".json");
    if ((rc = bpel_out_check(q->out)) || (rc = bpel_out_check(r->summary)) || (rc = bpel_out_check(r->checkpoint)))
        goto fail;
    /* rows the interrupted run logged after its checkpoint go */
    if (resumed && (rc = bpel_mdrun_cut_csv(q->log, bpel_md_get_state(c.md)->step))) goto fail;
    c.thermo_every = q->thermo_every;
    c.log_every = q->log_every;
    if (!(c.log = fopen(q->log, resumed ? "a" : "w"))) {
        rc = bpel_fail(BPEL_EIO, "%s: cannot write the log", q->log);
        goto fail;
    }
    c.log_name = q->log;
    if (!resumed) bpel_mdrun_log_header(c.log);
    c.user = &x;
    c.on_thermo = on_thermo;
    c.on_progress = on_progress;
    c.on_notice = on_notice;
    x.total = r->melt_steps + r->quench_steps + r->hold_steps;
    x.stage = stage;
    if (emit(&x, QUENCH_START, bpel_md_get_state(c.md)->step, NULL, NULL)) c.stop = 1;
    for (; stage <= QUENCH_STAGE_HOLD; stage++) {
        md_params p;
        long n;
        if ((rc = stage_params(r, stage, &p, &n))) goto fail;
        if (n == 0) continue;
        c.stage = x.stage = stage;
        x.stage_steps = n;
        md_state *st = bpel_md_get_state(c.md);
        if (!(resumed && stage == c.info.stage)) {
            if ((rc = bpel_md_set_params(c.md, &p)) || (rc = bpel_md_setup(c.md, n))) goto fail;
            if (emit(&x, QUENCH_STAGE, st->step, NULL, NULL)) c.stop = 1;
        }
        if ((rc = bpel_mdrun_run(&c, st->run_end))) goto fail;
    }
    rc = fclose(c.log) ? bpel_fail(BPEL_EIO, "%s: write failed: %s", q->log, strerror(errno)) : BPEL_OK;
    c.log = NULL;
    if (rc) goto fail;
    emit(&x, QUENCH_MD_DONE, bpel_md_get_state(c.md)->step, NULL, NULL);
    /* inherent structure */
    min_params mp;
    bpel_min_defaults(&mp);
    mp.ftol = q->ftol;
    rc = bpel_minimise(c.forces, c.sys, &mp, &r->min);
    if (rc && rc != BPEL_ECONV) goto fail;
    r->converged = rc == 0;
    if (!r->converged) snprintf(r->min_message, sizeof r->min_message, "%s", bpel_errmsg());
    double mass = 0;
    for (size_t i = 0; i < c.sys->n; i++) mass += system_mass(c.sys, i);
    r->volume = bpel_box_volume(&c.sys->box);
    r->density = mass * 1.66053906660e-24 / (r->volume * 1e-24); /* g/cm³ */
    emit(&x, QUENCH_MINIMISED, bpel_md_get_state(c.md)->step, NULL, NULL);
    free(c.sys->v);
    c.sys->v = NULL;
    char comment[512];
    snprintf(comment, sizeof comment,
             "bpel quench %s: %g K/s from %g K to %g K, CG to max|F| = %.2e eV/A, E = %.10f eV/atom", q->composition,
             q->rate, q->t_melt, q->t_final, r->min.fmax, r->min.energy / (double)c.sys->n);
    if ((rc = bpel_data_write(q->out, c.sys, comment))) goto fail;
    cJSON *j = bpel_quench_summary(r, o->provenance);
    rc = j ? bpel_out_json(r->summary, j) : bpel_fail(BPEL_ENOMEM, "out of memory for the summary");
    cJSON_Delete(j);
    if (rc) goto fail;
    unlink(r->checkpoint);
fail:
    if (c.log) fclose(c.log);
    bpel_mdrun_free(&c);
    bpel_system_destroy(c.sys);
    bpel_model_destroy(model);
    bpel_eam_destroy(pot);
    return rc;
}
