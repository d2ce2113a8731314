import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ServiceName, ServiceTopics, topicSpecs } from '@easgate/contracts';

/**
 * The Helm chart's topic data, generated from the one topic catalogue (libs/shared/contracts/src/topics.ts):
 * the KafkaTopic resources (names, partitions, retention, dead-letter twins) and each service's KafkaUser
 * ACLs come from here, never from a list copied into the chart. `npm run chart:topics` rewrites
 * deploy/helm/easgate/files/topics.json; a unit test fails while the file is behind the catalogue.
 */
export const CHART_TOPICS_FILE = join(__dirname, '../../deploy/helm/easgate/files/topics.json');

export interface ChartTopics {
  readonly generatedFrom: string;
  readonly topics: {
    name: string;
    partitions: number;
    retentionMs: number;
    cleanupPolicy: string;
    deadLetterOf?: string;
  }[];
  /** Per service: what it reads, what it writes, and the prefix of its consumer groups. */
  readonly services: Record<ServiceName, { consumes: string[]; produces: string[]; groupPrefix: string }>;
}

export function chartTopics(): ChartTopics {
  return {
    generatedFrom:
      'libs/shared/contracts/src/topics.ts by tools/deploy-check/chart-topics.ts (npm run chart:topics); do not edit',
    topics: topicSpecs().map((t) => ({
      name: t.name,
      partitions: t.partitions,
      retentionMs: t.retentionMs,
      cleanupPolicy: t.cleanupPolicy,
      ...(t.deadLetterOf !== undefined && { deadLetterOf: t.deadLetterOf }),
    })),
    services: Object.fromEntries(
      (Object.keys(ServiceTopics) as ServiceName[]).map((service) => [
        service,
        {
          consumes: [...ServiceTopics[service].consumes],
          produces: [...ServiceTopics[service].produces],
          // startService joins `easgate-<name>`; alerting's dead-letter watch joins `easgate-alerting-dlq`.
          groupPrefix: `easgate-${service}`,
        },
      ]),
    ) as ChartTopics['services'],
  };
}

export function renderChartTopics(): string {
  return `${JSON.stringify(chartTopics(), null, 2)}\n`;
}

if (process.argv[1] === __filename) {
  writeFileSync(CHART_TOPICS_FILE, renderChartTopics());
  console.log(`wrote ${CHART_TOPICS_FILE}`);
}
