/* test_table.c — per-atom CSV tables: reading, joining by id onto a
 * configuration, writing, and clear errors for every kind of broken file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "table.h"
#include "testutil.h"

/* A configuration of 5 atoms with ids 10, 20, 30, 40, 50 in shuffled order. */
static bpel_system *five_atoms(void)
{
    bpel_system *s = bpel_system_create(5, 2);
    assert_non_null(s);
    const int64_t ids[5] = {30, 10, 50, 20, 40};
    for (int i = 0; i < 5; i++) {
        s->id[i] = ids[i];
        s->type[i] = 1 + i % 2;
        s->x[3 * i] = i;
    }
    snprintf(s->source, sizeof s->source, "five.data");
    return s;
}

/* The error message must contain every fragment. */
static void expect_error(int rc, int code, const char *a, const char *b)
{
    if (rc != code) fail_msg("rc %d, expected %d (%s)", rc, code, bpel_errmsg());
    const char *m = bpel_errmsg();
    if (a && !strstr(m, a)) fail_msg("message '%s' lacks '%s'", m, a);
    if (b && !strstr(m, b)) fail_msg("message '%s' lacks '%s'", m, b);
}

static void test_read_join(void **state)
{
    (void)state;
    const char *p = test_write_file("ok.csv", "# comment line\r\n"
                                              "id, element ,dQ_eV,I_BP_per_radps3\r\n"
                                              "50,Zr,5.5,0.05\n"
                                              "\n"
                                              "10,Cu,1.5,0.01\n"
                                              "30,Cu,3.5,3e-2\n"
                                              "20,Zr,2.5,0.02\n"
                                              "40,Cu,4.5,0.04\n");
    tbl_table *t;
    assert_int_equal(bpel_tbl_read(p, &t), BPEL_OK);
    assert_int_equal(t->nrows, 5);
    assert_int_equal(t->ncols, 4);
    assert_int_equal(t->id_col, 0);
    assert_int_equal(bpel_tbl_find_column(t, "element"), 1);
    assert_int_equal(t->line[1], 5);
    double col[5];
    assert_int_equal(bpel_tbl_column(t, "dQ_eV", col), BPEL_OK);
    ASSERT_NEAR(col[0], 5.5, 0);
    ASSERT_NEAR(col[4], 4.5, 0);

    bpel_system *s = five_atoms();
    double v[5];
    assert_int_equal(bpel_tbl_join(t, "dQ_eV", s, 0, v, NULL), BPEL_OK);
    for (int i = 0; i < 5; i++) ASSERT_NEAR(v[i], s->id[i] / 10 + 0.5, 0);
    assert_int_equal(bpel_tbl_join(t, "I_BP_per_radps3", s, 0, v, NULL), BPEL_OK);
    for (int i = 0; i < 5; i++) ASSERT_NEAR(v[i], s->id[i] / 1000.0, 1e-15);
    /* A text column is fine until someone asks for numbers from it. */
    expect_error(bpel_tbl_join(t, "element", s, 0, v, NULL), BPEL_EPARSE, "ok.csv:3:", "'Zr' is not a number");
    expect_error(bpel_tbl_join(t, "dQ", s, 0, v, NULL), BPEL_EINVAL, "no column 'dQ'", "dQ_eV");

    /* Round trip through bpel_tbl_write. */
    assert_int_equal(bpel_tbl_join(t, "I_BP_per_radps3", s, 0, v, NULL), BPEL_OK);
    const double *cols[2] = {v, col};
    const char *names[2] = {"a_per_radps3", "b_eV"};
    const char *w = test_tmp("written.csv");
    assert_int_equal(bpel_tbl_write(w, 5, s->id, 2, names, cols), BPEL_OK);
    tbl_table *t2;
    assert_int_equal(bpel_tbl_read(w, &t2), BPEL_OK);
    double back[5];
    assert_int_equal(bpel_tbl_join(t2, "a_per_radps3", s, 0, back, NULL), BPEL_OK);
    for (int i = 0; i < 5; i++) ASSERT_REL(back[i], v[i], 1e-9, 0);
    bpel_tbl_destroy(t2);
    bpel_tbl_destroy(t);
    bpel_system_destroy(s);
}

static void test_id_mismatch(void **state)
{
    (void)state;
    bpel_system *s = five_atoms();
    double v[5];
    tbl_table *t;
    /* An id that the configuration lacks. */
    assert_int_equal(bpel_tbl_read(test_write_file("extra.csv", "id,q\n10,1\n20,2\n30,3\n40,4\n50,5\n60,6\n"), &t), 0);
    expect_error(bpel_tbl_join(t, "q", s, 0, v, NULL), BPEL_EINVAL, "extra.csv:7: id 60", "five.data");
    bpel_tbl_destroy(t);
    /* Atoms of the configuration missing from the table. */
    assert_int_equal(bpel_tbl_read(test_write_file("short.csv", "id,q\n10,1\n30,3\n50,5\n"), &t), 0);
    expect_error(bpel_tbl_join(t, "q", s, 0, v, NULL), BPEL_EINVAL, "2 atoms of five.data are missing", "id 20");
    size_t miss;
    assert_int_equal(bpel_tbl_join(t, "q", s, 1, v, &miss), BPEL_OK);
    assert_int_equal(miss, 2);
    assert_true(isnan(v[3]) && isnan(v[4]));
    ASSERT_NEAR(v[0], 3, 0);
    bpel_tbl_destroy(t);
    /* "nan" marks a missing value only when missing values are allowed. */
    assert_int_equal(bpel_tbl_read(test_write_file("nanrow.csv", "id,q\n10,1\n20,nan\n30,3\n40,inf\n50,5\n"), &t), 0);
    expect_error(bpel_tbl_join(t, "q", s, 0, v, NULL), BPEL_EINVAL, "nanrow.csv:3:", "value 'nan' is not finite");
    expect_error(bpel_tbl_join(t, "q", s, 1, v, NULL), BPEL_EINVAL, "nanrow.csv:5:", "value 'inf' is not finite");
    bpel_tbl_destroy(t);
    assert_int_equal(bpel_tbl_read(test_write_file("nanrow2.csv", "id,q\n10,1\n20,nan\n30,3\n40,4\n50,5\n"), &t), 0);
    assert_int_equal(bpel_tbl_join(t, "q", s, 1, v, &miss), BPEL_OK);
    assert_int_equal(miss, 1);
    assert_true(isnan(v[3])); /* id 20 */
    ASSERT_NEAR(v[4], 4, 0);
    bpel_tbl_destroy(t);
    /* No id column at all. */
    assert_int_equal(bpel_tbl_read(test_write_file("noid.csv", "atom,q\n10,1\n"), &t), 0);
    expect_error(bpel_tbl_join(t, "q", s, 0, v, NULL), BPEL_EINVAL, "noid.csv", "no 'id' column");
    bpel_tbl_destroy(t);
    bpel_system_destroy(s);
}

static void test_broken_files(void **state)
{
    (void)state;
    tbl_table *t = NULL;
    expect_error(bpel_tbl_read(test_tmp("does-not-exist.csv"), &t), BPEL_EIO, "does-not-exist.csv", "cannot open");
    assert_null(t);
    expect_error(bpel_tbl_read(test_write_file("empty.csv", "\n# only a comment\n"), &t), BPEL_EPARSE, "empty.csv",
                 "no header");
    expect_error(bpel_tbl_read(test_write_file("ragged.csv", "id,a,b\n1,2,3\n2,3\n"), &t), BPEL_EPARSE, "ragged.csv:3:",
                 "2 fields, the header has 3");
    expect_error(bpel_tbl_read(test_write_file("dup.csv", "id,a\n1,2\n2,3\n1,4\n"), &t), BPEL_EPARSE, "dup.csv:4:",
                 "duplicate id 1 (first on line 2)");
    expect_error(bpel_tbl_read(test_write_file("badid.csv", "id,a\n1,2\n2.5,3\n"), &t), BPEL_EPARSE, "badid.csv:3:",
                 "'2.5' is not an integer");
    expect_error(bpel_tbl_read(test_write_file("nohead.csv", "1,2\n2,3\n"), &t), BPEL_EPARSE, "nohead.csv:1:",
                 "header expected");
    expect_error(bpel_tbl_read(test_write_file("dupcol.csv", "id,a,a\n1,2,3\n"), &t), BPEL_EPARSE, "dupcol.csv:1:",
                 "'a' appears twice");
    expect_error(bpel_tbl_read(test_write_file("emptycol.csv", "id,,b\n1,2,3\n"), &t), BPEL_EPARSE, "emptycol.csv:1:",
                 "column 2 has no name");

    /* A byte-order mark before the header (spreadsheet export) is skipped. */
    assert_int_equal(bpel_tbl_read(test_write_file("bom.csv", "\xEF\xBB\xBFid,a\n1,2\n"), &t), BPEL_OK);
    assert_int_equal(t->id_col, 0);
    bpel_tbl_destroy(t);
    /* Values that are not finite numbers are found when the column is used. */
    assert_int_equal(bpel_tbl_read(test_write_file("nan.csv", "id,a,b\n1,2,3\n2,nan,4\n3,1,\n4,inf,5\n"), &t), BPEL_OK);
    double v[4];
    expect_error(bpel_tbl_column(t, "a", v), BPEL_EINVAL, "nan.csv:3:", "column 'a': value 'nan' is not finite");
    expect_error(bpel_tbl_column(t, "b", v), BPEL_EPARSE, "nan.csv:4:", "column 'b': '' is not a number");
    bpel_tbl_destroy(t);
    expect_error(bpel_tbl_write("/nonexistent-dir/x.csv", 0, NULL, 0, NULL, NULL), BPEL_EIO, "/nonexistent-dir/x.csv",
                 NULL);
}

static void test_spec(void **state)
{
    (void)state;
    char path[256], col[64];
    int inv;
    assert_int_equal(bpel_tbl_parse_spec("vib/ibp.csv:I_BP_per_radps3:inv", path, sizeof path, col, sizeof col, &inv), 0);
    assert_string_equal(path, "vib/ibp.csv");
    assert_string_equal(col, "I_BP_per_radps3");
    assert_int_equal(inv, 1);
    assert_int_equal(bpel_tbl_parse_spec("dq.csv:dQ_eV", path, sizeof path, col, sizeof col, &inv), 0);
    assert_string_equal(path, "dq.csv");
    assert_string_equal(col, "dQ_eV");
    assert_int_equal(inv, 0);
    assert_int_equal(bpel_tbl_parse_spec("dQ_eV", path, sizeof path, col, sizeof col, &inv), 0);
    assert_string_equal(path, "");
    assert_string_equal(col, "dQ_eV");
    expect_error(bpel_tbl_parse_spec("dq.csv:", path, sizeof path, col, sizeof col, &inv), BPEL_EINVAL, "no column",
                 NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_join),
        cmocka_unit_test(test_id_mismatch),
        cmocka_unit_test(test_broken_files),
        cmocka_unit_test(test_spec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
