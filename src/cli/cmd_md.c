/* cmd_md.c — `bpel md`: molecular dynamics (NVE, NVT, NPT) from a data file. */
#include <gsl/gsl_rng.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_dyn.h"
#include "error.h"
#include "md.h"
#include "outfile.h"
#include "restart.h"

const char cmd_md_summary[] = "molecular dynamics: NVE, NVT or NPT (Nose-Hoover chains, MTK barostat)";

/* md's settings in its checkpoints: a settings section (restart.h) of
 * version 1 with the fields potential (s) and threads (i, the OpenMP threads
 * of the run: bitwise resumes need the same). */
#define MD_SETTINGS_VERSION 1

static int store_settings(rst_info *info, const char *potential, int threads)
{
    rst_settings w;
    rst_settings_begin(&w, MD_SETTINGS_VERSION);
    rst_settings_string(&w, "potential", potential);
    rst_settings_long(&w, "threads", threads);
    return rst_settings_finish(&w, info);
}

/* Checkpoints of bpel before settings sections hold the bytes of a struct
 * { char potential[1024]; int threads; } (1028 bytes): read as well. */
static int load_settings(const rst_info *info, const char *path, char *potential, size_t n, int *threads)
{
    if (rst_settings_raw(info)) {
        int32_t t;
        if (info->extra_size != 1028 || !memchr(info->extra, 0, 1024) || strlen((const char *)info->extra) >= n)
            return bpel_fail(BPEL_EPARSE, "%s: restart file holds a broken potential name or settings of an unknown "
                             "layout (%zu bytes without a settings header)", path, info->extra_size);
        memcpy(potential, info->extra, strlen((const char *)info->extra) + 1);
        memcpy(&t, info->extra + 1024, 4);
        *threads = t;
        return BPEL_OK;
    }
    rst_fields f;
    long t;
    int rc;
    if ((rc = rst_fields_open(info, path, MD_SETTINGS_VERSION, &f)) || (rc = rst_fields_string(&f, "potential", potential, n)) ||
        (rc = rst_fields_long(&f, "threads", &t)))
        return rc;
    if (t < 1 || t > 4096) return bpel_fail(BPEL_EPARSE, "%s: restart file's settings hold %ld threads", path, t);
    *threads = (int)t;
    return BPEL_OK;
}

static void help(void)
{
    printf("usage: bpel md DATA [options]\n"
           "       bpel md --resume FILE [--out F] [--restart F] [--dump F] [--thermo M]\n\n"
           "Velocity-Verlet molecular dynamics with the equations of LAMMPS fix nve / nvt /\n"
           "npt iso (Nose-Hoover chains, MTK barostat). Units: ps, K, bar.\n\n"
           "  --potential F         EAM file (default %s)\n"
           "  --elements A,B        element of each atom type (default: from the data file / potential)\n"
           "  --steps N             number of steps (required unless resuming)\n"
           "  --dt DT               time step, ps (default 0.002)\n"
           "  --temperature T0      draw initial velocities at T0 K (Gaussian, zero momentum, exact T0);\n"
           "                        without it the data file's velocities are used (zero if none)\n"
           "  --seed S              seed of the velocity generator (default 12345)\n"
           "  --threads K           OpenMP threads (default: OMP_NUM_THREADS)\n"
           "  --thermo M            thermo output every M steps (default 100; 0: none)\n"
           "  --thermo-csv F        also write thermo as CSV to F\n"
           "  --ensemble E          nve (default), nvt or npt\n"
           "  --target-temperature T  thermostat target, K (default T0); a ramp: --target-temperature T1:T2\n"
           "  --tdamp T             thermostat time, ps (default 0.1)\n"
           "  --pdamp T             barostat time, ps (default 1.0)\n"
           "  --tchain N            thermostat chain length (default 3)\n"
           "  --pressure P          barostat target, bar (default 0)\n"
           "  --out F               final configuration (LAMMPS data file with velocities)\n"
           "  --restart F           checkpoint file (also written on SIGINT/SIGTERM)\n"
           "  --restart-every M     checkpoint every M steps\n"
           "  --resume F            continue a run from a checkpoint (to its original last step)\n"
           "  --dump F              LAMMPS text dump of positions\n"
           "  --dump-every M        dump every M steps (default 100)\n\n"
           "Thermo columns: step, time (ps), T (K, 3N-3 dof), PE, KE, Etot (eV), P (bar), V (A^3),\n"
           "conserved (eV: Etot plus thermostat/barostat energy, as LAMMPS' ecouple).\n",
           BPEL_DEFAULT_POTENTIAL);
}

static int parse_ensemble(const char *s, md_ensemble *e)
{
    if (!strcmp(s, "nve")) *e = MD_NVE;
    else if (!strcmp(s, "nvt")) *e = MD_NVT;
    else if (!strcmp(s, "npt")) *e = MD_NPT;
    else return -1;
    return 0;
}

int cmd_md(int argc, char **argv)
{
    const char *data = NULL, *potential = NULL, *elements = NULL, *out = NULL, *resume = NULL, *csv = NULL;
    const char *dump = NULL;
    dyn_ctx c;
    memset(&c, 0, sizeof c);
    md_params p;
    md_defaults(&p);
    long steps = -1, seed = 12345, thermo = 100, dump_every = 100, threads = 0, restart_every = 0, tchain = 3;
    double t0 = -1, ttarget = -1, ttarget2 = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help();
            return 0;
        }
        if (a[0] != '-' || a[1] != '-') {
            if (data) return cli_usage_error("md", "unexpected argument '%s'", a);
            data = a;
            continue;
        }
        if (i + 1 >= argc) return cli_usage_error("md", "%s needs a value", a);
        const char *v = argv[++i];
        int bad = 0;
        if (!strcmp(a, "--potential")) potential = v;
        else if (!strcmp(a, "--elements")) elements = v;
        else if (!strcmp(a, "--steps")) bad = cli_parse_long(v, &steps) || steps < 0;
        else if (!strcmp(a, "--dt")) bad = cli_parse_double(v, &p.dt) || !(p.dt > 0);
        else if (!strcmp(a, "--temperature")) bad = cli_parse_double(v, &t0) || t0 < 0;
        else if (!strcmp(a, "--seed")) bad = cli_parse_long(v, &seed) || seed < 0;
        else if (!strcmp(a, "--threads")) bad = cli_parse_long(v, &threads) || threads < 1;
        else if (!strcmp(a, "--thermo")) bad = cli_parse_long(v, &thermo) || thermo < 0;
        else if (!strcmp(a, "--thermo-csv")) csv = v;
        else if (!strcmp(a, "--out")) out = v;
        else if (!strcmp(a, "--ensemble")) bad = parse_ensemble(v, &p.ensemble);
        else if (!strcmp(a, "--target-temperature")) {
            char buf[128];
            snprintf(buf, sizeof buf, "%s", v);
            char *colon = strchr(buf, ':');
            if (colon) *colon = '\0';
            bad = cli_parse_double(buf, &ttarget) || !(ttarget > 0);
            if (colon) bad = bad || cli_parse_double(colon + 1, &ttarget2) || !(ttarget2 > 0);
        } else if (!strcmp(a, "--tdamp")) bad = cli_parse_double(v, &p.tdamp) || !(p.tdamp > 0);
        else if (!strcmp(a, "--pdamp")) bad = cli_parse_double(v, &p.pdamp) || !(p.pdamp > 0);
        else if (!strcmp(a, "--tchain")) bad = cli_parse_long(v, &tchain) || tchain < 1 || tchain > MD_MAXCHAIN;
        else if (!strcmp(a, "--pressure")) bad = cli_parse_double(v, &p.p_start), p.p_stop = p.p_start;
        else if (!strcmp(a, "--restart")) c.restart_path = v;
        else if (!strcmp(a, "--restart-every")) bad = cli_parse_long(v, &restart_every) || restart_every < 1;
        else if (!strcmp(a, "--resume")) resume = v;
        else if (!strcmp(a, "--dump")) dump = v;
        else if (!strcmp(a, "--dump-every")) bad = cli_parse_long(v, &dump_every) || dump_every < 1;
        else return cli_usage_error("md", "unknown option %s", a);
        if (bad) return cli_usage_error("md", "invalid value '%s' for %s", v, a);
    }
    p.tchain = (int)tchain;
    if (threads > 0 && dyn_set_threads(threads)) return cli_error();
    char potential_path[1024] = "";
    int run_threads = 0;
    int rc;
    cli_setup setup;
    memset(&setup, 0, sizeof setup);
    long until;
    if (resume) {
        rst_info info;
        bpel_system *s;
        if ((rc = restart_read(resume, &s, &info))) return cli_error();
        if (strcmp(info.command, "md") != 0) {
            fprintf(stderr, "bpel md: %s was written by 'bpel %s', not 'bpel md'\n", resume, info.command);
            system_destroy(s);
            restart_free(&info);
            return 1;
        }
        if (load_settings(&info, resume, potential_path, sizeof potential_path, &run_threads)) {
            fprintf(stderr, "bpel md: %s\n", bpel_errmsg());
            system_destroy(s);
            restart_free(&info);
            return 1;
        }
        if (run_threads != omp_get_max_threads())
            fprintf(stderr, "bpel md: warning: the run used %d threads, this one %d: the continuation is valid but "
                    "not bitwise identical to an uninterrupted run (use --threads %d)\n", run_threads,
                    omp_get_max_threads(), run_threads);
        if ((rc = eam_read(potential_path, NULL, &setup.pot)) || (rc = eam_map_types(setup.pot, s, NULL, setup.map))) {
            system_destroy(s);
            restart_free(&info);
            eam_destroy(setup.pot);
            return cli_error();
        }
        setup.sys = s;
        c.info = info;
        until = info.md.run_end;
        c.sys = s;
        c.pot = setup.pot;
        memcpy(c.map, setup.map, sizeof c.map);
        if ((rc = mdrun_restore(&c, &c.info, restart_every))) goto fail;
    } else {
        if (!data) return cli_usage_error("md", "no data file given");
        if (steps < 0) return cli_usage_error("md", "--steps is required");
        if (restart_every > 0 && !c.restart_path) return cli_usage_error("md", "--restart-every needs --restart FILE");
        if (p.ensemble != MD_NVE) {
            if (ttarget < 0) ttarget = t0;
            if (!(ttarget > 0))
                return cli_usage_error("md", "--ensemble %s needs --target-temperature (or --temperature)",
                                       p.ensemble == MD_NVT ? "nvt" : "npt");
            p.t_start = ttarget;
            p.t_stop = ttarget2 > 0 ? ttarget2 : ttarget;
        }
        if (md_check_params(&p)) return cli_error();
        if (cli_load(data, potential, elements, &setup)) return cli_error();
        snprintf(potential_path, sizeof potential_path, "%s", setup.potential_path);
        run_threads = omp_get_max_threads();
        c.sys = setup.sys;
        c.pot = setup.pot;
        memcpy(c.map, setup.map, sizeof c.map);
        c.rng = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(c.rng, (unsigned long)seed);
        if ((rc = system_ensure_velocities(c.sys))) goto fail;
        if (t0 >= 0 && (rc = md_velocity_create(c.sys, t0, c.rng))) goto fail;
        if ((rc = forces_create(c.pot, c.map, c.sys, DYN_SKIN, &c.forces)) || (rc = md_create(c.forces, c.sys, &p, &c.md)))
            goto fail;
        if ((rc = md_setup(c.md, steps))) goto fail;
        until = steps;
        snprintf(c.info.command, sizeof c.info.command, "md");
        dyn_set_restart_every(&c, restart_every);
    }
    if ((rc = store_settings(&c.info, potential_path, run_threads))) goto fail;
    if (!c.restart_path && resume) c.restart_path = resume;
    c.thermo_every = thermo;
    c.thermo_txt = thermo > 0 ? stdout : NULL;
    if (out && (rc = bpel_out_check(out))) goto fail;
    if (resume) {
        /* what the interrupted run wrote after its checkpoint goes */
        long at = md_get_state(c.md)->step;
        if ((csv && (rc = dyn_cut_csv(csv, at))) || (dump && (rc = dyn_cut_dump(dump, at)))) goto fail;
    }
    if (csv && !(c.thermo_csv = fopen(csv, resume ? "a" : "w"))) {
        rc = bpel_fail(BPEL_EIO, "%s: cannot write", csv);
        goto fail;
    }
    c.thermo_csv_name = csv;
    c.dump_name = dump;
    if (dump) {
        if (!(c.dump = fopen(dump, resume ? "a" : "w"))) {
            rc = bpel_fail(BPEL_EIO, "%s: cannot write", dump);
            goto fail;
        }
        c.dump_every = dump_every;
    }
    restart_catch_signals();
    if (!resume) {
        printf("# %s\n# %ld steps of %s, dt = %g ps, %zu atoms, potential %s\n", cli_provenance(), steps,
               p.ensemble == MD_NVE ? "NVE" : p.ensemble == MD_NVT ? "NVT" : "NPT", p.dt, c.sys->n, potential_path);
        if (thermo > 0) md_thermo_header(stdout, 0);
        if (c.thermo_csv) md_thermo_header(c.thermo_csv, 1);
        if (thermo > 0 || c.thermo_csv) dyn_thermo(&c);
        if (c.dump && (rc = dump_write_frame(c.dump, c.sys, 0, 0, NULL))) goto fail;
    } else {
        printf("# resuming %s at step %ld of %ld\n", resume, md_get_state(c.md)->step, until);
        if (thermo > 0) md_thermo_header(stdout, 0);
    }
    double t_start = cli_wall_time();
    long step0 = md_get_state(c.md)->step;
    rc = dyn_run(&c, until);
    if (rc == BPEL_EINTR) {
        int st = dyn_interrupted(&c, "md");
        if (c.thermo_csv) fclose(c.thermo_csv);
        if (c.dump) fclose(c.dump);
        dyn_free(&c);
        cli_setup_free(&setup);
        return st;
    }
    if (rc) goto fail;
    double wall = cli_wall_time() - t_start;
    long done = md_get_state(c.md)->step - step0;
    printf("# %ld steps in %.3f s: %.4g atom-steps/s\n", done, wall, wall > 0 ? (double)done * c.sys->n / wall : 0);
    if (out && (rc = data_write(out, c.sys, "LAMMPS data file written by bpel md"))) goto fail;
    if (c.thermo_csv && fclose(c.thermo_csv)) rc = bpel_fail(BPEL_EIO, "%s: write failed", csv);
    c.thermo_csv = NULL;
    if (c.dump && fclose(c.dump) && !rc) rc = bpel_fail(BPEL_EIO, "%s: write failed", dump);
    c.dump = NULL;
    if (rc) goto fail;
    dyn_free(&c);
    cli_setup_free(&setup);
    return 0;
fail:
    if (c.thermo_csv) fclose(c.thermo_csv);
    if (c.dump) fclose(c.dump);
    dyn_free(&c);
    cli_setup_free(&setup);
    return cli_error();
}
