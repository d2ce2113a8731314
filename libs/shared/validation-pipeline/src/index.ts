export * from './steps';
export * from './explanations';
export * from './pipeline';
