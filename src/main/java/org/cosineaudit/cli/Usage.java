package org.cosineaudit.cli;

import java.util.List;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.run.Job;

/** Usage text for {@code --help} and usage errors. */
final class Usage {

  private Usage() {}

  static String jobs(List<Job<?>> jobs) {
    StringBuilder sb = new StringBuilder();
    sb.append("usage: ./submit.sh [--master URL] [--conf key=value]... JOB [OPTIONS]\n\njobs:\n");
    for (Job<?> j : jobs) {
      sb.append(String.format("  %-12s %s%n", j.name(), j.summary()));
    }
    sb.append("\n'./submit.sh JOB --help' lists a job's options and defaults.\n");
    sb.append("exit codes: 0 ok, 1 a check failed (audit, reproduce), 2 usage or unusable input, 3 unexpected failure\n");
    return sb.toString();
  }

  static String job(Job<?> job) {
    StringBuilder sb = new StringBuilder();
    sb.append("usage: ./submit.sh ").append(job.name()).append(" [OPTIONS]\n");
    sb.append(job.summary()).append("\n\noptions (command line > --config FILE > conf/")
        .append(job.name()).append(".properties > default):\n");
    for (OptionSpec o : job.options()) {
      String flag = "--" + o.key() + (o.kind() == OptionSpec.Kind.FLAG ? "" : " VALUE");
      sb.append(String.format("  %-28s %s%n", flag, o.description()));
      String def = o.required() ? "required" : o.defaultValue() == null ? "not set" : "default: " + o.defaultValue();
      sb.append(String.format("  %-28s (%s; %s)%n", "", def, o.allowed()));
      if (o.choiceFlags()) {
        for (String c : o.choices()) {
          sb.append(String.format("  %-28s same as --%s %s%n", "--" + c, o.key(), c));
        }
      }
    }
    sb.append(String.format("  %-28s %s%n", "--config FILE", "read option values from a properties file"));
    return sb.toString();
  }

  /** The documented {@code conf/JOB.properties} with every option at its built-in default. */
  static String confFile(Job<?> job) {
    StringBuilder sb = new StringBuilder();
    sb.append("# conf/").append(job.name()).append(".properties: defaults of './submit.sh ")
        .append(job.name()).append("'.\n");
    sb.append("# ").append(job.summary()).append("\n");
    sb.append("# Precedence: command line > --config FILE > this file > built-in default.\n");
    sb.append("# An empty value means \"not set\". Unknown keys are an error.\n");
    for (OptionSpec o : job.options()) {
      sb.append("\n# ").append(o.description()).append("\n# allowed: ").append(o.allowed())
          .append(o.required() ? " (required)" : "").append("\n");
      sb.append(o.key()).append(" = ").append(o.defaultValue() == null ? "" : o.defaultValue()).append("\n");
    }
    return sb.toString();
  }
}
