/* cmd_quench.c — `bpel quench`: prepare a metallic glass as in the paper
 * (§II.A): random solid solution → melt (NPT, P = 0, 2000 K) → quench at a
 * constant rate (NPT, linear ramp of the thermostat target) → optional NVT
 * hold → conjugate-gradient minimisation to an inherent structure.
 * Stages are checkpointed; a killed run resumes bitwise (see cli_dyn.h). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_dyn.h"
#include "error.h"
#include "glass.h"
#include "minimise.h"
#include "outfile.h"
#include "units.h"

const char cmd_quench_summary[] = "prepare a glass: random alloy, melt, quench at a rate (NPT), minimise";

enum { ST_MELT = 0, ST_QUENCH = 1, ST_HOLD = 2, ST_MIN = 3 };

typedef struct quench_settings {
    char composition[64];
    char potential[1024];
    char out[1024];
    char log[1024];
    long atoms, seed, thermo, log_every;
    double rate;         /* K/s */
    double t_melt;       /* K */
    double melt_time;    /* ps */
    double t_final;      /* K */
    double hold_time;    /* ps */
    double dt, tdamp, pdamp, pressure, ftol;
    long melt_steps, quench_steps, hold_steps;
    int threads;         /* OpenMP threads of the run (bitwise resumes need the same) */
} quench_settings;

static void help(void)
{
    printf("usage: bpel quench --composition CuXZrY --natoms N --rate K_PER_S --out GLASS.data [options]\n"
           "       bpel quench --resume FILE [--threads K]\n\n"
           "Prepares a glass as Yang, Wang & Zaccone (2022) did: a random solid solution on an\n"
           "fcc lattice (exactly N atoms, density from the pure elements' atomic volumes) is\n"
           "melted at constant T and P = 0 (NPT: Nose-Hoover chains + MTK barostat, as LAMMPS\n"
           "fix npt iso), quenched at the given rate by a linear ramp of the target temperature\n"
           "(NPT, P = 0), optionally held at the final temperature (NVT), and minimised by\n"
           "conjugate gradient to max|F| <= ftol (the inherent structure written to --out).\n\n"
           "  --composition C        e.g. Cu50Zr50, Cu64Zr36 (atomic %%; elements of the potential)\n"
           "  --natoms N             number of atoms (exact); --atoms N is the older spelling\n"
           "  --rate R               cooling rate, K/s (paper: 1e9 ... 1e14)\n"
           "  --out F                inherent structure (LAMMPS data file)\n"
           "  --potential F          EAM file (default %s)\n"
           "  --melt-temperature T   K (default 2000, as the paper)\n"
           "  --melt-time PS         ps (default 100; the paper melts for 2 ns = 2000 ps; a\n"
           "                         2000 K liquid forgets its lattice within a few ps)\n"
           "  --final-temperature T  K (default 1: the paper quenches to 0 K, which a\n"
           "                         Nose-Hoover thermostat cannot target)\n"
           "  --hold-time PS         NVT hold at the final temperature, ps (default 0)\n"
           "  --pressure P           bar (default 0)\n"
           "  --dt DT                ps (default 0.002)   --tdamp / --pdamp  ps (0.1 / 1.0)\n"
           "  --ftol F               CG tolerance on max|F|, eV/A (default 1e-8)\n"
           "  --seed S               seed of lattice occupation and velocities (default 12345)\n"
           "  --log F                CSV log: step,time_ps,stage,temp_K,press_bar,volume_A3,pe_eV,...\n"
           "                         (default OUT with .log.csv; stage 0 melt, 1 quench, 2 hold)\n"
           "  --log-every M          log interval, steps (default 100)\n"
           "  --thermo M             thermo lines on stdout every M steps (default 1000; 0 none)\n"
           "  --restart F            checkpoint (default OUT.restart), written every\n"
           "  --restart-every M      M steps (default 10000) and on SIGINT/SIGTERM\n"
           "  --resume F             continue an interrupted preparation\n"
           "  --threads K            OpenMP threads\n\n"
           "Also written: OUT with .json (summary: energy per atom, density, volume).\n"
           "A progress bar with ETA is drawn on stderr when it is a terminal.\n",
           BPEL_DEFAULT_POTENTIAL);
}

static void with_suffix(char *dst, size_t n, const char *path, const char *suffix)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    size_t len = (dot && (!slash || dot > slash)) ? (size_t)(dot - path) : strlen(path);
    snprintf(dst, n, "%.*s%s", (int)len, path, suffix);
}

static int stage_params(const quench_settings *q, int stage, md_params *p, long *nsteps)
{
    md_defaults(p);
    p->dt = q->dt;
    p->tdamp = q->tdamp;
    p->pdamp = q->pdamp;
    p->p_start = p->p_stop = q->pressure;
    if (stage == ST_MELT) {
        p->ensemble = MD_NPT;
        p->t_start = p->t_stop = q->t_melt;
        *nsteps = q->melt_steps;
    } else if (stage == ST_QUENCH) {
        p->ensemble = MD_NPT;
        p->t_start = q->t_melt;
        p->t_stop = q->t_final;
        *nsteps = q->quench_steps;
    } else {
        p->ensemble = MD_NVT;
        p->t_start = p->t_stop = q->t_final;
        *nsteps = q->hold_steps;
    }
    return md_check_params(p);
}

static int write_summary(const quench_settings *q, const bpel_system *s, const min_result *r, const char *path)
{
    double vol = box_volume(&s->box), mass = 0;
    for (size_t i = 0; i < s->n; i++) mass += system_mass(s, i);
    double density = mass * 1.66053906660e-24 / (vol * 1e-24); /* g/cm³ */
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "provenance", cli_provenance());
    cJSON_AddStringToObject(j, "composition", q->composition);
    cJSON_AddNumberToObject(j, "atoms", (double)s->n);
    cJSON_AddStringToObject(j, "potential", q->potential);
    cJSON_AddNumberToObject(j, "rate_K_per_s", q->rate);
    cJSON_AddNumberToObject(j, "melt_temperature_K", q->t_melt);
    cJSON_AddNumberToObject(j, "melt_time_ps", q->melt_time);
    cJSON_AddNumberToObject(j, "final_temperature_K", q->t_final);
    cJSON_AddNumberToObject(j, "hold_time_ps", q->hold_time);
    cJSON_AddNumberToObject(j, "pressure_bar", q->pressure);
    cJSON_AddNumberToObject(j, "dt_ps", q->dt);
    cJSON_AddNumberToObject(j, "seed", (double)q->seed);
    cJSON_AddNumberToObject(j, "energy_per_atom_eV", r->energy / (double)s->n);
    cJSON_AddNumberToObject(j, "fmax_eV_per_A", r->fmax);
    cJSON_AddBoolToObject(j, "minimisation_converged", r->converged);
    cJSON_AddNumberToObject(j, "volume_A3", vol);
    cJSON_AddNumberToObject(j, "volume_per_atom_A3", vol / (double)s->n);
    cJSON_AddNumberToObject(j, "density_g_per_cm3", density);
    cJSON_AddNumberToObject(j, "pressure_after_minimisation_bar", r->pressure);
    int rc = bpel_out_json(path, j);
    char *txt = rc ? NULL : cJSON_Print(j);
    cJSON_Delete(j);
    if (txt) printf("%s\n", txt);
    free(txt);
    return rc;
}

int cmd_quench(int argc, char **argv)
{
    quench_settings q;
    memset(&q, 0, sizeof q);
    const char *composition = NULL, *potential = NULL, *out = NULL, *log = NULL, *resume = NULL, *restart = NULL;
    long threads = 0, restart_every = 10000;
    q.atoms = -1;
    q.rate = NAN;
    q.t_melt = 2000;
    q.melt_time = 100;
    q.t_final = 1;
    q.hold_time = 0;
    q.dt = 0.002;
    q.tdamp = 0.1;
    q.pdamp = 1.0;
    q.pressure = 0;
    q.ftol = 1e-8;
    q.seed = 12345;
    q.thermo = 1000;
    q.log_every = 100;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help();
            return 0;
        }
        if (i + 1 >= argc) return cli_usage_error("quench", "%s needs a value", a);
        const char *v = argv[++i];
        int bad = 0;
        if (!strcmp(a, "--composition")) composition = v;
        else if (!strcmp(a, "--natoms") || !strcmp(a, "--atoms")) bad = cli_parse_long(v, &q.atoms);
        else if (!strcmp(a, "--rate")) bad = cli_parse_double(v, &q.rate);
        else if (!strcmp(a, "--out")) out = v;
        else if (!strcmp(a, "--potential")) potential = v;
        else if (!strcmp(a, "--melt-temperature")) bad = cli_parse_double(v, &q.t_melt);
        else if (!strcmp(a, "--melt-time")) bad = cli_parse_double(v, &q.melt_time);
        else if (!strcmp(a, "--final-temperature")) bad = cli_parse_double(v, &q.t_final);
        else if (!strcmp(a, "--hold-time")) bad = cli_parse_double(v, &q.hold_time);
        else if (!strcmp(a, "--pressure")) bad = cli_parse_double(v, &q.pressure);
        else if (!strcmp(a, "--dt")) bad = cli_parse_double(v, &q.dt);
        else if (!strcmp(a, "--tdamp")) bad = cli_parse_double(v, &q.tdamp);
        else if (!strcmp(a, "--pdamp")) bad = cli_parse_double(v, &q.pdamp);
        else if (!strcmp(a, "--ftol")) bad = cli_parse_double(v, &q.ftol);
        else if (!strcmp(a, "--seed")) bad = cli_parse_long(v, &q.seed) || q.seed < 0;
        else if (!strcmp(a, "--log")) log = v;
        else if (!strcmp(a, "--log-every")) bad = cli_parse_long(v, &q.log_every) || q.log_every < 1;
        else if (!strcmp(a, "--thermo")) bad = cli_parse_long(v, &q.thermo) || q.thermo < 0;
        else if (!strcmp(a, "--restart")) restart = v;
        else if (!strcmp(a, "--restart-every")) bad = cli_parse_long(v, &restart_every) || restart_every < 1;
        else if (!strcmp(a, "--resume")) resume = v;
        else if (!strcmp(a, "--threads")) bad = cli_parse_long(v, &threads) || threads < 1;
        else return cli_usage_error("quench", "unknown option %s", a);
        if (bad) return cli_usage_error("quench", "invalid value '%s' for %s", v, a);
    }
    if (threads > 0 && dyn_set_threads(threads)) return cli_error();

    dyn_ctx c;
    memset(&c, 0, sizeof c);
    bpel_eam *pot = NULL;
    int rc = 0, stage = ST_MELT;
    int resumed = 0;
    char restart_buf[1100];
    if (resume) {
        rst_info info;
        bpel_system *s;
        if (restart_read(resume, &s, &info)) return cli_error();
        if (strcmp(info.command, "quench") != 0 || info.extra_size != sizeof q) {
            fprintf(stderr, "bpel quench: %s was not written by 'bpel quench'\n", resume);
            system_destroy(s);
            restart_free(&info);
            return 1;
        }
        memcpy(&q, info.extra, sizeof q);
        if (info.stage < ST_MELT || info.stage > ST_MIN || !memchr(q.potential, 0, sizeof q.potential) ||
            !memchr(q.out, 0, sizeof q.out) || !memchr(q.log, 0, sizeof q.log) ||
            !memchr(q.composition, 0, sizeof q.composition)) {
            fprintf(stderr, "bpel quench: %s: restart file holds an unknown stage %d or broken settings\n", resume,
                    info.stage);
            system_destroy(s);
            restart_free(&info);
            return 1;
        }
        if (q.threads != omp_get_max_threads())
            fprintf(stderr, "bpel quench: warning: the run used %d threads, this one %d: the continuation is valid but "
                    "not bitwise identical to an uninterrupted run (use --threads %d)\n", q.threads,
                    omp_get_max_threads(), q.threads);
        c.info = info;
        c.sys = s;
        stage = info.stage;
        resumed = 1;
        snprintf(restart_buf, sizeof restart_buf, "%s", restart ? restart : resume);
        if ((rc = eam_read(q.potential, NULL, &pot)) || (rc = eam_map_types(pot, s, NULL, c.map))) goto fail;
        c.pot = pot;
        c.sync_every = info.sync_every > 0 ? info.sync_every : 100;
        c.restart_every = (restart_every + c.sync_every - 1) / c.sync_every * c.sync_every;
        md_params p = info.params;
        if ((rc = forces_create(pot, c.map, s, DYN_SKIN, &c.forces)) || (rc = md_create(c.forces, s, &p, &c.md)))
            goto fail;
        *md_get_state(c.md) = info.md;
        if ((rc = md_refresh_forces(c.md))) goto fail;
        c.rng = gsl_rng_alloc(gsl_rng_mt19937);
        if ((rc = restart_load_rng(&info, c.rng))) goto fail;
    } else {
        if (!composition) return cli_usage_error("quench", "--composition is required");
        if (q.atoms < 0) return cli_usage_error("quench", "--natoms is required");
        if (isnan(q.rate)) return cli_usage_error("quench", "--rate is required");
        if (!out) return cli_usage_error("quench", "--out is required");
        if (!(q.rate > 0)) return cli_usage_error("quench", "cooling rate %g K/s must be positive", q.rate);
        if (!(q.t_melt > 0)) return cli_usage_error("quench", "melt temperature %g K must be positive", q.t_melt);
        if (!(q.t_final > 0))
            return cli_usage_error("quench", "final temperature %g K must be positive (the thermostat cannot target 0 K)",
                                   q.t_final);
        if (!(q.t_final < q.t_melt))
            return cli_usage_error("quench", "final temperature %g K must be below the melt temperature %g K", q.t_final,
                                   q.t_melt);
        if (q.melt_time < 0 || q.hold_time < 0) return cli_usage_error("quench", "times must not be negative");
        if (!(q.dt > 0) || !(q.ftol > 0) || !(q.tdamp > 0) || !(q.pdamp > 0))
            return cli_usage_error("quench", "--dt, --ftol, --tdamp and --pdamp must be positive");
        if (q.atoms < 2) return cli_usage_error("quench", "--natoms %ld: need at least 2 atoms", q.atoms);
        double quench_ps = (q.t_melt - q.t_final) / q.rate * 1e12;
        if (quench_ps / q.dt > 1e11)
            return cli_usage_error("quench", "rate %g K/s needs %.3g steps: too slow to simulate", q.rate, quench_ps / q.dt);
        q.melt_steps = (long)llround(q.melt_time / q.dt);
        q.quench_steps = (long)llround(quench_ps / q.dt);
        if (q.quench_steps < 1) q.quench_steps = 1;
        q.hold_steps = (long)llround(q.hold_time / q.dt);
        glass_composition comp;
        if (glass_parse_composition(composition, &comp)) return cli_error();
        snprintf(q.composition, sizeof q.composition, "%s", composition);
        q.threads = omp_get_max_threads();
        if (potential_find(potential ? potential : BPEL_DEFAULT_POTENTIAL, q.potential, sizeof q.potential))
            return cli_error();
        snprintf(q.out, sizeof q.out, "%s", out);
        if (log) snprintf(q.log, sizeof q.log, "%s", log);
        else with_suffix(q.log, sizeof q.log, out, ".log.csv");
        if (restart) snprintf(restart_buf, sizeof restart_buf, "%s", restart);
        else snprintf(restart_buf, sizeof restart_buf, "%s.restart", out);
        if ((rc = eam_read(q.potential, NULL, &pot))) goto fail;
        c.pot = pot;
        c.rng = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(c.rng, (unsigned long)q.seed);
        size_t count[GLASS_MAXEL];
        if ((rc = glass_random_solution(pot, &comp, (size_t)q.atoms, c.rng, &c.sys, count))) goto fail;
        double w[3], cut = eam_cutoff(pot);
        box_widths(&c.sys->box, w);
        if (w[0] < 2 * cut) {
            rc = bpel_fail(BPEL_EINVAL,
                           "%ld atoms make a box of %.2f A, less than twice the potential cutoff (%.2f A): "
                           "use at least %.0f atoms",
                           q.atoms, w[0], 2 * cut, ceil(pow(2 * cut, 3) * q.atoms / (w[0] * w[0] * w[0])));
            goto fail;
        }
        if ((rc = eam_map_types(pot, c.sys, NULL, c.map))) goto fail;
        if ((rc = md_velocity_create(c.sys, q.t_melt, c.rng))) goto fail;
        md_params p;
        long n;
        if ((rc = stage_params(&q, ST_MELT, &p, &n))) goto fail;
        if ((rc = forces_create(pot, c.map, c.sys, DYN_SKIN, &c.forces)) || (rc = md_create(c.forces, c.sys, &p, &c.md)))
            goto fail;
        if ((rc = md_setup(c.md, n))) goto fail;
        snprintf(c.info.command, sizeof c.info.command, "quench");
        dyn_set_restart_every(&c, restart_every);
        printf("# %s\n# %s: %zu atoms (", cli_provenance(), q.composition, c.sys->n);
        for (int k = 0; k < comp.nel; k++) printf("%s%zu %s", k ? ", " : "", count[k], comp.element[k]);
        printf("), box %.3f A, potential %s\n", w[0], q.potential);
        printf("# melt %ld steps at %g K, quench %ld steps to %g K (%g K/s), hold %ld steps; dt = %g ps\n",
               q.melt_steps, q.t_melt, q.quench_steps, q.t_final, q.rate, q.hold_steps, q.dt);
    }
    c.info.extra_size = sizeof q;
    free(c.info.extra);
    c.info.extra = malloc(sizeof q);
    memcpy(c.info.extra, &q, sizeof q);
    c.restart_path = restart_buf;
    /* the outputs can be written: found out now, not after the quench */
    {
        char json[1100];
        with_suffix(json, sizeof json, q.out, ".json");
        if ((rc = bpel_out_check(q.out)) || (rc = bpel_out_check(json)) || (rc = bpel_out_check(restart_buf)))
            goto fail;
    }
    /* rows the interrupted run logged after its checkpoint go */
    if (resumed && (rc = dyn_cut_csv(q.log, md_get_state(c.md)->step))) goto fail;
    c.thermo_every = q.thermo;
    c.thermo_txt = q.thermo > 0 ? stdout : NULL;
    c.log_every = q.log_every;
    if (!(c.log = fopen(q.log, resumed ? "a" : "w"))) {
        rc = bpel_fail(BPEL_EIO, "%s: cannot write the log", q.log);
        goto fail;
    }
    c.log_name = q.log;
    if (!resumed) dyn_log_header(c.log);
    restart_catch_signals();
    cli_progress bar;
    long total = q.melt_steps + q.quench_steps + q.hold_steps;
    cli_progress_start(&bar, "quench", (double)total);
    c.progress = &bar;
    if (q.thermo > 0) md_thermo_header(stdout, 0);
    static const char *names[] = {"melt", "quench", "hold"};
    double wall0 = cli_wall_time();
    long step_first = md_get_state(c.md)->step;
    for (; stage <= ST_HOLD; stage++) {
        md_params p;
        long n;
        if ((rc = stage_params(&q, stage, &p, &n))) goto fail;
        if (n == 0) continue;
        c.stage = stage;
        md_state *st = md_get_state(c.md);
        if (!(resumed && stage == c.info.stage)) {
            if ((rc = md_set_params(c.md, &p)) || (rc = md_setup(c.md, n))) goto fail;
            if (q.thermo > 0) printf("# stage %s: %ld steps\n", names[stage], n);
        }
        bar.label = names[stage];
        rc = dyn_run(&c, st->run_end);
        if (rc == BPEL_EINTR) {
            int code = dyn_interrupted(&c, "quench");
            fclose(c.log);
            dyn_free(&c);
            system_destroy(c.sys);
            eam_destroy(pot);
            return code;
        }
        if (rc) goto fail;
    }
    cli_progress_finish(&bar);
    rc = fclose(c.log) ? bpel_fail(BPEL_EIO, "%s: write failed: %s", q.log, strerror(errno)) : BPEL_OK;
    c.log = NULL;
    if (rc) goto fail;
    double md_wall = cli_wall_time() - wall0;
    long md_steps = md_get_state(c.md)->step - step_first;
    printf("# MD: %ld steps in %.3f s: %.4g atom-steps/s\n", md_steps, md_wall,
           md_wall > 0 ? (double)md_steps * (double)c.sys->n / md_wall : 0.0);
    double min_wall0 = cli_wall_time();
    /* inherent structure */
    min_params mp;
    min_defaults(&mp);
    mp.ftol = q.ftol;
    min_result r;
    rc = minimise(c.forces, c.sys, &mp, &r);
    if (rc && rc != BPEL_ECONV) goto fail;
    int conv = rc == 0;
    printf("# minimisation: %ld iterations in %.3f s, max|F| = %.3g eV/A\n", r.iterations, cli_wall_time() - min_wall0,
           r.fmax);
    if (!conv) fprintf(stderr, "bpel quench: warning: %s\n", bpel_errmsg());
    free(c.sys->v);
    c.sys->v = NULL;
    char comment[512];
    snprintf(comment, sizeof comment,
             "bpel quench %s: %g K/s from %g K to %g K, CG to max|F| = %.2e eV/A, E = %.10f eV/atom", q.composition,
             q.rate, q.t_melt, q.t_final, r.fmax, r.energy / (double)c.sys->n);
    if ((rc = data_write(q.out, c.sys, comment))) goto fail;
    char json[1100];
    with_suffix(json, sizeof json, q.out, ".json");
    if ((rc = write_summary(&q, c.sys, &r, json))) goto fail;
    unlink(restart_buf);
    dyn_free(&c);
    system_destroy(c.sys);
    eam_destroy(pot);
    return conv ? 0 : 3;
fail:
    if (c.log) fclose(c.log);
    dyn_free(&c);
    system_destroy(c.sys);
    eam_destroy(pot);
    return cli_error();
}
