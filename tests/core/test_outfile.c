/* test_outfile.c — outputs are whole or absent: a write that fails (a file
 * size limit standing in for a full disk) is an error naming the final file,
 * leaves no temporary file, and leaves an earlier complete file untouched. */
#include "testutil.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "outfile.h"

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

/* Files in DIR whose name contains ".tmp." */
static int temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

static const char *fresh_dir(const char *name)
{
    const char *dir = test_tmp(name);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    test_run(cmd);
    assert_int_equal(bpel_mkdir_p(dir), 0);
    return dir;
}

static void test_write_and_rename(void **st)
{
    (void)st;
    const char *dir = fresh_dir("outfile_ok");
    char path[1200];
    snprintf(path, sizeof path, "%s/a.csv", dir);
    bpel_out o;
    assert_int_equal(bpel_out_open(&o, path), 0);
    fprintf(o.fp, "x,y\n1,2\n");
    /* nothing under the final name until the close */
    struct stat sb;
    assert_int_not_equal(stat(path, &sb), 0);
    assert_int_equal(temporaries(dir), 1);
    assert_int_equal(bpel_out_close(&o), 0);
    assert_string_equal(slurp(path), "x,y\n1,2\n");
    assert_int_equal(temporaries(dir), 0);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "n", 3);
    snprintf(path, sizeof path, "%s/s.json", dir);
    assert_int_equal(bpel_out_json(path, j), 0);
    cJSON_Delete(j);
    assert_string_equal(slurp(path), "{\n\t\"n\":\t3\n}\n");
}

/* RLIMIT_FSIZE of 4 KiB with SIGXFSZ ignored: writes past it fail (EFBIG). */
static void test_full_disk(void **st)
{
    (void)st;
    const char *dir = fresh_dir("outfile_full");
    char path[1200];
    snprintf(path, sizeof path, "%s/big.csv", dir);
    assert_int_equal(bpel_out_text(path, "an earlier complete result\n"), 0);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 4096;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    bpel_out o;
    int rc = bpel_out_open(&o, path);
    if (!rc) {
        for (int k = 0; k < 2000; k++) fprintf(o.fp, "%d,%d,%d\n", k, k * k, 7 * k);
        rc = bpel_out_close(&o);
    }
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
    assert_int_equal(rc, BPEL_EIO);
    /* the message names the final file, not the temporary one */
    assert_non_null(strstr(bpel_errmsg(), path));
    assert_null(strstr(bpel_errmsg(), ".tmp."));
    assert_string_equal(slurp(path), "an earlier complete result\n");
    assert_int_equal(temporaries(dir), 0);
}

static void test_discard(void **st)
{
    (void)st;
    const char *dir = fresh_dir("outfile_discard");
    char path[1200];
    snprintf(path, sizeof path, "%s/x.txt", dir);
    bpel_out o;
    assert_int_equal(bpel_out_open(&o, path), 0);
    fputs("half", o.fp);
    bpel_out_discard(&o);
    struct stat sb;
    assert_int_not_equal(stat(path, &sb), 0);
    assert_int_equal(temporaries(dir), 0);
}

/* A file written by another library is renamed only when it ends as it must. */
static void test_commit(void **st)
{
    (void)st;
    const char *dir = fresh_dir("outfile_commit");
    char path[1200], tmp[1300];
    snprintf(path, sizeof path, "%s/f.svg", dir);
    bpel_out_tmpname(path, tmp, sizeof tmp);
    FILE *fp = fopen(tmp, "w");
    fputs("<svg>\n<g>", fp); /* cut short */
    fclose(fp);
    assert_int_equal(bpel_out_commit(tmp, path, "</svg>\n", 7), BPEL_EIO);
    assert_non_null(strstr(bpel_errmsg(), path));
    struct stat sb;
    assert_int_not_equal(stat(path, &sb), 0);
    assert_int_equal(temporaries(dir), 0);
    fp = fopen(tmp, "w");
    fputs("<svg>\n</svg>\n", fp);
    fclose(fp);
    assert_int_equal(bpel_out_commit(tmp, path, "</svg>\n", 7), 0);
    assert_string_equal(slurp(path), "<svg>\n</svg>\n");
}

static void test_check(void **st)
{
    (void)st;
    const char *dir = fresh_dir("outfile_check");
    char path[1200];
    snprintf(path, sizeof path, "%s/no/such/folder/out.data", dir);
    assert_int_equal(bpel_out_check(path), BPEL_EIO);
    assert_non_null(strstr(bpel_errmsg(), path));
    assert_int_equal(bpel_out_check(dir), BPEL_EIO); /* a folder is not a file */
    snprintf(path, sizeof path, "%s/out.data", dir);
    assert_int_equal(bpel_out_check(path), 0);
    assert_int_equal(temporaries(dir), 0);
    struct stat sb;
    assert_int_not_equal(stat(path, &sb), 0);
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    assert_int_equal(bpel_out_check_dir(path), 0);
    assert_int_equal(stat(path, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    if (geteuid() != 0) { /* root writes anywhere */
        chmod(path, 0500);
        assert_int_equal(bpel_out_check_dir(path), BPEL_EIO);
        chmod(path, 0700);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_and_rename), cmocka_unit_test(test_full_disk), cmocka_unit_test(test_discard),
        cmocka_unit_test(test_commit), cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
