#!/usr/bin/env bash
# A real Neo4j 5.26 Community for the sink's tests and benchmark, without Docker: embedded Neo4j from Maven Central,
# started by Neo4jLauncher.java on Java 17+.
#
#   neo4j-test-server.sh fetch                 fetch the jars into test-server/lib (Maven caches them in ~/.m2)
#   neo4j-test-server.sh run [launcher args]   run in the foreground (the tests' global set-up uses this)
#   neo4j-test-server.sh start [--port N] [--auth]
#                                              run in the background; prints the bolt:// URI once it is ready
#   neo4j-test-server.sh stop | status
#
# With --auth a client must log in as neo4j with the password in $NEO4J_TEST_SERVER_PASSWORD (at least 8 characters),
# which is read from the environment so that it never shows in `ps`. `start` keeps its data, log and pid under
# $NEO4J_TEST_SERVER_STATE (default test-server/state). Set NEO4J_TEST_SERVER_HEAP to change the heap (default 768m; an
# unbounded heap was seen killed by the OS).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib="$here/lib"
state=${NEO4J_TEST_SERVER_STATE:-$here/state}
heap=${NEO4J_TEST_SERVER_HEAP:-768m}

die() { echo "neo4j-test-server: $*" >&2; exit 1; }

fetch() {
  # The stamp records which pom the jars came from, so editing the Neo4j version fetches again and nothing else does.
  if [ -f "$lib/.fetched" ] && cmp -s "$here/pom.xml" "$lib/.fetched"; then return 0; fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Neo4j from Maven Central"
  rm -rf "$lib"
  mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib" >&2 \
    || die "could not fetch Neo4j's jars from Maven Central (see Maven's output above)"
  cp "$here/pom.xml" "$lib/.fetched"
}

# Compiles the launcher once per version of its source, into $classes: Java's single-file source launcher would compile
# it again on every start, a second or two of a restart.
compile_launcher() {
  command -v javac >/dev/null || die "a Java 17+ JDK (with javac) is needed to run Neo4j"
  classes="$lib/launcher-$(cksum <"$here/Neo4jLauncher.java" | cut -d' ' -f1)"
  [ -f "$classes/Neo4jLauncher.class" ] && return 0
  local compiling
  compiling=$(mktemp -d "$lib/compiling-launcher.XXXXXX")
  javac -nowarn -cp "$lib/*" -d "$compiling" "$here/Neo4jLauncher.java" >&2 \
    || { rm -rf "$compiling"; die "could not compile $here/Neo4jLauncher.java"; }
  # Two starts at once may both compile; the first to finish wins and the other's copy is dropped.
  [ -e "$classes" ] || mv "$compiling" "$classes" 2>/dev/null || true
  rm -rf "$compiling"
  for stale in "$lib"/launcher-*; do [ "$stale" = "$classes" ] || rm -rf "$stale"; done
}

java_command() {
  command -v java >/dev/null || die "Java 17 or newer is needed to run Neo4j"
  [ -f "$lib/.fetched" ] || die "Neo4j's jars are missing; run: $0 fetch"
  compile_launcher
  # Neo4j 5 reaches into JDK internals (UnsafeUtil, Netty); Java 17 refuses that without these.
  java_args=(
    "-Xms256m" "-Xmx$heap" "-XX:+UseG1GC" "-XX:+ExitOnOutOfMemoryError"
    "--add-opens=java.base/java.nio=ALL-UNNAMED"
    "--add-opens=java.base/java.io=ALL-UNNAMED"
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
    "--add-opens=java.base/java.lang=ALL-UNNAMED"
    "--add-opens=java.base/java.util=ALL-UNNAMED"
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED"
    "-Dio.netty.tryReflectionSetAccessible=true"
    -cp "$lib/*:$classes" Neo4jLauncher
  )
}

pid_alive() { [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; }

start() {
  local port=0 auth=()
  while [ $# -gt 0 ]; do
    case $1 in
      --port) port=${2:?--port needs a value}; shift 2 ;;
      --auth) auth=(--auth); shift ;;
      *) die "unknown argument $1" ;;
    esac
  done
  pid_alive && die "already running (pid $(cat "$state/pid")): $(status)"
  fetch
  java_command
  mkdir -p "$state"
  : >"$state/log"
  nohup java "${java_args[@]}" --home "$state/data" --port "$port" ${auth[@]+"${auth[@]}"} </dev/null >"$state/log" 2>&1 &
  echo $! >"$state/pid"
  local waited=0
  until grep -q '^neo4j-test-server ready ' "$state/log"; do
    pid_alive || die "Neo4j exited while starting; its output is in $state/log"
    [ $waited -lt 1200 ] || { stop; die "Neo4j was not ready after 120 s; its output is in $state/log"; }
    sleep 0.1; waited=$((waited + 1))
  done
  status
}

stop() {
  pid_alive || { rm -f "$state/pid"; echo "not running"; return 0; }
  local pid waited=0
  pid=$(cat "$state/pid")
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do
    [ $waited -lt 600 ] || { kill -KILL "$pid"; break; }
    sleep 0.1; waited=$((waited + 1))
  done
  rm -f "$state/pid"
  echo "stopped"
}

status() {
  if pid_alive; then
    sed -n 's/^neo4j-test-server ready //p' "$state/log" | tail -n 1
  else
    echo "not running"; return 3
  fi
}

command=${1:-}
[ $# -gt 0 ] && shift
case $command in
  fetch) fetch ;;
  run) fetch; java_command; exec java "${java_args[@]}" "$@" ;;
  start) start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 fetch | run [--home DIR] [--port N] [--auth] [--stop-on-stdin-eof] | start [--port N] [--auth] | stop | status" ;;
esac
