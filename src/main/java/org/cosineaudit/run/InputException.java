package org.cosineaudit.run;

/**
 * Unusable input: a missing or empty file, bad rows beyond the allowed fraction, invalid
 * embeddings. The message names the file, row or id and says what to do. Exit code 2.
 *
 * <p>Thrown on executors too: the CLI finds it in a Spark failure's cause chain.
 */
public class InputException extends RuntimeException {
  public InputException(String message) {
    super(message);
  }

  public InputException(String message, Throwable cause) {
    super(message, cause);
  }
}
