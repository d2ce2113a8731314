import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { parseInput } from '@easgate/service-runtime';
import { z } from 'zod';
import { defaultRules, TranslatorError, TranslatorErrorCode } from '../domain';
import { PolicyTranslator } from '../policy-translator';
import { byParam } from '@easgate/identity';
import { Access, Caller } from '@easgate/service-runtime';
import { actorOf, type Identity } from '@easgate/identity';

const PutRulesBody = z.object({
  rules: z.unknown(),
  /** Optimistic concurrency: the version the change was made against. */
  expectedVersion: z.number().int().nonnegative().optional(),
  changedBy: z.string().min(1).max(200).optional(),
});

function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  return parseInput(
    schema,
    body,
    (issues) => new TranslatorError(TranslatorErrorCode.InvalidRequest, issues),
  );
}

/** The defaults, with a mailbox policy mapping and auto-quarantine on. */
const rulesExample = {
  ...defaultRules(),
  mailboxPolicies: { executives: 'Strict' },
  autoQuarantine: { enabled: true, graceMinutes: 15 },
};

@ApiTags('rules')
@ApiBearerAuth()
@Controller('v1/tenants/:tenant/rules')
export class RulesController {
  constructor(private readonly translator: PolicyTranslator) {}

  @Get()
  @Access('auditor', byParam('tenant'))
  @ApiOperation({ summary: "The tenant's current rules (version 0: the defaults)" })
  current(@Param('tenant') tenant: string) {
    return this.translator.rules(tenant);
  }

  @Get('history')
  @Access('auditor', byParam('tenant'))
  @ApiOperation({ summary: 'Every rules version, newest first' })
  history(@Param('tenant') tenant: string) {
    return this.translator.rulesHistory(tenant);
  }

  @Put()
  @Access('operator', byParam('tenant'))
  @ApiOperation({
    summary: 'Save a new rules version; devices are re-decided and commands sent for what changes',
  })
  @ApiBody({
    schema: { example: { rules: rulesExample, expectedVersion: 0, changedBy: 'admin@contoso.com' } },
  })
  @ApiResponse({
    status: 400,
    description: 'TRANSLATOR_INVALID_REQUEST or TRANSLATOR_INVALID_RULES: the fields at fault',
  })
  @ApiResponse({
    status: 409,
    description: 'TRANSLATOR_RULES_VERSION_CONFLICT: expectedVersion is not the current version',
  })
  put(@Param('tenant') tenant: string, @Body() body: unknown, @Caller() caller: Identity) {
    const input = parseBody(PutRulesBody, body);
    // The author is the authenticated caller; a `changedBy` in the body is ignored (kept for old clients).
    return this.translator.putRules(tenant, input.rules, input.expectedVersion, actorOf(caller));
  }

  @Post('preview')
  @Access('auditor', byParam('tenant'))
  @HttpCode(200)
  @ApiOperation({ summary: 'What-if: which devices these rules would change, without applying them' })
  @ApiBody({ schema: { example: { rules: rulesExample } } })
  @ApiResponse({
    status: 400,
    description: 'TRANSLATOR_INVALID_REQUEST or TRANSLATOR_INVALID_RULES: the fields at fault',
  })
  preview(@Param('tenant') tenant: string, @Body() body: unknown) {
    return this.translator.previewRules(tenant, parseBody(PutRulesBody, body).rules);
  }
}
