/* units.h — LAMMPS `metal` units and the conversions bpel uses.
 * Constants are those of LAMMPS (src/update.cpp, metal style) so that
 * temperatures, pressures and kinetic energies agree with it digit for digit. */
#ifndef BPEL_UNITS_H
#define BPEL_UNITS_H

#define BPEL_BOLTZ 8.617343e-5          /* Boltzmann constant, eV/K */
#define BPEL_MVV2E 1.0364269e-4         /* amu·Å²/ps² -> eV */
#define BPEL_FTM2V (1.0 / 1.0364269e-4) /* eV/Å/amu -> Å/ps² */
#define BPEL_NKTV2P 1.6021765e6         /* eV/Å³ -> bar */
/* Mass-weighted Hessian eigenvalue λ in eV/(Å²·amu) -> angular frequency
 * ω = BPEL_OMEGA_FACTOR·√λ in rad/ps; ν = ω/2π in THz. */
#define BPEL_OMEGA_FACTOR 98.22694788464063
#define BPEL_PI 3.14159265358979323846

#include <math.h>
/* ω of an eigenvalue λ, negative for λ < 0 (an unstable mode's imaginary frequency, by sign). */
static inline double bpel_omega_of(double lambda)
{
    return (lambda >= 0 ? 1.0 : -1.0) * BPEL_OMEGA_FACTOR * sqrt(fabs(lambda));
}

#endif
