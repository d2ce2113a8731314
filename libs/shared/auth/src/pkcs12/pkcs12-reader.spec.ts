import fc from 'fast-check';
import { createSelfSignedCertificate } from '../certificate/self-signed-certificate';
import { thrown } from '../testing/thrown';
import { children, parseDer, toDerBuffer } from './asn1';
import { Pkcs12ReadError, Pkcs12ReadFailure, readPkcs12 } from './pkcs12-reader';

const PASSWORD = 'pässword';

describe(readPkcs12.name, () => {
  let pfx: Buffer;
  beforeAll(async () => {
    pfx = (await createSelfSignedCertificate({ subject: 'CN=hostile', password: PASSWORD, now: new Date() }))
      .pfx;
  });

  it('refuses a MAC iteration count of 2^31 with a clear error, before deriving any key', () => {
    const tree = parseDer(pfx);
    const macData = children(tree, 'PFX')[2];
    children(macData, 'MAC data')[2].value = '\x7f\xff\xff\xff';

    const error = thrown(() => readPkcs12(toDerBuffer(tree), PASSWORD));

    expect(error).toBeInstanceOf(Pkcs12ReadError);
    expect(error).toMatchObject({
      failure: Pkcs12ReadFailure.Unsupported,
      message: expect.stringContaining('iteration count 2147483647 is outside 1-100000'),
    });
  });

  it('answers every corrupted or truncated file with a Pkcs12ReadError, never another exception', () => {
    const corruption = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), byte: fc.constant(0) }),
    );
    fc.assert(
      fc.property(corruption, ({ kind, at, byte }) => {
        const data = Buffer.from(pfx);
        const index = at % data.length;
        const hostile = kind === 'cut' ? data.subarray(0, index) : (data.fill(byte, index, index + 1), data);
        try {
          readPkcs12(hostile, PASSWORD);
        } catch (err) {
          return err instanceof Pkcs12ReadError;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });
});
