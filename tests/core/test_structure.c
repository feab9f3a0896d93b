/* test_structure.c — data-file round trips, dumps, extended XYZ, boxes, and
 * neighbour lists against brute force in small and triclinic boxes. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "neighbour.h"

static void test_data_round_trip(void **st)
{
    (void)st;
    bpel_system *s = test_fcc(3, 3.7, 2, 0.5, 0.2, 4u);
    s->box.xy = 0.7;
    s->box.xz = -0.4;
    s->box.yz = 0.25;
    s->box.lo[0] = -2.5;
    bpel_system_wrap(s);
    bpel_system_set_elements(s, "Cu,Zr");
    assert_int_equal(bpel_system_ensure_velocities(s), 0);
    for (size_t i = 0; i < 3 * s->n; i++) s->v[i] = 0.01 * (double)(i % 17) - 0.05;
    /* shuffle ids so order != id order */
    for (size_t i = 0; i < s->n; i++) s->id[i] = (int64_t)((i * 37) % s->n) + 1;
    s->image[5] = -2;
    const char *p = test_tmp("round.data");
    assert_int_equal(bpel_data_write(p, s, "round trip"), 0);
    bpel_system *r = NULL;
    int rc = bpel_data_read(p, &r);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    assert_int_equal(r->n, s->n);
    assert_int_equal(r->ntypes, 2);
    ASSERT_NEAR(r->mass[1], 63.546, 1e-12);
    ASSERT_NEAR(r->box.xy, 0.7, 0);
    ASSERT_NEAR(r->box.yz, 0.25, 0);
    ASSERT_NEAR(r->box.lo[0], -2.5, 0);
    size_t *o = bpel_system_id_order(s);
    for (size_t k = 0; k < r->n; k++) {
        long i = bpel_system_find_id(s, o, r->id[k]);
        assert_true(i >= 0);
        assert_int_equal(r->type[k], s->type[i]);
        for (int d = 0; d < 3; d++) {
            ASSERT_NEAR(r->x[3 * k + d], s->x[3 * i + d], 0);
            ASSERT_NEAR(r->v[3 * k + d], s->v[3 * i + d], 0);
            assert_int_equal(r->image[3 * k + d], s->image[3 * i + d]);
        }
    }
    free(o);
    bpel_system_destroy(r);
    bpel_system_destroy(s);
}

static void test_wrap_and_frac(void **st)
{
    (void)st;
    bpel_box b = {{1, 2, 3}, {10, 11, 12}, 1.5, -2.0, 0.75};
    double r[3] = {4.2, -7.3, 30.1}, f[3], q[3];
    bpel_box_to_frac(&b, r, f);
    bpel_box_from_frac(&b, f, q);
    for (int k = 0; k < 3; k++) ASSERT_NEAR(q[k], r[k], 1e-12);
    ASSERT_NEAR(bpel_box_volume(&b), 1320.0, 1e-12);
    double w[3];
    bpel_box_widths(&b, w);
    ASSERT_NEAR(w[2], 12.0, 1e-12);
    assert_true(w[0] < 10.0 && w[1] < 11.0);
    bpel_system *s = bpel_system_create(1, 1);
    s->box = b;
    memcpy(s->x, r, sizeof r);
    bpel_system_wrap(s);
    bpel_box_to_frac(&b, s->x, f);
    for (int k = 0; k < 3; k++) assert_true(f[k] >= 0 && f[k] < 1);
    /* unwrapped position recovered from image flags */
    double shift[3];
    int *im = s->image;
    shift[0] = im[0] * b.len[0] + im[1] * b.xy + im[2] * b.xz;
    shift[1] = im[1] * b.len[1] + im[2] * b.yz;
    shift[2] = im[2] * b.len[2];
    for (int k = 0; k < 3; k++) ASSERT_NEAR(s->x[k] + shift[k], r[k], 1e-12);
    bpel_system_destroy(s);
}

/* Count pairs within rc by brute force over explicit images. */
static size_t brute_pairs(const bpel_system *s, double rc)
{
    size_t cnt = 0;
    int nimg = 4;
    for (size_t i = 0; i < s->n; i++)
        for (size_t j = i; j < s->n; j++)
            for (int a = -nimg; a <= nimg; a++)
                for (int b = -nimg; b <= nimg; b++)
                    for (int c = -nimg; c <= nimg; c++) {
                        if (i == j && (a > 0 || (a == 0 && (b > 0 || (b == 0 && c >= 0))))) continue;
                        double d[3];
                        d[0] = s->x[3 * j] - s->x[3 * i] + a * s->box.len[0] + b * s->box.xy + c * s->box.xz;
                        d[1] = s->x[3 * j + 1] - s->x[3 * i + 1] + b * s->box.len[1] + c * s->box.yz;
                        d[2] = s->x[3 * j + 2] - s->x[3 * i + 2] + c * s->box.len[2];
                        if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] < rc * rc) cnt++;
                    }
    return cnt;
}

static void check_list(bpel_system *s, double rc)
{
    nbr_list *h = bpel_nbr_create(rc, 0.0, 1), *f = bpel_nbr_create(rc, 0.0, 0);
    assert_int_equal(bpel_nbr_build(h, s), 0);
    assert_int_equal(bpel_nbr_build(f, s), 0);
    size_t want = brute_pairs(s, rc);
    print_message("  %zu atoms, rc %.1f: half %zu, full %zu, brute %zu\n", s->n, rc, h->start[h->nlocal],
                  f->start[f->nlocal], want);
    assert_int_equal(h->start[h->nlocal], want);
    assert_int_equal(f->start[f->nlocal], 2 * want);
    bpel_nbr_destroy(h);
    bpel_nbr_destroy(f);
}

static void test_neighbours_small_box(void **st)
{
    (void)st;
    bpel_system *s = test_fcc(2, 3.6, 1, 1.0, 0.2, 9u); /* 7.2 Å box, rc 7.6 */
    check_list(s, 7.6);
    bpel_system_destroy(s);
}

static void test_neighbours_triclinic(void **st)
{
    (void)st;
    bpel_system *s = test_fcc(3, 3.6, 1, 1.0, 0.2, 19u);
    s->box.xy = 3.0;
    s->box.xz = -2.0;
    s->box.yz = 1.5;
    bpel_system_wrap(s);
    check_list(s, 6.0);
    bpel_system_destroy(s);
}

static void test_dump_and_xyz(void **st)
{
    (void)st;
    bpel_system *s = test_fcc(1, 3.6, 2, 0.5, 0.0, 2u);
    bpel_system_set_elements(s, "Cu,Zr");
    s->id[0] = 4; s->id[1] = 3; s->id[2] = 2; s->id[3] = 1;
    double val[4] = {10, 20, 30, 40};
    bpel_column cols[] = {{"id", NULL, 0, 0}, {"type", NULL, 0, 0}, {"x", NULL, 0, 0}, {"q", val, 1, 0}};
    const char *p = test_tmp("t.dump");
    FILE *fp = fopen(p, "w");
    assert_int_equal(bpel_dump_write_frame(fp, s, 7, 4, cols), 0);
    fclose(fp);
    fp = fopen(p, "r");
    char line[256];
    int k = 0;
    long long id;
    double q;
    while (fgets(line, sizeof line, fp)) {
        if (++k == 9) assert_string_equal(line, "ITEM: ATOMS id type x q\n");
        if (k >= 10) {
            int t;
            double x;
            assert_int_equal(sscanf(line, "%lld %d %lf %lf", &id, &t, &x, &q), 4);
            assert_int_equal(id, k - 9);         /* sorted by id */
            ASSERT_NEAR(q, val[4 - id], 0);       /* value follows its atom */
        }
    }
    fclose(fp);
    assert_int_equal(k, 13);
    /* read it back into a copy */
    bpel_system *c = bpel_system_copy(s);
    memset(c->x, 0, 3 * c->n * sizeof(double));
    fp = fopen(test_tmp("full.dump"), "w");
    bpel_column xyzc[] = {{"id", NULL, 0, 0}, {"x", NULL, 0, 0}, {"y", NULL, 0, 0}, {"z", NULL, 0, 0}};
    bpel_dump_write_frame(fp, s, 3, 4, xyzc);
    fclose(fp);
    fp = fopen(test_tmp("full.dump"), "r");
    long step;
    assert_int_equal(bpel_dump_read_frame(fp, "full.dump", c, &step, NULL), 0);
    assert_int_equal(step, 3);
    for (size_t i = 0; i < 3 * s->n; i++) ASSERT_NEAR(c->x[i], s->x[i], 0);
    assert_int_equal(bpel_dump_read_frame(fp, "full.dump", c, &step, NULL), 1);
    fclose(fp);
    bpel_system_destroy(c);
    p = test_tmp("t.xyz");
    fp = fopen(p, "w");
    bpel_column xc[] = {{"q", val, 1, 0}};
    assert_int_equal(bpel_xyz_write_frame(fp, s, 1, xc, NULL), 0);
    fclose(fp);
    fp = fopen(p, "r");
    assert_non_null(fgets(line, sizeof line, fp));
    assert_int_equal(atoi(line), 4);
    assert_non_null(fgets(line, sizeof line, fp));
    assert_non_null(strstr(line, "Lattice=\"3.6 0 0 0 3.6 0 0 0 3.6\""));
    assert_non_null(strstr(line, "Properties=species:S:1:pos:R:3:id:I:1:type:I:1:q:R:1"));
    assert_non_null(fgets(line, sizeof line, fp));
    assert_true(strncmp(line, "Cu ", 3) == 0 || strncmp(line, "Zr ", 3) == 0);
    fclose(fp);
    bpel_system_destroy(s);
}

/* Broken dump frames: a one-line error naming the file and the line (counted
 * across frames), before any value is cast or the box is changed. */
static void test_dump_bad_frames(void **st)
{
    (void)st;
    static const char good[] = "ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n2\nITEM: BOX BOUNDS pp pp pp\n"
                               "0 10\n0 10\n0 10\nITEM: ATOMS id x y z\n1 1 1 1\n2 2 2 2\n";
    static const struct { const char *frame, *msg; } bad[] = {
        {"ITEM: TIMESTEP\n1\nITEM: NUMBER OF ATOMS\n2\nITEM: BOX BOUNDS pp pp pp\n0 inf\n0 10\n0 10\n"
         "ITEM: ATOMS id x y z\n1 1 1 1\n2 2 2 2\n", "bad.dump:17: box bounds are not finite"},
        {"ITEM: TIMESTEP\n1\nITEM: NUMBER OF ATOMS\n2\nITEM: BOX BOUNDS pp pp pp\n0 10\n0 10\n5 5\n"
         "ITEM: ATOMS id x y z\n1 1 1 1\n2 2 2 2\n", "bad.dump:19: box bounds give edges 10 10 0"},
        {"ITEM: TIMESTEP\n1\nITEM: NUMBER OF ATOMS\n2\nITEM: BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10\n"
         "ITEM: ATOMS id x y z\n1 1 1 1\n1e20 2 2 2\n", "bad.dump:22: atom id 1e+20 is not a positive integer"},
        {"ITEM: TIMESTEP\n1\nITEM: NUMBER OF ATOMS\n2\nITEM: BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10\n"
         "ITEM: ATOMS id x y z\n1 1 1 1\n1 2 2 2\n", "bad.dump:22: atom id 1 appears twice in the frame"},
        {"ITEM: TIMESTEP\n1\nITEM: NUMBER OF ATOMS\n2\nITEM: BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10\n"
         "ITEM: ATOMS id x y z\n1 1 1 1\n2 2 1e300 2\n", "bad.dump:22: atom 2 lies more than 2^20 box lengths"},
        {"ITEM: TIMESTEP\n1\nITEM: NUMBER OF ATOMS\n-3\n", "bad.dump:15: frame has -3 atoms, structure has 2"},
    };
    bpel_system *s = bpel_system_create(2, 1);
    assert_non_null(s);
    s->id[0] = 1;
    s->id[1] = 2;
    for (int k = 0; k < 3; k++) s->box.len[k] = 20.0;
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        char text[1024];
        snprintf(text, sizeof text, "%s%s", good, bad[c].frame);
        FILE *fp = fmemopen(text, strlen(text), "r");
        long step;
        int line = 0;
        assert_int_equal(bpel_dump_read_frame(fp, "bad.dump", s, &step, &line), 0);
        assert_int_equal(line, 11);
        ASSERT_NEAR(s->box.len[2], 10.0, 0);
        assert_true(bpel_dump_read_frame(fp, "bad.dump", s, &step, &line) < 0);
        if (!strstr(bpel_errmsg(), bad[c].msg)) print_error("case %zu: '%s'\n", c, bpel_errmsg());
        assert_non_null(strstr(bpel_errmsg(), bad[c].msg));
        assert_null(strchr(bpel_errmsg(), '\n'));
        ASSERT_NEAR(s->box.len[2], 10.0, 0); /* the box of a refused frame is not taken */
        fclose(fp);
    }
    bpel_system_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_round_trip),      cmocka_unit_test(test_wrap_and_frac),
        cmocka_unit_test(test_neighbours_small_box), cmocka_unit_test(test_neighbours_triclinic),
        cmocka_unit_test(test_dump_and_xyz),         cmocka_unit_test(test_dump_bad_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
