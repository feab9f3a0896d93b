#!/bin/bash
# check_api.sh — libbpel can be installed beside anything: every symbol the
# static library defines is bpel_NAME (nm), the headers install into
# include/bpel/ without the library-internal ones, nothing else lands in
# include/, and each public header compiles on its own as <bpel/NAME.h>.
set -u
BPEL=${BPEL:?}
B=$(dirname "$(readlink -f "$BPEL")")
T=$(readlink -f "${BPEL_TEST_TMP:-.}")/api
rm -rf "$T"; mkdir -p "$T"
fail() { echo "FAIL: $*"; exit 1; }
lib="$B/libbpel.a"
[ -f "$lib" ] || fail "no static library at $lib"

# 1. exported symbols. Allowed besides bpel_*: OpenMP's symbols for named
# critical sections (.gomp_critical_user_NAME, whose names are bpel_*) and the
# LeakSanitizer hook __lsan_default_suppressions (the sanitizer looks it up by
# that name; it exists only in sanitized builds' figure.c).
nm -g --defined-only "$lib" | awk 'NF == 3 {print $3}' | sort -u > "$T/symbols.txt"
n=$(wc -l < "$T/symbols.txt")
[ "$n" -gt 200 ] || fail "only $n symbols in $lib"
grep -v -E '^(bpel_|\.gomp_critical_user_bpel_|__lsan_default_suppressions$)' "$T/symbols.txt" > "$T/unprefixed.txt"
[ -s "$T/unprefixed.txt" ] && fail "$(wc -l < "$T/unprefixed.txt") exported symbols without the bpel_ prefix: $(head -20 "$T/unprefixed.txt" | tr '\n' ' ')"
echo "symbols: $n, all bpel_"

# 2. installed headers
cmake --install "$B" --prefix "$T/prefix" > "$T/install.log" 2>&1 || fail "cmake --install: $(tail -3 "$T/install.log")"
[ "$(ls "$T/prefix/include")" = bpel ] || fail "include/ holds more than bpel/: $(ls "$T/prefix/include" | tr '\n' ' ')"
for h in eam_tables.h hessian_model.h study_impl.h artn_columns.h sparse_petsc.h; do
  [ -e "$T/prefix/include/bpel/$h" ] && fail "the library-internal header $h is installed"
done
nh=$(ls "$T/prefix/include/bpel" | wc -l)
[ "$nh" -gt 30 ] || fail "only $nh headers installed"
grep -q -- "-I\${includedir}" "$T/prefix/lib/pkgconfig/bpel.pc" && grep -q '^includedir=${prefix}/include$' "$T/prefix/lib/pkgconfig/bpel.pc" ||
  fail "bpel.pc does not point at the folder above bpel/"

# 3. each public header alone, as <bpel/NAME.h>, with only the prefix on the include path
cflags=$(pkg-config --cflags gsl libcjson 2>/dev/null)
for h in "$T"/prefix/include/bpel/*.h; do
  b=$(basename "$h")
  printf '#include <bpel/%s>\nint main(void) { return 0; }\n' "$b" > "$T/one.c"
  cc -std=c11 -fsyntax-only -Wall -Werror -I"$T/prefix/include" $cflags "$T/one.c" 2> "$T/cc.log" ||
    fail "<bpel/$b> does not compile on its own: $(head -5 "$T/cc.log")"
done
echo "headers: $nh public, each compiles as <bpel/NAME.h>"
echo "PASS"
