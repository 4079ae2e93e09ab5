package org.cosineaudit.config;

/** A configuration or usage problem, found before any Spark work. The CLI exits with code 2. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
