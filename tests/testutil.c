/* testutil.c — see testutil.h. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cjson/cJSON.h>
#include <unistd.h>

#include "eam.h"

const char *test_data(const char *name)
{
    static char ring[4][1024];
    static int k;
    char *p = ring[k++ % 4];
    const char *src = getenv("BPEL_SOURCE_DIR");
    snprintf(p, sizeof ring[0], "%s/tests/data/%s", src ? src : "..", name);
    return p;
}

bpel_system *test_cuzr_glass(bpel_eam **pot, bpel_model **model)
{
    bpel_system *s = NULL;
    assert_int_equal(bpel_data_read(test_data("cuzr_glass_256.data"), &s), 0);
    assert_int_equal(bpel_eam_read(test_potential("CuZr_mm.eam.fs"), NULL, pot), 0);
    assert_int_equal(bpel_model_create(*pot, s, "Cu,Zr", model), 0);
    return s;
}

void test_assert_near(double a, double b, double tol, const char *ea, const char *eb, const char *file, int line)
{
    if (!(fabs(a - b) <= tol)) {
        print_error("%s:%d: |%s - %s| = |%.17g - %.17g| = %.3g > %.3g\n", file, line, ea, eb, a, b, fabs(a - b), tol);
        _fail(file, line);
    }
}

void test_assert_rel(double a, double b, double rtol, double floor, const char *ea, const char *eb, const char *file,
                     int line)
{
    double scale = fmax(fmax(fabs(a), fabs(b)), floor);
    if (!(fabs(a - b) <= rtol * scale)) {
        print_error("%s:%d: %s = %.17g vs %s = %.17g: relative difference %.3g > %.3g\n", file, line, ea, a, eb, b,
                    fabs(a - b) / scale, rtol);
        _fail(file, line);
    }
}

const char *test_tmp(const char *name)
{
    static char ring[8][1024];
    static int k = 0;
    const char *dir = getenv("BPEL_TEST_TMP");
    char *buf = ring[k++ & 7];
    snprintf(buf, 1024, "%s/%s", dir ? dir : ".", name);
    return buf;
}

const char *test_write_file(const char *name, const char *text)
{
    const char *p = test_tmp(name);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return p;
}

const char *test_potential(const char *name)
{
    static char ring[4][1024];
    static int k = 0;
    char *buf = ring[k++ & 3];
    if (bpel_potential_find(name, buf, 1024) != 0) {
        print_message("potential %s not found: skipping\n", name);
        skip();
    }
    return buf;
}

int test_have_lammps(void) { return system("command -v lmp >/dev/null 2>&1") == 0; }

int test_run(const char *cmd)
{
    int st = system(cmd);
    if (st == -1) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int test_run_lammps(const char *script_name, const char *script)
{
    const char *in = test_write_file(script_name, script);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && OMP_NUM_THREADS=1 lmp -nocite -log none -screen none -in '%s' >/dev/null 2>&1",
             getenv("BPEL_TEST_TMP") ? getenv("BPEL_TEST_TMP") : ".", in);
    return test_run(cmd);
}

int test_lammps_glass(const char *name, unsigned seed_cu, unsigned seed_zr, const char *after, char *path,
                      size_t len)
{
    path[0] = '\0';
    if (!test_have_lammps()) return -1;
    char file[256], in[256];
    snprintf(file, sizeof file, "%s.data", name);
    snprintf(in, sizeof in, "%s.in", name);
    snprintf(path, len, "%s", test_tmp(file));
    char script[8192];
    snprintf(script, sizeof script,
             "units metal\natom_style atomic\nboundary p p p\nregion box block 0 14.0 0 14.0 0 14.0\n"
             "create_box 2 box\ncreate_atoms 1 random 80 %u box\ncreate_atoms 2 random 80 %u box\n"
             "mass 1 63.546\nmass 2 91.224\npair_style eam/fs\npair_coeff * * %s Cu Zr\nneighbor 1.0 bin\n"
             "minimize 0 1e-6 1000 10000\nvelocity all create 2000 1\nfix 1 all nvt temp 2000 300 0.1\n"
             "timestep 0.002\nrun 1500\nunfix 1\nmin_style cg\nminimize 0 1e-12 100000 1000000\n"
             "min_style fire\nminimize 0 1e-12 100000 1000000\nwrite_data %s\n%s",
             seed_cu, seed_zr, test_potential("CuZr_mm.eam.fs"), path, after ? after : "");
    if (test_run_lammps(in, script) != 0) {
        path[0] = '\0';
        return -1;
    }
    return 0;
}

static double urand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((*s >> 8) & 0xffffff) / (double)0x1000000;
}

bpel_system *test_fcc(int nc, double a, int ntypes, double frac1, double amp, unsigned seed)
{
    size_t n = 4 * (size_t)nc * nc * nc;
    bpel_system *s = bpel_system_create(n, ntypes);
    static const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    size_t k = 0;
    for (int i = 0; i < nc; i++)
        for (int j = 0; j < nc; j++)
            for (int l = 0; l < nc; l++)
                for (int b = 0; b < 4; b++, k++) {
                    s->id[k] = (int64_t)k + 1;
                    s->type[k] = (ntypes > 1 && urand(&seed) >= frac1) ? 2 : 1;
                    s->x[3 * k] = (i + basis[b][0]) * a + amp * (2 * urand(&seed) - 1);
                    s->x[3 * k + 1] = (j + basis[b][1]) * a + amp * (2 * urand(&seed) - 1);
                    s->x[3 * k + 2] = (l + basis[b][2]) * a + amp * (2 * urand(&seed) - 1);
                }
    for (int d = 0; d < 3; d++) s->box.len[d] = nc * a;
    bpel_system_wrap(s);
    return s;
}

bpel_system *test_random(size_t n, double L, int ntypes, double rmin, unsigned seed)
{
    bpel_system *s = bpel_system_create(n, ntypes);
    for (size_t i = 0; i < n; i++) {
        int ok = 0;
        for (int tries = 0; tries < 100000 && !ok; tries++) {
            double r[3] = {L * urand(&seed), L * urand(&seed), L * urand(&seed)};
            ok = 1;
            for (size_t j = 0; j < i && ok; j++) {
                double d[3] = {r[0] - s->x[3 * j], r[1] - s->x[3 * j + 1], r[2] - s->x[3 * j + 2]};
                bpel_box_minimum_image(&(bpel_box){{0, 0, 0}, {L, L, L}, 0, 0, 0}, d);
                if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] < rmin * rmin) ok = 0;
            }
            if (ok) memcpy(&s->x[3 * i], r, sizeof r);
        }
        if (!ok) fail_msg("test_random: cannot place atom %zu of %zu at separation %g in a box of %g", i, n, rmin, L);
        s->id[i] = (int64_t)i + 1;
        s->type[i] = 1 + (int)(i % (size_t)ntypes);
    }
    for (int d = 0; d < 3; d++) s->box.len[d] = L;
    return s;
}

int test_file_nonempty(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

char *test_slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) fail_msg("cannot open %s", path);
    static char buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

struct cJSON *test_read_json(const char *path)
{
    cJSON *o = cJSON_Parse(test_slurp(path));
    if (!o) fail_msg("%s is not JSON", path);
    return o;
}
