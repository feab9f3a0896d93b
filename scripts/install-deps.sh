#!/usr/bin/env bash
# Installs the Debian packages bpel builds and tests with, if any are missing.
set -euo pipefail
pkgs=(cmake make gcc pkg-config libopenblas-dev liblapacke-dev libgsl-dev
      libplplot-dev plplot-driver-cairo libcjson-dev libyaml-dev libcmocka-dev
      libopenmpi-dev openmpi-bin libslepc-real-dev libpetsc-real-dev libmumps-dev lammps lammps-data python3-ase python3-pandas)
# `make fuzz` also needs clang with libFuzzer and its OpenMP runtime
[ "${1:-}" = "--fuzz" ] && pkgs+=(clang libclang-rt-dev libomp-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "bpel: installing missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; else
  echo "bpel: not root; please run:  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
