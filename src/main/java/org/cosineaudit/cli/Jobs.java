package org.cosineaudit.cli;

import java.util.List;
import java.util.Optional;
import org.cosineaudit.run.Job;

/** Every job the CLI knows, in the order {@code --help} lists them. */
final class Jobs {

  static final List<Job<?>> ALL = List.of(
      new org.cosineaudit.demo.DemoJob(),
      new org.cosineaudit.data.GenerateJob(),
      new org.cosineaudit.data.IngestJob(),
      new org.cosineaudit.train.SweepJob(),
      new org.cosineaudit.similarity.SimilarityJob(),
      new org.cosineaudit.reproduce.ReproduceJob(),
      new org.cosineaudit.stability.StabilityJob(),
      new org.cosineaudit.report.ReportJob(),
      new org.cosineaudit.audit.AuditJob());

  private Jobs() {}

  static Optional<Job<?>> find(String name) {
    return ALL.stream().filter(j -> j.name().equals(name)).findFirst();
  }
}
