/* cmd_tg.c — `bpel tg`: glass transition temperature from V(T) on cooling,
 * from a quench log or from an NPT cooling run made here. */
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
#include "figure.h"
#include "quality.h"
#include "table.h"
#include "tg.h"

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

static int cooling_run(const char *data, const char *potential, const char *elements, double t1, double t2,
                       double rate, double equil, double dt, long seed, long log_every, const char *log_path)
{
    cli_setup s;
    if (cli_load(data, potential, elements, &s)) return -1;
    dyn_ctx c;
    memset(&c, 0, sizeof c);
    c.sys = s.sys;
    c.pot = s.pot;
    memcpy(c.map, s.map, sizeof c.map);
    int rc;
    c.rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(c.rng, (unsigned long)seed);
    md_params p;
    md_defaults(&p);
    p.ensemble = MD_NPT;
    p.dt = dt;
    p.t_start = p.t_stop = t1;
    long neq = (long)llround(equil / dt), ncool = (long)llround((t1 - t2) / rate * 1e12 / dt);
    if ((rc = md_velocity_create(c.sys, t1, c.rng))) goto out;
    if ((rc = forces_create(c.pot, c.map, c.sys, DYN_SKIN, &c.forces)) || (rc = md_create(c.forces, c.sys, &p, &c.md)))
        goto out;
    if (!(c.log = fopen(log_path, "w"))) {
        rc = bpel_fail(BPEL_EIO, "%s: cannot write", log_path);
        goto out;
    }
    dyn_log_header(c.log);
    c.log_every = log_every;
    cli_progress bar;
    cli_progress_start(&bar, "cooling", (double)(neq + ncool));
    c.progress = &bar;
    c.stage = 0;
    if (neq > 0 && ((rc = md_setup(c.md, neq)) || (rc = dyn_run(&c, neq)))) goto out;
    p.t_stop = t2;
    c.stage = 1;
    if ((rc = md_set_params(c.md, &p)) || (rc = md_setup(c.md, ncool)) || (rc = dyn_run(&c, neq + ncool))) goto out;
    cli_progress_finish(&bar);
out:
    if (c.log) fclose(c.log);
    dyn_free(&c);
    cli_setup_free(&s);
    return rc;
}

int cmd_tg(int argc, char **argv)
{
    const char *logfile = NULL, *outdir = NULL, *data = NULL, *potential = NULL, *elements = NULL;
    tg_params tp;
    tg_defaults(&tp);
    long stage = 1, seed = 12345, threads = 0, log_every = 50;
    double t1 = NAN, t2 = NAN, rate = NAN, equil = 10, dt = 0.002;
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
        else if (!strcmp(a, "--from")) bad = cli_parse_double(v, &t1) || !(t1 > 0);
        else if (!strcmp(a, "--to")) bad = cli_parse_double(v, &t2) || !(t2 > 0);
        else if (!strcmp(a, "--rate")) bad = cli_parse_double(v, &rate) || !(rate > 0);
        else if (!strcmp(a, "--equilibrate")) bad = cli_parse_double(v, &equil) || equil < 0;
        else if (!strcmp(a, "--dt")) bad = cli_parse_double(v, &dt) || !(dt > 0);
        else if (!strcmp(a, "--potential")) potential = v;
        else if (!strcmp(a, "--elements")) elements = v;
        else if (!strcmp(a, "--seed")) bad = cli_parse_long(v, &seed) || seed < 0;
        else if (!strcmp(a, "--threads")) bad = cli_parse_long(v, &threads) || threads < 1;
        else if (!strcmp(a, "--log-every")) bad = cli_parse_long(v, &log_every) || log_every < 1;
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
        if (isnan(t1) || isnan(t2) || isnan(rate)) return cli_usage_error("tg", "--data needs --from, --to and --rate");
        if (!(t2 < t1)) return cli_usage_error("tg", "--to must be below --from (cooling)");
        snprintf(path, sizeof path, "%s/cooling.log.csv", outdir);
        if (cooling_run(data, potential, elements, t1, t2, rate, equil, dt, seed, log_every, path)) return cli_error();
        logfile = path;
    }
    tbl_table *t;
    if (tbl_read(logfile, &t)) return cli_error();
    double *tt = malloc(t->nrows * sizeof *tt), *vv = malloc(t->nrows * sizeof *vv), *ss = NULL;
    int rc = tbl_column(t, "temp_K", tt);
    if (!rc) rc = tbl_column(t, "volume_A3", vv);
    if (!rc && stage >= 0 && tbl_find_column(t, "stage") >= 0) {
        ss = malloc(t->nrows * sizeof *ss);
        rc = tbl_column(t, "stage", ss);
    }
    size_t n = 0;
    for (size_t i = 0; !rc && i < t->nrows; i++)
        if (!ss || (long)ss[i] == stage) tt[n] = tt[i], vv[n] = vv[i], n++;
    tg_result r;
    memset(&r, 0, sizeof r);
    if (!rc) rc = tg_fit(n, tt, vv, &tp, &r);
    if (rc) {
        if (rc == BPEL_EINVAL) bpel_fail_context(rc, "%s", logfile);
        free(tt), free(vv), free(ss);
        tbl_destroy(t);
        return cli_error();
    }
    int det = r.quality != BPEL_Q_NOT_DETERMINED;
    if (det)
        printf("Tg = %.1f K, 95 %% interval %.0f-%.0f K [%s%s%s]  (%s; glass %.0f-%.0f K, liquid %.0f-%.0f K, "
               "%zu bins of %g K from %zu samples)\n",
               r.tg, r.tg_lo, r.tg_hi, bpel_quality_name(r.quality), r.reason[0] ? ": " : "", r.reason, r.method,
               r.glass_range[0], r.glass_range[1], r.liquid_range[0], r.liquid_range[1], r.nbins, tp.bin, n);
    else
        printf("Tg not determined: %s  (%zu bins of %g K from %zu samples)\n", r.reason, r.nbins, tp.bin, n);
    /* JSON */
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "provenance", cli_provenance());
    cJSON_AddStringToObject(j, "source", logfile);
    if (det) {
        cJSON_AddNumberToObject(j, "Tg_K", r.tg);
        cJSON_AddNumberToObject(j, "Tg_95_lo_K", r.tg_lo);
        cJSON_AddNumberToObject(j, "Tg_95_hi_K", r.tg_hi);
    } else {
        cJSON_AddNullToObject(j, "Tg_K");
        cJSON_AddNullToObject(j, "Tg_95_lo_K");
        cJSON_AddNullToObject(j, "Tg_95_hi_K");
    }
    bpel_quality_add(j, "Tg_K", r.quality, "%s", r.reason);
    cJSON_AddStringToObject(j, "method", r.method);
    cJSON_AddNumberToObject(j, "r2", r.r2);
    cJSON_AddNumberToObject(j, "bin_K", tp.bin);
    cJSON_AddNumberToObject(j, "samples", (double)n);
    cJSON *g = det ? cJSON_AddObjectToObject(j, "glass_fit") : cJSON_CreateObject();
    cJSON_AddNumberToObject(g, "slope_A3_per_K", r.glass_slope);
    cJSON_AddNumberToObject(g, "intercept_A3", r.glass_intercept);
    cJSON_AddNumberToObject(g, "T_min_K", r.glass_range[0]);
    cJSON_AddNumberToObject(g, "T_max_K", r.glass_range[1]);
    cJSON_AddNumberToObject(g, "r2", r.glass_r2);
    cJSON_AddNumberToObject(g, "bins", (double)r.glass_bins);
    cJSON *l = det ? cJSON_AddObjectToObject(j, "liquid_fit") : cJSON_CreateObject();
    cJSON_AddNumberToObject(l, "slope_A3_per_K", r.liquid_slope);
    cJSON_AddNumberToObject(l, "intercept_A3", r.liquid_intercept);
    cJSON_AddNumberToObject(l, "T_min_K", r.liquid_range[0]);
    cJSON_AddNumberToObject(l, "T_max_K", r.liquid_range[1]);
    cJSON_AddNumberToObject(l, "r2", r.liquid_r2);
    cJSON_AddNumberToObject(l, "bins", (double)r.liquid_bins);
    if (!det) cJSON_Delete(g), cJSON_Delete(l);
    snprintf(path, sizeof path, "%s/tg.json", outdir);
    rc = bpel_out_json(path, j);
    cJSON_Delete(j);
    snprintf(path, sizeof path, "%s/tg_vt.csv", outdir);
    bpel_out o;
    if (!rc && !(rc = bpel_out_open(&o, path))) {
        fprintf(o.fp, "temp_K,volume_A3\n");
        for (size_t k = 0; k < r.nbins; k++) fprintf(o.fp, "%.6g,%.10g\n", r.bin_t[k], r.bin_v[k]);
        rc = bpel_out_close(&o);
    }
    /* figure */
    if (!rc) {
        fig_figure *f = fig_create(1, 1, 0, 0);
        fig_panel *p = fig_panel_at(f, 0, 0);
        fig_labels(p, "T (K)", "V (Å³)", NULL);
        fig_points(p, r.nbins, r.bin_t, r.bin_v, &(fig_style){.label = "V(T), binned", .color = FIG_BLACK,
                                                               .marker = FIG_MARKER_OPEN_CIRCLE});
        if (det) {
            double xs[2] = {r.bin_t[0], r.bin_t[r.nbins - 1]}, yg[2], yl[2];
            for (int k = 0; k < 2; k++) {
                yg[k] = r.glass_intercept + r.glass_slope * xs[k];
                yl[k] = r.liquid_intercept + r.liquid_slope * xs[k];
            }
            fig_line(p, 2, xs, yg, &(fig_style){.label = "glass branch", .color = FIG_BLUE});
            fig_line(p, 2, xs, yl, &(fig_style){.label = "liquid branch", .color = FIG_RED});
            char lab[96];
            snprintf(lab, sizeof lab, "T#dg#u = %.0f K (95 %%: %.0f-%.0f)%s", r.tg, r.tg_lo, r.tg_hi,
                     r.quality == BPEL_Q_WEAK ? ", weak" : "");
            fig_vline(p, r.tg, lab);
        } else {
            fig_labels(p, "T (K)", "V (Å³)", "T#dg#u not determined");
        }
        fig_legend(p, FIG_LEGEND_TOP_LEFT);
        snprintf(path, sizeof path, "%s/tg_volume_temperature", outdir);
        rc = fig_save(f, path);
        fig_destroy(f);
    }
    tg_free(&r);
    free(tt), free(vv), free(ss);
    tbl_destroy(t);
    return rc ? cli_error() : 0;
}
