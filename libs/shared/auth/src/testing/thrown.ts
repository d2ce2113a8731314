/** What `act` throws, for asserting on a typed error's `code`; fails the test if it does not throw. */
export function thrown(act: () => unknown): unknown {
  try {
    act();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}
