#!/usr/bin/env bash
# thermal_fcc.sh OUT.data — a thermal L1_2-ordered Cu3Zr crystal for tests: 8^3 fcc cells
# of a = 3.8 Å (2,048 atoms; Zr at the cube corners), every atom displaced by a
# Gaussian of s1 = 0.08 Å per component (seeded, so the file is always the same).
set -euo pipefail
awk -v nc=8 -v a=3.8 -v s1=0.08 'BEGIN {
  srand(7); L = nc * a; n = 4 * nc * nc * nc
  print "thermal fcc test crystal\n"; print n " atoms"; print "2 atom types"
  print "0 " L " xlo xhi"; print "0 " L " ylo yhi"; print "0 " L " zlo zhi"
  print "\nMasses\n"; print "1 63.546"; print "2 91.224"; print "\nAtoms # atomic\n"
  split("0 0 0 0.5 0.5 0 0.5 0 0.5 0 0.5 0.5", b, " "); id = 0
  for (i = 0; i < nc; i++) for (j = 0; j < nc; j++) for (l = 0; l < nc; l++) for (m = 0; m < 4; m++) {
    for (d = 1; d <= 3; d++) { u = rand(); v = rand(); g[d] = s1 * sqrt(-2 * log(u + 1e-300)) * cos(6.283185307179586 * v) }
    x = (i + b[3*m+1]) * a + g[1]; y = (j + b[3*m+2]) * a + g[2]; z = (l + b[3*m+3]) * a + g[3]
    x = x < 0 ? x + L : x; y = y < 0 ? y + L : y; z = z < 0 ? z + L : z
    print ++id, (m == 0 ? 2 : 1), x, y, z
  }
}' > "${1:?usage: thermal_fcc.sh OUT.data}"
