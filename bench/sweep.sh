#!/usr/bin/env bash
# Runs the sweep benchmark (org.cosineaudit.train.SweepBenchmark, in src/test/java, excluded from
# 'mvn test'): ./bench/sweep.sh [users=20000] [items=1000] [regs=0.01,0.1,1] [rank=16] [maxIter=10] [measures=none]
# Results and the command used: docs/benchmarks/sweep.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -o -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
  -Dmdep.includeScope=test >&2
# the JVM options Spark needs on Java 17, from their one declaration (pom.xml, jvm.module.options)
read -r -a JAVA_MODULE_OPTS <<< "$(sed -n 's:.*<jvm.module.options>\(.*\)</jvm.module.options>.*:\1:p' pom.xml)"
[[ ${#JAVA_MODULE_OPTS[@]} -gt 0 ]] || { echo "error: jvm.module.options not found in pom.xml" >&2; exit 3; }
export SPARK_LOCAL_IP=127.0.0.1
export OPENBLAS_NUM_THREADS=1
exec java "${JAVA_MODULE_OPTS[@]}" -Xmx"${BENCH_HEAP:-4g}" \
  -Dlog4j2.configurationFile="$PWD/src/test/resources/log4j2-test.properties" \
  -Dcosine.audit.project.dir="$PWD" \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  org.cosineaudit.train.SweepBenchmark "$@"
