import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { EasgateError, isDeadLetterTopic, type ServiceName, ServiceTopics } from '@easgate/contracts';
import { allTenants, byParam } from '@easgate/identity';
import type { DeadLetterInspector } from '@easgate/messaging';
import { z } from 'zod';
import { Access } from './identity/access.decorator';
import { parseInput } from './parse-input';

export const DEAD_LETTERS = Symbol('DEAD_LETTERS');

/** The service's dead letters: those of the topics it consumes (its own `.dlq` twins). */
export interface ServiceDeadLetters {
  readonly topics: readonly string[];
  /** The service's consumer group: a topic two services consume holds the dead letters of both. */
  readonly consumerGroup: string;
  readonly inspector: DeadLetterInspector;
}

/** The topics whose dead letters a service owns; none for a service that consumes nothing. */
export function deadLetterTopicsOf(service: string): string[] {
  if (!Object.hasOwn(ServiceTopics, service)) return [];
  return ServiceTopics[service as ServiceName].consumes.filter((t) => !isDeadLetterTopic(t));
}

const ListQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(200) });
const ReplayBody = z.strictObject({
  /** The dead letters to replay; absent: every one not replayed yet (of the tenant, on the tenant route). */
  ids: z.array(z.string().min(1).max(400)).min(1).max(1000).optional(),
});

const invalid = (issues: string) => new EasgateError('INVALID_REQUEST', issues);

const entrySchema = {
  type: 'object',
  required: ['id', 'topic', 'originalTopic', 'partition', 'offset', 'key'],
  properties: {
    id: { type: 'string', description: '<dead-letter topic>:<partition>:<offset>' },
    topic: { type: 'string' },
    originalTopic: { type: 'string' },
    partition: { type: 'integer' },
    offset: { type: 'string' },
    key: { type: 'string', nullable: true },
    tenant: { type: 'string' },
    eventType: { type: 'string' },
    code: { type: 'string', description: 'the error code that killed it' },
    reason: { type: 'string' },
    retriable: { type: 'boolean' },
    attempts: { type: 'integer' },
    failedAt: { type: 'string' },
    consumerGroup: { type: 'string' },
    replayOf: { type: 'string', description: 'the dead letter this one is a failed replay of' },
    replayed: { type: 'boolean', description: 'replayed already by a "replay all" of the same scope' },
  },
};
const listSchema = {
  type: 'object',
  required: ['topics', 'deadLetters'],
  properties: {
    topics: { type: 'array', items: { type: 'string' }, description: 'the topics consumed' },
    deadLetters: { type: 'array', items: entrySchema },
  },
};
const replaySchema = {
  type: 'object',
  required: ['replayed', 'missing'],
  properties: {
    replayed: { type: 'array', items: entrySchema },
    missing: { type: 'array', items: { type: 'string' }, description: 'ids not held (or not the tenant’s)' },
  },
};
const replayBodySchema = {
  type: 'object',
  properties: {
    ids: { type: 'array', items: { type: 'string' }, description: 'absent: every one not replayed yet' },
  },
};
const UNAVAILABLE = 'DEAD_LETTERS_UNAVAILABLE or DEAD_LETTERS_READ_TIMEOUT: the bus cannot be read now';

/**
 * Dead letters of the topics this service consumes, on Kafka or the in-process bus: list them (why each
 * died, when, its key and tenant, never its payload) and replay one, some or all to their topic. The
 * tenant routes see and replay only that tenant's; the others hold every tenant (and the dead letters
 * of no known tenant, e.g. a message that is not a CloudEvent).
 */
@ApiTags('dead letters')
@Controller('v1')
export class DeadLettersController {
  constructor(@Inject(DEAD_LETTERS) private readonly deadLetters: ServiceDeadLetters) {}

  @Get('dead-letters')
  @Access('auditor', allTenants)
  @ApiOperation({ summary: 'Dead letters of the topics this service consumes, newest first (every tenant)' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1-1000, default 200' })
  @ApiResponse({ status: 200, description: 'The dead letters held', schema: listSchema })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST: the query parameters at fault' })
  @ApiResponse({ status: 503, description: UNAVAILABLE })
  list(@Query() query: unknown) {
    return this.listFor(undefined, query);
  }

  @Get('tenants/:tenant/dead-letters')
  @Access('auditor', byParam('tenant'))
  @ApiOperation({ summary: "The tenant's dead letters of the topics this service consumes, newest first" })
  @ApiParam({ name: 'tenant', type: String })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1-1000, default 200' })
  @ApiResponse({ status: 200, description: 'The dead letters held', schema: listSchema })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST: the query parameters at fault' })
  @ApiResponse({ status: 503, description: UNAVAILABLE })
  listOfTenant(@Param('tenant') tenant: string, @Query() query: unknown) {
    return this.listFor(tenant, query);
  }

  @Post('dead-letters/replay')
  @Access('operator', allTenants)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay dead letters (by id, or every one not replayed yet) to their original topic',
  })
  @ApiBody({ schema: replayBodySchema })
  @ApiResponse({ status: 200, description: 'What was replayed', schema: replaySchema })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST: the fields at fault' })
  @ApiResponse({ status: 503, description: UNAVAILABLE })
  replay(@Body() body: unknown) {
    return this.replayFor(undefined, body);
  }

  @Post('tenants/:tenant/dead-letters/replay')
  @Access('operator', byParam('tenant'))
  @HttpCode(200)
  @ApiOperation({
    summary: "Replay the tenant's dead letters (by id, or every one not replayed yet) to their topic",
  })
  @ApiParam({ name: 'tenant', type: String })
  @ApiBody({ schema: replayBodySchema })
  @ApiResponse({ status: 200, description: 'What was replayed', schema: replaySchema })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST: the fields at fault' })
  @ApiResponse({ status: 503, description: UNAVAILABLE })
  replayOfTenant(@Param('tenant') tenant: string, @Body() body: unknown) {
    return this.replayFor(tenant, body);
  }

  private async listFor(tenant: string | undefined, query: unknown) {
    const { limit } = parseInput(ListQuery, query ?? {}, invalid, '(query)');
    const { topics, inspector, consumerGroup } = this.deadLetters;
    return {
      topics,
      deadLetters: await inspector.list(topics, {
        limit,
        consumerGroup,
        ...(tenant !== undefined && { tenant }),
      }),
    };
  }

  private replayFor(tenant: string | undefined, body: unknown) {
    const { ids } = parseInput(ReplayBody, body ?? {}, invalid);
    const { topics, inspector, consumerGroup } = this.deadLetters;
    return inspector.replay(topics, {
      consumerGroup,
      ...(ids !== undefined && { ids }),
      ...(tenant !== undefined && { tenant }),
    });
  }
}
