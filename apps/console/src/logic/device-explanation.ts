/** The translator's "explain" of a device, reduced to what the Devices screen shows. */
export interface DeviceExplanation {
  readonly mdmDeviceId: string;
  readonly rule: { readonly matched: string; readonly rulesVersion: number };
  readonly desired: {
    readonly mailbox: string;
    readonly state: string;
    readonly reasons: readonly string[];
    readonly access: string;
    readonly platform?: string;
    readonly model?: string;
  };
  readonly exchange: {
    readonly devices: readonly {
      readonly deviceId: string;
      readonly onAllowList: boolean;
      readonly onBlockList: boolean;
      readonly inventory: { readonly accessState?: string } | null;
    }[];
  };
  readonly commands: readonly {
    readonly action: { readonly kind?: string; readonly type?: string } | string;
    readonly reason: string;
    readonly createdAt: string;
    readonly outcome?: string;
    readonly error?: { readonly code: string; readonly message: string };
  }[];
}

export interface DeviceSummary {
  /** Exchange's access as easgate knows it: the block/allow lists first, then the inventory. */
  readonly exchangeAccess: 'Blocked' | 'Allowed' | 'Quarantined' | 'Unknown';
  readonly why: string;
  readonly lastCommand?: string;
}

/** Exchange's access of a device's EAS ids: the personal block/allow lists first, then the inventory. */
export function exchangeAccessOf(
  devices: readonly {
    readonly onAllowList: boolean;
    readonly onBlockList: boolean;
    readonly accessState?: string | null | undefined;
  }[],
): DeviceSummary['exchangeAccess'] {
  const inventory = devices.map((d) => d.accessState).find((s) => s !== undefined && s !== null);
  return devices.some((d) => d.onBlockList)
    ? 'Blocked'
    : devices.some((d) => d.onAllowList)
      ? 'Allowed'
      : inventory === 'Quarantined'
        ? 'Quarantined'
        : inventory === 'Allowed' || inventory === 'Blocked'
          ? inventory
          : 'Unknown';
}

export function summarizeDevice(explanation: DeviceExplanation): DeviceSummary {
  const exchangeAccess = exchangeAccessOf(
    explanation.exchange.devices.map((d) => ({ ...d, accessState: d.inventory?.accessState })),
  );
  const { desired, rule } = explanation;
  const reasons = desired.reasons.length > 0 ? ` (${desired.reasons.join('; ')})` : '';
  const why = `MDM reports ${desired.state}${reasons}; rule “${rule.matched}” (rules v${rule.rulesVersion}) wants ${desired.access}.`;
  const last = explanation.commands[0];
  const type = last
    ? typeof last.action === 'string'
      ? last.action
      : (last.action.kind ?? last.action.type ?? 'command')
    : undefined;
  return {
    exchangeAccess,
    why,
    ...(last && {
      lastCommand: `${type} at ${last.createdAt.slice(0, 19).replace('T', ' ')}: ${last.outcome ?? 'pending'}${last.error ? ` (${last.error.code})` : ''}`,
    }),
  };
}
