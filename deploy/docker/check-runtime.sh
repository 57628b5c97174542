#!/usr/bin/env bash
# Checks the container images' runtime without a container engine.
#
#   1. deploy/docker/Dockerfile keeps its rules: the runtime stage is
#      debian:bookworm-slim and installs exactly runtime-packages.txt, every
#      final stage runs as a non-root USER with its program as ENTRYPOINT and
#      is not based on the build stage.
#   2. A root filesystem like the runtime stage's (debootstrap --variant=
#      minbase bookworm plus the packages of runtime-packages.txt, user
#      saraban 10001:10001) has every shared library of the given programs,
#      the font and ICC profile at the paths the renderer opens, and no
#      compiler or build tool; the programs start in it as uid 10001 and the
#      offline CLI renders an example report there.
#
# The root filesystem is cached under BUILD_DIR/docker-runtime, keyed by a
# hash of runtime-packages.txt: the first run downloads the packages from the
# machine's Debian mirror (DEBIAN_MIRROR if set, else the first of its apt
# sources that serves bookworm, else debootstrap's default), later runs take
# seconds. Part 2 needs root (debootstrap, chroot); it installs debootstrap
# if it is missing.
#
# Usage: check-runtime.sh [--build-dir DIR] [--source-dir DIR]
#                         [--dockerfile-only | --self-test] [PROGRAM...]
#   --dockerfile-only  part 1 only (no root, no network)
#   --self-test        broken copies of the Dockerfile and package list must
#                      fail part 1
#   --dockerfile F, --package-list F  check these instead of the repository's
# PROGRAMs default to the five programs in BUILD_DIR (default: build).
# Ends with "N passed, M failed"; exits 1 if any check failed.
set -uo pipefail

SUITE=bookworm
USER_ID=10001
# Changing how the root filesystem is made: change this to rebuild caches.
ROOTFS_RECIPE="debootstrap --variant=minbase $SUITE; user $USER_ID; v1"

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$script_dir/../.." && pwd)
build_dir=""
dockerfile_only=0
self_test=0
dockerfile=""
package_list=""
programs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    --build-dir=*) build_dir=${1#*=}; shift ;;
    --source-dir) source_dir=$2; shift 2 ;;
    --source-dir=*) source_dir=${1#*=}; shift ;;
    --dockerfile-only) dockerfile_only=1; shift ;;
    --self-test) self_test=1; shift ;;
    --dockerfile) dockerfile=$2; shift 2 ;;
    --package-list) package_list=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    -*) echo "check-runtime: unknown option $1" >&2; exit 2 ;;
    *) programs+=("$1"); shift ;;
  esac
done
source_dir=$(cd "$source_dir" && pwd)
[ -n "$build_dir" ] || build_dir="$source_dir/build"
[ -n "$dockerfile" ] || dockerfile="$source_dir/deploy/docker/Dockerfile"
[ -n "$package_list" ] || package_list="$source_dir/deploy/docker/runtime-packages.txt"

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
info() { echo "info $*"; }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ] && exit 0
  exit 1
}
# The packages of runtime-packages.txt: the same filter as the Dockerfile's.
read_packages() {
  sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$package_list" | tr -s '[:blank:]' '\n' | sed '/^$/d'
}

# ---------------------------------------------------------------------------
# 1. The Dockerfile
# ---------------------------------------------------------------------------
declare -A stage_from=()     # stage -> base image or stage
declare -A stage_body=()     # stage -> its instructions, one a line
stage_order=()

parse_dockerfile() {
  local line stage="" n=0 keyword rest image name
  # One instruction a line: comment lines dropped, continuation lines
  # joined, blanks squeezed, the keyword upper-cased.
  while IFS= read -r line; do
    keyword=${line%% *}
    rest=${line#* }
    if [ "$keyword" = FROM ]; then
      n=$((n + 1))
      # FROM [--platform=...] IMAGE [AS NAME]
      while [[ "$rest" == --* ]]; do rest=${rest#* }; done
      image=${rest%% *}
      name="stage$n"
      if [[ "$rest" =~ [[:space:]][Aa][Ss][[:space:]]+([^[:space:]]+)$ ]]; then name=${BASH_REMATCH[1]}; fi
      stage=$name
      stage_from[$stage]=$image
      stage_body[$stage]=""
      stage_order+=("$stage")
    elif [ -n "$stage" ]; then
      stage_body[$stage]+="$keyword $rest"$'\n'
    fi
  done < <(awk '
    /^[[:space:]]*#/ { next }
    {
      line = $0
      if (sub(/\\[[:space:]]*$/, "", line)) { joined = joined line " "; next }
      line = joined line; joined = ""
      gsub(/[[:space:]]+/, " ", line); sub(/^ /, "", line); sub(/ $/, "", line)
      if (line == "") next
      k = line; sub(/ .*/, "", k)
      print toupper(k) substr(line, length(k) + 1)
    }' "$dockerfile")
}

# The last value of an instruction in a stage, following its bases (USER and
# ENTRYPOINT are inherited from the stage a stage is FROM).
effective() {  # STAGE KEYWORD
  local stage=$1 keyword=$2 value
  while [ -n "$stage" ] && [ -n "${stage_body[$stage]+x}" ]; do
    value=$(printf '%s' "${stage_body[$stage]}" | sed -n "s/^$keyword //p" | tail -1)
    if [ -n "$value" ]; then printf '%s' "$value"; return; fi
    stage=${stage_from[$stage]}
  done
}

check_dockerfile() {
  if [ ! -r "$dockerfile" ]; then fail "Dockerfile: $dockerfile is missing"; return; fi
  if [ ! -r "$package_list" ]; then fail "Dockerfile: $package_list is missing"; return; fi
  parse_dockerfile

  local packages
  packages=$(read_packages)
  if [ -z "$packages" ]; then
    fail "runtime-packages.txt lists no package"
  elif printf '%s\n' "$packages" | grep -qE -- '-dev$|^(gcc|g\+\+|cpp|make|cmake|build-essential|binutils)(-[0-9.]+)?$'; then
    fail "runtime-packages.txt lists build packages: $(printf '%s\n' "$packages" | grep -E -- '-dev$|^(gcc|g\+\+|cpp|make|cmake|build-essential|binutils)' | tr '\n' ' ')"
  else
    pass "runtime-packages.txt lists $(printf '%s\n' "$packages" | wc -l) packages, none for building"
  fi

  # The build stage.
  if [ "${stage_from[build]:-}" = "debian:$SUITE" ]; then
    pass "Dockerfile: stage build is FROM debian:$SUITE"
  else
    fail "Dockerfile: no stage 'FROM debian:$SUITE AS build' (found: ${stage_from[build]:-none})"
  fi

  # The runtime stage: the slim image plus exactly the listed packages.
  local body=${stage_body[runtime]:-}
  if [ "${stage_from[runtime]:-}" != "debian:$SUITE-slim" ]; then
    fail "Dockerfile: no stage 'FROM debian:$SUITE-slim AS runtime' (found: ${stage_from[runtime]:-none})"
  else
    local copy install others
    copy=$(printf '%s' "$body" | grep -E '^(COPY|ADD) .*deploy/docker/runtime-packages\.txt' || true)
    install=$(printf '%s' "$body" | grep -E '^RUN .*runtime-packages\.txt' |
      grep -F -- "sed -e 's/#.*//' -e '/^[[:space:]]*\$/d'" |
      grep -E 'xargs( [A-Z_]+=[^ ]+)* apt-get install -y --no-install-recommends( *(&&|;|\|\|)|$)' || true)
    # Every apt-get/dpkg install of the stage must be that one line.
    others=$(printf '%s' "$body" | grep -E 'apt-get (-[^ ]+ )*install|apt (-[^ ]+ )*install|dpkg -i|aptitude' |
      grep -vF -- "$install" || true)
    if [ -n "$copy" ] && [ -n "$install" ] && [ -z "$others" ]; then
      pass "Dockerfile: stage runtime installs exactly runtime-packages.txt (--no-install-recommends)"
    else
      fail "Dockerfile: stage runtime must COPY deploy/docker/runtime-packages.txt and install only it with" \
        "sed -e 's/#.*//' -e '/^[[:space:]]*\$/d' ... | xargs apt-get install -y --no-install-recommends"
      [ -z "$others" ] || printf '     other install: %s\n' "$others"
    fi
    if printf '%s' "$body" | grep -qE '^RUN .*rm -rf /var/lib/apt/lists'; then
      pass "Dockerfile: stage runtime removes the apt lists"
    else
      fail "Dockerfile: stage runtime keeps /var/lib/apt/lists (add rm -rf /var/lib/apt/lists/*)"
    fi
    if printf '%s' "$body" | grep -qE "^RUN .*useradd .*--uid $USER_ID " &&
       printf '%s' "$body" | grep -qE "^RUN .*groupadd .*--gid $USER_ID "; then
      pass "Dockerfile: stage runtime creates user and group $USER_ID"
    else
      fail "Dockerfile: stage runtime does not create user/group $USER_ID (useradd --uid, groupadd --gid)"
    fi
  fi

  # The images: program, port, user.
  local target program port
  for target in report-service:report-service:50051 document-service:document-service:50052 \
                renderer:renderer:50053 cli:saraban:; do
    IFS=: read -r target program port <<<"$target"
    if [ -z "${stage_from[$target]+x}" ]; then
      [ "$target" = cli ] && continue   # the CLI image is optional
      fail "Dockerfile: no stage '$target'"
      continue
    fi
    local problems=() user entry s
    # The chain of stages down to an image must pass through runtime, never build.
    local chain=$target
    s=$target
    while [ -n "${stage_from[$s]+x}" ] && [ ${#chain} -lt 500 ]; do
      s=${stage_from[$s]}
      chain+=" <- $s"
    done
    if [[ " $chain " == *" build "* ]]; then
      problems+=("is based on the build stage ($chain)")
    elif [[ " $chain " != *" runtime "* ]]; then
      problems+=("is not based on the runtime stage ($chain)")
    fi
    if printf '%s' "${stage_body[$target]}" | grep -qE 'apt-get|dpkg -i'; then
      problems+=("installs packages of its own")
    fi
    user=$(effective "$target" USER)
    # Numeric, so that Kubernetes' runAsNonRoot can tell it is not root.
    case "${user%%:*}" in
      ""|0|root) problems+=("runs as root (USER '${user}')") ;;
      *[!0-9]*) problems+=("USER '${user}' is not a numeric uid") ;;
    esac
    entry=$(effective "$target" ENTRYPOINT)
    [ "$entry" = "[\"/usr/local/bin/$program\"]" ] ||
      problems+=("ENTRYPOINT is '$entry', not [\"/usr/local/bin/$program\"]")
    if ! printf '%s' "${stage_body[$target]}" | grep -qE "^COPY --from=build .*/$program( |$)"; then
      problems+=("does not COPY --from=build its program $program")
    fi
    if [ -n "$port" ]; then
      printf '%s' "${stage_body[$target]}" | grep -qE "^EXPOSE .*\\b$port\\b" || problems+=("does not EXPOSE $port")
      printf '%s' "${stage_body[$target]}" | grep -qE "^EXPOSE .*\\b9090\\b" || problems+=("does not EXPOSE 9090")
    fi
    if [ ${#problems[@]} -eq 0 ]; then
      pass "Dockerfile: image $target runs /usr/local/bin/$program as USER $user${port:+, exposes $port}"
    else
      fail "Dockerfile: image $target: $(IFS=';'; echo "${problems[*]}")"
    fi
  done
}

# Broken copies must fail: each mutation is a sed script on the Dockerfile
# (D) or on the package list (P), and a description.
self_test() {
  local tmp mutation target script what out
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  local mutations=(
    "D|s/^FROM runtime AS renderer/FROM build AS renderer/|a final stage FROM build"
    "D|s/^FROM runtime AS report-service/FROM build AS base2\\nFROM base2 AS report-service/|an image on a stage FROM build"
    "D|0,/^USER 10001:10001/s//USER root/|a final stage as USER root"
    "D|s/^USER 10001:10001$/USER 0:0/|final stages as USER 0"
    "D|/^USER /d|no USER at all"
    "D|s/^USER 10001:10001$/USER saraban/|a USER by name"
    "D|s/^FROM debian:bookworm-slim AS runtime/FROM debian:bookworm AS runtime/|a runtime stage on the full image"
    "D|s/xargs apt-get install -y --no-install-recommends/xargs apt-get install -y/|installing recommends"
    "D|s/xargs apt-get install -y --no-install-recommends/& curl/|a package beyond the list"
    "D|/^ENV SARABAN_LOG_FORMAT=json/a RUN apt-get update \\&\\& apt-get install -y curl|a second install in runtime"
    "D|/^FROM runtime AS document-service/a RUN apt-get update \\&\\& apt-get install -y gcc|an install in a final stage"
    "D|s/ \\&\\& rm -rf \\/var\\/lib\\/apt\\/lists\\/\\* \\/tmp\\/runtime-packages.txt//|apt lists kept"
    "D|s#^ENTRYPOINT \\[\"/usr/local/bin/renderer\"\\]#ENTRYPOINT [\"/bin/sh\"]#|a wrong ENTRYPOINT"
    "D|s/^EXPOSE 50052 50053 9090/EXPOSE 50053 9090/|a service port not exposed"
    "P|$ a libgrpc++-dev|a -dev package in the list"
    "P|$ a g++|a compiler in the list"
  )
  if out=$("$0" --dockerfile-only --dockerfile "$dockerfile" --package-list "$package_list" \
            --source-dir "$source_dir" 2>&1); then pass "self-test: the Dockerfile as it is passes"; else
    fail "self-test: the Dockerfile as it is fails"; printf '%s\n' "$out" | grep FAIL | sed 's/^/     /'; fi
  for mutation in "${mutations[@]}"; do
    IFS='|' read -r target script what <<<"$mutation"
    cp "$dockerfile" "$tmp/Dockerfile"
    cp "$package_list" "$tmp/packages.txt"
    if [ "$target" = D ]; then sed -i -e "$script" "$tmp/Dockerfile"; else sed -i -e "$script" "$tmp/packages.txt"; fi
    if cmp -s "$tmp/Dockerfile" "$dockerfile" && cmp -s "$tmp/packages.txt" "$package_list"; then
      fail "self-test: the mutation for $what changed nothing"
      continue
    fi
    if ! out=$("$0" --dockerfile-only --dockerfile "$tmp/Dockerfile" --package-list "$tmp/packages.txt" \
                 --source-dir "$source_dir" 2>&1) && printf '%s\n' "$out" | grep -q '^FAIL'; then
      pass "self-test: rejects $what ($(printf '%s\n' "$out" | grep -m1 '^FAIL' | cut -c6- | cut -c1-70))"
    else
      fail "self-test: accepts $what"
    fi
  done
  finish
}

if [ "$self_test" -eq 1 ]; then self_test; fi
check_dockerfile
if [ "$dockerfile_only" -eq 1 ]; then finish; fi

# ---------------------------------------------------------------------------
# 2. The runtime root filesystem
# ---------------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
  fail "runtime root filesystem: needs root (debootstrap, chroot); run as root or with --dockerfile-only"
  finish
fi
if [ ${#programs[@]} -eq 0 ]; then
  programs=("$build_dir/services/report_service/report-service" "$build_dir/services/document_service/document-service"
            "$build_dir/worker/renderer" "$build_dir/cli/saraban" "$build_dir/cli/saraban-client")
fi
missing_programs=()
for p in "${programs[@]}"; do [ -x "$p" ] || missing_programs+=("$p"); done
if [ ${#missing_programs[@]} -gt 0 ]; then
  fail "programs to check are not built: ${missing_programs[*]}"
  finish
fi

if ! command -v debootstrap >/dev/null 2>&1 || [ ! -r /usr/share/keyrings/debian-archive-keyring.gpg ]; then
  info "installing debootstrap"
  out=$( { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
             --no-install-recommends debootstrap debian-archive-keyring; } 2>&1)
  if ! command -v debootstrap >/dev/null 2>&1; then
    fail "debootstrap is missing and apt-get could not install it:"
    printf '%s\n' "$out" | tail -10 | sed 's/^/     /'
    finish
  fi
fi

# The first Debian mirror of the machine's apt sources that serves $SUITE
# (one-line .list files and deb822 .sources files); empty if none.
find_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    awk -v suite="$SUITE" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit }
      }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    awk -v suite="$SUITE" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && enabled != "no" && uris != "") {
          split(uris, u, " "); print u[1]; found = 1
        }
        types = ""; suites = ""; uris = ""; enabled = ""
      }
      /^[[:space:]]*#/ { next }
      /^[[:space:]]*$/ { flush(); if (found) exit; next }
      { key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^ +/, "")
        if (key == "types") types = $0
        else if (key == "suites") suites = $0
        else if (key == "uris") uris = $0
        else if (key == "enabled") enabled = tolower($0) }
      END { if (!found) flush() }' "$f"
  done
}
mirror=${DEBIAN_MIRROR:-$(find_mirror | grep -E '^(https?|file)://' | head -1)}

cache_dir="$build_dir/docker-runtime"
mkdir -p "$cache_dir"
key=$( { printf '%s\n' "$ROOTFS_RECIPE"; cat "$package_list"; } | sha256sum | cut -c1-16)
rootfs="$cache_dir/rootfs-$key"
exec 9>"$cache_dir/.lock"
flock 9

# Unmounts whatever debootstrap or a killed run left mounted below a path.
unmount_below() {
  local m
  awk -v root="$1/" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r |
    while IFS= read -r m; do umount -l "$m" 2>/dev/null || true; done
}
remove_tree() {
  unmount_below "$1"
  rm -rf --one-file-system "$1"
}

# On any exit (a timeout's SIGTERM too): no half-made tree, no programs left
# in the cached one.
work=""
bootstrap_pid=""
cleanup() {
  if [ -n "$bootstrap_pid" ] && kill -0 "$bootstrap_pid" 2>/dev/null; then
    kill -TERM -- "-$bootstrap_pid" 2>/dev/null
    wait "$bootstrap_pid" 2>/dev/null
  fi
  if [ -n "$work" ] && [ -e "$work" ]; then remove_tree "$work"; fi
  if [ -f "$rootfs/.saraban-rootfs-complete" ]; then
    rm -rf "$rootfs/usr/local/bin" "$rootfs/tmp/saraban-check"
    mkdir -p "$rootfs/usr/local/bin"
  fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

start=$(date +%s)
if [ -f "$rootfs/.saraban-rootfs-complete" ]; then
  info "root filesystem: cached $rootfs"
else
  # Other keys are stale lists: drop them, and any half-made tree.
  for old in "$cache_dir"/rootfs-*; do [ -e "$old" ] && remove_tree "$old"; done
  work="$rootfs.tmp"
  include=$(read_packages | paste -sd, -)
  info "root filesystem: debootstrap --variant=minbase $SUITE from ${mirror:-the default mirror of debootstrap} (cold, a few minutes)"
  log="$cache_dir/debootstrap.log"
  # In its own process group, waited for in the background: a SIGTERM (a
  # test timeout) stops it and its dpkg at once, and cleanup removes the tree.
  # shellcheck disable=SC2086
  setsid debootstrap --variant=minbase --include="$include" "$SUITE" "$work" $mirror >"$log" 2>&1 &
  bootstrap_pid=$!
  if wait "$bootstrap_pid"; then
    bootstrap_pid=""
    # As the Dockerfile's runtime stage: apt lists and caches gone, user 10001.
    chroot "$work" groupadd --gid "$USER_ID" saraban >>"$log" 2>&1 &&
      chroot "$work" useradd --uid "$USER_ID" --gid "$USER_ID" --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin saraban >>"$log" 2>&1 &&
      chroot "$work" apt-get clean >>"$log" 2>&1
    status=$?
    rm -rf "$work"/var/lib/apt/lists/* "$work"/var/cache/apt/*.bin
  else
    status=$?
    bootstrap_pid=""
  fi
  unmount_below "$work"
  if [ "$status" -ne 0 ]; then
    fail "root filesystem: debootstrap $SUITE from ${mirror:-the default mirror} failed (exit $status); end of $log:"
    tail -15 "$log" | sed 's/^/     /'
    finish
  fi
  touch "$work/.saraban-rootfs-complete"
  mv "$work" "$rootfs"
  work=""
  info "root filesystem: made in $(( $(date +%s) - start )) s"
fi
# The programs, as the images have them (cleanup takes them out again: the
# cache keeps only the packages).
cleanup
info "root filesystem: $(du -sh --one-file-system "$rootfs" | cut -f1) without the programs"
names=()
for p in "${programs[@]}"; do
  install -m 0755 "$p" "$rootfs/usr/local/bin/"
  names+=("$(basename "$p")")
done

# In the root filesystem, with the images' environment; as uid 10001 unless
# the first argument is "root".
in_root() {
  local spec=(--userspec="$USER_ID:$USER_ID" --groups="$USER_ID")
  if [ "$1" = root ]; then spec=(); shift; fi
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/nonexistent \
    LANG=C.UTF-8 SARABAN_LOG_FORMAT=json chroot "${spec[@]}" "$rootfs" "$@"
}

# Every shared library of every program resolves inside the root filesystem.
for name in "${names[@]}"; do
  if ! out=$(in_root root /usr/bin/ldd "/usr/local/bin/$name" 2>&1); then
    fail "libraries of $name: ldd failed in the root filesystem"
    printf '%s\n' "$out" | sed 's/^/     /' | head -20
  elif printf '%s\n' "$out" | grep -q 'not found'; then
    fail "libraries of $name: not found in the runtime packages:" \
      "$(printf '%s\n' "$out" | awk '/not found/ { print $1 }' | sort -u | tr '\n' ' ')"
  else
    pass "libraries of $name: all $(printf '%s\n' "$out" | grep -c '=>') resolve"
  fi
done

# The font and ICC profile at the paths compiled into the renderer.
render_h="$source_dir/renderer/report/include/saraban/report/render.h"
writer_h="$source_dir/renderer/pdf/include/saraban/pdf/writer.h"
data_files=$( { grep -oE '_font = "[^"]+"' "$render_h"; grep -oE 'icc_profile_path = "[^"]+"' "$writer_h"; } 2>/dev/null |
  sed -E 's/.*"(.*)"/\1/')
if [ "$(printf '%s\n' "$data_files" | grep -c .)" -lt 3 ]; then
  fail "font and ICC paths: not found in $render_h and $writer_h"
fi
for f in $data_files; do
  if [ -f "$rootfs$f" ] && [ -s "$rootfs$f" ]; then
    pass "file $f: in the root filesystem ($(in_root root dpkg -S "$f" 2>/dev/null | cut -d: -f1))"
  else
    fail "file $f: missing from the root filesystem (the renderer opens it by default)"
  fi
done

# No compiler or build tool, and no -dev package.
tools=()
for t in cc gcc g++ c++ cpp cmake make ld as; do
  for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
    # /bin and /sbin are links to /usr/bin and /usr/sbin: name each file once.
    [ -L "$rootfs$d" ] && continue
    if [ -e "$rootfs$d/$t" ] || [ -L "$rootfs$d/$t" ]; then tools+=("$d/$t"); fi
  done
done
if [ ${#tools[@]} -eq 0 ]; then
  pass "no compiler or build tool (cc gcc g++ c++ cpp cmake make ld as)"
else
  fail "build tools in the root filesystem: ${tools[*]}"
fi
# shellcheck disable=SC2016
dev=$(in_root root dpkg-query -W -f '${Package}\n' 2>/dev/null | grep -E -- '-dev$|^(gcc|g\+\+|cpp|binutils)(-[0-9]+)?$' || true)
if [ -z "$dev" ]; then
  # shellcheck disable=SC2016
  pass "no development package installed ($(in_root root dpkg-query -W -f '${Package}\n' | wc -l) packages)"
else
  fail "development packages installed: $(printf '%s\n' "$dev" | tr '\n' ' ')"
fi

# The programs start as the unprivileged user.
ids="$(in_root /usr/bin/id -u 2>&1):$(in_root /usr/bin/id -g 2>&1):$(in_root /usr/bin/id -G 2>&1)"
if [ "$ids" = "$USER_ID:$USER_ID:$USER_ID" ]; then
  pass "user: programs run as uid $USER_ID, gid $USER_ID, no other group"
else
  fail "user: expected uid:gid:groups $USER_ID:$USER_ID:$USER_ID, got $ids"
fi
for name in "${names[@]}"; do
  if out=$(in_root "/usr/local/bin/$name" --help 2>&1) && printf '%s\n' "$out" | grep -q '^Usage:'; then
    pass "start: $name --help as uid $USER_ID"
  else
    fail "start: $name --help as uid $USER_ID failed"
    printf '%s\n' "$out" | sed 's/^/     /' | head -10
  fi
done

# An example report rendered offline with the default font and ICC profile.
if printf '%s\n' "${names[@]}" | grep -qx saraban; then
  example="$source_dir/examples/000_taluboh.json"
  scratch="$rootfs/tmp/saraban-check"
  rm -rf "$scratch" && mkdir -p "$scratch"
  cp "$example" "$scratch/report.json"
  chown -R "$USER_ID:$USER_ID" "$scratch"
  if out=$(in_root /usr/local/bin/saraban render /tmp/saraban-check/report.json \
             -o /tmp/saraban-check/report.pdf 2>&1) &&
     head -c 5 "$scratch/report.pdf" | grep -q '%PDF-' &&
     grep -aq '/OutputIntents' "$scratch/report.pdf" &&
     grep -aqE '/BaseFont */[A-Z]{6}\+Laksaman' "$scratch/report.pdf"; then
    pass "render: $(basename "$example") as uid $USER_ID, $(stat -c %s "$scratch/report.pdf") bytes, Laksaman embedded, sRGB output intent"
  else
    fail "render: $(basename "$example") as uid $USER_ID failed"
    printf '%s\n' "$out" | sed 's/^/     /' | head -10
  fi
  rm -rf "$scratch"
fi

info "root filesystem: $(du -sh --one-file-system "$rootfs" | cut -f1) with the programs; took $(( $(date +%s) - start )) s"
finish
