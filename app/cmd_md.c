/* cmd_md.c — `bpel md`: molecular dynamics (NVE, NVT, NPT) from a data file. */
#include <gsl/gsl_rng.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_dyn.h"
#include "error.h"
#include "md.h"
#include "outfile.h"
#include "restart.h"

const char cmd_md_summary[] = "molecular dynamics: NVE, NVT or NPT (Nose-Hoover chains, MTK barostat)";

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

/* --target-temperature T or T1:T2 into t[0], t[1]. */
static int target_option(const cli_spec *s, const cli_opt *o, const char *value)
{
    double *t = o->dest;
    char buf[128];
    (void)s;
    snprintf(buf, sizeof buf, "%s", value);
    char *colon = strchr(buf, ':');
    if (colon) *colon = '\0';
    if (cli_parse_double(buf, &t[0]) || !(t[0] > 0)) return -1;
    if (colon && (cli_parse_double(colon + 1, &t[1]) || !(t[1] > 0))) return -1;
    return 0;
}

int cmd_md(int argc, char **argv)
{
    const char *potential = NULL, *elements = NULL, *out = NULL, *resume = NULL, *csv = NULL, *dump = NULL;
    dyn_ctx c;
    memset(&c, 0, sizeof c);
    md_params p;
    bpel_md_defaults(&p);
    long steps = -1, seed = 12345, thermo = 100, dump_every = 100, threads = 0, restart_every = 0, tchain = 3;
    double t0 = -1, ttarget[2] = {-1, -1}; /* a target, or the two ends of a ramp */
    int ensemble = p.ensemble;
    static const int ensembles[] = {MD_NVE, MD_NVT, MD_NPT};
    const cli_opt opts[] = {{CLI_OPT("potential", 0, CLI_STRING, &potential)},
                            {CLI_OPT("elements", 0, CLI_STRING, &elements)},
                            {CLI_OPT("steps", 0, CLI_LONG, &steps), CLI_NONNEG},
                            {CLI_OPT("dt", 0, CLI_DOUBLE, &p.dt), CLI_POSITIVE},
                            {CLI_OPT("temperature", 0, CLI_DOUBLE, &t0), CLI_NONNEG},
                            {CLI_OPT("seed", 0, CLI_LONG, &seed), CLI_NONNEG},
                            {CLI_OPT("threads", 0, CLI_LONG, &threads), CLI_AT_LEAST(1)},
                            {CLI_OPT("thermo", 0, CLI_LONG, &thermo), CLI_NONNEG},
                            {CLI_OPT("thermo-csv", 0, CLI_STRING, &csv)},
                            {CLI_OPT("out", 0, CLI_STRING, &out)},
                            {CLI_OPT("ensemble", 0, CLI_CHOICE, &ensemble), .choices = "nve|nvt|npt", .values = ensembles},
                            {CLI_OPT("target-temperature", 0, CLI_CALL, ttarget), .call = target_option},
                            {CLI_OPT("tdamp", 0, CLI_DOUBLE, &p.tdamp), CLI_POSITIVE},
                            {CLI_OPT("pdamp", 0, CLI_DOUBLE, &p.pdamp), CLI_POSITIVE},
                            {CLI_OPT("tchain", 0, CLI_LONG, &tchain), CLI_FROM_TO(1, MD_MAXCHAIN)},
                            {CLI_OPT("pressure", 0, CLI_DOUBLE, &p.p_start)},
                            {CLI_OPT("restart", 0, CLI_STRING, &c.restart_path)},
                            {CLI_OPT("restart-every", 0, CLI_LONG, &restart_every), CLI_AT_LEAST(1)},
                            {CLI_OPT("resume", 0, CLI_STRING, &resume)},
                            {CLI_OPT("dump", 0, CLI_STRING, &dump)},
                            {CLI_OPT("dump-every", 0, CLI_LONG, &dump_every), CLI_AT_LEAST(1)},
                            {0}};
    const cli_spec spec = {.cmd = "md", .opts = opts, .help = help, .syntax = CLI_WORDS, .max_operands = 1};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    const char *data = ops.n ? ops.v[0] : NULL;
    p.ensemble = (md_ensemble)ensemble;
    p.p_stop = p.p_start;
    p.tchain = (int)tchain;
    if (threads > 0 && dyn_set_threads(threads)) return cli_error();
    char potential_path[1024] = "";
    int run_threads = 0;
    cli_setup setup;
    memset(&setup, 0, sizeof setup);
    long until;
    if (resume) {
        rst_info info;
        bpel_system *s;
        if ((rc = bpel_restart_read(resume, &s, &info))) return cli_error();
        if (strcmp(info.command, "md") != 0) {
            fprintf(stderr, "bpel md: %s was written by 'bpel %s', not 'bpel md'\n", resume, info.command);
            bpel_system_destroy(s);
            bpel_restart_free(&info);
            return 1;
        }
        if (bpel_mdrun_md_settings_load(&info, resume, potential_path, sizeof potential_path, &run_threads)) {
            fprintf(stderr, "bpel md: %s\n", bpel_errmsg());
            bpel_system_destroy(s);
            bpel_restart_free(&info);
            return 1;
        }
        if (run_threads != omp_get_max_threads())
            fprintf(stderr, "bpel md: warning: the run used %d threads, this one %d: the continuation is valid but "
                    "not bitwise identical to an uninterrupted run (use --threads %d)\n", run_threads,
                    omp_get_max_threads(), run_threads);
        if ((rc = bpel_eam_read(potential_path, NULL, &setup.pot)) || (rc = bpel_model_create(setup.pot, s, NULL, &setup.model))) {
            bpel_system_destroy(s);
            bpel_restart_free(&info);
            bpel_eam_destroy(setup.pot);
            return cli_error();
        }
        setup.sys = s;
        c.info = info;
        until = info.md.run_end;
        c.sys = s;
        c.model = setup.model;
        if ((rc = bpel_mdrun_restore(&c, &c.info, restart_every))) goto fail;
    } else {
        if (!data) return cli_usage_error("md", "no data file given");
        if (steps < 0) return cli_usage_error("md", "--steps is required");
        if (restart_every > 0 && !c.restart_path) return cli_usage_error("md", "--restart-every needs --restart FILE");
        if (p.ensemble != MD_NVE) {
            if (ttarget[0] < 0) ttarget[0] = t0;
            if (!(ttarget[0] > 0))
                return cli_usage_error("md", "--ensemble %s needs --target-temperature (or --temperature)",
                                       p.ensemble == MD_NVT ? "nvt" : "npt");
            p.t_start = ttarget[0];
            p.t_stop = ttarget[1] > 0 ? ttarget[1] : ttarget[0];
        }
        if (bpel_md_check_params(&p)) return cli_error();
        if (cli_load(data, potential, elements, &setup)) return cli_error();
        snprintf(potential_path, sizeof potential_path, "%s", setup.potential_path);
        run_threads = omp_get_max_threads();
        c.sys = setup.sys;
        c.model = setup.model;
        if (!(c.rng = gsl_rng_alloc(gsl_rng_mt19937))) {
            rc = bpel_fail(BPEL_ENOMEM, "md: cannot allocate a random number generator");
            goto fail;
        }
        gsl_rng_set(c.rng, (unsigned long)seed);
        if ((rc = bpel_system_ensure_velocities(c.sys))) goto fail;
        if (t0 >= 0 && (rc = bpel_md_velocity_create(c.sys, t0, c.rng))) goto fail;
        if ((rc = bpel_forces_create(c.model, c.sys, DYN_SKIN, &c.forces)) || (rc = bpel_md_create(c.forces, c.sys, &p, &c.md)))
            goto fail;
        if ((rc = bpel_md_setup(c.md, steps))) goto fail;
        until = steps;
        snprintf(c.info.command, sizeof c.info.command, "md");
        dyn_set_restart_every(&c, restart_every);
    }
    if ((rc = bpel_mdrun_md_settings_store(&c.info, potential_path, run_threads))) goto fail;
    if (!c.restart_path && resume) c.restart_path = resume;
    c.thermo_every = thermo;
    c.thermo_txt = thermo > 0 ? stdout : NULL;
    if (out && (rc = bpel_out_check(out))) goto fail;
    if (resume) {
        /* what the interrupted run wrote after its checkpoint goes */
        long at = bpel_md_get_state(c.md)->step;
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
    bpel_restart_catch_signals();
    if (!resume) {
        printf("# %s\n# %ld steps of %s, dt = %g ps, %zu atoms, potential %s\n", cli_provenance(), steps,
               p.ensemble == MD_NVE ? "NVE" : p.ensemble == MD_NVT ? "NVT" : "NPT", p.dt, c.sys->n, potential_path);
        if (thermo > 0) bpel_md_thermo_header(stdout, 0);
        if (c.thermo_csv) bpel_md_thermo_header(c.thermo_csv, 1);
        if (thermo > 0 || c.thermo_csv) dyn_thermo(&c);
        if (c.dump && (rc = bpel_dump_write_frame(c.dump, c.sys, 0, 0, NULL))) goto fail;
    } else {
        printf("# resuming %s at step %ld of %ld\n", resume, bpel_md_get_state(c.md)->step, until);
        if (thermo > 0) bpel_md_thermo_header(stdout, 0);
    }
    double t_start = cli_wall_time();
    long step0 = bpel_md_get_state(c.md)->step;
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
    long done = bpel_md_get_state(c.md)->step - step0;
    printf("# %ld steps in %.3f s: %.4g atom-steps/s\n", done, wall, wall > 0 ? (double)done * c.sys->n / wall : 0);
    if (out && (rc = bpel_data_write(out, c.sys, "LAMMPS data file written by bpel md"))) goto fail;
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
