/* md.c — velocity Verlet with Nosé–Hoover chains and the MTK barostat.
 *
 * One step (the Trotter splitting of LAMMPS fix_nh.cpp, tloop = ploop = 1):
 *   ½: barostat chain; particle chain (scales v by exp(−η̇₁ dt/2));
 *      barostat velocity ω̇ += dt/2 [ (P − P_t) V/W + N_f k T/(3N W) ];
 *      v *= exp(−(ω̇ + α)dt/2) with α = 3ω̇/(3N) (MTK);  v += dt/2 F/m;
 *      box ×exp(ω̇ dt/2); x += dt v; box ×exp(ω̇ dt/2) (positions scaled
 *      with the box, fractional coordinates kept)
 *   forces at the new positions
 *   ½: v += dt/2 F/m; v *= exp(−(ω̇ + α)dt/2); ω̇ update with the new P;
 *      particle chain; barostat chain.
 * With NVE only the velocity Verlet parts remain; with NVT no barostat.
 * The pressure that drives ω̇ is the instantaneous scalar pressure
 * P = (Σ m v² + tr W)/(3V), W the virial of the last force evaluation.
 * The conserved quantity is that of LAMMPS (fix_nh compute_scalar):
 *   H = E_kin + E_pot + N_f k T_t η₁ + Σ_{k>1} k T_t η_k + Σ ½ Q_k η̇_k²
 *       + 3[½ W ω̇² + P_t (V − V₀)/3] + k T_t η'₁ + Σ_{k>1} k T_t η'_k + Σ ½ Q'_k η̇'_k²
 * which is exactly conserved only for a constant target. */
#include "md.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "units.h"

struct md_integrator {
    md_params p;
    md_state st;
    bpel_forces *forces;
    bpel_system *s;
    const double *f;    /* eV/Å, owned by the forces object */
    double tdof;        /* 3N − 3 */
    double *inv_mass;   /* [n] dt/2 · ftm2v / m */
    int peratom;        /* compute per-atom energies every step */
    const double *pe_atom;
};

void bpel_md_defaults(md_params *p)
{
    memset(p, 0, sizeof *p);
    p->ensemble = MD_NVE;
    p->dt = 0.002;
    p->t_start = p->t_stop = 300.0;
    p->p_start = p->p_stop = 0.0;
    p->tdamp = 0.1;
    p->pdamp = 1.0;
    p->tchain = 3;
    p->pchain = 3;
}

int bpel_md_check_params(const md_params *p)
{
    if (!(p->dt > 0) || p->dt > 0.05) return bpel_fail(BPEL_EINVAL, "time step %g ps must be in (0, 0.05]", p->dt);
    if (p->ensemble == MD_NVE) return BPEL_OK;
    if (!(p->t_start > 0) || !(p->t_stop > 0))
        return bpel_fail(BPEL_EINVAL, "target temperatures %g → %g K must be positive", p->t_start, p->t_stop);
    if (!(p->tdamp > 0)) return bpel_fail(BPEL_EINVAL, "Tdamp %g ps must be positive", p->tdamp);
    if (p->tdamp < p->dt) return bpel_fail(BPEL_EINVAL, "Tdamp %g ps is shorter than the time step %g ps", p->tdamp, p->dt);
    if (p->tchain < 1 || p->tchain > MD_MAXCHAIN)
        return bpel_fail(BPEL_EINVAL, "thermostat chain length %d outside 1..%d", p->tchain, MD_MAXCHAIN);
    if (p->ensemble == MD_NPT) {
        if (!(p->pdamp > 0)) return bpel_fail(BPEL_EINVAL, "Pdamp %g ps must be positive", p->pdamp);
        if (p->pdamp < p->dt) return bpel_fail(BPEL_EINVAL, "Pdamp %g ps is shorter than the time step", p->pdamp);
        if (p->pchain < 0 || p->pchain > MD_MAXCHAIN)
            return bpel_fail(BPEL_EINVAL, "barostat chain length %d outside 0..%d", p->pchain, MD_MAXCHAIN);
        if (!isfinite(p->p_start) || !isfinite(p->p_stop)) return bpel_fail(BPEL_EINVAL, "target pressure not finite");
    }
    return BPEL_OK;
}

double bpel_md_kinetic_energy(const bpel_system *s)
{
    if (!s->v) return 0.0;
    double sum = 0.0;
    for (size_t i = 0; i < s->n; i++) {
        const double *v = &s->v[3 * i];
        sum += system_mass(s, i) * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    }
    return 0.5 * BPEL_MVV2E * sum;
}

static double dof_of(const bpel_system *s) { return s->n > 1 ? 3.0 * (double)s->n - 3.0 : 1.0; }

double bpel_md_temperature(const bpel_system *s) { return 2.0 * bpel_md_kinetic_energy(s) / (dof_of(s) * BPEL_BOLTZ); }

int bpel_md_velocity_create(bpel_system *s, double temperature, gsl_rng *rng)
{
    if (!(temperature >= 0)) return bpel_fail(BPEL_EINVAL, "initial temperature %g K must not be negative", temperature);
    if (s->n < 2) return bpel_fail(BPEL_EINVAL, "need at least 2 atoms to set a temperature");
    int rc = bpel_system_ensure_velocities(s);
    if (rc) return rc;
    double p[3] = {0, 0, 0}, mtot = 0;
    for (size_t i = 0; i < s->n; i++) {
        double m = system_mass(s, i);
        double sd = sqrt(BPEL_BOLTZ * (temperature > 0 ? temperature : 1.0) / (m * BPEL_MVV2E));
        for (int k = 0; k < 3; k++) {
            s->v[3 * i + k] = gsl_ran_gaussian(rng, sd);
            p[k] += m * s->v[3 * i + k];
        }
        mtot += m;
    }
    for (size_t i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++) s->v[3 * i + k] -= p[k] / mtot;
    double t = bpel_md_temperature(s);
    double f = t > 0 ? sqrt(temperature / t) : 0.0;
    for (size_t i = 0; i < 3 * s->n; i++) s->v[i] *= f;
    return BPEL_OK;
}

int bpel_md_create(bpel_forces *e, bpel_system *s, const md_params *p, md_integrator **out)
{
    int rc = bpel_md_check_params(p);
    if (rc) return rc;
    if (!s->v) return bpel_fail(BPEL_EINVAL, "md_create: the system has no velocities");
    if (s->n < 2) return bpel_fail(BPEL_EINVAL, "molecular dynamics needs at least 2 atoms");
    md_integrator *m = bpel_calloc(1, sizeof *m);
    if (!m) return BPEL_ENOMEM;
    m->inv_mass = bpel_malloc(s->n * sizeof *m->inv_mass);
    if (!m->inv_mass) {
        free(m);
        return BPEL_ENOMEM;
    }
    m->p = *p;
    m->forces = e;
    m->s = s;
    m->tdof = dof_of(s);
    bpel_md_set_params(m, p);
    *out = m;
    return BPEL_OK;
}

void bpel_md_destroy(md_integrator *m)
{
    if (!m) return;
    free(m->inv_mass);
    free(m);
}

int bpel_md_set_params(md_integrator *m, const md_params *p)
{
    int rc = bpel_md_check_params(p);
    if (rc) return rc;
    m->p = *p;
    for (size_t i = 0; i < m->s->n; i++) m->inv_mass[i] = 0.5 * p->dt * BPEL_FTM2V / system_mass(m->s, i);
    return BPEL_OK;
}

const md_params *bpel_md_get_params(const md_integrator *m) { return &m->p; }
md_state *bpel_md_get_state(md_integrator *m) { return &m->st; }
void bpel_md_want_peratom(md_integrator *m, int on) { m->peratom = on; }
const double *bpel_md_get_peratom(const md_integrator *m) { return m->pe_atom; }
const double *bpel_md_get_f(const md_integrator *m) { return m->f; }

static int compute(md_integrator *m, int flags)
{
    bpel_eval ev;
    if (m->peratom) flags |= FORCES_ENERGY | FORCES_PERATOM;
    int rc = bpel_forces_compute(m->forces, m->s, flags, &ev);
    if (rc) return rc;
    m->f = ev.f;
    if (flags & FORCES_PERATOM) m->pe_atom = ev.pe;
    if (flags & FORCES_ENERGY) m->st.pe = ev.energy;
    if (flags & FORCES_VIRIAL) memcpy(m->st.virial, ev.virial, sizeof ev.virial);
    return BPEL_OK;
}

int bpel_md_refresh_forces(md_integrator *m) { return compute(m, FORCES_ENERGY | FORCES_VIRIAL); }

int bpel_md_set_forces(md_integrator *m, bpel_forces *e)
{
    m->forces = e;
    return bpel_md_refresh_forces(m);
}

/* ------------------------------------------------------------ pieces */

static double volume_of(const md_integrator *m) { return bpel_box_volume(&m->s->box); }

/* Instantaneous scalar pressure (bar) with the current velocities. */
static double pressure_now(const md_integrator *m)
{
    const md_state *st = &m->st;
    double ke2 = 2.0 * bpel_md_kinetic_energy(m->s);
    return (ke2 + st->virial[0] + st->virial[1] + st->virial[2]) / (3.0 * volume_of(m)) * BPEL_NKTV2P;
}

static void target_update(md_integrator *m)
{
    md_state *st = &m->st;
    double delta = (double)(st->step - st->run_begin);
    if (delta != 0.0) delta /= (double)(st->run_end - st->run_begin);
    st->t_target = m->p.t_start + delta * (m->p.t_stop - m->p.t_start);
}

static void press_target_update(md_integrator *m)
{
    md_state *st = &m->st;
    double delta = (double)(st->step - st->run_begin);
    if (delta != 0.0) delta /= (double)(st->run_end - st->run_begin);
    st->p_hydro = m->p.p_start + delta * (m->p.p_stop - m->p.p_start);
}

static void scale_velocities(md_integrator *m, double f)
{
    double *v = m->s->v;
    size_t n3 = 3 * m->s->n;
    for (size_t i = 0; i < n3; i++) v[i] *= f;
}

/* LAMMPS FixNH::nhc_temp_integrate. */
static void nhc_temp_integrate(md_integrator *m)
{
    md_state *st = &m->st;
    const int M = m->p.tchain;
    const double dt = m->p.dt, dt4 = 0.25 * dt, dt8 = 0.125 * dt, dthalf = 0.5 * dt;
    const double kb = BPEL_BOLTZ, tfreq = 1.0 / m->p.tdamp;
    const double ke_target = m->tdof * kb * st->t_target;
    st->eta_mass[0] = m->tdof * kb * st->t_target / (tfreq * tfreq);
    for (int k = 1; k < M; k++) st->eta_mass[k] = kb * st->t_target / (tfreq * tfreq);
    double kecurrent = m->tdof * kb * st->t_current;
    st->eta_dotdot[0] = st->eta_mass[0] > 0 ? (kecurrent - ke_target) / st->eta_mass[0] : 0.0;
    st->eta_dot[M] = 0.0;
    for (int k = M - 1; k > 0; k--) {
        double e = exp(-dt8 * st->eta_dot[k + 1]);
        st->eta_dot[k] = (st->eta_dot[k] * e + st->eta_dotdot[k] * dt4) * e;
    }
    double e = exp(-dt8 * st->eta_dot[1]);
    st->eta_dot[0] = (st->eta_dot[0] * e + st->eta_dotdot[0] * dt4) * e;
    double factor = exp(-dthalf * st->eta_dot[0]);
    scale_velocities(m, factor);
    st->t_current *= factor * factor;
    kecurrent = m->tdof * kb * st->t_current;
    st->eta_dotdot[0] = st->eta_mass[0] > 0 ? (kecurrent - ke_target) / st->eta_mass[0] : 0.0;
    for (int k = 0; k < M; k++) st->eta[k] += dthalf * st->eta_dot[k];
    st->eta_dot[0] = (st->eta_dot[0] * e + st->eta_dotdot[0] * dt4) * e;
    for (int k = 1; k < M; k++) {
        double ek = exp(-dt8 * st->eta_dot[k + 1]);
        st->eta_dot[k] *= ek;
        st->eta_dotdot[k] = (st->eta_mass[k - 1] * st->eta_dot[k - 1] * st->eta_dot[k - 1] - kb * st->t_target) /
                            st->eta_mass[k];
        st->eta_dot[k] = (st->eta_dot[k] + st->eta_dotdot[k] * dt4) * ek;
    }
}

/* LAMMPS FixNH::nhc_press_integrate (iso: the three identical ω̇ count as
 * one degree of freedom of mass 3W). */
static void nhc_press_integrate(md_integrator *m)
{
    md_state *st = &m->st;
    const int M = m->p.pchain;
    if (M < 1) return;
    const double dt = m->p.dt, dt4 = 0.25 * dt, dt8 = 0.125 * dt, dthalf = 0.5 * dt;
    const double kt = BPEL_BOLTZ * st->t_target;
    double kecurrent = 3.0 * st->omega_mass * st->omega_dot * st->omega_dot;
    st->etap_dotdot[0] = (kecurrent - kt) / st->etap_mass[0];
    st->etap_dot[M] = 0.0;
    for (int k = M - 1; k > 0; k--) {
        double e = exp(-dt8 * st->etap_dot[k + 1]);
        st->etap_dot[k] = (st->etap_dot[k] * e + st->etap_dotdot[k] * dt4) * e;
    }
    double e = exp(-dt8 * st->etap_dot[1]);
    st->etap_dot[0] = (st->etap_dot[0] * e + st->etap_dotdot[0] * dt4) * e;
    for (int k = 0; k < M; k++) st->etap[k] += dthalf * st->etap_dot[k];
    st->omega_dot *= exp(-dthalf * st->etap_dot[0]);
    kecurrent = 3.0 * st->omega_mass * st->omega_dot * st->omega_dot;
    st->etap_dotdot[0] = (kecurrent - kt) / st->etap_mass[0];
    st->etap_dot[0] = (st->etap_dot[0] * e + st->etap_dotdot[0] * dt4) * e;
    for (int k = 1; k < M; k++) {
        double ek = exp(-dt8 * st->etap_dot[k + 1]);
        st->etap_dot[k] *= ek;
        st->etap_dotdot[k] = (st->etap_mass[k - 1] * st->etap_dot[k - 1] * st->etap_dot[k - 1] - kt) / st->etap_mass[k];
        st->etap_dot[k] = (st->etap_dot[k] + st->etap_dotdot[k] * dt4) * ek;
    }
}

/* LAMMPS FixNH::nh_omega_dot for iso coupling, with the MTK terms. */
static void nh_omega_dot(md_integrator *m, double p_current)
{
    md_state *st = &m->st;
    const double dthalf = 0.5 * m->p.dt, n = (double)m->s->n;
    double mtk_term1 = m->tdof * BPEL_BOLTZ * st->t_current / (3.0 * n);
    double f_omega = (p_current - st->p_hydro) * volume_of(m) / (st->omega_mass * BPEL_NKTV2P) + mtk_term1 / st->omega_mass;
    st->omega_dot += f_omega * dthalf;
    st->mtk_term2 = 3.0 * st->omega_dot / (3.0 * n);
}

static void nh_v_press(md_integrator *m)
{
    double f = exp(-0.25 * m->p.dt * (m->st.omega_dot + m->st.mtk_term2));
    scale_velocities(m, f * f);
}

/* Dilate box and positions by exp(ω̇ dt/2) about the fixed point. */
static void remap(md_integrator *m)
{
    md_state *st = &m->st;
    bpel_box *b = &m->s->box;
    const double dto = 0.5 * m->p.dt;
    st->omega += dto * st->omega_dot;
    double ef = exp(dto * st->omega_dot);
    const double *c = st->fixedpoint;
    /* fractional coordinates are preserved: with the box scaled about c,
     * r' = c + ef (r − c) */
    double *x = m->s->x;
    for (size_t i = 0; i < m->s->n; i++)
        for (int k = 0; k < 3; k++) x[3 * i + k] = c[k] + ef * (x[3 * i + k] - c[k]);
    for (int k = 0; k < 3; k++) {
        double lo = b->lo[k], hi = b->lo[k] + b->len[k];
        lo = (lo - c[k]) * ef + c[k];
        hi = (hi - c[k]) * ef + c[k];
        b->lo[k] = lo;
        b->len[k] = hi - lo;
    }
    b->xy *= ef;
    b->xz *= ef;
    b->yz *= ef;
}

static void nve_v(md_integrator *m)
{
    double *v = m->s->v;
    const double *f = m->f;
    for (size_t i = 0; i < m->s->n; i++) {
        double c = m->inv_mass[i];
        v[3 * i] += c * f[3 * i];
        v[3 * i + 1] += c * f[3 * i + 1];
        v[3 * i + 2] += c * f[3 * i + 2];
    }
}

static void nve_x(md_integrator *m)
{
    double *x = m->s->x;
    const double *v = m->s->v, dt = m->p.dt;
    size_t n3 = 3 * m->s->n;
    for (size_t i = 0; i < n3; i++) x[i] += dt * v[i];
}

/* ------------------------------------------------------------ driver */

int bpel_md_setup(md_integrator *m, long nsteps)
{
    md_state *st = &m->st;
    if (nsteps < 0) return bpel_fail(BPEL_EINVAL, "negative number of steps %ld", nsteps);
    st->run_begin = st->step;
    st->run_end = st->step + nsteps;
    int rc = bpel_md_refresh_forces(m);
    if (rc) return rc;
    st->t_current = bpel_md_temperature(m->s);
    if (m->p.ensemble == MD_NVE) return BPEL_OK;
    target_update(m);
    const double kb = BPEL_BOLTZ, tf = 1.0 / m->p.tdamp;
    st->eta_mass[0] = m->tdof * kb * st->t_target / (tf * tf);
    for (int k = 1; k < m->p.tchain; k++) st->eta_mass[k] = kb * st->t_target / (tf * tf);
    for (int k = 1; k < m->p.tchain; k++)
        st->eta_dotdot[k] = (st->eta_mass[k - 1] * st->eta_dot[k - 1] * st->eta_dot[k - 1] - kb * st->t_target) /
                            st->eta_mass[k];
    if (m->p.ensemble == MD_NPT) {
        const double pf = 1.0 / m->p.pdamp, kt = kb * st->t_target;
        const bpel_box *b = &m->s->box;
        press_target_update(m);
        st->omega_mass = ((double)m->s->n + 1.0) * kt / (pf * pf);
        for (int k = 0; k < m->p.pchain; k++) st->etap_mass[k] = kt / (pf * pf);
        for (int k = 1; k < m->p.pchain; k++)
            st->etap_dotdot[k] = (st->etap_mass[k - 1] * st->etap_dot[k - 1] * st->etap_dot[k - 1] - kt) /
                                 st->etap_mass[k];
        st->vol0 = bpel_box_volume(b);
        double c[3];
        for (int k = 0; k < 3; k++) c[k] = b->lo[k] + 0.5 * b->len[k];
        memcpy(st->fixedpoint, c, sizeof c);
        st->mtk_term2 = st->omega_dot / (double)m->s->n;
    }
    return BPEL_OK;
}

int bpel_md_step(md_integrator *m, int energy)
{
    md_state *st = &m->st;
    const int npt = m->p.ensemble == MD_NPT, tstat = m->p.ensemble != MD_NVE;
    st->step++;
    if (npt) nhc_press_integrate(m);
    if (tstat) {
        target_update(m);
        nhc_temp_integrate(m);
    }
    if (npt) {
        press_target_update(m);
        nh_omega_dot(m, pressure_now(m));
        nh_v_press(m);
    }
    nve_v(m);
    if (npt) remap(m);
    nve_x(m);
    if (npt) remap(m);
    int flags = energy ? FORCES_ENERGY | FORCES_VIRIAL : npt ? FORCES_VIRIAL : 0;
    int rc = compute(m, flags);
    if (rc) return rc;
    nve_v(m);
    if (npt) nh_v_press(m);
    st->t_current = bpel_md_temperature(m->s);
    if (npt) nh_omega_dot(m, pressure_now(m));
    if (tstat) nhc_temp_integrate(m);
    if (npt) nhc_press_integrate(m);
    for (size_t i = 0; i < 3 * m->s->n; i++)
        if (!isfinite(m->s->v[i]))
            return bpel_fail(BPEL_EINVAL, "step %ld: velocities are no longer finite (time step too large?)", st->step);
    return BPEL_OK;
}

void bpel_md_get_thermo(const md_integrator *m, md_thermo *t)
{
    const md_state *st = &m->st;
    t->step = st->step;
    t->time = st->step * m->p.dt;
    t->ke = bpel_md_kinetic_energy(m->s);
    t->temp = 2.0 * t->ke / (m->tdof * BPEL_BOLTZ);
    t->pe = st->pe;
    t->etotal = t->pe + t->ke;
    t->volume = volume_of(m);
    t->press = pressure_now(m);
    double ec = 0.0;
    if (m->p.ensemble != MD_NVE) {
        double kt = BPEL_BOLTZ * st->t_target;
        ec += m->tdof * kt * st->eta[0] + 0.5 * st->eta_mass[0] * st->eta_dot[0] * st->eta_dot[0];
        for (int k = 1; k < m->p.tchain; k++) ec += kt * st->eta[k] + 0.5 * st->eta_mass[k] * st->eta_dot[k] * st->eta_dot[k];
        if (m->p.ensemble == MD_NPT) {
            ec += 3.0 * (0.5 * st->omega_dot * st->omega_dot * st->omega_mass) +
                  st->p_hydro * (t->volume - st->vol0) / BPEL_NKTV2P;
            /* LAMMPS counts the first barostat-chain coordinate once per
             * barostatted dimension here (3 k T η'_1), although its
             * equation of motion uses k T for iso coupling. */
            for (int k = 0; k < m->p.pchain; k++)
                ec += (k == 0 ? 3.0 : 1.0) * kt * st->etap[k] + 0.5 * st->etap_mass[k] * st->etap_dot[k] * st->etap_dot[k];
        }
    }
    t->conserved = t->etotal + ec;
}

void bpel_md_thermo_header(FILE *fp, int csv)
{
    if (csv)
        fprintf(fp, "step,time_ps,temp_K,pe_eV,ke_eV,etotal_eV,press_bar,volume_A3,conserved_eV\n");
    else
        fprintf(fp, "%10s %10s %10s %16s %14s %16s %12s %12s %16s\n", "Step", "Time", "Temp", "PotEng", "KinEng",
                "TotEng", "Press", "Volume", "Conserved");
}

void bpel_md_thermo_write(FILE *fp, int csv, const md_thermo *t)
{
    if (csv)
        fprintf(fp, "%ld,%.6f,%.10g,%.12g,%.12g,%.12g,%.10g,%.12g,%.12g\n", t->step, t->time, t->temp, t->pe, t->ke,
                t->etotal, t->press, t->volume, t->conserved);
    else
        fprintf(fp, "%10ld %10.4f %10.3f %16.6f %14.6f %16.6f %12.3f %12.4f %16.6f\n", t->step, t->time, t->temp, t->pe,
                t->ke, t->etotal, t->press, t->volume, t->conserved);
}
