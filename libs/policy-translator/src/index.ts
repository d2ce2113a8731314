export * from './policy-translator.service';
export * from './domain';
export * from './demo/compliance-feed';
export { MdmEventsController } from './http/mdm-events.controller';
export { MdmEventsLimits, MdmEventsMediaType } from './http/mdm-events.request';
