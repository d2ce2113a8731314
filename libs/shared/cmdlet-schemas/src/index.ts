// Cmdlet definitions
export * from './schema/cmdlet-definition';
export * from './schema/enums';
export * from './schema/output-types';
export * from './cmdlets/cmdlet-catalog';
export { DEFAULT_RESULT_SIZE } from './cmdlets/common-parameters';
export { MOBILE_DEVICE_FILTERABLE_PROPERTIES } from './cmdlets/mobile-device.cmdlets';
// Binding, validation and serialization
export * from './binding/result';
export * from './binding/cmdlet-schema-error';
export * from './binding/bound-values';
export * from './binding/cmdlet-input';
export * from './binding/parameter-binder';
export * from './binding/invoke-command-body';
// OPATH filters
export * from './filter/opath-ast';
export * from './filter/opath-parser';
export * from './filter/opath-evaluator';
export * from './filter/opath-builder';
// Identities
export * from './identity/mobile-device-identity';
export * from './binding/bound-accessors';
export * from './binding/cli-parameter';
// Output objects and authorization
export * from './output/output-object';
export * from './rbac/cmdlet-authorization';
