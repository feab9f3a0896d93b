/* testutil.h — helpers for bpel's cmocka tests: typed comparisons that print
 * both values, temporary files, running LAMMPS. */
#ifndef BPEL_TESTUTIL_H
#define BPEL_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model.h"
#include "structure.h"

/* Fails with both values printed when |a-b| > tol. */
#define ASSERT_NEAR(a, b, tol) test_assert_near((a), (b), (tol), #a, #b, __FILE__, __LINE__)
/* Relative: |a-b| <= rtol*max(|a|,|b|,floor). */
#define ASSERT_REL(a, b, rtol, floor) test_assert_rel((a), (b), (rtol), (floor), #a, #b, __FILE__, __LINE__)
void test_assert_near(double a, double b, double tol, const char *ea, const char *eb, const char *file, int line);
void test_assert_rel(double a, double b, double rtol, double floor, const char *ea, const char *eb, const char *file,
                     int line);

/* Path of a file in the per-test temporary directory (static buffer ring). */
const char *test_tmp(const char *name);
/* Write text to a temporary file; returns its path. */
const char *test_write_file(const char *name, const char *text);
/* Full path of a potential in the Debian lammps-data directory (or
 * $LAMMPS_POTENTIALS); skips the test when it is missing. */
const char *test_potential(const char *name);
/* Path of a file of the suite's data folder, tests/data/NAME (static buffer ring). */
const char *test_data(const char *name);
/* The suite's 256-atom Cu50Zr50 glass (tests/data/cuzr_glass_256.data) with
 * CuZr_mm.eam.fs bound to its types as Cu,Zr; fails the test if any step fails. */
bpel_system *test_cuzr_glass(bpel_eam **pot, bpel_model **model);
/* 1 if the LAMMPS binary `lmp` is available. */
int test_have_lammps(void);
/* Run LAMMPS on an input script text in the temp directory; returns exit code. */
int test_run_lammps(const char *script_name, const char *script);
/* A 160-atom Cu50Zr50 glass made by LAMMPS (CuZr_mm.eam.fs): random in a 14 Å box, NVT
 * 2000 → 300 K in 3 ps, CG then FIRE to a tight minimum, written to the temporary file
 * NAME.data, whose path goes to `path`. `after` (may be NULL) is LAMMPS input run after
 * that (e.g. a replication written elsewhere). Returns 0, or -1 with path[0] = '\0'
 * when LAMMPS is missing or fails. */
int test_lammps_glass(const char *name, unsigned seed_cu, unsigned seed_zr, const char *after, char *path,
                      size_t len);
/* 1 if the file exists and is not empty. */
int test_file_nonempty(const char *path);
/* The text of a file (up to 4 MB) in a static buffer; fails the test when it
 * cannot be read. */
char *test_slurp(const char *path);
/* The JSON document in a file (up to 4 MB); fails the test when it cannot be
 * read or parsed. The caller deletes it (cJSON_Delete). */
struct cJSON *test_read_json(const char *path);
/* Run a shell command, return its exit status; stdout/stderr captured into
 * the given temporary file names when not NULL. */
int test_run(const char *cmd);

/* Random fcc/bcc-free configurations for tests: a perturbed fcc lattice of
 * nc^3 cells with lattice constant a and random types with fraction `frac1`
 * of type 1, displaced by up to `amp` Å, seeded. */
bpel_system *test_fcc(int nc, double a, int ntypes, double frac1, double amp, unsigned seed);
/* A random "liquid-like" configuration: n atoms in a cubic box of side L with
 * a minimum separation rmin, seeded. */
bpel_system *test_random(size_t n, double L, int ntypes, double rmin, unsigned seed);

#endif
