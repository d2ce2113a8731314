// Medium tests talk to a real broker and database: allow them time (Jest's project configs do not
// take `testTimeout`).
jest.setTimeout(120_000);
