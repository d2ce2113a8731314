import { readFileSync } from 'node:fs';
import { CHART_TOPICS_FILE, renderChartTopics } from './chart-topics';

describe('deploy/helm/easgate/files/topics.json', () => {
  it('is what the topic catalogue generates (run `npm run chart:topics` after changing topics.ts)', () => {
    expect(readFileSync(CHART_TOPICS_FILE, 'utf8')).toBe(renderChartTopics());
  });
});
