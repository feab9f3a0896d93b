/* test_artn.c — Lanczos and ARTn on landscapes whose answers are known
 * independently: quadratic forms (eigenvalues by LAPACK) and the
 * Müller–Brown surface embedded in the coordinates of one atom (saddles by
 * Newton's method on the analytic gradient and Hessian). */
#include "testutil.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "artn.h"
#include "campaign.h"
#include "error.h"
#include "lanczos.h"

/* ---- quadratic model E = ½ xᵀ A x ---------------------------------------- */

typedef struct {
    int n;
    double *a;
    long calls;
} quad;

static int quad_eval(void *ctx, const double *x, double *e, double *f)
{
    quad *q = ctx;
    q->calls++;
    *e = 0;
    for (int i = 0; i < q->n; i++) {
        double s = 0;
        for (int j = 0; j < q->n; j++) s += q->a[i * q->n + j] * x[j];
        f[i] = -s;
        *e += 0.5 * x[i] * s;
    }
    return 0;
}

static void test_lanczos_quadratic(void **state)
{
    (void)state;
    int n = 30;
    quad q = {n, calloc(n * n, sizeof(double)), 0};
    srand(7);
    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++) {
            double v = (double)rand() / RAND_MAX - 0.5;
            q.a[i * n + j] = q.a[j * n + i] = v;
        }
    for (int i = 0; i < n; i++) q.a[i * n + i] += 2.0 + 0.3 * i;
    q.a[3 * n + 3] -= 4.5; /* one negative mode */
    double *w = malloc(n * sizeof(double)), *z = malloc(n * n * sizeof(double));
    memcpy(z, q.a, n * n * sizeof(double));
    assert_int_equal(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', n, z, n, w), 0);
    assert_true(w[0] < 0 && w[1] > 0);

    double x[30] = {0}, f0[30], e, start[30], v1[30], v2[30];
    quad_eval(&q, x, &e, f0);
    for (int i = 0; i < n; i++) start[i] = 1.0;
    lanczos_params p;
    bpel_lanczos_defaults(&p);
    p.max_iter = 30;
    p.tol = 1e-10;
    p.min_iter = 30;
    lanczos_result r;
    assert_int_equal(bpel_lanczos_lowest(n, quad_eval, &q, x, f0, start, 0, NULL, &p, v1, &r), 0);
    ASSERT_NEAR(r.eigval, w[0], 1e-6 * fabs(w[0]) + 1e-8);
    double ov = 0;
    for (int i = 0; i < n; i++) ov += v1[i] * z[i * n + 0];
    ASSERT_NEAR(fabs(ov), 1.0, 1e-6);
    /* deflated: the second eigenvalue */
    const double *defl[1] = {v1};
    assert_int_equal(bpel_lanczos_lowest(n, quad_eval, &q, x, f0, start, 1, defl, &p, v2, &r), 0);
    ASSERT_NEAR(r.eigval, w[1], 1e-6 * fabs(w[1]) + 1e-8);
    /* central differences give the same */
    p.central = 1;
    assert_int_equal(bpel_lanczos_lowest(n, quad_eval, &q, x, f0, start, 0, NULL, &p, v1, &r), 0);
    ASSERT_NEAR(r.eigval, w[0], 1e-6 * fabs(w[0]) + 1e-8);
    /* restarted from the answer, it converges in a few products */
    p.central = 0;
    p.min_iter = 2;
    p.tol = 1e-6;
    for (int i = 0; i < n; i++) start[i] = z[i * n] + 1e-4 * (i % 3);
    assert_int_equal(bpel_lanczos_lowest(n, quad_eval, &q, x, f0, start, 0, NULL, &p, v1, &r), 0);
    assert_true(r.force_calls <= 4);
    ASSERT_NEAR(r.eigval, w[0], 1e-6);
    free(q.a);
    free(w);
    free(z);
}

/* ---- Müller–Brown (K. Müller, L. D. Brown, Theor. Chim. Acta 53, 75 (1979)) */

static const double mbA[4] = {-200, -100, -170, 15}, mba[4] = {-1, -1, -6.5, 0.7}, mbb[4] = {0, 0, 11, 0.6},
                    mbc[4] = {-10, -10, -6.5, 0.7}, mbx[4] = {1, 0, -0.5, -1}, mby[4] = {0, 0.5, 1.5, 1};
#define MB_SCALE 0.01 /* eV per Müller–Brown unit, lengths in Å */
#define MB_KZ 50.0    /* eV/Å², harmonic z, stiffer than the surface's soft valleys */

static void mb(const double *r, double *e, double g[3], double h[3][3])
{
    double E = 0, gx = 0, gy = 0, hxx = 0, hxy = 0, hyy = 0;
    for (int k = 0; k < 4; k++) {
        double dx = r[0] - mbx[k], dy = r[1] - mby[k];
        double t = mbA[k] * exp(mba[k] * dx * dx + mbb[k] * dx * dy + mbc[k] * dy * dy);
        double qx = 2 * mba[k] * dx + mbb[k] * dy, qy = mbb[k] * dx + 2 * mbc[k] * dy;
        E += t;
        gx += t * qx;
        gy += t * qy;
        hxx += t * (qx * qx + 2 * mba[k]);
        hxy += t * (qx * qy + mbb[k]);
        hyy += t * (qy * qy + 2 * mbc[k]);
    }
    *e = MB_SCALE * E + 0.5 * MB_KZ * r[2] * r[2];
    g[0] = MB_SCALE * gx;
    g[1] = MB_SCALE * gy;
    g[2] = MB_KZ * r[2];
    if (h) {
        memset(h, 0, 9 * sizeof(double));
        h[0][0] = MB_SCALE * hxx;
        h[0][1] = h[1][0] = MB_SCALE * hxy;
        h[1][1] = MB_SCALE * hyy;
        h[2][2] = MB_KZ;
    }
}

/* Newton's method on ∇E = 0 from a guess: a stationary point, independent of ARTn. */
static void mb_newton(double r[3])
{
    for (int it = 0; it < 50; it++) {
        double e, g[3], h[3][3];
        mb(r, &e, g, h);
        double det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
        double dx = (h[1][1] * g[0] - h[0][1] * g[1]) / det, dy = (-h[1][0] * g[0] + h[0][0] * g[1]) / det;
        r[0] -= dx;
        r[1] -= dy;
        r[2] -= g[2] / h[2][2];
    }
}

typedef struct {
    double x0[3];
} mb_ctx;

static int mb_eval(void *ctx, const double *u, double *e, double *f)
{
    mb_ctx *c = ctx;
    double r[3] = {c->x0[0] + u[0], c->x0[1] + u[1], c->x0[2] + u[2]}, g[3];
    mb(r, e, g, NULL);
    for (int d = 0; d < 3; d++) f[d] = -g[d];
    return 0;
}

static int mb_climb_newton = 0; /* climb variant under test */

static void run_mb(int method, int from_min, const double minimum_guess[2], int *naccepted, int *ntried, int *nfound_known,
                   long *calls_sum)
{
    double smin[3] = {minimum_guess[0], minimum_guess[1], 0};
    mb_newton(smin);
    double e_min, g[3];
    mb(smin, &e_min, g, NULL);
    /* the two saddles of the surface, refined from the classic estimates */
    double sad[2][3] = {{-0.822, 0.624, 0}, {0.212, 0.293, 0}}, esad[2];
    for (int k = 0; k < 2; k++) {
        mb_newton(sad[k]);
        mb(sad[k], &esad[k], g, NULL);
    }
    mb_ctx c = {{smin[0], smin[1], smin[2]}};
    artn_model m = {3, 3, mb_eval, NULL, NULL, &c};
    artn_params p;
    bpel_artn_defaults(&p);
    p.method = method;
    p.push_from_min = from_min;
    p.climb_newton = mb_climb_newton;
    p.require_connect = 1; /* only saddles of the minimum itself count here */
    p.ftol = 1e-4; /* tight, so the energy is within 1e-4 eV */
    p.eigval_threshold = -0.3;
    p.relax_ftol = 1e-4;
    p.lanczos.eps = p.lanczos_check.eps = 1e-3; /* smooth analytic surface */
    p.lanczos.min_iter = 2;
    p.push_step = 0.1;
    p.perp_push = 2;
    /* this surface's curvatures are 10-100 times a glass's and its lowest mode
     * turns within a few climb steps: refresh it every other step */
    p.climb_lanczos_every = 2;
    p.climb_lanczos_below = 1;
    *naccepted = *ntried = *nfound_known = 0;
    *calls_sum = 0;
    for (int s = 0; s < 20; s++) {
        double kick[3], nrm = 0;
        /* a direction in the xy plane mostly, as the landscape lives there */
        double ang = 2 * M_PI * s / 20.0;
        kick[0] = cos(ang);
        kick[1] = sin(ang);
        kick[2] = 0.2 * ((s % 3) - 1);
        for (int d = 0; d < 3; d++) nrm += kick[d] * kick[d];
        for (int d = 0; d < 3; d++) kick[d] *= p.kick_norm / sqrt(nrm);
        artn_result r;
        m.ndof = 3;
        assert_int_equal(bpel_artn_search(&m, kick, 1000 + s, &p, &r), 0);
        (*ntried)++;
        if (getenv("ARTN_DEBUG")) print_message("  s=%d status=%s dq=%.5f push=%d climb=%d calls=%ld l1=%.3g l2=%.3g pos=%.3f %.3f\n", s, bpel_artn_status_name(r.status), r.dq, r.push_steps, r.climb_steps, r.calls_saddle, r.eigval1, r.eigval2, r.u_saddle ? smin[0]+r.u_saddle[0] : 0, r.u_saddle ? smin[1]+r.u_saddle[1] : 0);
        ASSERT_NEAR(r.e_initial, e_min, 1e-12);
        if (r.status == ARTN_ACCEPTED) {
            (*naccepted)++;
            *calls_sum += r.calls_saddle;
            double pos[3] = {smin[0] + r.u_saddle[0], smin[1] + r.u_saddle[1], smin[2] + r.u_saddle[2]};
            int k = (hypot(pos[0] - sad[0][0], pos[1] - sad[0][1]) < hypot(pos[0] - sad[1][0], pos[1] - sad[1][1]))
                        ? 0 : 1;
            /* every accepted saddle is one of the two known ones, to 1e-4 eV */
            ASSERT_NEAR(r.e_saddle, esad[k], 1e-4);
            ASSERT_NEAR(r.dq, esad[k] - e_min, 1e-4);
            ASSERT_NEAR(pos[0], sad[k][0], 1e-3);
            ASSERT_NEAR(pos[1], sad[k][1], 1e-3);
            assert_true(r.eigval1 < 0 && r.eigval2 > 0);
            /* the far side relaxed into another minimum, lower than the saddle */
            assert_true(r.e_final < r.e_saddle);
            if (k == 1) (*nfound_known)++; /* the B–C saddle, the lowest one around B */
        }
        bpel_artn_result_free(&r);
    }
}

static void test_artn_muller_brown(void **state)
{
    (void)state;
    int nacc, ntry, nknown;
    long calls;
    /* from minimum B (0.623, 0.028): the B–C saddle at (0.212, 0.293) */
    const double minB[2] = {0.623, 0.028}, minA[2] = {-0.558, 1.442};
    run_mb(ARTN_METHOD_ARTN, 1, minB, &nacc, &ntry, &nknown, &calls);
    print_message("ARTn from B: %d/%d accepted, mean %.1f force calls to the saddle\n", nacc, ntry,
                  nacc ? (double)calls / nacc : 0.0);
    assert_true(nacc >= 5);
    /* from minimum A the path to the A–C saddle bends: push along the kick */
    run_mb(ARTN_METHOD_ARTN, 0, minA, &nacc, &ntry, &nknown, &calls);
    print_message("ARTn from A (push along the kick): %d/%d accepted, mean %.1f force calls\n", nacc, ntry,
                  nacc ? (double)calls / nacc : 0.0);
    assert_true(nacc >= 5);
    mb_climb_newton = 1;
    run_mb(ARTN_METHOD_ARTN, 1, minB, &nacc, &ntry, &nknown, &calls);
    mb_climb_newton = 0;
    print_message("ARTn from B, Newton climb: %d/%d accepted, mean %.1f force calls\n", nacc, ntry,
                  nacc ? (double)calls / nacc : 0.0);
    assert_true(nacc >= 5);
    /* slowest ascent: every saddle it accepts from B is the lowest one, B–C */
    run_mb(ARTN_METHOD_LOWEST, 1, minB, &nacc, &ntry, &nknown, &calls);
    print_message("slowest ascent from B: %d/%d accepted, mean %.1f force calls\n", nacc, ntry,
                  nacc ? (double)calls / nacc : 0.0);
    assert_true(nacc >= 5);
    assert_int_equal(nknown, nacc);
}

/* The defaults are the paper's search (SPEC §5): kick 0.1 Å within 2 Å, exit
 * below −0.30 eV/Å², every force component and the norm of the force vector
 * below 0.05 eV/Å, the push along the kick and a kick abandoned where the
 * climb finds positive curvature, as LAMMPS-ARTn, and in a campaign every atom
 * of the glass free. */
static void test_artn_defaults_are_the_papers(void **state)
{
    (void)state;
    campaign_params c;
    bpel_campaign_defaults(&c);
    assert_true(c.artn.kick_norm == 0.1);
    assert_true(c.artn.kick_radius == 2.0);
    assert_true(c.artn.eigval_threshold == -0.30);
    assert_true(c.artn.ftol == 0.05);
    assert_int_equal(c.artn.push_from_min, 0);
    assert_int_equal(c.searches, 20);
    assert_int_equal(c.region.whole, 1);
    assert_true(c.store_disp == 0.0);
    assert_int_equal(c.artn.saddle_norm, 1);
    assert_int_equal(c.artn.max_lost, 0);
    assert_int_equal(c.artn.attempts, 12);
    assert_int_equal(c.artn.max_calls, 800);
}

/* The status names round-trip. */
static void test_artn_status_names(void **state)
{
    (void)state;
    for (int k = 0; k < ARTN_NSTATUS; k++) assert_int_equal(bpel_artn_status_parse(bpel_artn_status_name(k)), k);
    assert_int_equal(bpel_artn_status_parse("bogus"), -1);
}

/* Every parameter can be set by name; bad names and values are refused. */
static void test_artn_param_set(void **state)
{
    (void)state;
    artn_params p;
    bpel_artn_defaults(&p);
    assert_int_equal(bpel_artn_param_set(&p, "push_step", "0.35"), BPEL_OK);
    assert_true(p.push_step == 0.35);
    assert_int_equal(bpel_artn_param_set(&p, "perp_push", "5"), BPEL_OK);
    assert_int_equal(p.perp_push, 5);
    assert_int_equal(bpel_artn_param_set(&p, "lanczos.max_iter", "12"), BPEL_OK);
    assert_int_equal(p.lanczos.max_iter, 12);
    assert_int_equal(bpel_artn_param_set(&p, "lanczos_check.tol", "0.002"), BPEL_OK);
    assert_true(p.lanczos_check.tol == 0.002);
    assert_int_not_equal(bpel_artn_param_set(&p, "no_such_thing", "1"), BPEL_OK);
    assert_int_not_equal(bpel_artn_param_set(&p, "perp_push", "2.5"), BPEL_OK);
    assert_int_not_equal(bpel_artn_param_set(&p, "push_step", "fast"), BPEL_OK);
    assert_int_not_equal(bpel_artn_param_set(&p, "push_step", ""), BPEL_OK);
    assert_int_equal(p.perp_push, 5); /* a refused value leaves the field alone */
    /* ranges: the exit threshold is negative, step sizes and counts positive */
    assert_int_not_equal(bpel_artn_param_set(&p, "eigval_threshold", "0.3"), BPEL_OK);
    assert_int_equal(bpel_artn_param_set(&p, "eigval_threshold", "-0.5"), BPEL_OK);
    assert_int_not_equal(bpel_artn_param_set(&p, "push_step", "-0.1"), BPEL_OK);
    assert_int_not_equal(bpel_artn_param_set(&p, "max_climb", "0"), BPEL_OK);
    assert_int_equal(bpel_artn_param_set(&p, "push_follow", "0"), BPEL_OK);
    assert_int_not_equal(bpel_artn_param_set(&p, "push_follow", "-1"), BPEL_OK);
    assert_int_equal(bpel_artn_param_set(&p, "lanczos.resid_tol", "0"), BPEL_OK);
    assert_int_equal(bpel_artn_param_set(&p, "second_min", "-0.01"), BPEL_OK);
    assert_true(p.eigval_threshold == -0.5);
    assert_int_equal(bpel_artn_param_set(&p, "climb_lanczos_fperp", "0.3"), BPEL_OK);
    assert_true(p.climb_lanczos_fperp == 0.3);
    assert_int_not_equal(bpel_artn_param_set(&p, "climb_lanczos_fperp", "-1"), BPEL_OK);
    assert_int_equal(bpel_artn_param_set(&p, "climb_lanczos_below", "1"), BPEL_OK);
    assert_true(p.climb_lanczos_below == 1.0);
    char buf[8192] = {0};
    FILE *fp = fmemopen(buf, sizeof buf - 1, "w");
    assert_non_null(fp);
    bpel_artn_param_list(fp, &p);
    fclose(fp);
    assert_non_null(strstr(buf, "push_step"));
    assert_non_null(strstr(buf, "lanczos.eps"));
}

/* A search that has spent max_calls force calls in push and climb stops with
 * over_budget, within one step (and its Lanczos run) of the budget; without
 * a budget the same search goes on to the saddle. */
static void test_artn_budget(void **state)
{
    (void)state;
    const double minB[3] = {0.623, 0.028, 0};
    double smin[3] = {minB[0], minB[1], 0};
    mb_ctx c = {{smin[0], smin[1], smin[2]}};
    artn_model m = {3, 3, mb_eval, NULL, NULL, &c};
    artn_params p;
    bpel_artn_defaults(&p);
    p.ftol = 1e-4;
    p.relax_ftol = 1e-4;
    p.push_from_min = 1;
    p.lanczos.eps = p.lanczos_check.eps = 1e-3;
    p.push_step = 0.1;
    p.max_lost = 20; /* this kick meets positive curvature on its way */
    double kick[3] = {-0.1, 0.0, 0.0};
    artn_result r;
    p.max_calls = 0;
    assert_int_equal(bpel_artn_search(&m, kick, 7, &p, &r), 0);
    long full = r.calls_saddle;
    assert_int_equal(r.status, ARTN_ACCEPTED);
    bpel_artn_result_free(&r);
    p.max_calls = (int)(full / 2);
    assert_int_equal(bpel_artn_search(&m, kick, 7, &p, &r), 0);
    assert_int_equal(r.status, ARTN_OVER_BUDGET);
    assert_true(r.calls_saddle >= p.max_calls && r.calls_saddle < p.max_calls + p.lanczos.max_iter + 10);
    assert_string_equal(bpel_artn_status_name(r.status), "over_budget");
    bpel_artn_result_free(&r);
    /* the slowest ascent has no budget: its ascent alone may take more */
    p.method = ARTN_METHOD_LOWEST;
    p.max_calls = 1;
    assert_int_equal(bpel_artn_search(&m, kick, 7, &p, &r), 0);
    assert_int_not_equal(r.status, ARTN_OVER_BUDGET);
    bpel_artn_result_free(&r);
}

/* A climb that leaves the basin into a region below the initial minimum:
 * E = 2x² − x⁴ + ½k y² − t·y·S(x), S a smoothstep from x = 0.3 to 0.8; as
 * the climb goes up along x the perpendicular y relaxes into the tilt, and
 * its stationary point (x = 1, y = t/k) lies at 1 − t²/2k = −2 eV. Without
 * below_abort the climb converges there and is rejected as not_above; with
 * it the climb stops as soon as the energy falls below the minimum's, on the
 * same path, with fewer calls. */
#define TILT_K 10.0
#define TILT_T 7.745966692414834 /* sqrt(60): t²/2k = 3 eV */
static int tilt_eval(void *ctx, const double *u, double *e, double *f)
{
    (void)ctx;
    double x = u[0], y = u[1], z = u[2], q = (x - 0.3) / 0.5, S = 0, dS = 0;
    if (q >= 1) S = 1;
    else if (q > 0) S = q * q * (3 - 2 * q), dS = 6 * q * (1 - q) / 0.5;
    *e = 2 * x * x - x * x * x * x + 0.5 * TILT_K * y * y - TILT_T * y * S + 0.5 * TILT_K * z * z;
    f[0] = -(4 * x - 4 * x * x * x - TILT_T * y * dS);
    f[1] = -(TILT_K * y - TILT_T * S);
    f[2] = -TILT_K * z;
    return 0;
}

static void test_artn_below_abort(void **state)
{
    (void)state;
    artn_model m = {3, 3, tilt_eval, NULL, NULL, NULL};
    artn_params p;
    bpel_artn_defaults(&p);
    assert_int_equal(p.below_abort, 1);
    p.lanczos.eps = p.lanczos_check.eps = 1e-4;
    p.ftol = 1e-3;
    double kick[3] = {0.1, 0.0, 0.0};
    artn_result on, off;
    assert_int_equal(bpel_artn_search(&m, kick, 3, &p, &on), 0);
    p.below_abort = 0;
    assert_int_equal(bpel_artn_search(&m, kick, 3, &p, &off), 0);
    if (getenv("ARTN_DEBUG"))
        print_message("below_abort: on %s %ld calls, off %s %ld calls e_saddle %.4f\n", bpel_artn_status_name(on.status),
                      on.calls_saddle, bpel_artn_status_name(off.status), off.calls_saddle, off.e_saddle);
    assert_int_equal(off.status, ARTN_NOT_ABOVE);
    ASSERT_NEAR(off.e_saddle, -2.0, 1e-3); /* the stationary point below the minimum */
    assert_int_equal(on.status, ARTN_NOT_ABOVE);
    assert_true(on.calls_saddle < off.calls_saddle);
    bpel_artn_result_free(&on);
    bpel_artn_result_free(&off);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lanczos_quadratic),
        cmocka_unit_test(test_artn_muller_brown),
        cmocka_unit_test(test_artn_status_names),
        cmocka_unit_test(test_artn_budget),
        cmocka_unit_test(test_artn_below_abort),
        cmocka_unit_test(test_artn_defaults_are_the_papers),
        cmocka_unit_test(test_artn_param_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
