import type { LearnStatus } from '@gov/neural';
import { Counter, Gauge, type Registry } from 'prom-client';

/** The part of the learned advisor's status the metrics export. */
export type LearnerReading = Pick<LearnStatus, 'phase' | 'samples' | 'pendingOutcomes' | 'outcomes' | 'harmful' | 'expired' | 'verdicts' | 'lastAdvice'>;

const VERDICTS = ['allow', 'veto', 'shrink', 'raise'] as const;

/**
 * The learned advisor's counters, read from its status at scrape time. They count since the
 * model was created (they survive restarts with the model file, and start over on `gov learn
 * reset`, which Prometheus' `rate()` reads as a counter reset).
 */
export function registerLearnerMetrics(registry: Registry, read: () => LearnerReading | null): void {
  const registers = [registry];
  // Each metric fills itself from the status when scraped.
  function collectFrom<M extends Counter | Gauge>(metric: M, set: (metric: M, status: LearnerReading) => void): void {
    metric.reset();
    const status = read();
    if (status !== null) set(metric, status);
  }
  const counter = (name: string, help: string, labelNames: string[], set: (metric: Counter, status: LearnerReading) => void) =>
    new Counter({
      name,
      help,
      labelNames,
      registers,
      collect() {
        collectFrom(this, set);
      },
    });
  const gauge = (name: string, help: string, labelNames: string[], set: (metric: Gauge, status: LearnerReading) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        collectFrom(this, set);
      },
    });
  counter('gov_learner_outcomes_total', 'Outcomes of actions the advisor measured, by result (harmless, harmful)', ['result'], (metric, status) => {
    metric.inc({ result: 'harmless' }, status.outcomes - status.harmful);
    metric.inc({ result: 'harmful' }, status.harmful);
  });
  counter('gov_learner_expired_outcomes_total', 'Actions whose outcome could not be measured before its horizon', [], (metric, status) => metric.inc(status.expired));
  counter('gov_learner_verdicts_total', "The advisor's verdicts on dynamic-policy reclaims, by verdict (allow, veto, shrink, raise)", ['verdict'], (metric, status) => {
    for (const verdict of VERDICTS) metric.inc({ verdict }, status.verdicts[verdict]);
  });
  gauge('gov_learner_samples', 'Outcomes the model has learned from', [], (metric, status) => metric.set(status.samples));
  gauge('gov_learner_pending_outcomes', 'Actions whose outcome is still being measured', [], (metric, status) => metric.set(status.pendingOutcomes));
  gauge('gov_learner_advising', '1 once the advisor has enough samples to advise, 0 while it observes', [], (metric, status) => metric.set(status.phase === 'advising' ? 1 : 0));
  gauge('gov_learner_last_verdict', "1 for the verdict of the advisor's last advice, 0 for the others", ['verdict'], (metric, status) => {
    const last = status.lastAdvice;
    if (last !== null) for (const verdict of VERDICTS) metric.set({ verdict }, verdict === last.verdict ? 1 : 0);
  });
  gauge('gov_learner_last_advice_timestamp_seconds', 'When the advisor last advised, since the Unix epoch', [], (metric, status) => {
    if (status.lastAdvice === null) metric.remove();
    else metric.set(Date.parse(status.lastAdvice.at) / 1000);
  });
}
