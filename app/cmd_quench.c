/* cmd_quench.c — `bpel quench`: prepare a metallic glass as in the paper
 * (§II.A): random solid solution → melt (NPT, P = 0, 2000 K) → quench at a
 * constant rate (NPT, linear ramp of the thermostat target) → optional NVT
 * hold → conjugate-gradient minimisation to an inherent structure. The
 * protocol, its checkpoints and bitwise resumes are bpel_quench_run (quench.h);
 * this file parses the options and prints what the run reports. */
#include <cjson/cJSON.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_dyn.h"
#include "error.h"
#include "quench.h"
#include "restart.h"

const char cmd_quench_summary[] = "prepare a glass: random alloy, melt, quench at a rate (NPT), minimise";

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

/* What the front end keeps between progress reports. */
typedef struct view {
    cli_progress bar;
    double wall0, min_wall0;
    long step_first;
} view;

static int report(const quench_progress *p, void *user)
{
    static const char *names[] = {"melt", "quench", "hold"};
    view *v = user;
    const quench_result *r = p->result;
    const quench_options *q = &r->settings;
    switch (p->event) {
    case QUENCH_BEGIN:
        printf("# %s\n# %s: %zu atoms (", cli_provenance(), q->composition, r->natoms);
        for (int k = 0; k < r->composition.nel; k++)
            printf("%s%zu %s", k ? ", " : "", r->count[k], r->composition.element[k]);
        printf("), box %.3f A, potential %s\n", r->box, q->potential);
        printf("# melt %ld steps at %g K, quench %ld steps to %g K (%g K/s), hold %ld steps; dt = %g ps\n",
               r->melt_steps, q->t_melt, r->quench_steps, q->t_final, q->rate, r->hold_steps, q->dt);
        break;
    case QUENCH_WARNING:
        fprintf(stderr, "bpel quench: warning: %s\n", p->message);
        break;
    case QUENCH_START:
        bpel_restart_catch_signals();
        cli_progress_start(&v->bar, "quench", (double)p->total_steps);
        if (q->thermo_every > 0) bpel_md_thermo_header(stdout, 0);
        v->wall0 = cli_wall_time();
        v->step_first = p->step;
        break;
    case QUENCH_STAGE:
        if (q->thermo_every > 0) printf("# stage %s: %ld steps\n", names[p->stage], p->stage_steps);
        break;
    case QUENCH_STEP:
        v->bar.label = names[p->stage];
        cli_progress_update(&v->bar, (double)p->step, NULL);
        break;
    case QUENCH_THERMO:
        bpel_md_thermo_write(stdout, 0, p->thermo);
        fflush(stdout);
        break;
    case QUENCH_NOTICE:
        fprintf(stderr, "bpel: %s\n", p->message);
        break;
    case QUENCH_MD_DONE: {
        cli_progress_finish(&v->bar);
        double wall = cli_wall_time() - v->wall0;
        long steps = p->step - v->step_first;
        printf("# MD: %ld steps in %.3f s: %.4g atom-steps/s\n", steps, wall,
               wall > 0 ? (double)steps * (double)r->natoms / wall : 0.0);
        v->min_wall0 = cli_wall_time();
        break;
    }
    case QUENCH_MINIMISED:
        printf("# minimisation: %ld iterations in %.3f s, max|F| = %.3g eV/A\n", r->min.iterations,
               cli_wall_time() - v->min_wall0, r->min.fmax);
        if (!r->converged) fprintf(stderr, "bpel quench: warning: %s\n", r->min_message);
        break;
    }
    return 0;
}

int cmd_quench(int argc, char **argv)
{
    quench_options o;
    bpel_quench_defaults(&o);
    const char *composition = NULL, *potential = NULL, *out = NULL, *log = NULL, *resume = NULL, *restart = NULL;
    long threads = 0;
    const cli_opt opts[] = {{CLI_OPT("composition", 0, CLI_STRING, &composition)},
                            {CLI_OPT("natoms", 0, CLI_LONG, &o.natoms)},
                            {CLI_OPT("atoms", 0, CLI_LONG, &o.natoms)},
                            {CLI_OPT("rate", 0, CLI_DOUBLE, &o.rate)},
                            {CLI_OPT("out", 0, CLI_STRING, &out)},
                            {CLI_OPT("potential", 0, CLI_STRING, &potential)},
                            {CLI_OPT("melt-temperature", 0, CLI_DOUBLE, &o.t_melt)},
                            {CLI_OPT("melt-time", 0, CLI_DOUBLE, &o.melt_time)},
                            {CLI_OPT("final-temperature", 0, CLI_DOUBLE, &o.t_final)},
                            {CLI_OPT("hold-time", 0, CLI_DOUBLE, &o.hold_time)},
                            {CLI_OPT("pressure", 0, CLI_DOUBLE, &o.pressure)},
                            {CLI_OPT("dt", 0, CLI_DOUBLE, &o.dt)},
                            {CLI_OPT("tdamp", 0, CLI_DOUBLE, &o.tdamp)},
                            {CLI_OPT("pdamp", 0, CLI_DOUBLE, &o.pdamp)},
                            {CLI_OPT("ftol", 0, CLI_DOUBLE, &o.ftol)},
                            {CLI_OPT("seed", 0, CLI_LONG, &o.seed), CLI_NONNEG},
                            {CLI_OPT("log", 0, CLI_STRING, &log)},
                            {CLI_OPT("log-every", 0, CLI_LONG, &o.log_every), CLI_AT_LEAST(1)},
                            {CLI_OPT("thermo", 0, CLI_LONG, &o.thermo_every), CLI_NONNEG},
                            {CLI_OPT("restart", 0, CLI_STRING, &restart)},
                            {CLI_OPT("restart-every", 0, CLI_LONG, &o.checkpoint_every), CLI_AT_LEAST(1)},
                            {CLI_OPT("resume", 0, CLI_STRING, &resume)},
                            {CLI_OPT("threads", 0, CLI_LONG, &threads), CLI_AT_LEAST(1)},
                            {0}};
    /* no operands: every word is an option with its value */
    const cli_spec spec = {.cmd = "quench", .opts = opts, .help = help, .syntax = CLI_WORDS, .prefix = ""};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    if (threads > 0 && dyn_set_threads(threads)) return cli_error();
    if (restart) snprintf(o.checkpoint, sizeof o.checkpoint, "%s", restart);
    if (resume) {
        snprintf(o.resume, sizeof o.resume, "%s", resume);
    } else {
        if (!composition) return cli_usage_error("quench", "--composition is required");
        if (o.natoms < 0) return cli_usage_error("quench", "--natoms is required");
        if (isnan(o.rate)) return cli_usage_error("quench", "--rate is required");
        if (!out) return cli_usage_error("quench", "--out is required");
        snprintf(o.composition, sizeof o.composition, "%s", composition);
        snprintf(o.out, sizeof o.out, "%s", out);
        if (bpel_quench_check(&o)) return cli_usage_error("quench", "%s", bpel_errmsg());
        if (potential) snprintf(o.potential, sizeof o.potential, "%s", potential);
        if (log) snprintf(o.log, sizeof o.log, "%s", log);
    }
    o.provenance = cli_provenance();
    view v;
    memset(&v, 0, sizeof v);
    quench_result r;
    rc = bpel_quench_run(&o, report, &v, &r);
    if (rc == BPEL_EINTR) {
        int sig = bpel_restart_signalled();
        fprintf(stderr, "bpel quench: %s\n", bpel_errmsg());
        fprintf(stderr, "bpel quench: continue with: bpel quench --resume %s\n", r.checkpoint);
        return 128 + (sig ? sig : SIGTERM);
    }
    if (rc) return cli_error();
    if (cli_print_json(bpel_quench_summary(&r, o.provenance), 1)) return cli_error();
    return r.converged ? 0 : 3;
}
