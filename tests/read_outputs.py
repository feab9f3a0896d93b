#!/usr/bin/python3
"""Every output file of a bpel study folder opens in the tools users open
it with, without conversion:
  *.xyz   ASE (extended XYZ, every frame; the properties are per-atom arrays)
  *.data  ASE (lammps-data, atomic) and LAMMPS read_data
  *.dump  ASE (lammps-dump-text, every frame) and LAMMPS read_dump (x y z on
          the glass the run started from; every frame a whole configuration)
  *.csv   pandas (a header of unique column names; rows may be none)
  *.json  json
Missing per-atom values are NaN, never 0: in artn/atoms.csv an atom without
a converged search has dq_mean_eV = NaN, and so has dq_map.xyz.
Prints one line per file; exit 1 on the first file that does not open.

usage: read_outputs.py STUDY_DIR [LMP]
"""
import glob
import json
import math
import os
import subprocess
import sys
import tempfile

import ase.io
import pandas

root = sys.argv[1]
lmp = sys.argv[2] if len(sys.argv) > 2 else "lmp"
n_checked = 0


def ok(path, what):
    global n_checked
    n_checked += 1
    print(f"ok   {os.path.relpath(path, root)}: {what}")


def lammps(script):
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "in.check"), "w") as f:
            f.write(script)
        r = subprocess.run([lmp, "-in", "in.check", "-log", "none", "-screen", "none", "-nocite"], cwd=d,
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"LAMMPS failed: {r.stdout[-400:]} {r.stderr[-400:]}")


def natoms_of(data):
    with open(data) as f:
        for line in f:
            if line.strip().endswith("atoms"):
                return int(line.split()[0])
    raise RuntimeError(f"{data}: no atom count")


files = sorted(glob.glob(os.path.join(root, "**", "*"), recursive=True))
for path in files:
    if not os.path.isfile(path):
        continue
    ext = path.rsplit(".", 1)[-1]
    try:
        if ext == "xyz":
            frames = ase.io.read(path, index=":", format="extxyz")
            assert frames and all(len(a) > 0 for a in frames)
            ok(path, f"ASE: {len(frames)} frame(s) of {len(frames[0])} atoms, arrays {sorted(frames[0].arrays)}")
        elif ext == "data":
            a = ase.io.read(path, format="lammps-data", style="atomic")
            assert len(a) == natoms_of(path)
            lammps(f"units metal\natom_style atomic\nread_data {os.path.abspath(path)}\n")
            ok(path, f"ASE and LAMMPS read_data: {len(a)} atoms")
        elif ext == "dump":
            frames = ase.io.read(path, index=":", format="lammps-dump-text")
            assert frames
            # the glass the dump belongs to: the step's input
            sample = path.split(os.sep)
            glass = os.path.join(*sample[:sample.index("Cu50Zr50_R5e13") + 1], "glass.data") \
                if "Cu50Zr50_R5e13" in sample else None
            if glass and os.path.exists(glass):
                n = natoms_of(glass)
                assert all(len(fr) == n for fr in frames), "a frame is not a whole configuration"
                with open(path) as f:
                    step = None
                    for line in f:
                        if line.startswith("ITEM: TIMESTEP"):
                            step = int(next(f))
                            break
                lammps(f"units metal\natom_style atomic\nread_data {os.path.abspath(glass)}\n"
                       f"read_dump {os.path.abspath(path)} {step} x y z box no\n")
            ok(path, f"ASE: {len(frames)} frame(s) of {len(frames[0])} atoms; LAMMPS read_dump")
        elif ext == "csv":
            t = pandas.read_csv(path)
            assert len(t.columns) > 0, "no columns"
            assert len(set(t.columns)) == len(t.columns), "duplicate columns"
            ok(path, f"pandas: {len(t)} rows x {len(t.columns)} columns")
        elif ext == "json":
            with open(path) as f:
                json.load(f)
            ok(path, "json")
    except Exception as e:  # noqa: BLE001 - report which file and why
        print(f"FAIL {os.path.relpath(path, root)}: {type(e).__name__}: {e}")
        sys.exit(1)

# NaN, never 0, for atoms without a saddle
for atoms_csv in glob.glob(os.path.join(root, "*", "artn", "atoms.csv")):
    t = pandas.read_csv(atoms_csv)
    none = t[t["n_converged"] == 0]
    assert none["dq_mean_eV"].isna().all(), "an atom without a saddle has a number as dq_mean_eV"
    fr = ase.io.read(os.path.join(os.path.dirname(atoms_csv), "dq_map.xyz"), format="extxyz")
    dq = dict(zip(fr.arrays["id"], fr.arrays["dq_mean_eV"])) if "id" in fr.arrays else None
    if dq is not None:
        for i in none["id"]:
            assert math.isnan(dq[i]), f"dq_map.xyz: atom {i} without a saddle is not NaN"
    print(f"ok   {os.path.relpath(atoms_csv, root)}: {len(none)} atoms without a saddle are NaN")
print(f"{n_checked} files open")
