export * from './certificate/certificate-error';
export * from './certificate/certificate-creation-error';
export * from './certificate/certificate-facts';
export * from './certificate/certificate-file';
export * from './certificate/certificate-validator';
export * from './certificate/certificate-worker';
export * from './certificate/distinguished-name';
export * from './certificate/key-credential';
export * from './certificate/self-signed-certificate';
export * from './certificate/thumbprints';
export {
  readPkcs12,
  Pkcs12ReadError,
  Pkcs12ReadFailure,
  type Pkcs12Contents,
  type Pkcs12Bag,
} from './pkcs12/pkcs12-reader';
export { writePkcs12, type WritePkcs12Input } from './pkcs12/pkcs12-writer';
export * from './jwt/jwt';
export * from './jwt/client-assertion';
export * from './jwt/signing-key';
export * from './cloud/clouds';
export * from './cloud/endpoint-policy';
export * from './sealing/sealed-box';
export * from './coded-error';
