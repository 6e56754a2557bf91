#!/usr/bin/env bash
# Runs the JMH benchmarks of one module (they sit beside its tests, under .../bench/).
#   scripts/bench.sh MODULE [JMH ARGS...]     e.g. scripts/bench.sh objtool-elf ElfParseBench -prof gc
set -euo pipefail
cd "$(dirname "$0")/.."
module=$1; shift
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME
mvn -q -o -pl "$module" -am install -DskipTests >/dev/null 2>&1 || mvn -q -pl "$module" -am install -DskipTests
mvn -q -o -pl "$module" test-compile
cp_file=$(mktemp)
mvn -q -o -pl "$module" dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
CP="$module/target/test-classes:$module/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
exec "$JAVA_HOME/bin/java" -cp "$CP" org.openjdk.jmh.Main "$@"
