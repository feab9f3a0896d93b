/* cmd_study.c — `bpel study CONFIG.yaml`: a whole study, end to end.
 *
 * For every glass of the description (composition × cooling rate) the study
 * runs, as separate `bpel` processes with their own logs: quench → Tg →
 * modes (VDOS, I_BP) → ARTn (ΔQ) → correlations → 100 K trajectories →
 * PMF → Grüneisen → temperature series; then the sweeps over compositions
 * and rates (Figs. 6, 7), one merged per-atom table and extended XYZ per
 * glass, summary.json and report.md/report.html. Each finished step leaves a
 * marker with its exact command line; a rerun skips steps whose marker
 * matches and redoes the others, so an interrupted study resumes. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_study.h"
#include "cli_study_config.h"
#include "error.h"

const char cmd_study_summary[] = "run a whole study from a YAML description: glasses, modes, saddles, figures, report";

static void help(void)
{
    printf("usage: bpel study CONFIG.yaml [--out DIR] [--threads N] [--redo | --resume]\n\n"
           "Runs the study described in CONFIG.yaml (see examples/demo.yaml and examples/sweep.yaml)\n"
           "into one folder: glasses, per-atom tables, every figure of the paper the description\n"
           "covers, summary.json and report.md / report.html. Finished steps are reused when the\n"
           "study is run again with the same parameters (interrupt and rerun to resume).\n\n"
           "  --out DIR      output folder (default: `output` of the description, else the study name)\n"
           "  --threads N    OpenMP threads for every step (default: `threads`, else OMP_NUM_THREADS, else\n"
           "                 all cores)\n"
           "  --redo         ignore finished steps and run everything again\n"
           "  --resume       what a rerun does anyway (finished steps are reused)\n"
           "  --check        only read and validate the description\n");
}

static int mkdir_p(const char *path)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) && errno != EEXIST) return bpel_fail(BPEL_EIO, "%s: cannot create: %s", buf, strerror(errno));
            *p = '/';
        }
    if (mkdir(buf, 0755) && errno != EEXIST) return bpel_fail(BPEL_EIO, "%s: cannot create: %s", buf, strerror(errno));
    return BPEL_OK;
}

/* ------------------------------------------------------------ steps */

void step_init(study_step *st, const char *name, const char *dir)
{
    memset(st, 0, sizeof *st);
    snprintf(st->name, sizeof st->name, "%s", name);
    snprintf(st->dir, sizeof st->dir, "%s", dir);
}

void step_arg(study_step *st, const char *fmt, ...)
{
    if (st->argc >= STEP_MAX_ARGS) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->argv[st->argc++], STEP_ARG_LEN, fmt, ap);
    va_end(ap);
}

/* Split extra options "--a 1 --b x" into arguments. */
void step_args_split(study_step *st, const char *opts)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", opts);
    for (char *t = strtok(buf, " \t"); t; t = strtok(NULL, " \t")) step_arg(st, "%s", t);
}

static void step_cmdline(const study_step *st, char *out, size_t n)
{
    out[0] = '\0';
    strncat(out, "bpel", n - 1);
    for (int k = 0; k < st->argc; k++) {
        strncat(out, " ", n - strlen(out) - 1);
        strncat(out, st->argv[k], n - strlen(out) - 1);
    }
}

static int marker_path(const study_step *st, char *out, size_t n)
{
    return snprintf(out, n, "%s/.bpel-step-%s.json", st->dir, st->name) >= (int)n;
}

static int step_is_done(const study_step *st)
{
    char mp[1200], cmd[8192];
    marker_path(st, mp, sizeof mp);
    FILE *fp = fopen(mp, "r");
    if (!fp) return 0;
    char buf[16384];
    size_t len = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[len] = '\0';
    cJSON *o = cJSON_Parse(buf);
    if (!o) return 0;
    step_cmdline(st, cmd, sizeof cmd);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "command");
    int same = cJSON_IsString(c) && !strcmp(c->valuestring, cmd);
    cJSON_Delete(o);
    return same;
}

static int step_mark_done(const study_step *st, double seconds)
{
    char mp[1200], cmd[8192], tmp[1300];
    marker_path(st, mp, sizeof mp);
    step_cmdline(st, cmd, sizeof cmd);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "step", st->name);
    cJSON_AddStringToObject(o, "command", cmd);
    cJSON_AddNumberToObject(o, "seconds", seconds);
    cJSON_AddStringToObject(o, "provenance", cli_provenance());
    char *txt = cJSON_Print(o);
    cJSON_Delete(o);
    snprintf(tmp, sizeof tmp, "%s.tmp", mp);
    FILE *fp = fopen(tmp, "w");
    if (!fp) { cJSON_free(txt); return bpel_fail(BPEL_EIO, "%s: cannot write", tmp); }
    fputs(txt, fp);
    cJSON_free(txt);
    fflush(fp);
    fsync(fileno(fp));
    fclose(fp);
    if (rename(tmp, mp)) return bpel_fail(BPEL_EIO, "%s: cannot write", mp);
    return BPEL_OK;
}

/* Run one step as a child `bpel` process with its output in DIR/logs/NAME.log. */
int study_run_step(study_run *run, const study_step *st)
{
    run->index++;
    /* a step is reused only when its command line is unchanged and nothing
     * upstream of it in the same glass was rerun */
    if (!run->redo && !run->dirty && step_is_done(st)) {
        printf("[%2d/%2d] %-28s reused (%s)\n", run->index, run->total, st->name, st->dir);
        fflush(stdout);
        return BPEL_OK;
    }
    int rc = mkdir_p(st->dir);
    if (rc) return rc;
    char logdir[1100], log[1300], cmd[8192];
    snprintf(logdir, sizeof logdir, "%s/logs", st->dir);
    if ((rc = mkdir_p(logdir))) return rc;
    snprintf(log, sizeof log, "%s/%s.log", logdir, st->name);
    step_cmdline(st, cmd, sizeof cmd);
    printf("[%2d/%2d] %-28s ", run->index, run->total, st->name);
    fflush(stdout);
    double t0 = cli_wall_time();
    pid_t pid = fork();
    if (pid < 0) return bpel_fail(BPEL_EIO, "cannot start a process: %s", strerror(errno));
    if (pid == 0) {
        /* stdout to the log; stderr too, unless it is a terminal, where the
         * step's own progress bar is drawn (errors then show there as well) */
        int tty = isatty(STDERR_FILENO);
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dprintf(fd, "# %s\n", cmd);
            dup2(fd, STDOUT_FILENO);
            if (!tty) dup2(fd, STDERR_FILENO);
            close(fd);
        }
        if (tty) fputc('\n', stderr);
        char *args[STEP_MAX_ARGS + 2];
        args[0] = "bpel";
        for (int k = 0; k < st->argc; k++) args[k + 1] = (char *)st->argv[k];
        args[st->argc + 1] = NULL;
        if (run->threads > 0) {
            char t[32];
            snprintf(t, sizeof t, "%d", run->threads);
            setenv("OMP_NUM_THREADS", t, 1);
        }
        if (!tty) setenv("BPEL_NO_PROGRESS", "1", 1);
        /* threads that spin while waiting starve everything else on a busy
         * machine (seen: 8x slower); keep a choice the user made */
        setenv("OMP_WAIT_POLICY", "passive", 0);
        execv(run->self, args);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    double dt = cli_wall_time() - t0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("FAILED after %.1f s\n", dt);
        fflush(stdout);
        /* show the last error line of the log (or its last line) */
        char last[1024] = "", tail[1024] = "";
        FILE *fp = fopen(log, "r");
        if (fp) {
            char line[1024];
            while (fgets(line, sizeof line, fp)) {
                if (strstr(line, "error")) snprintf(last, sizeof last, "%s", line);
                if (line[0] != '\n' && line[0] != '#') snprintf(tail, sizeof tail, "%s", line);
            }
            fclose(fp);
        }
        if (!last[0]) snprintf(last, sizeof last, "%s", tail);
        size_t l = strlen(last);
        if (l && last[l - 1] == '\n') last[l - 1] = '\0';
        return bpel_fail(BPEL_EIO, "step %s failed (%s); log: %s%s%s", st->name,
                         WIFEXITED(status) ? "non-zero exit" : "killed by a signal", log, last[0] ? ": " : "", last);
    }
    run->dirty = 1;
    printf("done in %.1f s\n", dt);
    fflush(stdout);
    return step_mark_done(st, dt);
}

int cmd_study(int argc, char **argv)
{
    static struct option opts[] = {{"out", required_argument, 0, 'o'},
                                   {"threads", required_argument, 0, 't'},
                                   {"redo", no_argument, 0, 'r'},
                                   {"resume", no_argument, 0, 'R'},
                                   {"check", no_argument, 0, 'c'},
                                   {"help", no_argument, 0, 'h'},
                                   {0, 0, 0, 0}};
    const char *out = NULL;
    long threads = -1;
    int redo = 0, check = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:t:rch", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 't':
            if (cli_parse_long(optarg, &threads) || threads < 1) return cli_usage_error("study", "--threads needs a positive integer");
            break;
        case 'r': redo = 1; break;
        case 'R': break; /* a rerun always resumes: accepted for scripts that say so */
        case 'c': check = 1; break;
        case 'h': help(); return 0;
        default: return cli_usage_error("study", "unknown option");
        }
    }
    if (optind != argc - 1) return cli_usage_error("study", "expected one study description (YAML)");
    study_config cfg;
    if (study_config_read(argv[optind], &cfg) || study_config_check_potential(argv[optind], &cfg)) return cli_error();
    if (check) {
        printf("%s: valid study description '%s' (%d composition(s) x %d cooling rate(s), %ld atoms)\n", argv[optind],
               cfg.name, cfg.ncompositions, cfg.nrates, cfg.atoms);
        return 0;
    }
    study_run run;
    memset(&run, 0, sizeof run);
    run.cfg = &cfg;
    run.redo = redo;
    run.threads = threads > 0 ? (int)threads : cfg.threads;
    if (run.threads <= 0) run.threads = cli_default_threads();
    if (run.threads <= 0) run.threads = 1;
    snprintf(run.out, sizeof run.out, "%s", out ? out : cfg.output[0] ? cfg.output : cfg.name);
    ssize_t len = readlink("/proc/self/exe", run.self, sizeof run.self - 1);
    if (len <= 0) return cli_error();
    run.self[len] = '\0';
    if (mkdir_p(run.out)) return cli_error();
    printf("# %s\n# study '%s' -> %s\n", cli_provenance(), cfg.name, run.out);
    double t0 = cli_wall_time();
    int rc = study_execute(&run);
    if (rc) return cli_error();
    printf("study finished in %.1f s: %s/report.html, %s/summary.json\n", cli_wall_time() - t0, run.out, run.out);
    return 0;
}
