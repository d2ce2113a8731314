export * from './policy-translator.service';
export * from './domain';
export * from './demo/compliance-feed';
