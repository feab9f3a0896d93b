/* cli_common.c — shared pieces of the bpel subcommands (see cli.h). */
#include "cli.h"

#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bpel_version.h"
#include "error.h"
#include "restart.h"
#include "outfile.h"
#include "neighbour.h"

int cli_error(void)
{
    fprintf(stderr, "bpel: error: %s\n", bpel_errmsg());
    return 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "bpel %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (bpel %s --help)\n", cmd);
    return 2;
}

int cli_mkdir(const char *cmd, const char *dir)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "bpel %s: cannot create %s: %s\n", cmd, dir, strerror(errno));
        return 1;
    }
    return 0;
}

int cli_print_json(cJSON *json, int pretty)
{
    char *txt = json ? pretty ? cJSON_Print(json) : cJSON_PrintUnformatted(json) : NULL;
    cJSON_Delete(json);
    if (!txt) return bpel_fail(BPEL_ENOMEM, "out of memory printing JSON");
    printf("%s\n", txt);
    cJSON_free(txt);
    return BPEL_OK;
}

int cli_parse_double(const char *s, double *v)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(x)) return -1;
    *v = x;
    return 0;
}

int cli_parse_long(const char *s, long *v)
{
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE) return -1;
    *v = x;
    return 0;
}

int cli_load(const char *data, const char *potential, const char *elements, cli_setup *c)
{
    memset(c, 0, sizeof *c);
    int rc = bpel_potential_find(potential ? potential : BPEL_DEFAULT_POTENTIAL, c->potential_path, sizeof c->potential_path);
    if (rc) return rc;
    rc = bpel_data_read(data, &c->sys);
    if (rc) return rc;
    rc = bpel_eam_read(c->potential_path, NULL, &c->pot);
    if (rc) goto fail;
    rc = bpel_model_create(c->pot, c->sys, elements, &c->model);
    if (rc) goto fail;
    rc = bpel_system_check_masses(c->sys);
    if (rc) goto fail;
    size_t i, j;
    double r;
    int close = bpel_nbr_find_close_pair(c->sys, 1.0, &i, &j, &r);
    if (close < 0) { rc = close; goto fail; }
    if (close) {
        rc = bpel_fail(BPEL_EINVAL, "%s:%d: atom %lld is %.3g Å from atom %lld (line %d): overlapping atoms", data,
                       c->sys->line ? c->sys->line[j] : 0, (long long)c->sys->id[j], r, (long long)c->sys->id[i],
                       c->sys->line ? c->sys->line[i] : 0);
        goto fail;
    }
    return BPEL_OK;
fail:
    cli_setup_free(c);
    return rc;
}

void cli_setup_free(cli_setup *c)
{
    bpel_system_destroy(c->sys);
    bpel_model_destroy(c->model);
    bpel_eam_destroy(c->pot);
    c->sys = NULL;
    c->model = NULL;
    c->pot = NULL;
}

int cli_default_threads(void)
{
    const char *e = getenv("OMP_NUM_THREADS");
    long n = e ? strtol(e, NULL, 10) : 0; /* "4" or "4,2": the outer level */
    if (n > 0 && n <= 4096) return (int)n;
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c > 0 ? (int)c : 1;
}

double cli_wall_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

void cli_progress_start(cli_progress *p, const char *label, double total)
{
    p->label = label;
    p->total = total > 0 ? total : 1;
    p->start = cli_wall_time();
    p->last_draw = p->start;
    int quiet = getenv("BPEL_NO_PROGRESS") != NULL;
    p->tty = isatty(STDERR_FILENO) && !quiet;
    p->plain = !isatty(STDERR_FILENO) && !quiet;
    const char *iv = getenv("BPEL_PROGRESS_INTERVAL");
    double v;
    p->interval = iv && !cli_parse_double(iv, &v) && v > 0 ? v : 30.0;
    p->seen = 0;
}

/* Items per second: from the first update on once there are two (work done before it, by an
 * earlier run that is being resumed or by a setup that reports nothing, is not counted), else
 * from the start. */
static double progress_rate(const cli_progress *p, double done, double now)
{
    if (p->seen && done > p->done0 && now > p->t0) return (done - p->done0) / (now - p->t0);
    double el = now - p->start;
    return el > 0 ? done / el : 0;
}

static void plain_line(cli_progress *p, double done, double now, const char *extra)
{
    double el = now - p->start, rate = progress_rate(p, done, now);
    double eta = rate > 0 ? (p->total - done) / rate : 0;
    fprintf(stderr, "%s: %.0f/%.0f (%.1f%%), %.3g/s, elapsed %.0f s, ETA %.0f s%s%s\n", p->label, done, p->total,
            100 * done / p->total, rate, el, eta > 0 ? eta : 0, extra ? "; " : "", extra ? extra : "");
    fflush(stderr);
}

void cli_progress_update(cli_progress *p, double done, const char *extra)
{
    if (!p->seen && (p->plain || p->tty)) {
        p->seen = 1;
        p->done0 = done;
        p->t0 = cli_wall_time();
    }
    if (p->plain) {
        double now = cli_wall_time();
        if (now - p->last_draw >= p->interval) {
            p->last_draw = now;
            plain_line(p, done, now, extra);
        }
        return;
    }
    if (!p->tty) return;
    double now = cli_wall_time();
    if (now - p->last_draw < 0.2 && done < p->total) return;
    p->last_draw = now;
    double frac = done / p->total;
    if (frac > 1) frac = 1;
    int width = 30, fill = (int)(frac * width);
    double el = now - p->start, rate = progress_rate(p, done, now);
    double eta = rate > 0 && done < p->total ? (p->total - done) / rate : 0;
    char bar[64];
    for (int k = 0; k < width; k++) bar[k] = k < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r%-10s [%s] %5.1f%%  %6.0fs elapsed  ETA %6.0fs %s\033[K", p->label, bar, 100 * frac, el, eta,
            extra ? extra : "");
    fflush(stderr);
}

void cli_progress_finish(cli_progress *p)
{
    if (!p->tty) return;
    p->last_draw = 0;
    cli_progress_update(p, p->total, NULL);
    fputc('\n', stderr);
}

static char abort_line[128];

static void on_abort_signal(int sig)
{
    bpel_out_unlink_pending();
    ssize_t w = write(STDERR_FILENO, abort_line, strlen(abort_line));
    (void)w;
    _exit(128 + sig);
}

void cli_catch_signals_abort(const char *cmd)
{
    snprintf(abort_line, sizeof abort_line, "\nbpel %s: interrupted; nothing left half-written, rerun to redo it\n", cmd);
    bpel_restart_on_signals(on_abort_signal);
}

const char *cli_provenance(void)
{
    static char buf[1024];
    char *cfg = openblas_get_config();
    snprintf(buf, sizeof buf, "bpel %s (%s; %s build; flags: %s; BLAS: OpenBLAS %s)", BPEL_VERSION, BPEL_COMPILER,
             BPEL_BUILD_TYPE, BPEL_BUILD_FLAGS, cfg ? cfg : "?");
    return buf;
}
