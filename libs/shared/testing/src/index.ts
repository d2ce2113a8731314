export * from './test-database';
export * from './kafka';
export * from './wait-for';
export * from './e2e';
