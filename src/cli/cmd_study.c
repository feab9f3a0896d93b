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
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_study.h"
#include "study_config.h"
#include "error.h"
#include "restart.h"
#include "outfile.h"

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

/* Each step leaves, in its folder, a marker when it starts
 * (.bpel-step-NAME.started.json) and one when it has finished
 * (.bpel-step-NAME.json), both with its command line and a hash of the
 * finished markers of the steps before it in the same glass (`upstream`):
 * a finished step is reused only when both are unchanged, and an
 * interrupted one is continued from its checkpoint only then. */
static void marker_path(const study_step *st, const char *kind, char *out, size_t n)
{
    snprintf(out, n, "%s/.bpel-step-%s%s.json", st->dir, st->name, kind);
}

static char *read_text(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return NULL;
    char *buf = malloc(16384);
    size_t len = buf ? fread(buf, 1, 16383, fp) : 0;
    fclose(fp);
    if (buf) buf[len] = '\0';
    return buf;
}

static unsigned long long fold(unsigned long long h, const char *text)
{
    if (!h) h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* 1 when the marker names this command line and these upstream steps (a
 * marker from before `upstream` was recorded: the command alone), 0 when it
 * names others, -1 when there is none. */
static int marker_matches(const study_run *run, const study_step *st, const char *kind)
{
    char mp[1200], cmd[8192], up[32];
    marker_path(st, kind, mp, sizeof mp);
    char *txt = read_text(mp);
    if (!txt) return -1;
    cJSON *o = cJSON_Parse(txt);
    free(txt);
    if (!o) return 0;
    step_cmdline(st, cmd, sizeof cmd);
    snprintf(up, sizeof up, "%016llx", run->chain);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "command");
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(o, "upstream");
    int same = cJSON_IsString(c) && !strcmp(c->valuestring, cmd) && (!u || (cJSON_IsString(u) && !strcmp(u->valuestring, up)));
    cJSON_Delete(o);
    return same;
}

static int write_marker(const study_run *run, const study_step *st, const char *kind, double seconds)
{
    char mp[1200], cmd[8192], up[32];
    marker_path(st, kind, mp, sizeof mp);
    step_cmdline(st, cmd, sizeof cmd);
    snprintf(up, sizeof up, "%016llx", run->chain);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "step", st->name);
    cJSON_AddStringToObject(o, "command", cmd);
    cJSON_AddStringToObject(o, "upstream", up);
    if (seconds >= 0) {
        cJSON_AddNumberToObject(o, "seconds", seconds);
        cJSON_AddNumberToObject(o, "finished_at", (double)time(NULL));
        cJSON_AddStringToObject(o, "provenance", cli_provenance());
    }
    char *txt = cJSON_Print(o);
    cJSON_Delete(o);
    int rc = txt ? bpel_out_text(mp, txt) : BPEL_ENOMEM;
    cJSON_free(txt);
    return rc;
}

/* The finished marker of a step joins the upstream hash of the next ones. */
static void chain_add(study_run *run, const study_step *st)
{
    char mp[1200];
    marker_path(st, "", mp, sizeof mp);
    char *txt = read_text(mp);
    run->chain = fold(run->chain, txt ? txt : st->name);
    free(txt);
}

static volatile sig_atomic_t study_signal = 0;
static void on_study_signal(int sig) { study_signal = sig; }

/* Run one step as a child `bpel` process with its output in DIR/logs/NAME.log. */
int study_run_step(study_run *run, const study_step *st)
{
    if (study_signal)
        return bpel_fail(BPEL_EINTR, "interrupted before step %d/%d (%s); rerun the same command to resume", run->index + 1,
                         run->total, st->name);
    run->index++;
    /* a step is reused only when its command line is unchanged and nothing
     * upstream of it in the same glass was rerun */
    if (!run->redo && !run->dirty && marker_matches(run, st, "") == 1) {
        printf("[%2d/%2d] %-28s reused (%s)\n", run->index, run->total, st->name, st->dir);
        fflush(stdout);
        chain_add(run, st);
        return BPEL_OK;
    }
    int rc = bpel_mkdir_p(st->dir);
    if (rc) return rc;
    /* continue an interrupted run of the same step, or clear what a run
     * with other inputs left behind */
    int cont = 0;
    struct stat sb;
    if (st->checkpoint[0] && stat(st->checkpoint, &sb) == 0) {
        int started = marker_matches(run, st, ".started"), done = marker_matches(run, st, "");
        if (!run->redo && !run->dirty && started == 1) cont = 1;
        else if (run->redo || run->dirty || started == 0 || done == 0) unlink(st->checkpoint);
    }
    char mp[1200];
    marker_path(st, "", mp, sizeof mp);
    unlink(mp); /* no longer finished: a partial rerun must not look finished */
    if ((rc = write_marker(run, st, ".started", -1))) return rc;
    char logdir[1100], log[1300], cmd[8192];
    snprintf(logdir, sizeof logdir, "%s/logs", st->dir);
    if ((rc = bpel_mkdir_p(logdir))) return rc;
    snprintf(log, sizeof log, "%s/%s.log", logdir, st->name);
    step_cmdline(st, cmd, sizeof cmd);
    int argc = st->argc;
    const char *argv[STEP_MAX_ARGS];
    for (int k = 0; k < argc; k++) argv[k] = st->argv[k];
    if (cont && st->rargc) {
        argc = st->rargc;
        for (int k = 0; k < argc; k++) argv[k] = st->rargv[k];
    }
    printf("[%2d/%2d] %-28s %s", run->index, run->total, st->name, cont ? "continued from its checkpoint, " : "");
    fflush(stdout);
    double t0 = cli_wall_time();
    pid_t pid = fork();
    if (pid < 0) return bpel_fail(BPEL_EIO, "cannot start a process: %s", strerror(errno));
    if (pid == 0) {
        /* stdout to the log; stderr too, unless it is a terminal, where the
         * step's own progress bar is drawn (errors then show there as well) */
        int tty = isatty(STDERR_FILENO);
        int fd = open(log, cont ? O_WRONLY | O_CREAT | O_APPEND : O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dprintf(fd, "# %s\n", cmd);
            if (cont && st->rargc) {
                dprintf(fd, "# continued as: bpel");
                for (int k = 0; k < argc; k++) dprintf(fd, " %s", argv[k]);
                dprintf(fd, "\n");
            }
            dup2(fd, STDOUT_FILENO);
            if (!tty) dup2(fd, STDERR_FILENO);
            close(fd);
        }
        if (tty) fputc('\n', stderr);
        char *args[STEP_MAX_ARGS + 2];
        args[0] = "bpel";
        for (int k = 0; k < argc; k++) args[k + 1] = (char *)argv[k];
        args[argc + 1] = NULL;
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
    /* a signal to this process goes on to the step, which saves and stops */
    int status = 0, sent = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) break;
        if (study_signal && !sent) {
            kill(pid, study_signal);
            sent = 1;
        }
    }
    double dt = cli_wall_time() - t0;
    if (study_signal) {
        printf("interrupted after %.1f s\n", dt);
        fflush(stdout);
        return bpel_fail(BPEL_EINTR, "interrupted in step %d/%d (%s); rerun the same command to resume", run->index,
                         run->total, st->name);
    }
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
    if ((rc = write_marker(run, st, "", dt))) return rc;
    marker_path(st, ".started", mp, sizeof mp);
    unlink(mp);
    chain_add(run, st);
    return BPEL_OK;
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
    if (bpel_out_check_dir(run.out)) return cli_error();
    restart_on_signals(on_study_signal);
    printf("# %s\n# study '%s' -> %s\n", cli_provenance(), cfg.name, run.out);
    double t0 = cli_wall_time();
    int rc = study_execute(&run);
    if (rc == BPEL_EINTR) {
        fprintf(stderr, "bpel study: %s\n", bpel_errmsg());
        return 128 + (int)study_signal;
    }
    if (rc) return cli_error();
    printf("study finished in %.1f s: %s/report.html, %s/summary.json\n", cli_wall_time() - t0, run.out, run.out);
    return 0;
}
