/* study_step.c — one step of a study (study.h): a child process of the bpel
 * program with its output in DIR/logs/NAME.log, reused when a marker says
 * it has finished with the same inputs. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "outfile.h"
#include "study_impl.h"

double bpel_study_wall_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

void bpel_study_emit(const study_state *S, study_event_kind kind, const char *step, const char *dir, int continued,
                double seconds, const char *detail)
{
    if (!S->opt->event) return;
    study_event e = {kind, S->index, S->total, step, dir, continued, seconds, detail};
    S->opt->event(S->opt->ctx, &e);
}

static int signalled(const study_state *S) { return S->opt->signalled ? (int)*S->opt->signalled : 0; }

void bpel_step_init(study_step *st, const char *name, const char *dir)
{
    memset(st, 0, sizeof *st);
    snprintf(st->name, sizeof st->name, "%s", name);
    snprintf(st->dir, sizeof st->dir, "%s", dir);
}

void bpel_step_arg(study_step *st, const char *fmt, ...)
{
    if (st->argc >= STEP_MAX_ARGS) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->argv[st->argc++], STEP_ARG_LEN, fmt, ap);
    va_end(ap);
}

/* Split extra options "--a 1 --b x" into arguments. */
void bpel_step_args_split(study_step *st, const char *opts)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", opts);
    for (char *t = strtok(buf, " \t"); t; t = strtok(NULL, " \t")) bpel_step_arg(st, "%s", t);
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
 * (.bpel-step-NAME.json), both with its command line, a hash of the
 * finished markers of the steps before it in the same glass (`upstream`) and
 * a hash of the bpel executable that runs the steps (`program`): a finished
 * step is reused only when all three are unchanged, and an interrupted one
 * is continued from its checkpoint only then. A new build of bpel (other
 * defaults, other code) therefore redoes the steps an older one made. */
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

/* 64-bit FNV-1a over n bytes, continuing from h (0: the offset basis). */
static unsigned long long fold_bytes(unsigned long long h, const unsigned char *p, size_t n)
{
    if (!h) h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static unsigned long long fold(unsigned long long h, const char *text)
{
    return fold_bytes(h, (const unsigned char *)text, strlen(text));
}

int bpel_study_program_id(const char *path, char out[24])
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return bpel_fail(BPEL_EIO, "study: cannot read the bpel program %s: %s", path, strerror(errno));
    unsigned long long h = 0;
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0) h = fold_bytes(h, buf, n);
    int bad = ferror(fp);
    fclose(fp);
    if (bad) return bpel_fail(BPEL_EIO, "study: cannot read the bpel program %s", path);
    snprintf(out, 24, "%016llx", h);
    return BPEL_OK;
}

/* 1 when the marker names this command line, these upstream steps and this
 * program (a marker from before `upstream` was recorded: the command and the
 * program), 0 when it names others or no program, -1 when there is none. */
static int marker_matches(const study_state *S, const study_step *st, const char *kind)
{
    char mp[1200], cmd[8192], up[32];
    marker_path(st, kind, mp, sizeof mp);
    char *txt = read_text(mp);
    if (!txt) return -1;
    cJSON *o = cJSON_Parse(txt);
    free(txt);
    if (!o) return 0;
    step_cmdline(st, cmd, sizeof cmd);
    snprintf(up, sizeof up, "%016llx", S->chain);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "command");
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(o, "upstream");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "program");
    int same = cJSON_IsString(c) && !strcmp(c->valuestring, cmd) && (!u || (cJSON_IsString(u) && !strcmp(u->valuestring, up))) &&
               cJSON_IsString(p) && !strcmp(p->valuestring, S->program_id);
    cJSON_Delete(o);
    return same;
}

static int write_marker(const study_state *S, const study_step *st, const char *kind, double seconds)
{
    char mp[1200], cmd[8192], up[32];
    marker_path(st, kind, mp, sizeof mp);
    step_cmdline(st, cmd, sizeof cmd);
    snprintf(up, sizeof up, "%016llx", S->chain);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "step", st->name);
    cJSON_AddStringToObject(o, "command", cmd);
    cJSON_AddStringToObject(o, "upstream", up);
    cJSON_AddStringToObject(o, "program", S->program_id);
    if (seconds >= 0) {
        cJSON_AddNumberToObject(o, "seconds", seconds);
        cJSON_AddNumberToObject(o, "finished_at", (double)time(NULL));
        if (S->opt->provenance) cJSON_AddStringToObject(o, "provenance", S->opt->provenance);
    }
    char *txt = cJSON_Print(o);
    cJSON_Delete(o);
    int rc = txt ? bpel_out_text(mp, txt) : BPEL_ENOMEM;
    cJSON_free(txt);
    return rc;
}

/* The finished marker of a step joins the upstream hash of the next ones. */
static void chain_add(study_state *S, const study_step *st)
{
    char mp[1200];
    marker_path(st, "", mp, sizeof mp);
    char *txt = read_text(mp);
    S->chain = fold(S->chain, txt ? txt : st->name);
    free(txt);
}

/* In the child: stdout to the log (appended to when the step continues,
 * `other_args`: with the arguments that continue it); stderr too, unless it
 * is a terminal, where the step's own progress bar is drawn (errors then
 * show there as well). Does not return. */
static void exec_step(const study_state *S, const char *log, const char *cmd, int cont, int other_args, int argc,
                      const char **argv)
{
    int tty = isatty(STDERR_FILENO);
    int fd = open(log, cont ? O_WRONLY | O_CREAT | O_APPEND : O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        dprintf(fd, "# %s\n", cmd);
        if (other_args) {
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
    if (S->threads > 0) {
        char t[32];
        snprintf(t, sizeof t, "%d", S->threads);
        setenv("OMP_NUM_THREADS", t, 1);
    }
    if (!tty) setenv("BPEL_NO_PROGRESS", "1", 1);
    /* threads that spin while waiting starve everything else on a busy
     * machine (seen: 8x slower); keep a choice the user made */
    setenv("OMP_WAIT_POLICY", "passive", 0);
    execv(S->opt->program, args);
    _exit(127);
}

/* The error of a failed step: the last line of its log with "error" in it
 * (else its last line). */
static int step_failure(const study_step *st, const char *log, int status)
{
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

int bpel_study_step_run(study_state *S, const study_step *st)
{
    if (signalled(S))
        return bpel_fail(BPEL_EINTR, "interrupted before step %d/%d (%s); rerun the same command to resume", S->index + 1,
                         S->total, st->name);
    S->index++;
    int redo = S->opt->redo;
    /* a step is reused only when its command line is unchanged and nothing
     * upstream of it in the same glass was rerun */
    if (!redo && !S->dirty && marker_matches(S, st, "") == 1) {
        bpel_study_emit(S, STUDY_STEP_REUSED, st->name, st->dir, 0, 0, NULL);
        chain_add(S, st);
        return BPEL_OK;
    }
    int rc = bpel_mkdir_p(st->dir);
    if (rc) return rc;
    /* continue an interrupted run of the same step, or clear what a run
     * with other inputs left behind */
    int cont = 0;
    struct stat sb;
    if (st->checkpoint[0] && stat(st->checkpoint, &sb) == 0) {
        int started = marker_matches(S, st, ".started"), done = marker_matches(S, st, "");
        if (!redo && !S->dirty && started == 1) cont = 1;
        else if (redo || S->dirty || started == 0 || done == 0) unlink(st->checkpoint);
    }
    char mp[1200];
    marker_path(st, "", mp, sizeof mp);
    unlink(mp); /* no longer finished: a partial rerun must not look finished */
    if ((rc = write_marker(S, st, ".started", -1))) return rc;
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
    bpel_study_emit(S, STUDY_STEP_START, st->name, st->dir, cont, 0, NULL);
    double t0 = bpel_study_wall_time();
    pid_t pid = fork();
    if (pid < 0) return bpel_fail(BPEL_EIO, "cannot start a process: %s", strerror(errno));
    if (pid == 0) exec_step(S, log, cmd, cont, cont && st->rargc, argc, argv);
    /* a signal to this process goes on to the step, which saves and stops */
    int status = 0, sent = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) break;
        if (signalled(S) && !sent) {
            kill(pid, signalled(S));
            sent = 1;
        }
    }
    double dt = bpel_study_wall_time() - t0;
    if (signalled(S)) {
        bpel_study_emit(S, STUDY_STEP_INTERRUPTED, st->name, st->dir, cont, dt, NULL);
        return bpel_fail(BPEL_EINTR, "interrupted in step %d/%d (%s); rerun the same command to resume", S->index,
                         S->total, st->name);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        bpel_study_emit(S, STUDY_STEP_FAILED, st->name, st->dir, cont, dt, NULL);
        return step_failure(st, log, status);
    }
    S->dirty = 1;
    bpel_study_emit(S, STUDY_STEP_DONE, st->name, st->dir, cont, dt, NULL);
    if ((rc = write_marker(S, st, "", dt))) return rc;
    marker_path(st, ".started", mp, sizeof mp);
    unlink(mp);
    chain_add(S, st);
    return BPEL_OK;
}
