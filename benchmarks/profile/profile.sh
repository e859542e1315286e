#!/bin/sh
# Profiles a running proxy with async-profiler for SECONDS and writes OUT (.html: a flame graph; anything
# else: collapsed stacks, one line per stack, for scripts). EVENT: cpu (default), alloc, lock, wall.
#   benchmarks/profile/profile.sh PID SECONDS OUT [EVENT]
# async-profiler comes from Maven Central (tools.profiler:async-profiler) into ~/.cache/sallyport-profiler.
# Attribution inside compiled code is only right when the proxy was started with
#   JAVA_OPTS="-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints"
# (without it, time lands on a neighbouring inlined method; the script says so when the flag is off).
set -eu
if [ $# -lt 3 ]; then
    sed -n '2,8p' "$0" >&2
    exit 2
fi
pid=$1 seconds=$2 out=$3 event=${4:-cpu}
version=4.1
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/sallyport-profiler/$version
case $(uname -m) in
    x86_64) platform=linux-x64 ;;
    aarch64) platform=linux-arm64 ;;
    *) echo "profile.sh: no async-profiler library for $(uname -m)" >&2; exit 2 ;;
esac
lib=$cache/$platform/libasyncProfiler.so
if [ ! -f "$lib" ]; then
    mkdir -p "$cache"
    (cd "$here/.." && mvn -q -B dependency:copy -Dartifact=tools.profiler:async-profiler:$version \
        -DoutputDirectory="$cache" >&2)
    (cd "$cache" && unzip -o -q "async-profiler-$version.jar" "$platform/*")
fi
if ! jcmd "$pid" VM.flags -all 2>/dev/null | grep -q 'DebugNonSafepoints *= *true'; then
    echo "profile.sh: $pid runs without -XX:+DebugNonSafepoints; time inside compiled code may be attributed to a neighbouring inlined method" >&2
fi
case $out in
    *.html) format=flamegraph ;;
    *) format=collapsed ;;
esac
java "$here/AttachAgent.java" "$pid" "$lib" "start,event=$event,interval=100us,threads"
sleep "$seconds"
java "$here/AttachAgent.java" "$pid" "$lib" "stop,file=$out,$format"
echo "profile.sh: wrote $out" >&2
