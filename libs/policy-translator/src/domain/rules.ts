import { MdmComplianceStates, type MdmComplianceState } from '@easgate/contracts';
import { z } from 'zod';

/** What Exchange should do with a device's access: its personal allow list, block list, or neither. */
export const DesiredAccess = z.enum(['allow', 'block', 'quarantine']);
export type DesiredAccess = z.infer<typeof DesiredAccess>;

/** A one-shot action on the device, issued once per verdict. */
export const DeviceAction = z.enum(['none', 'remove-partnership', 'account-only-wipe', 'full-wipe']);
export type DeviceAction = z.infer<typeof DeviceAction>;

export const StateRule = z.strictObject({ access: DesiredAccess, action: DeviceAction.default('none') });
export type StateRule = z.infer<typeof StateRule>;

/** A tenant's rules: how MDM verdicts become Exchange state. Versioned; every change is a new version. */
export const TranslatorRules = z.strictObject({
  states: z.strictObject(
    Object.fromEntries(MdmComplianceStates.map((s) => [s, StateRule])) as Record<
      MdmComplianceState,
      typeof StateRule
    >,
  ),
  /** Trust newly enrolled devices (allow) before their first compliance verdict. */
  trustEnrolledBeforeVerdict: z.boolean(),
  /**
   * A rule's `full-wipe` factory-resets the phone only when this is on; off (the default), it is sent as
   * an account-only wipe. A forged verdict must not be able to erase phones unless the tenant chose so.
   */
  allowFullWipe: z.boolean().default(false),
  /** policyGroup → ActiveSync mailbox policy to assign (null: the default policy). */
  mailboxPolicies: z.record(z.string().min(1), z.string().min(1).nullable()),
  autoQuarantine: z.strictObject({
    enabled: z.boolean(),
    /** Devices first seen in Exchange less than this long ago are left alone: the MDM is often behind. */
    graceMinutes: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60),
  }),
});
export type TranslatorRules = z.infer<typeof TranslatorRules>;

/** What an Exchange admin would expect without configuring anything. */
export function defaultRules(): TranslatorRules {
  return {
    states: {
      enrolled: { access: 'quarantine', action: 'none' },
      compliant: { access: 'allow', action: 'none' },
      noncompliant: { access: 'block', action: 'none' },
      unenrolled: { access: 'block', action: 'none' },
      'selective-wipe': { access: 'block', action: 'account-only-wipe' },
      'full-wipe': { access: 'block', action: 'full-wipe' },
      lost: { access: 'block', action: 'none' },
    },
    trustEnrolledBeforeVerdict: false,
    allowFullWipe: false,
    mailboxPolicies: {},
    autoQuarantine: { enabled: false, graceMinutes: 15 },
  };
}

export interface Decision {
  access: DesiredAccess;
  action: DeviceAction;
  /** undefined: leave the mailbox policy alone. */
  mailboxPolicy?: string | null;
  /** The rule that matched, for the explain API. */
  rule: string;
}

/** The rule that applies to one verdict. */
export function decide(
  state: MdmComplianceState,
  policyGroup: string | undefined,
  rules: TranslatorRules,
): Decision {
  const matched = rules.states[state];
  let access = matched.access;
  let rule = `states.${state} → ${matched.access}${matched.action === 'none' ? '' : ` + ${matched.action}`}`;
  if (state === 'enrolled' && rules.trustEnrolledBeforeVerdict) {
    access = 'allow';
    rule = 'trustEnrolledBeforeVerdict → allow';
  }
  let action = matched.action;
  if (action === 'full-wipe' && !rules.allowFullWipe) {
    action = 'account-only-wipe';
    rule += '; allowFullWipe is off → account-only-wipe';
  }
  const decision: Decision = { access, action, rule };
  if (policyGroup !== undefined && Object.hasOwn(rules.mailboxPolicies, policyGroup)) {
    decision.mailboxPolicy = rules.mailboxPolicies[policyGroup] ?? null;
    decision.rule += `; mailboxPolicies.${policyGroup} → ${decision.mailboxPolicy ?? '(default policy)'}`;
  }
  return decision;
}
