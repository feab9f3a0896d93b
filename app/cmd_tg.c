/* cmd_tg.c — `bpel tg`: glass transition temperature from V(T) on cooling,
 * from a quench log or from an NPT cooling run made here; the stage itself
 * is tg_run.h. */
#include <math.h>
#include <string.h>

#include "cli.h"
#include "cli_dyn.h"
#include "error.h"
#include "tg_run.h"

const char cmd_tg_summary[] = "glass transition temperature from two line fits to V(T) on cooling";

static void help(void)
{
    printf("usage: bpel tg LOG.csv --out DIR [options]\n"
           "       bpel tg --data DATA --from T1 --to T2 --rate K_PER_S --out DIR [options]\n\n"
           "Fits straight lines to the glass and liquid branches of the volume-temperature\n"
           "curve on cooling and reports their intersection, Tg (paper: ~650 K for Cu50Zr50).\n"
           "The input is a log with columns temp_K and volume_A3 (bpel quench --log; rows of\n"
           "the quench stage only when a `stage` column is present), or an NPT cooling run\n"
           "(P = 0, LAMMPS fix npt equations) started here from DATA.\n\n"
           "  --out DIR                  tg.json, tg_vt.csv (binned curve), tg_volume_temperature.png/.svg\n"
           "  --bin K                    temperature bin, K (default 25)\n"
           "  --glass-range A:B          glass fit range, K (default: automatic split)\n"
           "  --liquid-range A:B         liquid fit range, K (default: automatic split)\n"
           "  --stage S                  log rows of this stage (default 1 = quench; -1 all)\n"
           "cooling run:\n"
           "  --data DATA --from T1 --to T2 --rate R   (K, K, K/s)\n"
           "  --equilibrate PS           NPT at T1 first, ps (default 10)\n"
           "  --potential F --elements A,B --seed S --threads K --dt DT --log-every M (default 50)\n");
}

static void bar(void *ctx, int event, double done, double total)
{
    if (event == TG_RUN_BEGIN) cli_progress_start(ctx, "cooling", total);
    else if (event == TG_RUN_STEP) cli_progress_update(ctx, done, NULL);
    else cli_progress_finish(ctx);
}

static void notice(void *ctx, const char *msg) { fprintf(stderr, "bpel: %s\n", msg); }

static int cooling_run(const char *data, const char *potential, const char *elements, const tg_cooling *co,
                       const char *log_path)
{
    cli_setup s;
    if (cli_load(data, potential, elements, &s)) return -1;
    int rc = bpel_tg_cooling_run(s.model, s.sys, co, log_path);
    cli_setup_free(&s);
    return rc;
}

int cmd_tg(int argc, char **argv)
{
    const char *outdir = NULL, *data = NULL, *potential = NULL, *elements = NULL;
    tg_params tp;
    bpel_tg_defaults(&tp);
    tg_cooling co;
    bpel_tg_cooling_defaults(&co);
    long stage = 1, threads = 0;
    const cli_opt opts[] = {
        {CLI_OPT("out", 0, CLI_STRING, &outdir)},
        {CLI_OPT("bin", 0, CLI_DOUBLE, &tp.bin), CLI_POSITIVE},
        {CLI_OPT("glass-range", 0, CLI_PAIR, &tp.glass_lo), .check = CLI_ASCENDING, .dest2 = &tp.glass_hi},
        {CLI_OPT("liquid-range", 0, CLI_PAIR, &tp.liquid_lo), .check = CLI_ASCENDING, .dest2 = &tp.liquid_hi},
        {CLI_OPT("stage", 0, CLI_LONG, &stage)},
        {CLI_OPT("data", 0, CLI_STRING, &data)},
        {CLI_OPT("from", 0, CLI_DOUBLE, &co.t_from), CLI_POSITIVE},
        {CLI_OPT("to", 0, CLI_DOUBLE, &co.t_to), CLI_POSITIVE},
        {CLI_OPT("rate", 0, CLI_DOUBLE, &co.rate), CLI_POSITIVE},
        {CLI_OPT("equilibrate", 0, CLI_DOUBLE, &co.equilibrate), CLI_NONNEG},
        {CLI_OPT("dt", 0, CLI_DOUBLE, &co.dt), CLI_POSITIVE},
        {CLI_OPT("potential", 0, CLI_STRING, &potential)},
        {CLI_OPT("elements", 0, CLI_STRING, &elements)},
        {CLI_OPT("seed", 0, CLI_LONG, &co.seed), CLI_NONNEG},
        {CLI_OPT("threads", 0, CLI_LONG, &threads), CLI_AT_LEAST(1)},
        {CLI_OPT("log-every", 0, CLI_LONG, &co.log_every), CLI_AT_LEAST(1)},
        {0}};
    const cli_spec spec = {.cmd = "tg", .opts = opts, .help = help, .syntax = CLI_WORDS, .max_operands = 1};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    const char *logfile = ops.n ? ops.v[0] : NULL;
    if (!outdir) return cli_usage_error("tg", "--out DIR is required");
    if ((tp.glass_lo < tp.glass_hi) != (tp.liquid_lo < tp.liquid_hi))
        return cli_usage_error("tg", "give both --glass-range and --liquid-range, or neither");
    if (!logfile == !data) return cli_usage_error("tg", "give either a log file or --data (not both)");
    if (cli_mkdir("tg", outdir)) return 1;
    if (threads > 0 && dyn_set_threads(threads)) return cli_error();
    char path[2048];
    if (data) {
        if (isnan(co.t_from) || isnan(co.t_to) || isnan(co.rate)) return cli_usage_error("tg", "--data needs --from, --to and --rate");
        if (!(co.t_to < co.t_from)) return cli_usage_error("tg", "--to must be below --from (cooling)");
        snprintf(path, sizeof path, "%s/cooling.log.csv", outdir);
        cli_progress pb;
        co.progress = bar;
        co.notice = notice;
        co.ctx = &pb;
        if (cooling_run(data, potential, elements, &co, path)) return cli_error();
        logfile = path;
    }
    tg_result r;
    size_t n;
    if (bpel_tg_run_fit(logfile, stage, &tp, &r, &n)) return cli_error();
    int det = r.quality != BPEL_Q_NOT_DETERMINED;
    if (det)
        printf("Tg = %.1f K, 95 %% interval %.0f-%.0f K [%s%s%s]  (%s; glass %.0f-%.0f K, liquid %.0f-%.0f K, "
               "%zu bins of %g K from %zu samples)\n",
               r.tg, r.tg_lo, r.tg_hi, bpel_quality_name(r.quality), r.reason[0] ? ": " : "", r.reason, r.method,
               r.glass_range[0], r.glass_range[1], r.liquid_range[0], r.liquid_range[1], r.nbins, tp.bin, n);
    else
        printf("Tg not determined: %s  (%zu bins of %g K from %zu samples)\n", r.reason, r.nbins, tp.bin, n);
    rc = bpel_tg_run_write(outdir, logfile, cli_provenance(), &tp, &r, n);
    bpel_tg_free(&r);
    return rc ? cli_error() : 0;
}
