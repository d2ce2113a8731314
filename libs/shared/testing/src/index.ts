export * from './test-database';
export * from './kafka';
export * from './wait-for';
