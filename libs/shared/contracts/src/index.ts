export * from './topics';
export * from './errors';
export * from './cloud-event';
export * from './kafka-binding';
export * from './events/exchange';
export * from './events/ops';
export * from './events/mdm';
export * from './events/certificate';
