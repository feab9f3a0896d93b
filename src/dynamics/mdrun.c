/* mdrun.c — the run loop of the dynamics drivers (see mdrun.h). */
#include "mdrun.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

int bpel_mdrun_forces(mdrun *c)
{
    if (c->forces) bpel_forces_destroy(c->forces);
    c->forces = NULL;
    int rc = bpel_forces_create(c->model, c->sys, MDRUN_SKIN, &c->forces);
    if (rc) return rc;
    if (c->md) rc = bpel_md_set_forces(c->md, c->forces);
    return rc;
}

void bpel_mdrun_thermo(mdrun *c)
{
    md_thermo t;
    bpel_md_get_thermo(c->md, &t);
    if (c->thermo_txt) {
        bpel_md_thermo_write(c->thermo_txt, 0, &t);
        fflush(c->thermo_txt);
    }
    if (c->thermo_csv) {
        bpel_md_thermo_write(c->thermo_csv, 1, &t);
        fflush(c->thermo_csv);
    }
    if (c->on_thermo) c->on_thermo(c, &t);
}

int bpel_mdrun_checkpoint(mdrun *c)
{
    if (!c->restart_path) return BPEL_OK;
    c->info.params = *bpel_md_get_params(c->md);
    c->info.md = *bpel_md_get_state(c->md);
    c->info.stage = c->stage;
    c->info.sync_every = c->sync_every;
    if (c->rng) {
        int rc = bpel_restart_store_rng(&c->info, c->rng);
        if (rc) return rc;
    }
    int rc = bpel_restart_write(c->restart_path, c->sys, &c->info);
    if (rc) return rc;
    return bpel_mdrun_forces(c);
}

int bpel_mdrun_restore(mdrun *c, const rst_info *info, long every)
{
    md_params p = info->params;
    int rc = bpel_forces_create(c->model, c->sys, MDRUN_SKIN, &c->forces);
    if (!rc) rc = bpel_md_create(c->forces, c->sys, &p, &c->md);
    if (rc) return rc;
    *bpel_md_get_state(c->md) = info->md;
    if ((rc = bpel_md_refresh_forces(c->md))) return rc;
    c->sync_every = info->sync_every > 0 ? info->sync_every : 100;
    if (every > 0) c->restart_every = (every + c->sync_every - 1) / c->sync_every * c->sync_every;
    return BPEL_OK;
}

void bpel_mdrun_set_restart_every(mdrun *c, long every)
{
    if (every <= 0) {
        c->restart_every = 0;
        c->sync_every = 100;
        return;
    }
    c->sync_every = every < 100 ? every : 100;
    c->restart_every = (every + c->sync_every - 1) / c->sync_every * c->sync_every;
}

void bpel_mdrun_log_header(FILE *fp)
{
    fprintf(fp, "step,time_ps,stage,temp_K,press_bar,volume_A3,pe_eV,etotal_eV,conserved_eV\n");
}

/* Truncate PATH at byte `keep`. */
static int cut_at(const char *path, long keep)
{
    if (truncate(path, keep) != 0) return bpel_fail(BPEL_EIO, "%s: cannot cut after the checkpoint: %s", path, strerror(errno));
    return BPEL_OK;
}

int bpel_mdrun_cut_csv(const char *path, long step)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return errno == ENOENT ? BPEL_OK : bpel_fail(BPEL_EIO, "%s: cannot open: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long keep = 0, nline = 0;
    while ((len = getline(&line, &cap, fp)) > 0) {
        nline++;
        if (line[len - 1] != '\n') break; /* torn */
        if (nline > 1) {
            char *end;
            long s = strtol(line, &end, 10);
            if (end == line || *end != ',' || s > step) break;
        }
        keep += len;
    }
    free(line);
    fclose(fp);
    return cut_at(path, keep);
}

int bpel_mdrun_cut_dump(const char *path, long step)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return errno == ENOENT ? BPEL_OK : bpel_fail(BPEL_EIO, "%s: cannot open: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long off = 0, keep = 0, frame = 0;
    int want_step = 0;
    /* frames before the checkpoint were flushed before it was written: cut
     * at the first frame after it (or a torn last line) */
    while ((len = getline(&line, &cap, fp)) > 0) {
        if (line[len - 1] != '\n') break;
        if (want_step && strtol(line, NULL, 10) > step) {
            keep = frame;
            break;
        }
        want_step = !strncmp(line, "ITEM: TIMESTEP", 14);
        if (want_step) frame = off;
        off += len;
        keep = off;
    }
    free(line);
    fclose(fp);
    return cut_at(path, keep);
}

static void log_line(mdrun *c)
{
    md_thermo t;
    bpel_md_get_thermo(c->md, &t);
    fprintf(c->log, "%ld,%.6f,%d,%.8g,%.8g,%.10g,%.10g,%.10g,%.10g\n", t.step, t.time, c->stage, t.temp, t.press,
            t.volume, t.pe, t.etotal, t.conserved);
}

static int due(long step, long every, long until) { return every > 0 && (step % every == 0 || step == until); }

int bpel_mdrun_run(mdrun *c, long until)
{
    md_state *st = bpel_md_get_state(c->md);
    if (c->sync_every <= 0) c->sync_every = 100;
    int stopping = 0;
    while (st->step < until) {
        long next = st->step + 1;
        int want = due(next, c->thermo_every, until) || (c->log && due(next, c->log_every, until));
        int rc = bpel_md_step(c->md, want);
        if (rc) return rc;
        if (due(st->step, c->thermo_every, until)) {
            bpel_mdrun_thermo(c);
            if (c->thermo_csv && ferror(c->thermo_csv))
                return bpel_fail(BPEL_EIO, "%s: write failed at step %ld", c->thermo_csv_name ? c->thermo_csv_name : "thermo CSV", st->step);
        }
        if (c->log && due(st->step, c->log_every, until)) {
            log_line(c);
            if (fflush(c->log) != 0 || ferror(c->log))
                return bpel_fail(BPEL_EIO, "%s: write failed at step %ld: %s", c->log_name ? c->log_name : "log", st->step,
                                 strerror(errno));
        }
        if (c->dump && c->dump_every > 0 && st->step % c->dump_every == 0) {
            rc = bpel_dump_write_frame(c->dump, c->sys, st->step, 0, NULL);
            if (rc) return rc;
            if (fflush(c->dump) != 0 || ferror(c->dump))
                return bpel_fail(BPEL_EIO, "%s: write failed at step %ld: %s", c->dump_name ? c->dump_name : "dump",
                                 st->step, strerror(errno));
        }
        if (c->on_step && (rc = c->on_step(c, c->user))) return rc;
        if (c->on_progress) c->on_progress(c, c->progress_offset + (double)st->step);
        int stop = bpel_restart_signalled() || c->stop;
        if (stop && !c->restart_path)
            return bpel_fail(BPEL_EINTR, "interrupted at step %ld (no restart file given: nothing saved)", st->step);
        if (stop && !stopping) {
            stopping = 1;
            if (st->step % c->sync_every != 0 && c->on_notice) {
                char msg[160];
                snprintf(msg, sizeof msg, "%s received: finishing up to step %ld to save a bitwise restart",
                         bpel_restart_signalled() ? "signal" : "stop request", (st->step / c->sync_every + 1) * c->sync_every);
                c->on_notice(c, msg);
            }
        }
        if (!c->restart_path || st->step % c->sync_every != 0) continue;
        if (stopping) {
            rc = bpel_mdrun_checkpoint(c);
            if (rc) return rc;
            return bpel_fail(BPEL_EINTR, "interrupted at step %ld; state saved to %s", st->step, c->restart_path);
        }
        /* also at the end of a run: a run resumed from a checkpoint taken
         * here starts with a fresh list, so this one must too */
        if (c->restart_every > 0 && st->step % c->restart_every == 0) rc = bpel_mdrun_checkpoint(c);
        else rc = bpel_mdrun_forces(c);
        if (rc) return rc;
    }
    return BPEL_OK;
}

void bpel_mdrun_free(mdrun *c)
{
    bpel_md_destroy(c->md);
    bpel_forces_destroy(c->forces);
    if (c->rng) gsl_rng_free(c->rng);
    bpel_restart_free(&c->info);
    c->md = NULL;
    c->forces = NULL;
    c->rng = NULL;
}

/* bpel md's settings section (mdrun.h). */
#define MD_SETTINGS_VERSION 1

int bpel_mdrun_md_settings_store(rst_info *info, const char *potential, int threads)
{
    rst_settings w;
    bpel_rst_settings_begin(&w, MD_SETTINGS_VERSION);
    bpel_rst_settings_string(&w, "potential", potential);
    bpel_rst_settings_long(&w, "threads", threads);
    return bpel_rst_settings_finish(&w, info);
}

/* Checkpoints of bpel before settings sections hold the bytes of a struct
 * { char potential[1024]; int threads; } (1028 bytes): read as well. */
int bpel_mdrun_md_settings_load(const rst_info *info, const char *path, char *potential, size_t n, int *threads)
{
    if (bpel_rst_settings_raw(info)) {
        int32_t t;
        if (info->extra_size != 1028 || !memchr(info->extra, 0, 1024) || strlen((const char *)info->extra) >= n)
            return bpel_fail(BPEL_EPARSE, "%s: restart file holds a broken potential name or settings of an unknown "
                             "layout (%zu bytes without a settings header)", path, info->extra_size);
        memcpy(potential, info->extra, strlen((const char *)info->extra) + 1);
        memcpy(&t, info->extra + 1024, 4);
        *threads = t;
        return BPEL_OK;
    }
    rst_fields f;
    long t;
    int rc;
    if ((rc = bpel_rst_fields_open(info, path, MD_SETTINGS_VERSION, &f)) || (rc = bpel_rst_fields_string(&f, "potential", potential, n)) ||
        (rc = bpel_rst_fields_long(&f, "threads", &t)))
        return rc;
    if (t < 1 || t > 4096) return bpel_fail(BPEL_EPARSE, "%s: restart file's settings hold %ld threads", path, t);
    *threads = (int)t;
    return BPEL_OK;
}
