/* cmd_inherent.c — `bpel inherent`: inherent structures at several
 * temperatures (paper §II.A and Fig. 9): for each T, velocities at T, NVT
 * (Nosé–Hoover chain) for a given time at fixed volume, then conjugate
 * gradient to max|F| <= ftol. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_dyn.h"
#include "error.h"
#include "outfile.h"
#include "minimise.h"

const char cmd_inherent_summary[] = "inherent structures: NVT at each temperature, then CG minimisation";

static void help(void)
{
    printf("usage: bpel inherent DATA --temperatures T1,T2,... --time PS --out DIR [options]\n\n"
           "For each temperature: Maxwell-Boltzmann velocities at T (seeded), NVT at the volume\n"
           "of DATA for the given time (Nose-Hoover chain, LAMMPS fix nvt equations), then\n"
           "conjugate-gradient minimisation to max|F| <= ftol. Writes DIR/inherent_<T>K.data\n"
           "(the inherent structure), DIR/inherent_<T>K.log.csv (thermo) and DIR/inherent.json\n"
           "and DIR/inherent.csv (T, energy per atom, max|F|, converged).\n\n"
           "  --temperatures LIST   comma-separated, K (e.g. 100,300,500,700)\n"
           "  --time PS             NVT time at each temperature, ps\n"
           "  --out DIR             output directory\n"
           "  --potential F --elements A,B\n"
           "  --ftol F              eV/A (default 1e-8)\n"
           "  --dt DT --tdamp T     ps (defaults 0.002, 0.1)\n"
           "  --seed S              velocity seed (default 12345; each T uses seed + index)\n"
           "  --log-every M         thermo log interval, steps (default 100)\n"
           "  --threads K\n");
}

typedef struct acc_t {
    long from;   /* first step counted */
    double sum;  /* K */
} acc_t;

static int accumulate(dyn_ctx *c, void *user)
{
    acc_t *a = user;
    if (md_get_state(c->md)->step > a->from) a->sum += md_temperature(c->sys);
    return 0;
}

int cmd_inherent(int argc, char **argv)
{
    const char *data = NULL, *temps = NULL, *outdir = NULL, *potential = NULL, *elements = NULL;
    double time_ps = -1, ftol = 1e-8, dt = 0.002, tdamp = 0.1;
    long seed = 12345, threads = 0, log_every = 100;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help();
            return 0;
        }
        if (a[0] != '-' || a[1] != '-') {
            if (data) return cli_usage_error("inherent", "unexpected argument '%s'", a);
            data = a;
            continue;
        }
        if (i + 1 >= argc) return cli_usage_error("inherent", "%s needs a value", a);
        const char *v = argv[++i];
        int bad = 0;
        if (!strcmp(a, "--temperatures")) temps = v;
        else if (!strcmp(a, "--time")) bad = cli_parse_double(v, &time_ps) || time_ps < 0;
        else if (!strcmp(a, "--out")) outdir = v;
        else if (!strcmp(a, "--potential")) potential = v;
        else if (!strcmp(a, "--elements")) elements = v;
        else if (!strcmp(a, "--ftol")) bad = cli_parse_double(v, &ftol) || !(ftol > 0);
        else if (!strcmp(a, "--dt")) bad = cli_parse_double(v, &dt) || !(dt > 0);
        else if (!strcmp(a, "--tdamp")) bad = cli_parse_double(v, &tdamp) || !(tdamp > 0);
        else if (!strcmp(a, "--seed")) bad = cli_parse_long(v, &seed) || seed < 0;
        else if (!strcmp(a, "--log-every")) bad = cli_parse_long(v, &log_every) || log_every < 1;
        else if (!strcmp(a, "--threads")) bad = cli_parse_long(v, &threads) || threads < 1;
        else return cli_usage_error("inherent", "unknown option %s", a);
        if (bad) return cli_usage_error("inherent", "invalid value '%s' for %s", v, a);
    }
    if (!data) return cli_usage_error("inherent", "no data file given");
    if (!temps) return cli_usage_error("inherent", "--temperatures is required");
    if (time_ps < 0) return cli_usage_error("inherent", "--time is required");
    if (!outdir) return cli_usage_error("inherent", "--out is required");
    double tlist[256];
    int nt = 0;
    {
        char buf[4096];
        snprintf(buf, sizeof buf, "%s", temps);
        for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
            if (nt == 256) return cli_usage_error("inherent", "too many temperatures");
            if (cli_parse_double(tok, &tlist[nt]) || !(tlist[nt] > 0))
                return cli_usage_error("inherent", "temperature '%s' must be a positive number (K)", tok);
            nt++;
        }
        if (nt == 0) return cli_usage_error("inherent", "no temperatures given");
    }
    if (threads > 0 && dyn_set_threads(threads)) return cli_error();
    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "bpel inherent: cannot create %s: %s\n", outdir, strerror(errno));
        return 1;
    }
    cli_setup s;
    if (cli_load(data, potential, elements, &s)) return cli_error();
    int rc = 0, all_conv = 1;
    long nsteps = (long)llround(time_ps / dt);
    cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "structures");
    cJSON_AddStringToObject(root, "provenance", cli_provenance());
    cJSON_AddStringToObject(root, "source", data);
    cJSON_AddNumberToObject(root, "nvt_time_ps", time_ps);
    cJSON_AddNumberToObject(root, "ftol_eV_per_A", ftol);
    char path[4096];
    snprintf(path, sizeof path, "%s/inherent.csv", outdir);
    bpel_out ocsv;
    FILE *csv = bpel_out_fopen(&ocsv, path);
    if (!csv) {
        rc = BPEL_EIO;
        goto out;
    }
    fprintf(csv, "temperature_K,mean_temp_K,energy_per_atom_eV,fmax_eV_per_A,converged\n");
    for (int k = 0; k < nt; k++) {
        dyn_ctx c;
        memset(&c, 0, sizeof c);
        c.sys = system_copy(s.sys);
        c.pot = s.pot;
        memcpy(c.map, s.map, sizeof c.map);
        c.rng = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(c.rng, (unsigned long)(seed + k));
        md_params p;
        md_defaults(&p);
        p.ensemble = MD_NVT;
        p.dt = dt;
        p.tdamp = tdamp;
        p.t_start = p.t_stop = tlist[k];
        double tsum = 0;
        if (!c.sys) rc = BPEL_ENOMEM;
        if (!rc) rc = md_velocity_create(c.sys, tlist[k], c.rng);
        if (!rc) rc = forces_create(c.pot, c.map, c.sys, DYN_SKIN, &c.forces);
        if (!rc) rc = md_create(c.forces, c.sys, &p, &c.md);
        if (!rc) rc = md_setup(c.md, nsteps);
        if (!rc) {
            snprintf(path, sizeof path, "%s/inherent_%gK.log.csv", outdir, tlist[k]);
            c.log = fopen(path, "w");
            if (!c.log) rc = bpel_fail(BPEL_EIO, "%s: cannot write", path);
            else dyn_log_header(c.log);
            c.log_every = log_every;
        }
        cli_progress bar;
        char label[32];
        snprintf(label, sizeof label, "%gK", tlist[k]);
        cli_progress_start(&bar, label, (double)nsteps);
        c.progress = &bar;
        /* mean temperature over the second half */
        acc_t acc = {nsteps / 2, 0.0};
        c.on_step = accumulate;
        c.user = &acc;
        if (!rc) rc = dyn_run(&c, nsteps);
        tsum = acc.sum;
        cli_progress_finish(&bar);
        if (c.log) fclose(c.log), c.log = NULL;
        min_result r;
        memset(&r, 0, sizeof r);
        if (!rc) {
            min_params mp;
            min_defaults(&mp);
            mp.ftol = ftol;
            rc = minimise(c.forces, c.sys, &mp, &r);
            if (rc == BPEL_ECONV) {
                fprintf(stderr, "bpel inherent: warning at %g K: %s\n", tlist[k], bpel_errmsg());
                all_conv = 0;
                rc = 0;
            }
        }
        if (!rc) {
            free(c.sys->v);
            c.sys->v = NULL;
            snprintf(path, sizeof path, "%s/inherent_%gK.data", outdir, tlist[k]);
            char comment[256];
            snprintf(comment, sizeof comment, "bpel inherent: %g ps NVT at %g K, CG to max|F| = %.2e eV/A, E = %.10f eV/atom",
                     time_ps, tlist[k], r.fmax, r.energy / (double)c.sys->n);
            rc = data_write(path, c.sys, comment);
        }
        if (!rc) {
            double tmean = nsteps > 0 ? tsum / (double)(nsteps - nsteps / 2) : 0;
            fprintf(csv, "%g,%.4f,%.12f,%.3e,%d\n", tlist[k], tmean, r.energy / (double)c.sys->n, r.fmax, r.converged);
            printf("T = %g K: <T> = %.1f K, inherent structure E = %.8f eV/atom, max|F| = %.2e eV/A -> %s\n", tlist[k],
                   tmean, r.energy / (double)c.sys->n, r.fmax, path);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "temperature_K", tlist[k]);
            cJSON_AddNumberToObject(o, "mean_temperature_K", tmean);
            cJSON_AddNumberToObject(o, "energy_per_atom_eV", r.energy / (double)c.sys->n);
            cJSON_AddNumberToObject(o, "fmax_eV_per_A", r.fmax);
            cJSON_AddBoolToObject(o, "converged", r.converged);
            cJSON_AddStringToObject(o, "file", path);
            cJSON_AddItemToArray(arr, o);
        }
        dyn_free(&c);
        system_destroy(c.sys);
        if (rc) break;
    }
    if (rc) bpel_out_discard(&ocsv);
    else rc = bpel_out_close(&ocsv);
    if (!rc) {
        snprintf(path, sizeof path, "%s/inherent.json", outdir);
        rc = bpel_out_json(path, root);
    }
out:
    cJSON_Delete(root);
    cli_setup_free(&s);
    if (rc) return cli_error();
    return all_conv ? 0 : 3;
}
