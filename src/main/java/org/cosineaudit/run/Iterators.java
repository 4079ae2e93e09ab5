package org.cosineaudit.run;

import java.util.Iterator;
import java.util.function.Function;

/** Lazy iterator adapters for Spark partition functions, which must not buffer a whole partition. */
public final class Iterators {

  private Iterators() {}

  /** {@code f} applied to each element of {@code source} as it is read, in order. */
  public static <A, B> Iterator<B> mapped(Iterator<A> source, Function<A, B> f) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return source.hasNext();
      }

      @Override
      public B next() {
        return f.apply(source.next());
      }
    };
  }
}
