export type ConfigSection = 'organization-settings' | 'device-access-rules' | 'mailbox-policies';

export interface ConfigObject {
  readonly section: ConfigSection;
  readonly identity: string;
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface ConfigDrift {
  readonly section: ConfigSection;
  readonly change: 'added' | 'removed' | 'changed';
  readonly identity: string;
  readonly before?: Record<string, unknown>;
  readonly after?: Record<string, unknown>;
}

/** Fields that change without anyone changing the configuration. */
const VOLATILE = new Set(['whenchanged', 'whencreated', 'distinguishedname', 'guid', 'organizationid']);

/** An Exchange object reduced to the settings that matter for drift. */
export function configSettings(object: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([name]) => !VOLATILE.has(name.toLowerCase())));
}

const keyOf = (o: { section: string; identity: string }) => `${o.section}\u0000${o.identity.toLowerCase()}`;

/** What changed between two syncs, object by object, listing only the settings that differ. */
export function diffConfig(
  previous: readonly ConfigObject[],
  current: readonly ConfigObject[],
): ConfigDrift[] {
  const before = new Map(previous.map((o) => [keyOf(o), o]));
  const after = new Map(current.map((o) => [keyOf(o), o]));
  const drifts: ConfigDrift[] = [];
  for (const [key, now] of after) {
    const was = before.get(key);
    if (!was) {
      drifts.push({
        section: now.section,
        change: 'added',
        identity: now.identity,
        after: { ...now.settings },
      });
      continue;
    }
    const names = new Set([...Object.keys(was.settings), ...Object.keys(now.settings)]);
    const changed = [...names].filter(
      (n) => JSON.stringify(was.settings[n]) !== JSON.stringify(now.settings[n]),
    );
    if (changed.length > 0) {
      drifts.push({
        section: now.section,
        change: 'changed',
        identity: now.identity,
        before: Object.fromEntries(changed.map((n) => [n, was.settings[n] ?? null])),
        after: Object.fromEntries(changed.map((n) => [n, now.settings[n] ?? null])),
      });
    }
  }
  for (const [key, was] of before) {
    if (!after.has(key))
      drifts.push({
        section: was.section,
        change: 'removed',
        identity: was.identity,
        before: { ...was.settings },
      });
  }
  return drifts;
}
