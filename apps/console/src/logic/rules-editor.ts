import { ApiError } from '../api';

/** A rules version as the translator answers it (`GET /v1/tenants/{tenant}/rules[/history]`). */
export interface VersionedRules {
  tenant: string;
  version: number;
  rules: Record<string, unknown>;
  createdAt?: string;
  createdBy?: string;
}

export interface DecisionSummary {
  access: string;
  action: string;
  mailboxPolicy?: string | null;
}

/** The what-if answer (`POST …/rules/preview`). */
export interface RulesPreview {
  devicesEvaluated: number;
  devicesChanging: number;
  currentVersion: number;
  changes: {
    mdmDeviceId: string;
    mailbox: string;
    state: string;
    from: DecisionSummary;
    to: DecisionSummary;
  }[];
}

export function rulesText(rules: unknown): string {
  return JSON.stringify(rules, null, 2);
}

/** The editor's text as rules to send, or why it cannot be sent (the translator checks the rest). */
export function parseRulesText(
  text: string,
): { ok: true; rules: Record<string, unknown> } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `Not valid JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, error: 'The rules are a JSON object ({ "states": …, … }).' };
  return { ok: true, rules: value as Record<string, unknown> };
}

export function previewSummary(p: RulesPreview): string {
  if (p.devicesChanging === 0)
    return `No device would change: ${p.devicesEvaluated} device(s) evaluated against version ${p.currentVersion}.`;
  return `${p.devicesChanging} of ${p.devicesEvaluated} device(s) would change (compared with version ${p.currentVersion}).`;
}

/** A failed preview or save in plain words; a version conflict says what happened and what to do. */
export function saveProblem(err: Error, baseVersion: number | undefined): string {
  if (err instanceof ApiError && err.code === 'TRANSLATOR_RULES_VERSION_CONFLICT')
    return `Version conflict: someone saved the rules after you loaded version ${baseVersion ?? '?'}, so nothing was saved. Load the current rules, make your change again, preview and save.`;
  if (err instanceof ApiError && err.code === 'TRANSLATOR_INVALID_RULES')
    return `The translator refused these rules: ${err.message}`;
  return err.message;
}
