#!/usr/bin/env bash
# compare_outputs.sh OLD_BPEL NEW_BPEL [WORKDIR [GLASS]] — run a fixed list of
# analysis commands with two bpel binaries on the same small inputs and
# compare everything they write: every output file byte for byte (JSON
# summaries with their timing fields removed), stdout with the wall times
# blanked, stderr and the exit status. Commands: trajectory, kpm, gruneisen,
# tg, rdf, pmf, inherent, each with a few option sets and a refused input, and
# study (small studies on 256 atoms: every step and a rerun that reuses them,
# two compositions, failing steps, refused descriptions, --check). Then the
# option parsing of every command: each --help, usage errors of each kind
# (unknown option, missing value, bad number, value out of range, bad choice,
# extra operand) and quick valid runs (eval, minimize, hessian, md, artn,
# modes, elastic, correlate, kpm, vdos).
#
# GLASS is a LAMMPS data file of a Cu-Zr glass (default: the 256-atom glass
# of tests/data); it is minimised once (by OLD) for the commands that need a
# minimum. The thermal fcc crystal of pmf and the V(T) curves of tg are
# made here. ONLY=REGEX runs only the cases whose name matches. Prints one line per compared item ("same" or "DIFF") and exits
# with the number of differences (0: identical).
set -u
usage="usage: compare_outputs.sh OLD_BPEL NEW_BPEL [WORKDIR [GLASS]]"
OLD=$(readlink -f "${1:?$usage}")
NEW=$(readlink -f "${2:?$usage}")
SRC=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
W=${3:-$(mktemp -d)}
G=$(readlink -f "${4:-$SRC/tests/data/cuzr_glass_256.data}")
mkdir -p "$W" && cd "$W" || exit 1
W=$(pwd)
export OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive BPEL_NO_PROGRESS=1
nfail=0
ok() { echo "same  $*"; }
bad() { echo "DIFF  $*"; nfail=$((nfail + 1)); }
# stdout or stderr without wall times ("1.3 s", "in 0.2 s", "in 4.1 s: ...", "wall_s 0.1") and
# speeds ("5.8e+05 atom-steps/s")
untimed() {
    sed -E 's/[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)? (s|atom-steps\/s)([ ,;:)]|$)/T \3\4/g; s/^wall_s [0-9.]+$/wall_s T/' "$1"
}
# the log of a study step: its stdout, with wall times and speeds blanked
untimed_log() {
    sed -E 's/[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)? (s|atom-steps\/s)([ ,;:)]|$)/T \3\4/g' "$1"
}
# a JSON file without timing fields (objects "time_s", keys ending in "_s" that are wall times);
# further keys to leave out may follow the file name
json_untimed() {
    python3 - "$@" <<'EOF'
import json, sys
drop = {"time_s", "wall_s", "t_total", "elapsed_s", "mean_time_per_search_s"} | set(sys.argv[2:])
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in drop}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
try:
    d = json.load(open(sys.argv[1]), parse_constant=lambda c: c)
except Exception as e:
    print("unreadable JSON:", e)
    sys.exit(0)
print(json.dumps(strip(d), indent=1))
EOF
}
compare_file() { # compare_file LABEL OLD_FILE NEW_FILE
    local label=$1 a=$2 b=$3
    [ -e "$b" ] || { bad "$label: missing in the new run"; return; }
    case $a in
        */.bpel-step-*.json)
            # the markers of study steps: their wall time, finish time and the hash of the
            # markers before them (which hold those times) differ from run to run
            if cmp -s <(json_untimed "$a" seconds finished_at upstream program) <(json_untimed "$b" seconds finished_at upstream program)
            then ok "$label (times, upstream and program hashes removed)"
            else bad "$label"; diff <(json_untimed "$a" seconds finished_at upstream program) <(json_untimed "$b" seconds finished_at upstream program) | head -6; fi ;;
        */logs/*.log)
            if cmp -s <(untimed_log "$a") <(untimed_log "$b"); then ok "$label (wall times blanked)"
            else bad "$label"; diff <(untimed_log "$a") <(untimed_log "$b") | head -6; fi ;;
        */artn/events.log)
            # the journal of ARTn searches: field 17 of an event is its wall time
            if cmp -s <(awk '$1 == "ev" { $17 = "T" } 1' "$a") <(awk '$1 == "ev" { $17 = "T" } 1' "$b")
            then ok "$label (wall times blanked)"
            else bad "$label"; cmp <(awk '$1 == "ev" { $17 = "T" } 1' "$a") <(awk '$1 == "ev" { $17 = "T" } 1' "$b") | head -2; fi ;;
        *stdout.txt|*stderr.txt)
            if cmp -s "$a" "$b"; then ok "$label"
            elif cmp -s <(untimed "$a") <(untimed "$b"); then ok "$label (wall times blanked)"
            else bad "$label"; diff <(untimed "$a") <(untimed "$b") | head -6; fi ;;
        *.json)
            if cmp -s "$a" "$b"; then ok "$label"
            elif cmp -s <(json_untimed "$a") <(json_untimed "$b"); then ok "$label (timings removed)"
            else bad "$label"; diff <(json_untimed "$a") <(json_untimed "$b") | head -6; fi ;;
        *)
            if cmp -s "$a" "$b"; then ok "$label"; else bad "$label"; cmp "$a" "$b" | head -2; fi ;;
    esac
}
run_case() { # run_case NAME COMMAND ARGS... (each binary in its own folder; outputs under it)
    # RERUN=1: the command runs a second time in the same folder (rerun.stdout.txt, ...)
    local name=$1; shift
    [[ $name =~ ${ONLY:-.} ]] || return 0
    for v in old new; do
        local bin=$OLD; [ $v = new ] && bin=$NEW
        rm -rf "$W/$v/$name"; mkdir -p "$W/$v/$name"
        (cd "$W/$v/$name" && "$bin" "$@" > stdout.txt 2> stderr.txt; echo $? > status.txt)
        if [ "${RERUN:-0}" = 1 ]; then
            (cd "$W/$v/$name" && "$bin" "$@" > rerun.stdout.txt 2> rerun.stderr.txt; echo $? > rerun.status.txt)
        fi
    done
    local f
    while IFS= read -r f; do
        compare_file "$name/$f" "$W/old/$name/$f" "$W/new/$name/$f"
    done < <(cd "$W/old/$name" && find . -type f | sed 's|^\./||' | sort)
    local extra
    extra=$(comm -13 <(cd "$W/old/$name" && find . -type f | sort) <(cd "$W/new/$name" && find . -type f | sort))
    [ -z "$extra" ] || bad "$name: files only in the new run: $extra"
}

# --- inputs ---------------------------------------------------------------------------------
mkdir -p in
if [ ! -s in/glass.data ]; then
    "$OLD" minimize "$G" --elements Cu,Zr --out in/glass.data --ftol 1e-10 > in/min.log 2>&1 ||
        { cat in/min.log; echo "cannot minimise $G"; exit 100; }
fi
# ranks for trajectory: id mod 7, as tests/dynamics/check_dynamics.sh
awk '/Atoms/{f=1;next} /Velocities/{f=0} f && NF>=5 {print $1","($1%7)*0.5}' "$G" | sort -t, -k1,1n |
    { echo "id,I_BP_per_radps3"; cat; } > in/rank.csv
ids=$(awk '/Atoms/{f=1;next} f && NF>=5 {print $1}' "$G" | sort -n | sed -n '3p;17p;40p' | paste -sd,)
# a V(T) curve with a kink at 700 K, one too short, one empty
awk 'BEGIN{ print "step,time_ps,stage,temp_K,press_bar,volume_A3,pe_eV,etotal_eV,conserved_eV";
            srand(4); k=0;
            for (T=1500; T>=100; T-=1) { v = 10000 + 0.05*T + (T>700 ? 0.11*(T-700) : 0) + (rand()-0.5);
                                          printf "%d,%g,1,%g,0,%.6f,0,0,0\n", k, k*0.002, T, v; k++ }
            printf "%d,0,0,2000,0,99999,0,0,0\n", k }' > in/tg.log.csv
printf 'temp_K,volume_A3\n1,2\n' > in/short.csv
printf 'temp_K,volume_A3\n' > in/empty.csv
# a thermal L1_2 crystal (Gaussian displacements) for pmf and rdf, the one of tests/analysis/check_rdf.sh
"$SRC/scripts/thermal_fcc.sh" in/thermal.data
I=$W/in

# --- the commands -----------------------------------------------------------------------------
run_case traj_rank trajectory "$G" --elements Cu,Zr --rank "$I/rank.csv:I_BP_per_radps3" --top 2 --bottom 1 \
    --element Cu --time 0.1 --out out
run_case traj_atoms trajectory "$I/glass.data" --elements Cu,Zr --atoms "$ids" --no-minimise --temperature 300 \
    --time 0.06 --equilibrate 0.02 --moved 0.05 --dump-every 7 --seed 3 --out out
run_case traj_inv trajectory "$G" --elements Cu,Zr --rank "$I/rank.csv:I_BP_per_radps3:inv" --top 1 --bottom 0 \
    --time 0.02 --dump-every 0 --out out
run_case traj_bad_id trajectory "$G" --elements Cu,Zr --atoms 999999 --out out
run_case traj_no_atoms trajectory "$G" --elements Cu,Zr --rank "$I/rank.csv:I_BP_per_radps3" --element Xx --out out
run_case kpm_dense kpm "$I/glass.data" --out out --moments 128 --vectors 8 --dense --bp-window 3:15
run_case kpm_plain kpm "$I/glass.data" --out out --moments 64 --vectors 4 --seed 5 --gaussian --bin-width 1 \
    --no-figures --threads 1
run_case kpm_edge kpm "$I/glass.data" --out out --moments 64 --vectors 2 --bp-window 1:2
run_case kpm_refused kpm "$G" --out out
# the moduli behind the I_BP window (conjugate gradients) vary in the last digits with 2 threads: 1 thread
OMP_NUM_THREADS=1 run_case gru_all gruneisen "$I/glass.data" --out out
OMP_NUM_THREADS=1 run_case gru_pairing gruneisen "$I/glass.data" --out out --method sorted,overlap --no-relax --dv 0.02 \
    --low-overlap 0.8 --bin-width 1
# a large step changes basin: warnings and a weak verdict
OMP_NUM_THREADS=1 run_case gru_basin gruneisen "$I/glass.data" --out out --dv 0.15 --method sorted,hf --figures-method sorted
run_case gru_bad gruneisen "$I/glass.data" --out out --method bogus
run_case tg_kink tg "$I/tg.log.csv" --out out
run_case tg_ranges tg "$I/tg.log.csv" --out out --glass-range 200:600 --liquid-range 900:1500
run_case tg_md tg --data "$G" --elements Cu,Zr --from 1200 --to 600 --rate 1e15 --equilibrate 0.1 --log-every 10 \
    --seed 4 --out out
run_case tg_short tg "$I/short.csv" --out out
run_case tg_empty tg "$I/empty.csv" --out out
run_case rdf rdf "$I/thermal.data" --rmax 8 --dr 0.01 --out out
run_case pmf_total pmf "$I/thermal.data" --rmax 8 --dr 0.01 --halfwidth 0.15 --temperature 300 --out out
run_case pmf_pair pmf "$I/thermal.data" --rmax 8 --dr 0.01 --halfwidth 0.05 --pair Cu-Zr --out out
run_case pmf_bad pmf "$I/thermal.data" --pair Cu-Ni --out out
run_case inherent inherent "$G" --elements Cu,Zr --temperatures 100,600 --time 0.2 --out out
run_case inherent_bad inherent "$G" --elements Cu,Zr --temperatures 100,-3 --time 0.2 --out out

# --- bpel study: glasses of 256 atoms quenched in a few ps; one thread, so that every step repeats
# its numbers exactly (each case runs in under a minute) -----------------------------------------
study_yaml() { # study_yaml FILE ANALYSES (the glass part is common)
    printf 'name: cmp\npotential: CuZr_mm.eam.fs\nseed: 5\nglass:\n%s\n  atoms: 256\n  cooling_rates: [1e14]\n' \
        "${COMPOSITIONS:-  compositions: [Cu50Zr50]}" > "$1"
    printf '  melt_temperature: 2000\n  melt_time: 0.5\n  final_temperature: 1\nanalyses:\n%s\n' "$2" >> "$1"
}
study_yaml in/study_all.yaml '  artn:
    searches: 1
    atoms: "fraction:0.1"
  correlate: {lmax: 4, dl: 1, bootstrap: 20}
  trajectory: {time: 0.05}
  temperature_series: {temperatures: [300, 600], time: 0.1}'
COMPOSITIONS='  compositions: [Cu50Zr50, Cu64Zr36]' study_yaml in/study_sweep.yaml '  tg: false
  artn: {searches: 1, atoms: "fraction:0.05"}
  correlate: false
  trajectory: false
  pmf: false
  gruneisen: false
  temperature_series: false'
# modes refuses its options: correlate, trajectory and the series steps after it are skipped
study_yaml in/study_fail.yaml '  tg: false
  modes: {options: "--no-such-option 1"}
  artn: {searches: 1, atoms: "fraction:0.02"}
  pmf: false
  gruneisen: false
  temperature_series: {temperatures: [300], time: 0.1}'
# 4 atoms: the quench refuses the box, every later step is skipped
printf 'name: tiny\nglass:\n  atoms: 4\n  cooling_rates: 1e14\n  melt_time: 0.1\n' > in/study_tiny.yaml
printf 'name: x\nglass:\n  atoms: 100\n  cooling_rate: [1e12]\n' > in/study_typo.yaml
printf 'name: x\nglass:\n  compositions: [Cu64Ni36]\n' > in/study_ni.yaml
printf 'name: [x\n' > in/study_broken.yaml
printf 'name: x\nanalyses:\n  modes:\n    options: "--max-omega 15 --bp-window=3:20"\n' > in/study_bpwin.yaml
RERUN=1 run_case study_all study "$I/study_all.yaml" --out out --threads 1
run_case study_sweep study "$I/study_sweep.yaml" --out out --threads 1
RERUN=1 run_case study_fail study "$I/study_fail.yaml" --out out --threads 1
run_case study_quench_fails study "$I/study_tiny.yaml" --out out --threads 1
run_case study_check study "$SRC/examples/demo.yaml" --check
run_case study_check_resume study "$SRC/examples/sweep.yaml" --resume --check
run_case study_typo study "$I/study_typo.yaml" --out out
run_case study_ni study "$I/study_ni.yaml" --out out
run_case study_broken study "$I/study_broken.yaml" --out out
run_case study_bpwin study "$I/study_bpwin.yaml" --check
run_case study_missing study "$I/nothere.yaml" --out out
run_case study_no_args study
run_case study_two_args study "$I/study_all.yaml" "$I/study_fail.yaml"
run_case study_bad_threads study "$I/study_all.yaml" --threads 0
run_case study_bad_option study "$I/study_all.yaml" --bogus
run_case study_help study --help

# --- option parsing: every command's help, usage errors of each kind, quick valid runs --------------
for c in artn correlate elastic eval gruneisen hessian inherent kpm md minimize modes pmf quench rdf study tg \
    trajectory vdos; do
    run_case "opt_help_$c" "$c" --help
    run_case "opt_h_$c" "$c" -h
    run_case "opt_unknown_$c" "$c" "$I/glass.data" --no-such-option 1
    run_case "opt_unknown_last_$c" "$c" "$I/glass.data" --no-such-option
    run_case "opt_missing_$c" "$c" "$I/glass.data" --out
    run_case "opt_extra_$c" "$c" "$I/glass.data" "$I/glass.data" --out out
    run_case "opt_none_$c" "$c"
done
run_case opt_help_params artn --help-params
run_case opt_top_help --help
run_case opt_abbrev eval "$I/glass.data" --ref --js
run_case opt_ambiguous modes "$I/glass.data" --out out --max 3
run_case opt_short eval -j "$I/glass.data" -e Cu,Zr
run_case opt_equals eval --json=1 "$I/glass.data"
run_case opt_single_dash md -x --steps 1
run_case opt_bad_num_md md "$I/glass.data" --steps 1x
run_case opt_range_md md "$I/glass.data" --steps 1 --dt -0.001
run_case opt_choice_md md "$I/glass.data" --steps 1 --ensemble npx
run_case opt_ramp_md md "$I/glass.data" --steps 1 --ensemble nvt --target-temperature 300:-1
run_case opt_tchain_md md "$I/glass.data" --steps 1 --tchain 99
run_case opt_needs_target md "$I/glass.data" --steps 1 --ensemble nvt
run_case opt_bad_num_minimize minimize "$I/glass.data" --out m.data --ftol abc
run_case opt_choice_minimize minimize "$I/glass.data" --out m.data --method newton
run_case opt_range_minimize minimize "$I/glass.data" --out m.data --max-iter 0
run_case opt_bad_num_artn artn "$I/glass.data" --out out --searches 2.5
run_case opt_range_artn artn "$I/glass.data" --out out --searches 0
run_case opt_eigval_artn artn "$I/glass.data" --out out --eigval 0.1
run_case opt_kick_artn artn "$I/glass.data" --out out --kick -1
run_case opt_region_artn artn "$I/glass.data" --out out --region -1
run_case opt_choice_artn artn "$I/glass.data" --out out --method fastest
run_case opt_param_artn artn "$I/glass.data" --out out --param nosuch=1
run_case opt_param_form_artn artn "$I/glass.data" --out out --param ftol
run_case opt_store_disp_artn artn "$I/glass.data" --out out --param store_disp=-1
run_case opt_single_dash_artn artn "$I/glass.data" -x
run_case opt_bad_num_quench quench --composition Cu50Zr50 --natoms 3x00 --rate 1e14 --out x.data
run_case opt_word_quench quench stray
run_case opt_range_quench quench --composition Cu50Zr50 --natoms 100 --rate 1e14 --out x.data --thermo -1
run_case opt_range_inherent inherent "$I/glass.data" --temperatures 100 --time -1 --out out
run_case opt_range_traj trajectory "$I/glass.data" --out out --atoms 1 --temperature 0
run_case opt_range_tg tg "$I/tg.log.csv" --out out --glass-range 600:200
run_case opt_bad_num_tg tg "$I/tg.log.csv" --out out --bin x
run_case opt_bad_num_correlate correlate "$I/glass.data" --x a --y b --out out --lmax abc
run_case opt_bad_int_correlate correlate "$I/glass.data" --x a --y b --out out --bootstrap 1.5
run_case opt_choice_correlate correlate "$I/glass.data" --x a --y b --out out --slab-axis w
run_case opt_choice_elastic elastic "$I/glass.data" --route lu
run_case opt_range_elastic elastic "$I/glass.data" --check 0.5
run_case opt_range_kpm kpm "$I/glass.data" --out out --moments 3
run_case opt_solver_kpm kpm "$I/glass.data" --out out --solver nosuch
run_case opt_window_modes modes "$I/glass.data" --out out --bp-window 5:2
run_case opt_choice_modes modes "$I/glass.data" --out out --elastic maybe
run_case opt_moduli_modes modes "$I/glass.data" --out out --moduli 30
run_case opt_solver_vdos vdos a:"$I/glass.data" --out out --solver nosuch
run_case opt_range_gru gruneisen "$I/glass.data" --out out --dv 0.5
run_case opt_method_gru gruneisen "$I/glass.data" --out out --method hf,none
run_case opt_bad_num_rdf rdf "$I/glass.data" --out out --rmax ten
run_case opt_bad_num_pmf pmf "$I/glass.data" --out out --dr x
run_case opt_range_study study "$SRC/examples/demo.yaml" --threads 0
# quick valid runs (elastic, modes and vdos on 1 thread: their conjugate gradients vary in the last
# digits with 2)
run_case run_eval eval "$I/glass.data" --elements Cu,Zr --dump f.dump --xyz f.xyz
run_case run_eval_json eval "$I/glass.data" --json
run_case run_minimize minimize "$G" --elements Cu,Zr --out m.data --ftol 1e-6 --method fire --max-iter 500
run_case run_hessian hessian "$I/glass.data" -o h.mtx
run_case run_md md "$I/glass.data" --elements Cu,Zr --steps 20 --temperature 300 --ensemble nvt --thermo 5 \
    --thermo-csv t.csv --dump d.dump --dump-every 10 --out md.data --seed 7
run_case run_md_npt md "$I/glass.data" --steps 10 --temperature 300 --ensemble npt --target-temperature 300:350 \
    --pressure 100 --tchain 2 --thermo 5
run_case run_artn artn "$I/glass.data" --elements Cu,Zr --atoms 1 --searches 1 --threads 1 --out artn
OMP_NUM_THREADS=1 run_case run_modes modes "$I/glass.data" --out out --bin-width 1 --moduli 30:10 --no-per-atom
OMP_NUM_THREADS=1 run_case run_elastic elastic "$I/glass.data" --json
OMP_NUM_THREADS=1 run_case run_elastic_modes elastic "$I/glass.data" --route modes --check 1e-5
run_case run_correlate correlate "$I/glass.data" --x "$I/rank.csv:I_BP_per_radps3" --y "$I/rank.csv:I_BP_per_radps3:inv" \
    --out out --lmax 3 --dl 1 --bootstrap 10 --bin-size 20
OMP_NUM_THREADS=1 run_case run_vdos vdos a:"$I/glass.data" --out out --bin-width 1 --max-initial-force inf

echo "$nfail difference(s)"
[ "$nfail" -eq 0 ]
