#!/usr/bin/env bash
# Runs the ingestion + split benchmark (org.cosineaudit.train.IngestSplitBenchmark):
# ./bench/ingest-split.sh [users=20000] [items=1000] [rounds=3]
# Results and the command used: docs/benchmarks/sweep.md.
BENCH_HEAP="${BENCH_HEAP:-4g}" exec "$(dirname "${BASH_SOURCE[0]}")/run-benchmark.sh" \
  org.cosineaudit.train.IngestSplitBenchmark "$@"
