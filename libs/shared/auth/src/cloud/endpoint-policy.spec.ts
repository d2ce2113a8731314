import { endpointAllowed, parseAllowedHosts, refusedEndpoints } from './endpoint-policy';

describe(refusedEndpoints.name, () => {
  it("admits each cloud's own hosts and refuses any other host", () => {
    expect(refusedEndpoints('O365Default', { graphUrl: 'https://graph.microsoft.com' }, [])).toEqual([]);
    expect(
      refusedEndpoints('O365USGovGCCHigh', { authorityHost: 'https://login.microsoftonline.us' }, []),
    ).toEqual([]);
    expect(
      refusedEndpoints(
        'O365Default',
        {
          authorityHost: 'https://login.microsoftonline.com.evil.example',
          exchangeEndpoint: 'https://outlook.office365.com/powershell-liveid/',
          graphUrl: 'https://graph.microsoft.us',
        },
        [],
      ),
    ).toEqual(['authorityHost', 'graphUrl']);
  });

  it('admits hosts the operator lists, with or without a port, and https only', () => {
    const allowed = parseAllowedHosts(' sandbox.local:8443 , Alertmanager ');
    expect(allowed).toEqual(['sandbox.local:8443', 'alertmanager']);
    expect(endpointAllowed('https://sandbox.local:8443', 'https://graph.microsoft.com', allowed)).toBe(true);
    expect(endpointAllowed('https://sandbox.local:9443', 'https://graph.microsoft.com', allowed)).toBe(false);
    expect(endpointAllowed('https://alertmanager:1234', 'https://graph.microsoft.com', allowed)).toBe(true);
    expect(endpointAllowed('http://sandbox.local:8443', 'https://graph.microsoft.com', allowed)).toBe(false);
    expect(endpointAllowed('not a url', 'https://graph.microsoft.com', allowed)).toBe(false);
  });
});
