export { certVaultService, certVaultDefinition } from './cert-vault.service';
export type { CertVaultOptions } from './cert-vault.module';
export type { Clock } from './domain/clock';
export { VaultErrorCode } from './domain/vault-error';
export { verifyChain, type ChainVerification } from './domain/audit-chain';
export type { IdentityPlatform } from './infra/identity-platform.client';
export { AssertionSigner, type SignedClientAssertion } from './application/assertion-signer';
