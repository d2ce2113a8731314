export * from './tls-error';
export * from './certificates';
export * from './tls-directory';
export * from './sandbox-material';
export * from './service-tls';
export * from './peer-trust';
