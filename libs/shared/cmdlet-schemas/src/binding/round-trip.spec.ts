import fc from 'fast-check';
import { formatOpathFilter, opath } from '../filter/opath-builder';
import { evaluateOpathFilter } from '../filter/opath-evaluator';
import { parseOpathFilter } from '../filter/opath-parser';
import { bindInvokeCommandBody, toInvokeCommandBody, validateCmdletInput } from './invoke-command-body';

const deviceIds = fc.array(fc.stringMatching(/^[A-Za-z0-9]{1,32}$/), { maxLength: 5 });

describe(toInvokeCommandBody.name, () => {
  it('binds on the server exactly as the client validated it, for any Set-CASMailbox change', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.oneof(deviceIds, fc.record({ add: deviceIds, remove: deviceIds }), fc.constant(null)),
        fc.option(fc.boolean(), { nil: undefined }),
        (identity, allowed, enabled) => {
          const client = validateCmdletInput('Set-CASMailbox', {
            Identity: identity,
            ActiveSyncAllowedDeviceIDs: allowed,
            ...(enabled === undefined ? {} : { ActiveSyncEnabled: enabled }),
          });
          if (!client.ok) return false;
          const sut = toInvokeCommandBody(client.value);

          const server = bindInvokeCommandBody(JSON.parse(JSON.stringify(sut)));

          return (
            server.ok && JSON.stringify(server.value.parameters) === JSON.stringify(client.value.parameters)
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe(formatOpathFilter.name, () => {
  it('keeps any user value as one quoted value that matches itself exactly', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const sut = formatOpathFilter(opath.eq('UserPrincipalName', value));

        const parsed = parseOpathFilter(sut);

        return (
          parsed.ok &&
          evaluateOpathFilter(parsed.value, { UserPrincipalName: value }) &&
          JSON.stringify(parsed.value) === JSON.stringify(opath.eq('UserPrincipalName', value))
        );
      }),
      { numRuns: 300 },
    );
  });
});
