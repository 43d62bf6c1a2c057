import type { LearnStatus } from '@gov/neural';
import type { Registry } from 'prom-client';
import { registerCollected, type CollectedSpec } from './collected-metrics.js';

/** The part of the learned advisor's status the metrics export. */
export type LearnerReading = Pick<LearnStatus, 'phase' | 'samples' | 'pendingOutcomes' | 'outcomes' | 'harmful' | 'expired' | 'verdicts' | 'lastAdvice'>;

const VERDICTS = ['allow', 'veto', 'shrink', 'raise'] as const;

const LEARNER_SERIES: readonly CollectedSpec<LearnerReading>[] = [
  {
    name: 'gov_learner_outcomes_total',
    help: 'Outcomes of actions the advisor measured, by result (harmless, harmful)',
    kind: 'counter',
    labelNames: ['result'],
    samples: (status) => [
      { labels: { result: 'harmless' }, value: status.outcomes - status.harmful },
      { labels: { result: 'harmful' }, value: status.harmful },
    ],
  },
  { name: 'gov_learner_expired_outcomes_total', help: 'Actions whose outcome could not be measured before its horizon', kind: 'counter', samples: (status) => [{ value: status.expired }] },
  {
    name: 'gov_learner_verdicts_total',
    help: "The advisor's verdicts on dynamic-policy reclaims, by verdict (allow, veto, shrink, raise)",
    kind: 'counter',
    labelNames: ['verdict'],
    samples: (status) => VERDICTS.map((verdict) => ({ labels: { verdict }, value: status.verdicts[verdict] })),
  },
  { name: 'gov_learner_samples', help: 'Outcomes the model has learned from', kind: 'gauge', samples: (status) => [{ value: status.samples }] },
  { name: 'gov_learner_pending_outcomes', help: 'Actions whose outcome is still being measured', kind: 'gauge', samples: (status) => [{ value: status.pendingOutcomes }] },
  { name: 'gov_learner_advising', help: '1 once the advisor has enough samples to advise, 0 while it observes', kind: 'gauge', samples: (status) => [{ value: status.phase === 'advising' ? 1 : 0 }] },
  {
    name: 'gov_learner_last_verdict',
    help: "1 for the verdict of the advisor's last advice, 0 for the others",
    kind: 'gauge',
    labelNames: ['verdict'],
    samples: ({ lastAdvice }) => (lastAdvice === null ? [] : VERDICTS.map((verdict) => ({ labels: { verdict }, value: verdict === lastAdvice.verdict ? 1 : 0 }))),
  },
  {
    name: 'gov_learner_last_advice_timestamp_seconds',
    help: 'When the advisor last advised, since the Unix epoch',
    kind: 'gauge',
    samples: ({ lastAdvice }) => (lastAdvice === null ? [] : [{ value: Date.parse(lastAdvice.at) / 1000 }]),
  },
];

/**
 * The learned advisor's counters, read from its status at scrape time. They count since the
 * model was created (they survive restarts with the model file, and start over on `gov learn
 * reset`, which Prometheus' `rate()` reads as a counter reset).
 */
export function registerLearnerMetrics(registry: Registry, read: () => LearnerReading): void {
  registerCollected(registry, read, LEARNER_SERIES);
}
