import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { TranslatorError, TranslatorErrorCode } from '../domain';
import { PolicyTranslator } from '../policy-translator';

const PutRulesBody = z.object({
  rules: z.unknown(),
  /** Optimistic concurrency: the version the change was made against. */
  expectedVersion: z.number().int().nonnegative().optional(),
  changedBy: z.string().min(1).max(200).optional(),
});

function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new TranslatorError(
      TranslatorErrorCode.InvalidRequest,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}

const rulesExample = {
  states: {
    enrolled: { access: 'quarantine', action: 'none' },
    compliant: { access: 'allow', action: 'none' },
    noncompliant: { access: 'block', action: 'none' },
    unenrolled: { access: 'block', action: 'none' },
    'selective-wipe': { access: 'block', action: 'account-only-wipe' },
    'full-wipe': { access: 'block', action: 'full-wipe' },
    lost: { access: 'block', action: 'none' },
  },
  trustEnrolledBeforeVerdict: false,
  mailboxPolicies: { executives: 'Strict' },
  autoQuarantine: { enabled: true, graceMinutes: 15 },
};

@ApiTags('rules')
@ApiBearerAuth()
@Controller('v1/tenants/:tenant/rules')
export class RulesController {
  constructor(private readonly translator: PolicyTranslator) {}

  @Get()
  @ApiOperation({ summary: "The tenant's current rules (version 0: the defaults)" })
  current(@Param('tenant') tenant: string) {
    return this.translator.rules(tenant);
  }

  @Get('history')
  @ApiOperation({ summary: 'Every rules version, newest first' })
  history(@Param('tenant') tenant: string) {
    return this.translator.rulesHistory(tenant);
  }

  @Put()
  @ApiOperation({
    summary: 'Save a new rules version; devices are re-decided and commands sent for what changes',
  })
  @ApiBody({
    schema: { example: { rules: rulesExample, expectedVersion: 0, changedBy: 'admin@contoso.com' } },
  })
  put(@Param('tenant') tenant: string, @Body() body: unknown) {
    const input = parseBody(PutRulesBody, body);
    return this.translator.putRules(tenant, input.rules, input.expectedVersion, input.changedBy ?? 'api');
  }

  @Post('preview')
  @HttpCode(200)
  @ApiOperation({ summary: 'What-if: which devices these rules would change, without applying them' })
  @ApiBody({ schema: { example: { rules: rulesExample } } })
  preview(@Param('tenant') tenant: string, @Body() body: unknown) {
    return this.translator.previewRules(tenant, parseBody(PutRulesBody, body).rules);
  }
}
