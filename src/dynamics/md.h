/* md.h — molecular dynamics: velocity Verlet in the NVE, NVT and NPT ensembles.
 *
 * The thermostat and barostat are those of LAMMPS `fix nvt` and
 * `fix npt ... iso` (fix_nh.cpp): a Nosé–Hoover chain on the particles
 * (Martyna–Klein–Tuckerman), and for NPT the isotropic MTK barostat
 * (Martyna–Tobias–Klein 1994, Shinoda–Shiga–Mikami 2004, Tuckerman et al.
 * 2006) with its own Nosé–Hoover chain, integrated with the same Trotter
 * splitting, the same masses
 *   Q_1 = N_f k_B T/ω_T², Q_k = k_B T/ω_T² (k > 1),   ω_T = 1/Tdamp
 *   W   = (N+1) k_B T/ω_P²,  Q'_k = k_B T/ω_P²,       ω_P = 1/Pdamp
 * and the same conserved quantity (total energy plus the chain and barostat
 * energies, LAMMPS' `ecouple`). N_f = 3N − 3 (total momentum removed).
 * Targets ramp linearly over a run from the start to the stop value, as in
 * LAMMPS (target at step k of a run of n steps = start + (k/n)(stop−start)).
 * Units: metal (Å, ps, eV, K, bar, amu). */
#ifndef BPEL_MD_H
#define BPEL_MD_H

#include <stdio.h>
#include <gsl/gsl_rng.h>

#include "forces.h"
#include "structure.h"

#define MD_MAXCHAIN 8

typedef enum { MD_NVE = 0, MD_NVT = 1, MD_NPT = 2 } md_ensemble;

typedef struct md_params {
    md_ensemble ensemble; /* default MD_NVE */
    double dt;            /* time step, ps (default 0.002) */
    double t_start;       /* thermostat target at the start of a run, K */
    double t_stop;        /* ... and at its end, K */
    double p_start;       /* barostat target, bar (default 0) */
    double p_stop;        /* bar */
    double tdamp;         /* thermostat relaxation time, ps (default 0.1) */
    double pdamp;         /* barostat relaxation time, ps (default 1.0) */
    int tchain;           /* thermostat chain length (default 3) */
    int pchain;           /* barostat thermostat chain length (default 3) */
} md_params;

/* The full dynamical state besides positions and velocities: what a restart
 * needs for a bitwise continuation. Plain data (written as bytes). */
typedef struct md_state {
    long step;             /* global step number */
    long run_begin;        /* step at which the current run (ramp) began */
    long run_end;          /* step at which it ends */
    double t_target;       /* K */
    double t_current;      /* K, as tracked by the integrator */
    double p_hydro;        /* bar */
    double eta[MD_MAXCHAIN], eta_dot[MD_MAXCHAIN + 1], eta_dotdot[MD_MAXCHAIN], eta_mass[MD_MAXCHAIN];
    double etap[MD_MAXCHAIN], etap_dot[MD_MAXCHAIN + 1], etap_dotdot[MD_MAXCHAIN], etap_mass[MD_MAXCHAIN];
    double omega;          /* log box strain (bookkeeping) */
    double omega_dot;      /* 1/ps, per dimension (all three equal: iso) */
    double omega_mass;     /* eV ps², per dimension */
    double mtk_term2;      /* 1/ps */
    double vol0;           /* Å³, volume at the start of the run */
    double fixedpoint[3];  /* Å, centre of the box dilation */
    double pe;             /* eV, at the current positions */
    double virial[6];      /* eV, at the current positions */
} md_state;

typedef struct md_thermo {
    long step;
    double time;       /* ps */
    double temp;       /* K */
    double pe;         /* eV */
    double ke;         /* eV */
    double etotal;     /* eV */
    double press;      /* bar */
    double volume;     /* Å³ */
    double conserved;  /* eV: etotal + thermostat/barostat energy */
} md_thermo;

typedef struct md_integrator md_integrator;

void bpel_md_defaults(md_params *p);
/* Check parameters; the error names the offending one. */
int bpel_md_check_params(const md_params *p);
/* Bind an integrator to a force field and a system (which must have
 * velocities; use bpel_md_velocity_create). Nothing is computed yet. */
int bpel_md_create(bpel_forces *e, bpel_system *s, const md_params *p, md_integrator **out);
void bpel_md_destroy(md_integrator *m);
/* Start a run of `nsteps` steps, as LAMMPS `run` does: forces, targets and
 * masses of the chains are set up; chain positions/velocities carry over
 * from the previous run. */
int bpel_md_setup(md_integrator *m, long nsteps);
/* One time step. With `energy` set the force evaluation also yields the
 * potential energy and virial (for thermo output); NPT always computes the
 * virial. Forces are bitwise the same either way. */
int bpel_md_step(md_integrator *m, int energy);
/* Change parameters between runs (e.g. from melt to quench). */
int bpel_md_set_params(md_integrator *m, const md_params *p);
const md_params *bpel_md_get_params(const md_integrator *m);
/* Replace the force object (after a neighbour-list rebuild) and recompute
 * forces, energy and virial at the current positions. */
int bpel_md_set_forces(md_integrator *m, bpel_forces *e);
int bpel_md_refresh_forces(md_integrator *m);
md_state *bpel_md_get_state(md_integrator *m);
/* Also compute per-atom energies at every step (bpel_md_get_peratom then gives
 * them, eV, in atom order; NULL before the first such evaluation). */
void bpel_md_want_peratom(md_integrator *m, int on);
const double *bpel_md_get_peratom(const md_integrator *m);
const double *bpel_md_get_f(const md_integrator *m);
void bpel_md_get_thermo(const md_integrator *m, md_thermo *t);

/* Kinetic energy (eV) and temperature (K, N_f = 3N−3) of the velocities. */
double bpel_md_kinetic_energy(const bpel_system *s);
double bpel_md_temperature(const bpel_system *s);
/* Maxwell–Boltzmann velocities at temperature T (K) from a seeded GSL
 * mt19937 generator: Gaussian components, zero total momentum, scaled so
 * that the temperature is exactly T. */
int bpel_md_velocity_create(bpel_system *s, double temperature, gsl_rng *rng);

/* Thermo output: a header and one line per call, as text (LAMMPS-like
 * columns) or CSV (units in column names). */
void bpel_md_thermo_header(FILE *fp, int csv);
void bpel_md_thermo_write(FILE *fp, int csv, const md_thermo *t);

#endif
