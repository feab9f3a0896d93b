#!/usr/bin/env bash
# Regenerates the seed corpus in fuzz/corpus/ from small files: hand-written
# ones, files written by a built `bpel` (dumps, restarts, a Hessian), and
# Debian lammps-data potentials cut down to a few grid points.
# usage: fuzz/make_corpus.sh BUILD_DIR
set -euo pipefail
B=$(cd "${1:?build dir}" && pwd)
BPEL=$B/bpel
F=$(cd "$(dirname "$0")" && pwd)
C=$F/corpus
POT=/usr/share/lammps/potentials
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$C"/{data,dump,eam_funcfl,eam_setfl,eam_fs,study,table,restart,mtx}

cat > "$C/data/small.data" <<'D'
small orthogonal

4 atoms
2 atom types

0 10 xlo xhi
0 10 ylo yhi
0 10 zlo zhi

Masses

1 63.546
2 91.224

Atoms # atomic

1 1 1.0 1.0 1.0
2 2 3.5 1.0 1.0
3 1 1.0 3.5 1.0
4 2 1.0 1.0 3.5
D
cat > "$C/data/triclinic.data" <<'D'
triclinic, image flags, velocities, atoms outside the box

3 atoms
2 atom types
0 bonds

-1.5 8.5 xlo xhi
0 9 ylo yhi
0.25 9.75 zlo zhi
0.5 -0.25 0.75 xy xz yz

Masses

1 63.546  # Cu
2 91.224  # Zr

Atoms # atomic

7 1 1.0 2.0 3.0 0 1 -1
2 2 9.5 -1.0 4.0 2 0 0
5 1 4.0 4.0 11.0 0 0 0

Velocities

2 0.1 -0.2 0.3
5 0 0 0
7 1e-3 2e-3 -3e-3
D
head -n 40 "$F/../tests/data/cuzr_glass_256.data" | sed 's/^256 atoms/24 atoms/' > "$W/g.data"
if "$BPEL" eval "$W/g.data" > /dev/null 2>&1; then cp "$W/g.data" "$C/data/glass24.data"; fi

# dumps of the 4-atom system (the dump target reads into ids 1..4)
"$BPEL" eval "$C/data/small.data" --dump "$W/a.dump" > /dev/null
cat "$W/a.dump" "$W/a.dump" > "$C/dump/eval_two_frames.dump"
printf 'ITEM: TIMESTEP\n10\nITEM: NUMBER OF ATOMS\n4\nITEM: BOX BOUNDS xy xz yz pp pp pp\n-0.5 10.5 0.5\n0 10 -0.25\n0 10 0.25\nITEM: ATOMS id type xu yu zu\n3 1 1 2 3\n1 1 4 5 6\n4 2 7 8 9\n2 2 0.5 0.5 0.5\n' > "$C/dump/triclinic.dump"

# potentials: every tenth (or hundredth) grid point of real files
cut_funcfl() { # FILE STEP: funcfl with every STEP-th point of each table
  awk -v s="$2" 'NR<=2{print;next} NR==3{nrho=$1;drho=$2;nr=$3;dr=$4;cut=$5;next}
    {for(i=1;i<=NF;i++) v[++n]=$i}
    END{m1=int((nrho-1)/s)+1; m2=int((nr-1)/s)+1; c=(m2-1)*dr*s; if(cut<c)c=cut;
      printf "%d %.16g %d %.16g %.16g\n", m1, drho*s, m2, dr*s, c;
      o=0; for(i=1;i<=nrho;i+=s) printf "%s%s", v[i], (++o%5?" ":"\n"); if(o%5)print ""; o=0;
      for(i=1;i<=nr;i+=s) printf "%s%s", v[nrho+i], (++o%5?" ":"\n"); if(o%5)print ""; o=0;
      for(i=1;i<=nr;i+=s) printf "%s%s", v[nrho+nr+i], (++o%5?" ":"\n"); if(o%5)print ""}' "$1"
}
cut_setfl() { # FILE STEP FS: setfl / fs with every STEP-th point
  awk -v s="$2" -v fs="$3" 'NR<=3{print;next} NR==4{print; ne=$1; next}
    NR==5{nrho=$1;drho=$2;nr=$3;dr=$4;cut=$5; m1=int((nrho-1)/s)+1; m2=int((nr-1)/s)+1; c=(m2-1)*dr*s; if(cut<c)c=cut;
      printf "%d %.16g %d %.16g %.16g\n", m1, drho*s, m2, dr*s, c; next}
    {line[NR]=$0; for(i=1;i<=NF;i++){v[++n]=$i; ln[n]=NR; pos[n]=i}}
    function table(len,  i,o){o=0; for(i=1;i<=len;i+=s) printf "%s%s", v[k+i], (++o%5?" ":"\n"); if(o%5)print ""; k+=len}
    END{k=0; for(e=1;e<=ne;e++){ printf "%s %s %s %s\n", v[k+1], v[k+2], v[k+3], v[k+4]; k+=4;
          table(nrho); for(d=1;d<=(fs?ne:1);d++) table(nr)}
        for(a=1;a<=ne;a++) for(b=1;b<=a;b++) table(nr)}' "$1"
}
[ -f "$POT/Cu_u3.eam" ] && cut_funcfl "$POT/Cu_u3.eam" 10 > "$C/eam_funcfl/Cu_u3_cut.eam"
[ -f "$POT/CuNi.eam.alloy" ] && cut_setfl "$POT/CuNi.eam.alloy" 10 0 > "$C/eam_setfl/CuNi_cut.eam.alloy"
[ -f "$POT/CuZr_mm.eam.fs" ] && cut_setfl "$POT/CuZr_mm.eam.fs" 250 1 > "$C/eam_fs/CuZr_mm_cut.eam.fs"

# study descriptions
cp "$F/../tests/data/mini_study.yaml" "$C/study/mini_study.yaml"
cp "$F/../examples/demo.yaml" "$C/study/demo.yaml"
cp "$F/../examples/sweep.yaml" "$C/study/sweep.yaml"

# tables
printf 'id,type,I_BP_per_radps3,element\n1,1,0.5,Cu\n2,2,1.5e-3,Zr\n4,1,nan,Cu\n3,2,-2,Zr\n' > "$C/table/per_atom.csv"
printf '\xef\xbb\xbf# comment\nid , dE_eV\r\n\r\n3, 0.25\r\n1,1e-2\r\n' > "$C/table/bom_crlf.csv"
printf 'x,y\n1,2\n3,4\n' > "$C/table/no_id.csv"

# restarts of short md runs of the 4-atom system
( cd "$W" && "$BPEL" md "$C/data/small.data" --steps 4 --temperature 300 --restart nve.rst --restart-every 2 --thermo 0 > /dev/null &&
  "$BPEL" md "$C/data/small.data" --steps 4 --temperature 300 --ensemble npt --restart npt.rst --restart-every 2 --thermo 0 > /dev/null ) &&
  cp "$W/nve.rst" "$W/npt.rst" "$C/restart/"

# a Hessian of a 3-atom system with ids 7, 1, 2 (the ids the mtx target reads into)
printf 'three\n\n3 atoms\n1 atom types\n\n0 9 xlo xhi\n0 9 ylo yhi\n0 9 zlo zhi\n\nMasses\n\n1 63.546\n\nAtoms # atomic\n\n7 1 1 1 1\n1 1 3.4 1.2 1\n2 1 1 3.5 1.3\n' > "$W/three.data"
"$BPEL" hessian "$W/three.data" -o "$C/mtx/three.mtx" --elements Cu > /dev/null
ls -l "$C"/*
