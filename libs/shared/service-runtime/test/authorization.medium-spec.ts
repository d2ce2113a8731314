import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { InProcessBus } from '@easgate/messaging';
import { actorOf, type Identity, noTenant } from '@easgate/identity';
import { Access, Caller } from '../src/identity/access.decorator';
import { startService } from '../src/start-service';
import type { ServiceDefinition } from '../src/service-definition';

@Controller('probe')
class ProbeController {
  @Get('declared')
  @Access('auditor', noTenant)
  declared(@Caller() caller: Identity) {
    return { actor: actorOf(caller) };
  }

  @Post('echo')
  @Access('auditor', noTenant)
  echo(@Body() body: unknown) {
    return { size: JSON.stringify(body).length };
  }

  @Get('undeclared')
  undeclared() {
    return { open: true };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

const probe: ServiceDefinition = {
  name: 'authz-probe',
  defaultPort: 0,
  entities: [],
  migrations: [],
  module: () => ({ module: ProbeModule }),
};

describe(startService.name, () => {
  const bus = new InProcessBus();
  afterAll(() => bus.close());

  it.each([[''], ['too-short']])(
    'refuses to start with an empty or short API token (%j)',
    async (apiToken) => {
      await expect(
        startService(probe, { bus, dataDir: ':memory:', port: 0, apiToken }),
      ).rejects.toMatchObject({
        code: 'API_TOKEN_TOO_SHORT',
      });
    },
  );

  it('refuses a route without an access policy, names the caller from its credential, and answers bad bodies with coded 4xx', async () => {
    const apiToken = 'a-token-long-enough-for-the-test';
    const sut = await startService(probe, { bus, dataDir: ':memory:', port: 0, apiToken });
    try {
      const headers = { authorization: `Bearer ${apiToken}`, 'x-easgate-actor': 'mallory' };
      const undeclared = await fetch(`${sut.url}/probe/undeclared`, { headers });
      const declared = await fetch(`${sut.url}/probe/declared`, { headers });
      const emptyBearer = await fetch(`${sut.url}/probe/declared`, { headers: { authorization: 'Bearer ' } });

      expect(undeclared.status).toBe(403);
      expect(await undeclared.json()).toMatchObject({ code: 'ROUTE_WITHOUT_ACCESS_POLICY' });
      expect(await declared.json()).toEqual({ actor: 'user:api-token' });
      expect(emptyBearer.status).toBe(401);

      const post = (body: string) =>
        fetch(`${sut.url}/probe/echo`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body,
        });
      const oversized = await post(JSON.stringify({ blob: 'x'.repeat(2_000_000) }));
      const malformed = await post('{"blob": ');
      const fine = await post(JSON.stringify({ blob: 'x' }));
      expect(oversized.status).toBe(413);
      expect(await oversized.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({ code: 'BAD_REQUEST' });
      expect(fine.status).toBe(201);
    } finally {
      await sut.close();
    }
  });
});
