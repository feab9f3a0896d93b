/* cmd_tg.c — `bpel tg`: glass transition temperature from V(T) on cooling,
 * from a quench log or from an NPT cooling run made here; the stage itself
 * is tg_run.h. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

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

static int parse_range(const char *v, double *a, double *b)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", v);
    char *c = strchr(buf, ':');
    if (!c) return -1;
    *c = '\0';
    if (cli_parse_double(buf, a) || cli_parse_double(c + 1, b) || !(*a < *b)) return -1;
    return 0;
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
    int rc = tg_cooling_run(s.pot, s.map, s.sys, co, log_path);
    cli_setup_free(&s);
    return rc;
}

int cmd_tg(int argc, char **argv)
{
    const char *logfile = NULL, *outdir = NULL, *data = NULL, *potential = NULL, *elements = NULL;
    tg_params tp;
    tg_defaults(&tp);
    tg_cooling co;
    tg_cooling_defaults(&co);
    long stage = 1, threads = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help();
            return 0;
        }
        if (a[0] != '-' || a[1] != '-') {
            if (logfile) return cli_usage_error("tg", "unexpected argument '%s'", a);
            logfile = a;
            continue;
        }
        if (i + 1 >= argc) return cli_usage_error("tg", "%s needs a value", a);
        const char *v = argv[++i];
        int bad = 0;
        if (!strcmp(a, "--out")) outdir = v;
        else if (!strcmp(a, "--bin")) bad = cli_parse_double(v, &tp.bin) || !(tp.bin > 0);
        else if (!strcmp(a, "--glass-range")) bad = parse_range(v, &tp.glass_lo, &tp.glass_hi);
        else if (!strcmp(a, "--liquid-range")) bad = parse_range(v, &tp.liquid_lo, &tp.liquid_hi);
        else if (!strcmp(a, "--stage")) bad = cli_parse_long(v, &stage);
        else if (!strcmp(a, "--data")) data = v;
        else if (!strcmp(a, "--from")) bad = cli_parse_double(v, &co.t_from) || !(co.t_from > 0);
        else if (!strcmp(a, "--to")) bad = cli_parse_double(v, &co.t_to) || !(co.t_to > 0);
        else if (!strcmp(a, "--rate")) bad = cli_parse_double(v, &co.rate) || !(co.rate > 0);
        else if (!strcmp(a, "--equilibrate")) bad = cli_parse_double(v, &co.equilibrate) || co.equilibrate < 0;
        else if (!strcmp(a, "--dt")) bad = cli_parse_double(v, &co.dt) || !(co.dt > 0);
        else if (!strcmp(a, "--potential")) potential = v;
        else if (!strcmp(a, "--elements")) elements = v;
        else if (!strcmp(a, "--seed")) bad = cli_parse_long(v, &co.seed) || co.seed < 0;
        else if (!strcmp(a, "--threads")) bad = cli_parse_long(v, &threads) || threads < 1;
        else if (!strcmp(a, "--log-every")) bad = cli_parse_long(v, &co.log_every) || co.log_every < 1;
        else return cli_usage_error("tg", "unknown option %s", a);
        if (bad) return cli_usage_error("tg", "invalid value '%s' for %s", v, a);
    }
    if (!outdir) return cli_usage_error("tg", "--out DIR is required");
    if ((tp.glass_lo < tp.glass_hi) != (tp.liquid_lo < tp.liquid_hi))
        return cli_usage_error("tg", "give both --glass-range and --liquid-range, or neither");
    if (!logfile == !data) return cli_usage_error("tg", "give either a log file or --data (not both)");
    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "bpel tg: cannot create %s: %s\n", outdir, strerror(errno));
        return 1;
    }
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
    if (tg_run_fit(logfile, stage, &tp, &r, &n)) return cli_error();
    int det = r.quality != BPEL_Q_NOT_DETERMINED;
    if (det)
        printf("Tg = %.1f K, 95 %% interval %.0f-%.0f K [%s%s%s]  (%s; glass %.0f-%.0f K, liquid %.0f-%.0f K, "
               "%zu bins of %g K from %zu samples)\n",
               r.tg, r.tg_lo, r.tg_hi, bpel_quality_name(r.quality), r.reason[0] ? ": " : "", r.reason, r.method,
               r.glass_range[0], r.glass_range[1], r.liquid_range[0], r.liquid_range[1], r.nbins, tp.bin, n);
    else
        printf("Tg not determined: %s  (%zu bins of %g K from %zu samples)\n", r.reason, r.nbins, tp.bin, n);
    int rc = tg_run_write(outdir, logfile, cli_provenance(), &tp, &r, n);
    tg_free(&r);
    return rc ? cli_error() : 0;
}
