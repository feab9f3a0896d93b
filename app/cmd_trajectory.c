/* cmd_trajectory.c — `bpel trajectory`: the anharmonicity probe of paper
 * Fig. 8 (§III, SPEC §7); the probe, its files and the figure are bpel_traj_run
 * (trajectory.h). */
#include <string.h>

#include "cli.h"
#include "cli_dyn.h"
#include "error.h"
#include "trajectory.h"

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
           "  --equilibrate PS     NVT before recording, ps (default 1; 0: record from the IS on)\n"
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
           "final displacement vectors, for OVITO), trajectory.dump, inherent.data,\n"
           "fig8_anharmonicity.png/.svg, and summary.json (RMSD of the glass; per group of\n"
           "followed atoms the mean and largest displacement; the top/bottom ratio of the\n"
           "mean displacements, weak below 5 atoms per group or off the temperature by 10%%).\n");
}

/* progress bar and messages of the run */
static void report(const traj_progress *p, void *user)
{
    cli_progress *bar = user;
    switch (p->event) {
    case TRAJ_WARNING: fprintf(stderr, "bpel trajectory: warning: %s\n", p->message); break;
    case TRAJ_MINIMISED:
        printf("inherent structure: E = %.10f eV/atom, max|F| = %.2e eV/A\n",
               p->result->min.energy / (double)p->result->sys->n, p->result->min.fmax);
        break;
    case TRAJ_START: cli_progress_start(bar, "trajectory", (double)p->nsteps); break;
    case TRAJ_STEP: cli_progress_update(bar, (double)p->step, NULL); break;
    case TRAJ_MD_DONE: cli_progress_finish(bar); break;
    case TRAJ_NOTICE: fprintf(stderr, "bpel: %s\n", p->message); break;
    }
}

int cmd_trajectory(int argc, char **argv)
{
    const char *outdir = NULL, *potential = NULL, *elements = NULL;
    traj_options o;
    bpel_traj_defaults(&o);
    long threads = 0;
    const cli_opt opts[] = {{CLI_OPT("no-minimise", 0, CLI_FLAG_OFF, &o.minimise)},
                            {CLI_OPT("out", 0, CLI_STRING, &outdir)},
                            {CLI_OPT("temperature", 0, CLI_DOUBLE, &o.temperature), CLI_POSITIVE},
                            {CLI_OPT("time", 0, CLI_DOUBLE, &o.time), CLI_POSITIVE},
                            {CLI_OPT("equilibrate", 0, CLI_DOUBLE, &o.equilibrate), CLI_NONNEG},
                            {CLI_OPT("atoms", 0, CLI_STRING, &o.atoms)},
                            {CLI_OPT("rank", 0, CLI_STRING, &o.rank)},
                            {CLI_OPT("top", 0, CLI_LONG, &o.top), CLI_NONNEG},
                            {CLI_OPT("bottom", 0, CLI_LONG, &o.bottom), CLI_NONNEG},
                            {CLI_OPT("element", 0, CLI_STRING, &o.element)},
                            {CLI_OPT("moved", 0, CLI_DOUBLE, &o.moved), CLI_POSITIVE},
                            {CLI_OPT("dump-every", 0, CLI_LONG, &o.dump_every), CLI_NONNEG},
                            {CLI_OPT("potential", 0, CLI_STRING, &potential)},
                            {CLI_OPT("elements", 0, CLI_STRING, &elements)},
                            {CLI_OPT("seed", 0, CLI_LONG, &o.seed), CLI_NONNEG},
                            {CLI_OPT("dt", 0, CLI_DOUBLE, &o.dt), CLI_POSITIVE},
                            {CLI_OPT("tdamp", 0, CLI_DOUBLE, &o.tdamp), CLI_POSITIVE},
                            {CLI_OPT("threads", 0, CLI_LONG, &threads), CLI_AT_LEAST(1)},
                            {0}};
    const cli_spec spec = {.cmd = "trajectory", .opts = opts, .help = help, .syntax = CLI_WORDS, .max_operands = 1};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    const char *data = ops.n ? ops.v[0] : NULL;
    if (!data) return cli_usage_error("trajectory", "no data file given");
    if (!outdir) return cli_usage_error("trajectory", "--out is required");
    if (!o.atoms == !o.rank) return cli_usage_error("trajectory", "give --atoms ID,... or --rank FILE.csv:COLUMN (one of them)");
    if (o.rank && o.top + o.bottom == 0) return cli_usage_error("trajectory", "--top and --bottom are both 0");
    if (threads > 0 && dyn_set_threads(threads)) return cli_error();
    if (cli_mkdir("trajectory", outdir)) return 1;
    cli_setup s;
    if (cli_load(data, potential, elements, &s)) return cli_error();
    cli_progress bar;
    traj_result r;
    rc = bpel_traj_run(s.model, s.sys, &o, outdir, report, &bar, &r);
    if (!rc) {
        printf("followed %zu atoms for %ld steps at %g K; %zu atoms moved more than %g A; outputs in %s\n", r.m, r.nsteps,
               o.temperature, r.nmoved, o.moved, outdir);
        for (size_t j = 0; j < r.m; j++) {
            size_t i = r.idx[j];
            printf("  id %lld (%s, %s): max displacement %.3f A\n", (long long)s.sys->id[i], s.sys->element[s.sys->type[i]],
                   r.group[j] < 0 ? "bottom" : r.group[j] > 0 ? "top" : "chosen", r.maxd[i]);
        }
    }
    bpel_traj_result_free(&r);
    cli_setup_free(&s);
    return rc ? cli_error() : 0;
}
