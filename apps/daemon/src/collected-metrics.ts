import { Counter, Gauge, type Registry } from 'prom-client';

/** One series of a scrape-time metric: its labels (none for a label-less metric) and value. */
export interface Sample {
  labels?: Record<string, string>;
  value: number;
}

/** A metric whose series are all read from one input when Prometheus scrapes. */
export interface CollectedSpec<T> {
  name: string;
  help: string;
  kind: 'gauge' | 'counter';
  labelNames?: readonly string[];
  /** The series for this input; none leaves the metric without a series (not a 0). */
  samples: (input: T) => Sample[];
}

/**
 * Registers metrics whose series are exactly what `read` says at each scrape: the series of the
 * previous scrape are dropped first, so whatever is gone leaves nothing stale behind. A counter is
 * set to a cumulative value its source keeps. `read` may be shared and cached by the caller: each
 * metric reads it, since prom-client collects the metrics one after the other.
 */
export function registerCollected<T>(registry: Registry, read: () => T | Promise<T>, specs: readonly CollectedSpec<T>[]): void {
  for (const spec of specs) {
    const labelNames = spec.labelNames ?? [];
    const config = {
      name: spec.name,
      help: spec.help,
      labelNames,
      registers: [registry],
      async collect(this: Counter | Gauge) {
        const samples = spec.samples(await read());
        this.reset();
        // A label-less metric shows 0 after a reset; without a sample it shows nothing.
        if (labelNames.length === 0) this.remove();
        for (const { labels = {}, value } of samples) {
          if (this instanceof Counter) this.inc(labels, Math.max(0, value));
          else this.set(labels, value);
        }
      },
    };
    if (spec.kind === 'counter') new Counter(config);
    else new Gauge(config);
  }
}
