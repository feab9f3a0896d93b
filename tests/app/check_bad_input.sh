#!/usr/bin/env bash
# Bad input to `bpel eval`: every case must fail with a one-line error that
# names the file (and line where there is one), a non-zero exit below 128
# (no crash), and no partial output.
set -u
BPEL=${BPEL:?} ; T=${BPEL_TEST_TMP:-.}/bad_input ; mkdir -p "$T"
fails=0 ; n=0
good_data() {
cat <<'D'
test

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
}
# expect NAME PATTERN -- args...
expect() {
  local name=$1 pattern=$2 ; shift 2
  n=$((n+1))
  local out rc
  out=$("$BPEL" "$@" 2>&1 >/dev/null); rc=$?
  local lines; lines=$(printf '%s\n' "$out" | grep -c .)
  if [ $rc -eq 0 ] || [ $rc -ge 128 ]; then
    echo "FAIL $name: exit $rc (want 1..127)"; fails=$((fails+1)); return
  fi
  if [ "$lines" -ne 1 ]; then echo "FAIL $name: want a one-line error, got: $out"; fails=$((fails+1)); return; fi
  if ! printf '%s' "$out" | grep -Eq -- "$pattern"; then
    echo "FAIL $name: error '$out' does not match /$pattern/"; fails=$((fails+1)); return
  fi
  echo "ok   $name: $out"
}

good_data > "$T/good.data"
"$BPEL" eval "$T/good.data" >/dev/null || { echo "FAIL: the good file does not evaluate"; exit 1; }

good_data | head -n 19 > "$T/truncated.data"
expect truncated 'truncated.data:[0-9]+: .*(ends|fewer)' eval "$T/truncated.data"

good_data | sed 's/^3 1 1.0 3.5 1.0/3 1 1.0 abc 1.0/' > "$T/garbled.data"
expect garbled 'garbled.data:19: .*abc.*not a number' eval "$T/garbled.data"

good_data | sed 's/^4 atoms/5 atoms/' > "$T/count_more.data"
expect count_more 'count_more.data:[0-9]+: .*(ends|fewer)' eval "$T/count_more.data"

good_data | sed 's/^4 atoms/3 atoms/' > "$T/count_less.data"
expect count_less 'count_less.data:20: .*more atoms than the header' eval "$T/count_less.data"

good_data | sed 's/^4 2 1.0 1.0 3.5/4 3 1.0 1.0 3.5/' > "$T/badtype.data"
expect bad_type 'badtype.data:20: atom type 3 outside 1..2' eval "$T/badtype.data"

good_data | sed 's/^2 2 3.5 1.0 1.0/2 2 1.0 1.0 1.0/' > "$T/overlap.data"
expect overlap 'overlap.data:18: atom 2 is 0 Å from atom 1 \(line 17\): overlapping' eval "$T/overlap.data"

good_data | sed 's/^2 2 3.5 1.0 1.0/1 2 3.5 1.0 1.0/' > "$T/dupid.data"
expect duplicate_id 'dupid.data:18: atom id 1 appears twice \(also line 17\)' eval "$T/dupid.data"

good_data | sed '/xlo xhi/d' > "$T/nobox.data"
expect no_box 'nobox.data:[0-9]+: header lacks the xlo xhi' eval "$T/nobox.data"

: > "$T/empty.data"
expect empty 'empty.data: empty file' eval "$T/empty.data"

expect missing_data 'nothere.data: cannot open' eval "$T/nothere.data"

# masses of the data file against the elements they are mapped to
expect swapped_elements 'atom type 1 has mass 63.546 amu in .*good.data but is mapped to Zr, whose mass is 91.224' \
    eval "$T/good.data" --elements Zr,Cu
expect wrong_potential 'atom type 2 has mass 91.224 amu .* mapped to Ni, whose mass is 58.6.*CuNi.eam.alloy' \
    eval "$T/good.data" --potential CuNi.eam.alloy --elements Cu,Ni

expect unknown_element "unknown element 'Al' .*CuZr_mm.eam.fs has only Cu,Zr" eval "$T/good.data" --elements Cu,Al

expect wrong_element_count "--elements Cu,Zr,Cu names more elements than the 2 atom types" eval "$T/good.data" --elements Cu,Zr,Cu

expect missing_potential "potential file 'nope.eam.fs' not found" eval "$T/good.data" --potential nope.eam.fs

POT=/usr/share/lammps/potentials/CuZr_mm.eam.fs
if [ -f "$POT" ]; then
  head -n 1000 "$POT" > "$T/trunc.eam.fs"
  expect truncated_potential 'trunc.eam.fs:[0-9]+: file ends after [0-9]+ of 10000 values of' eval "$T/good.data" --potential "$T/trunc.eam.fs"
  sed '20s/^\(\s*\S*\)/\1x/' "$POT" > "$T/garbled.eam.fs"
  expect garbled_potential "garbled.eam.fs:20: '.*x' is not a number" eval "$T/good.data" --potential "$T/garbled.eam.fs"
  sed '4s/.*/3 Cu Zr/' "$POT" > "$T/names.eam.fs"
  expect element_line 'names.eam.fs:4: says 3 elements but names 2' eval "$T/good.data" --potential "$T/names.eam.fs"
  sed '5s/.*/10000 0.03 -5 0.00076 7.6/' "$POT" > "$T/grid.eam.fs"
  expect bad_grid 'grid.eam.fs:5: invalid grid' eval "$T/good.data" --potential "$T/grid.eam.fs"
fi
printf 'comment\n29 63.5 3.6 FCC\n10 0.001 10 0.01 0.1\n1 2 3\n' > "$T/short.eam"
expect truncated_funcfl 'short.eam:4: file ends after 3 of 10 values of F\(rho\)' eval "$T/good.data" --potential "$T/short.eam" --elements Cu,Cu

# Numbers out of range are refused with file and line before any cast or
# allocation that depends on them (inputs kept in fuzz/regressions).
R=$BPEL_SOURCE_DIR/fuzz/regressions
expect box_bound_inf "box_bound_inf.data:6: box bounds '0 inf xlo xhi' are not finite" eval "$R/data/box_bound_inf.data"
expect coordinate_1e300 'coordinate_1e300.data:19: atom 3 lies 1e\+299 box lengths outside the box' eval "$R/data/coordinate_1e300.data"
expect image_flag_3e9 'image_flag_3e9.data:20: image flag 3e\+09 is outside the integer range' eval "$R/data/image_flag_3e9.data"
expect id_1e20 'id_1e20.data:18: atom id 1e\+20 is not below 2\^53' eval "$R/data/id_1e20.data"
good_data | sed 's/^2 2 3.5 1.0 1.0/9007199254740993 2 3.5 1.0 1.0/' > "$T/id_2p53.data"
expect id_2p53_plus_1 'id_2p53.data:18: atom id 9007199254740992 is not below 2\^53' eval "$T/id_2p53.data"
# ids beyond the int range are ids all the same (64-bit)
good_data | sed 's/^2 2 3.5 1.0 1.0/4000000000 2 3.5 1.0 1.0/' > "$T/id_4e9.data"
n=$((n+1))
if "$BPEL" eval "$T/id_4e9.data" --dump "$T/id_4e9.dump" > /dev/null && grep -q '^4000000000 2 ' "$T/id_4e9.dump"; then
  echo "ok   id_4e9: accepted and kept"
else
  echo "FAIL id_4e9: an id of 4e9 is not read back exactly"; fails=$((fails+1))
fi
expect tilt_1e308 'tilt_1e308.data:9: tilt factors 1e\+308 0 0 exceed 2\^20 box lengths' eval "$R/data/tilt_1e308.data"
expect atom_count_1e11 'atom_count_1e11.data:3: header says 100000000000 atoms, more than the file' eval "$R/data/atom_count_1e11.data"
expect velocity_id_twice 'velocity_id_twice.data:25: Velocities gives atom id 1 twice \(also line 24\)' eval "$R/data/velocity_id_twice.data"
expect velocity_id_1e300 'velocity_id_1e300.data:24: atom id 1e\+300 in Velocities is not an atom id' eval "$R/data/velocity_id_1e300.data"
for st in funcfl:Cu,Cu:eam setfl:Cu,Ni:eam.alloy fs:Cu,Zr:eam.fs; do
  IFS=: read -r dir el ext <<< "$st"
  expect "${dir}_dr_inf" "dr_inf.$ext:[35]: invalid grid .*dr=inf" eval "$T/good.data" --potential "$R/eam_$dir/dr_inf.$ext" --elements "$el"
  expect "${dir}_cutoff_beyond_table" "cutoff_beyond_table.$ext:[35]: cutoff .* beyond the r table" \
    eval "$T/good.data" --potential "$R/eam_$dir/cutoff_beyond_table.$ext" --elements "$el"
done
expect funcfl_grid_beyond_file 'nrho_5e6_short_file.eam:3: grid of Nrho=5000000 and Nr=50 values is larger than the file' \
  eval "$T/good.data" --potential "$R/eam_funcfl/nrho_5e6_short_file.eam" --elements Cu,Cu
expect funcfl_z_overflow 'z_1e300_squared.eam:[0-9]+: the values of Z\(r\) are too large to interpolate' \
  eval "$T/good.data" --potential "$R/eam_funcfl/z_1e300_squared.eam" --elements Cu,Cu
expect funcfl_f_overflow 'f_1e308_spline_overflow.eam:[0-9]+: the values of F\(rho\) are too large to interpolate' \
  eval "$T/good.data" --potential "$R/eam_funcfl/f_1e308_spline_overflow.eam" --elements Cu,Cu
expect funcfl_f_second_derivative 'f_1e304_second_derivative_overflow.eam:12: the values of F\(rho\) are too large to interpolate' \
  eval "$T/good.data" --potential "$R/eam_funcfl/f_1e304_second_derivative_overflow.eam" --elements Cu,Cu

# ARTn from a structure that is not an energy minimum
expect artn_unminimised 'cuzr_glass_256.data is not an energy minimum: max \|F\| = .* run `bpel minimize` first' artn "$BPEL_SOURCE_DIR/tests/data/cuzr_glass_256.data" --atoms 1 --out "$T/artn_never"
# option values refused naming their own option (the two used to share a code)
expect gruneisen_bad_max_force 'max-initial-force needs a positive number' gruneisen "$T/good.data" --out "$T/gru_never" --max-initial-force bogus
expect gruneisen_bad_fig_method 'figures-method takes one of' gruneisen "$T/good.data" --out "$T/gru_never" --figures-method bogus

echo "$((n-fails)) passed, $fails failed"
[ $fails -eq 0 ]
